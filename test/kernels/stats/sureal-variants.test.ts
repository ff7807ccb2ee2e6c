/**
 * The variants `iqa mos` offers beside its defaults (docs/analysis.md "Variants"): the normal-approximation
 * MOS interval, SUREAL's BT.500 screening, the residual-based ψ interval of the P.913 reference code, and
 * repeated ratings kept as separate observations. Each against numbers worked out by hand, and against
 * what Netflix SUREAL's own code reports (fixtures/sureal-variants-reference.json, written by
 * scripts/sureal-variants-reference.py from SUREAL commit 526715c).
 *
 * Tolerances, and why:
 * - HAND = 1e-12: closed-form arithmetic on a few small numbers; float64 rounding is ~1e-15.
 * - SUREAL_Z = 2.1e-6 (relative): SUREAL multiplies by 1.95996, the kernels by z_0.975 = 1.959963984540054
 *   (relative difference 2.03e-6).
 * - MEAN = 1e-9: the same sums in another order, on a 0..100 scale.
 * - MODEL = 1e-6: the subject model on both sides stops when ‖Δψ‖₂ < 1e-8, from different rounding; SUREAL's
 *   AP leaves ε = 1e-8 out of sd(ψ) (the kernel keeps it: 1e-8/υ² relative, υ ≈ 10 here), and its AP2 takes
 *   the residual spread from the ψ before the last update.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bt500Screening } from '../../../src-main/kernels/stats/bt500-screening';
import { bt500ScreeningSureal } from '../../../src-main/kernels/stats/bt500-screening-sureal';
import { mosPerStimulus } from '../../../src-main/kernels/stats/mos';
import { ratingMatrixFromRows } from '../../../src-main/kernels/stats/rating-matrix';
import { presentationMatrix, stackedObservations, withoutRepetitions, type RepeatedRatings } from '../../../src-main/kernels/stats/repeated-ratings';
import { fitSubjectModel } from '../../../src-main/kernels/stats/subject-model-mle';
import { mosFromRatings, mosFromSubjectModel, repeatedRatings, type RatingRow } from '../../../src-main/kernels/analysis/mos-from-ratings';

const HAND = 1e-12;
const SUREAL_Z = 2.1e-6;
const MEAN = 1e-9;
const MODEL = 1e-6;
const Z975 = 1.959963984540054;

const near = (actual: number, expected: number, tol: number, what = '') => expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
const nearRel = (actual: number, expected: number, rel: number, what = '') => near(actual, expected, rel * Math.abs(expected) + 1e-12, what);

interface SurealRun {
  ratings: number[][][];
  MosModel: { quality_scores: number[]; quality_scores_ci95: number[] };
  SubjrejMosModel: { observer_rejected: boolean[]; observer_rejected_1st_stats: number[]; observer_rejected_2nd_stats: (number | null)[]; quality_scores: number[]; quality_scores_ci95: number[] };
  MLE_CO_AP: { quality_scores: number[]; quality_scores_std: number[]; observer_bias: number[]; observer_inconsistency: number[] };
  MLE_CO_AP2: { quality_scores: number[]; quality_scores_std: number[]; observer_bias: number[]; observer_inconsistency: number[] };
  p913_demo?: { mos_j: number[]; sos_j: number[] };
}
const reference = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'sureal-variants-reference.json'), 'utf8')) as { single: SurealRun; repeated: SurealRun };

/** ratings[o][s] = repetitions -> rows in order (observer o00.., stimulus d0..), each repetition a row. */
const rowsOf = (ratings: number[][][]): RatingRow[] =>
  ratings.flatMap((cells, o) => cells.flatMap((reps, s) => reps.map((score) => ({ participant: `o${String(o).padStart(2, '0')}`, stimulus: `d${s}`, score }))));

describe('the normal-approximation MOS interval (interval: normal)', () => {
  it('is z_0.975 · S/√N, against the t interval of the default', () => {
    // Ratings 2, 3, 4, 5: mean 3.5; S² = (2.25 + 0.25 + 0.25 + 2.25)/3 = 5/3; SE = √(5/3)/2 = 0.6454972243679028.
    // normal: 1.959963984540054 · 0.6454972243679028 = 1.26515131188166; t (3 df, 3.182446305284263): 2.0542602567605206.
    const m = ratingMatrixFromRows([[2], [3], [4], [5]]);
    const normal = mosPerStimulus(m, { interval: 'normal' });
    const t = mosPerStimulus(m);
    expect(normal.interval).toBe('normal');
    expect(t.interval).toBe('t');
    near(normal.ciHalfWidth[0]!, 1.26515131188166, HAND);
    near(normal.ciUpper[0]! - 3.5, 1.26515131188166, HAND);
    near(3.5 - normal.ciLower[0]!, 1.26515131188166, HAND);
    near(t.ciHalfWidth[0]!, 2.0542602567605206, HAND);
    // Everything but the interval is the same.
    expect([normal.mean[0], normal.std[0], normal.n[0]]).toEqual([t.mean[0], t.std[0], t.n[0]]);
    // N = 1: no interval either way.
    expect(Number.isNaN(mosPerStimulus(ratingMatrixFromRows([[4]]), { interval: 'normal' }).ciHalfWidth[0])).toBe(true);
  });

  it("equals SUREAL MosModel's quality_scores_ci95 (1.95996 · S/√N) on the 24 × 30 golden ratings", () => {
    const r = mosFromRatings(rowsOf(reference.single.ratings), { screening: 'none', interval: 'normal' });
    expect(r.variants).toEqual({ repeats: 'average', interval: 'normal' });
    r.stimuli.forEach((s, i) => {
      near(s.mos, reference.single.MosModel.quality_scores[i]!, MEAN, `mos ${i}`);
      nearRel(s.ci95[1] - s.mos, reference.single.MosModel.quality_scores_ci95[i]!, SUREAL_Z, `ci ${i}`);
    });
  });
});

describe("SUREAL's BT.500 screening (bt500-sureal)", () => {
  // Six observers a..f, two stimuli; f rates A high and B low.
  //   A = 1, 1, 1, 2, 2, 5: mean 2; deviations −1, −1, −1, 0, 0, 3: m2 = 12/6 = 2, m4 = 84/6 = 14, β2 = 14/4 = 3.5
  //   (normal: factor 2); σ (ddof 0) = √2 = 1.41421, S (ddof 1) = √(12/5) = 1.54919.
  //   SUREAL: 5 ≥ 2 + 2√2 = 4.828 → P for f. Default: 5 < 2 + 2·1.54919 = 5.098 → nobody.
  //   B = 6 − A (5, 5, 5, 4, 4, 1): mean 4, the same σ, S and β2; SUREAL: 1 ≤ 4 − 2.828 = 1.172 → Q for f.
  //   f: P = Q = 1, (P + Q)/2 = 1 > 0.05, |P − Q|/(P + Q) = 0 < 0.3 → rejected by SUREAL's variant only.
  //   MOS after it: A = (1 + 1 + 1 + 2 + 2)/5 = 1.4, B = (5 + 5 + 5 + 4 + 4)/5 = 4.6.
  const A = [1, 1, 1, 2, 2, 5];
  const matrix = ratingMatrixFromRows(A.map((a) => [a, 6 - a]));

  it('uses the population std: an observer between 2σ and 2S is outside for SUREAL only', () => {
    const s = bt500ScreeningSureal(withoutRepetitions(matrix));
    near(s.sigma[0]!, Math.SQRT2, HAND);
    near(s.beta2[0]!, 3.5, HAND);
    near(s.threshold[0]!, 2 * Math.SQRT2, HAND);
    expect(Array.from(s.p)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(Array.from(s.q)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(s.rejectedObservers).toEqual([5]);
    const d = bt500Screening(matrix);
    near(d.threshold[0]!, 2 * Math.sqrt(12 / 5), HAND);
    expect(d.rejectedObservers).toEqual([]);

    const rows: RatingRow[] = A.flatMap((a, o) => [
      { participant: 'abcdef'[o]!, stimulus: 'A', score: a },
      { participant: 'abcdef'[o]!, stimulus: 'B', score: 6 - a },
    ]);
    const sureal = mosFromRatings(rows, { screening: 'bt500-sureal' });
    expect(sureal.rejected).toEqual(['f']);
    expect(sureal.reasons.f).toMatch(/population std.*P=1, Q=1, \(P\+Q\)\/2=1\.000/);
    near(sureal.stimuli[0]!.mos, 1.4, HAND);
    near(sureal.stimuli[1]!.mos, 4.6, HAND);
    expect(mosFromRatings(rows, { screening: 'bt500' }).rejected).toEqual([]);
  });

  it('divides by every presentation, rated or not, and counts all ratings of a stimulus that all agree as both P and Q', () => {
    // Observers 0..2; s0 all 3 (σ = 0: SUREAL's threshold is 0, every rating counts as P and as Q); s1 = 1, 2, 3
    // (β2 = (2/3)/(2/3)² = 1.5 → √20·σ = 3.65: nobody); s2 = 1, 3 and not rated by observer 2 (β2 = 1: nobody).
    // SUREAL: P = Q = 1 for everyone, (P + Q)/3 = 2/3 (3 presentations, also for observer 2 who rated 2),
    // balance 0 → all flagged → none rejected. Default: s0 counts nobody; presentations rated 3, 3, 2.
    const m = ratingMatrixFromRows([
      [3, 1, 1],
      [3, 2, 3],
      [3, 3, null],
    ]);
    const s = bt500ScreeningSureal(withoutRepetitions(m));
    expect(Number.isNaN(s.beta2[0])).toBe(true);
    expect(s.threshold[0]).toBe(0);
    near(s.beta2[1]!, 1.5, HAND);
    expect(Array.from(s.p)).toEqual([1, 1, 1]);
    expect(Array.from(s.q)).toEqual([1, 1, 1]);
    expect(s.denominator).toBe(3);
    expect(Array.from(s.outsideRatio)).toEqual([2 / 3, 2 / 3, 2 / 3]);
    expect(s.allWouldBeRejected).toBe(true);
    expect(s.rejectedObservers).toEqual([]);
    const d = bt500Screening(m);
    expect(Array.from(d.p)).toEqual([0, 0, 0]);
    expect(Array.from(d.rated)).toEqual([3, 3, 2]);
  });

  it("pools the repetitions of a stimulus and divides by stimuli × R: SUREAL SubjrejMosModel's numbers", () => {
    for (const [name, run] of [['single', reference.single], ['repeated', reference.repeated]] as const) {
      const rr = repeatedRatings(rowsOf(run.ratings)).ratings;
      const s = bt500ScreeningSureal(rr);
      expect(s.denominator, name).toBe(run.ratings[0]!.length * rr.repetitions);
      expect(s.rejected, name).toEqual(run.SubjrejMosModel.observer_rejected);
      s.outsideRatio.forEach((v, o) => near(v, run.SubjrejMosModel.observer_rejected_1st_stats[o]!, HAND, `${name} (P+Q)/D ${o}`));
      s.balance.forEach((v, o) => {
        const want = run.SubjrejMosModel.observer_rejected_2nd_stats[o];
        if (want === null) expect(Number.isNaN(v), `${name} balance ${o}`).toBe(true);
        else near(v, want!, HAND, `${name} balance ${o}`);
      });
      // SubjrejMosModel = this screening, then the MOS over all ratings kept with the normal interval.
      const r = mosFromRatings(rowsOf(run.ratings), { screening: 'bt500-sureal', repeats: 'observations', interval: 'normal' });
      r.stimuli.forEach((st, i) => {
        near(st.mos, run.SubjrejMosModel.quality_scores[i]!, MEAN, `${name} mos ${i}`);
        nearRel(st.ci95[1] - st.mos, run.SubjrejMosModel.quality_scores_ci95[i]!, SUREAL_Z, `${name} ci ${i}`);
      });
    }
    // The reference data do repeat ratings: up to 3 of one stimulus by one observer.
    expect(repeatedRatings(rowsOf(reference.repeated.ratings)).ratings.repetitions).toBe(3);
  });
});

describe('repeated ratings kept as separate observations (repeats: observations)', () => {
  // The ratings of SUREAL's test/resource/test_dataset_os_as_dict_with_repetitions.py (Apache-2.0):
  //   baz1: Tom 3, 2; Jerry 4; Pinokio 1        baz2: Tom 2, 2; Jerry 1; Pinokio 3, 3, 1        baz3: Tom 4; Jerry 1; Pinokio 3
  const rows: RatingRow[] = [
    ['Tom', 'baz1', 3], ['Tom', 'baz1', 2], ['Jerry', 'baz1', 4], ['Pinokio', 'baz1', 1],
    ['Tom', 'baz2', 2], ['Tom', 'baz2', 2], ['Jerry', 'baz2', 1], ['Pinokio', 'baz2', 3], ['Pinokio', 'baz2', 3], ['Pinokio', 'baz2', 1],
    ['Tom', 'baz3', 4], ['Jerry', 'baz3', 1], ['Pinokio', 'baz3', 3],
  ].map(([participant, stimulus, score]) => ({ participant: participant as string, stimulus: stimulus as string, score: score as number }));

  it('counts every rating: MOS, std, n and interval over all of them (by hand, and SUREAL MosModel)', () => {
    // baz1: 3, 2, 4, 1 → mean 2.5, S² = (0.25 + 0.25 + 2.25 + 2.25)/3 = 5/3, n 4, normal half-width 1.959964·√(5/3)/2 = 1.26515131188166
    // baz2: 2, 2, 1, 3, 3, 1 → mean 2, S² = 4/5, n 6, 1.959964·√0.8/√6 = 0.7156776574868629
    // baz3: 4, 1, 3 → mean 8/3, S² = (16/9 + 25/9 + 1/9)/2 = 7/3, n 3, 1.959964·√(7/3)/√3 = 1.7285257605787425
    // SUREAL MosModel on that file: [2.5, 2.0, 2.6666666666666665], ci95 [1.2651487398721146, 0.7156762025385502, 1.7285222465447183].
    const r = mosFromRatings(rows, { screening: 'none', repeats: 'observations', interval: 'normal' });
    expect(r.variants).toEqual({ repeats: 'observations', interval: 'normal' });
    expect(r.counts).toEqual({ ratings: 13, excluded: 0, repetitionsAveraged: 0, participants: 3, repetitionsKept: 4 });
    expect(r.stimuli.map((s) => s.n)).toEqual([4, 6, 3]);
    const want = [
      [2.5, Math.sqrt(5 / 3), 1.26515131188166, 1.2651487398721146],
      [2, Math.sqrt(0.8), 0.7156776574868629, 0.7156762025385502],
      [8 / 3, Math.sqrt(7 / 3), 1.7285257605787425, 1.7285222465447183],
    ];
    r.stimuli.forEach((s, i) => {
      const [mos, std, half, sureal] = want[i]!;
      near(s.mos, mos!, HAND);
      near(s.std, std!, HAND);
      near(s.ci95[1] - s.mos, half!, HAND);
      nearRel(s.ci95[1] - s.mos, sureal!, SUREAL_Z);
    });
  });

  it('the default averages each participant first: baz1 is Tom 2.5, Jerry 4, Pinokio 1', () => {
    // mean 2.5, S = √((0 + 2.25 + 2.25)/2) = 1.5, n 3, t half-width 4.302652729749462·1.5/√3 = 3.7262065676254954.
    const r = mosFromRatings(rows, { screening: 'none' });
    expect(r.variants).toEqual({ repeats: 'average', interval: 't' });
    expect(r.counts).toEqual({ ratings: 13, excluded: 0, repetitionsAveraged: 4, participants: 3 });
    near(r.stimuli[0]!.mos, 2.5, HAND);
    near(r.stimuli[0]!.std, 1.5, HAND);
    expect(r.stimuli[0]!.n).toBe(3);
    near(r.stimuli[0]!.ci95[1] - 2.5, 3.7262065676254954, 1e-9);
  });

  it('lays the repetitions out as SUREAL stacks them, and as BT.500 presentations (stimulus, repetition)', () => {
    const { ratings, participants, stimuli } = repeatedRatings(rows);
    expect(participants).toEqual(['Tom', 'Jerry', 'Pinokio']);
    expect(stimuli).toEqual(['baz1', 'baz2', 'baz3']);
    expect(ratings.repetitions).toBe(3);
    const at = (m: RepeatedRatings, o: number, s: number) => Array.from(m.values.slice((o * 3 + s) * 3, (o * 3 + s) * 3 + 3));
    expect(at(ratings, 2, 1)).toEqual([3, 3, 1]);
    expect(at(ratings, 0, 0)).toEqual([3, 2, NaN]);
    // Stacked: row r·3 + o holds observer o's r-th ratings.
    const stacked = stackedObservations(ratings);
    expect(stacked.observers).toBe(9);
    expect(Array.from(stacked.values.slice(3 * 3, 3 * 3 + 3))).toEqual([2, 2, NaN]); // Tom's second ratings
    expect(Array.from(stacked.values.slice(8 * 3, 8 * 3 + 3))).toEqual([NaN, 1, NaN]); // Pinokio's third
    // Presentations: column s·3 + r.
    const pres = presentationMatrix(ratings);
    expect(pres.stimuli).toBe(9);
    expect(Array.from(pres.values.slice(2 * 9 + 3, 2 * 9 + 6))).toEqual([3, 3, 1]); // Pinokio, baz2 r = 0, 1, 2
  });

  it("correlation screening compares each participant's means (as SUREAL's pearson rejection), then counts every rating kept", () => {
    const rows = rowsOf(reference.repeated.ratings);
    const averaged = mosFromRatings(rows, { screening: 'corr', minCorrelation: 0.75 });
    const kept = mosFromRatings(rows, { screening: 'corr', minCorrelation: 0.75, repeats: 'observations' });
    expect(kept.rejected).toEqual(averaged.rejected);
    expect(kept.rejected).toEqual(['o05', 'o17']);
    // The MOS is then the plain mean of every rating by the others: stimulus d0 by hand from the fixture.
    const d0 = reference.repeated.ratings.filter((_, o) => o !== 5 && o !== 17).flatMap((cells) => cells[0]!);
    near(kept.stimuli[0]!.mos, d0.reduce((a, b) => a + b, 0) / d0.length, MEAN);
    expect(kept.stimuli[0]!.n).toBe(d0.length);
    expect(d0.length).toBeGreaterThan(22); // 22 participants kept, some with repeats
  });

  it('screens each presentation with the default BT.500 rule (its J·K·R presentations)', () => {
    // Each repetition of a stimulus is a presentation of its own, screened over the observers who rated it;
    // the same as the BT.500 kernel on the presentation matrix.
    const r = mosFromRatings(rowsOf(reference.repeated.ratings), { screening: 'bt500', repeats: 'observations' });
    const s = bt500Screening(presentationMatrix(repeatedRatings(rowsOf(reference.repeated.ratings)).ratings));
    expect(r.rejected).toEqual(s.rejectedObservers.map((o) => `o${String(o).padStart(2, '0')}`));
    expect(r.rejected).toEqual(['o05', 'o17']);
  });
});

describe('the subject model: the residual ψ interval and repetitions', () => {
  // 4 observers × 3 stimuli, u_ij = ψ_j + Δ_i + r_ij with ψ = (3, 2, 4), Δ = (0.5, −0.5, 0, 0) and residuals
  //   (1, −1, 0), (−1, 1, 0), (1, 0, −1), (−1, 0, 1)
  // (rows and columns sum to 0). The MOS start is ψ already (column means 3, 2, 4), Δ_i = row means of u − ψ;
  // every observer's residuals are {1, −1, 0}: υ_i = √(2/3) for all, equal weights, a fixed point at once.
  //   information: sd(ψ_j) = 1/√(4/(2/3 + 1e-8)) = 0.408248...
  //   residual:    σ_1 = pop. std(1, −1, 1, −1) = 1 → sd 1/√4 = 0.5; σ_2 = σ_3 = pop. std(−1, 1, 0, 0) = √0.5 → sd 0.353553...
  const m = ratingMatrixFromRows([
    [4.5, 1.5, 4.5],
    [1.5, 2.5, 3.5],
    [4, 2, 3],
    [2, 2, 5],
  ]);

  it('residual: sd(ψ_j) = σ_j/√n_j from the stimulus\'s own residuals; information: from the participants\' inconsistency', () => {
    const info = fitSubjectModel(m);
    const res = fitSubjectModel(m, { psiInterval: 'residual' });
    expect(info.psiInterval).toBe('information');
    expect(res.psiInterval).toBe('residual');
    [3, 2, 4].forEach((psi, j) => {
      near(res.psi[j]!, psi, HAND);
      near(info.psiStd[j]!, Math.sqrt((2 / 3 + 1e-8) / 4), HAND);
    });
    near(res.psiStd[0]!, 0.5, HAND);
    near(res.psiStd[1]!, Math.sqrt(0.5) / 2, HAND);
    near(res.psiStd[2]!, Math.sqrt(0.5) / 2, HAND);
    near(res.psiCi95.upper[0]! - 3, Z975 * 0.5, HAND);
    near(3 - res.psiCi95.lower[0]!, Z975 * 0.5, HAND);
    // Only the ψ interval differs.
    expect(Array.from(res.bias)).toEqual(Array.from(info.bias));
    expect(Array.from(res.biasCi95.lower)).toEqual(Array.from(info.biasCi95.lower));
    expect(Array.from(res.inconsistency)).toEqual(Array.from(info.inconsistency));
  });

  it('residual equals sos_j of the P.913 reference code (itut_p913_demo) and MLE_CO_AP2; information equals MLE_CO_AP', () => {
    const rows = rowsOf(reference.single.ratings);
    const res = mosFromSubjectModel(rows, { psiInterval: 'residual' });
    const info = mosFromSubjectModel(rows);
    expect(res.variants).toEqual({ repeats: 'average', psiInterval: 'residual' });
    expect(info.variants).toEqual({ repeats: 'average', psiInterval: 'information' });
    const z = (s: { mos: number; ci95: [number, number] }) => (s.ci95[1] - s.mos) / Z975;
    res.stimuli.forEach((s, j) => {
      near(s.mos, reference.single.p913_demo!.mos_j[j]!, MODEL, `psi ${j}`);
      nearRel(z(s), reference.single.p913_demo!.sos_j[j]!, MODEL, `sos ${j}`);
      nearRel(z(s), reference.single.MLE_CO_AP2.quality_scores_std[j]!, MODEL, `AP2 ${j}`);
      nearRel(z(info.stimuli[j]!), reference.single.MLE_CO_AP.quality_scores_std[j]!, MODEL, `AP ${j}`);
    });
  });

  it('with repeats kept as observations, fits every rating as SUREAL MLE_CO_AP / AP2 do', () => {
    const rows = rowsOf(reference.repeated.ratings);
    for (const [psiInterval, ref] of [['information', reference.repeated.MLE_CO_AP], ['residual', reference.repeated.MLE_CO_AP2]] as const) {
      const r = mosFromSubjectModel(rows, { psiInterval, repeats: 'observations' });
      expect(r.variants).toEqual({ repeats: 'observations', psiInterval });
      r.stimuli.forEach((s, j) => {
        near(s.mos, ref.quality_scores[j]!, MODEL, `${psiInterval} psi ${j}`);
        nearRel((s.ci95[1] - s.mos) / Z975, ref.quality_scores_std[j]!, MODEL, `${psiInterval} sd ${j}`);
      });
      r.subjects!.forEach((p, o) => {
        near(p.bias, ref.observer_bias[o]!, MODEL, `${psiInterval} bias ${o}`);
        near(p.inconsistency, ref.observer_inconsistency[o]!, MODEL, `${psiInterval} inconsistency ${o}`);
      });
    }
    // Averaging first gives another fit (fewer, less spread ratings): the two differ.
    const averaged = mosFromSubjectModel(rows);
    expect(Math.abs(averaged.stimuli[0]!.mos - reference.repeated.MLE_CO_AP.quality_scores[0]!)).toBeGreaterThan(1e-3);
  });

  it('with repetitions = 1 gives the numbers of the plain matrix, bit for bit', () => {
    const a = fitSubjectModel(m);
    const b = fitSubjectModel(withoutRepetitions(m));
    expect(Array.from(b.psi)).toEqual(Array.from(a.psi));
    expect(Array.from(b.psiStd)).toEqual(Array.from(a.psiStd));
    expect(b.logLikelihood).toBe(a.logLikelihood);
  });
});
