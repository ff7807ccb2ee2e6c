/**
 * The BT.500 β2 observer screening as Netflix SUREAL computes it (sureal/subjective_model.py,
 * SubjectiveModel._get_opinion_score_3darray_with_preprocessing with subject_rejection_type 'kurtosis',
 * behind SubjrejMosModel; read, not copied): a variant offered for comparison with SUREAL's numbers. The
 * default, bt500-screening.ts, follows the text of ITU-R BT.500-14 Annex 2 §2.3.1. The rule is the same
 * (β2 in [2, 4] → threshold 2σ, else √20·σ; reject when (P+Q)/D > 0.05 and |P−Q|/(P+Q) < 0.3; nobody
 * if everybody would be); SUREAL differs in four places:
 * 1. σ is the population standard deviation (ddof = 0, numpy.std), where the default uses the sample
 *    standard deviation S (ddof = 1) of the Recommendation; σ < S, so the thresholds are narrower and
 *    more ratings fall outside;
 * 2. per stimulus, the sample is every rating of it, all repetitions of all observers pooled (the
 *    repetitions stacked), where BT.500 screens each presentation (stimulus, repetition) on its own;
 *    each rating outside counts once towards its observer's P or Q;
 * 3. the denominator D is stimuli × R (R = the most repetitions of any rating) for every observer,
 *    counting presentations the observer did not rate, where the default divides by the presentations
 *    the observer rated;
 * 4. a stimulus whose ratings all agree (σ = 0; scipy's kurtosis is NaN, so the √20 branch) has the
 *    threshold 0, and every rating of it counts in both P and Q; the default counts none there.
 * β2 = m4/m2² with biased moments (scipy.stats.kurtosis(fisher=False)), as in the default.
 * Input: repeated-ratings.ts (withoutRepetitions for a plain matrix: then D = stimuli).
 */
import { BT500_BETA2_NORMAL_MAX, BT500_BETA2_NORMAL_MIN, BT500_MAX_BALANCE, BT500_MAX_OUTSIDE_RATIO, BT500_NON_NORMAL_FACTOR, BT500_NORMAL_FACTOR } from './bt500-screening';
import { checkRepeatedRatings, type RepeatedRatings } from './repeated-ratings';

export interface Bt500SurealScreening {
  /** Per stimulus, over all its ratings (repetitions pooled). β2 is NaN when σ = 0 or no rating. */
  readonly beta2: Float64Array;
  readonly sigma: Float64Array;
  readonly normal: boolean[];
  readonly threshold: Float64Array;
  /** Per observer. */
  readonly p: Uint32Array;
  readonly q: Uint32Array;
  /** D = stimuli × repetitions, the same for every observer. */
  readonly denominator: number;
  /** (P + Q)/D. */
  readonly outsideRatio: Float64Array;
  /** |P − Q|/(P + Q); NaN when P + Q = 0 (never rejected then). */
  readonly balance: Float64Array;
  readonly rejected: boolean[];
  readonly rejectedObservers: number[];
  readonly keptObservers: number[];
  readonly allWouldBeRejected: boolean;
}

export function bt500ScreeningSureal(m: RepeatedRatings): Bt500SurealScreening {
  checkRepeatedRatings(m);
  const { observers, stimuli, repetitions: reps, values } = m;
  const at = (o: number, s: number, r: number) => values[(o * stimuli + s) * reps + r]!;
  const beta2 = new Float64Array(stimuli);
  const sigma = new Float64Array(stimuli);
  const normal = new Array<boolean>(stimuli).fill(false);
  const threshold = new Float64Array(stimuli);
  const p = new Uint32Array(observers);
  const q = new Uint32Array(observers);
  for (let s = 0; s < stimuli; s++) {
    let n = 0;
    let sum = 0;
    for (let o = 0; o < observers; o++) {
      for (let r = 0; r < reps; r++) {
        const v = at(o, s, r);
        if (Number.isNaN(v)) continue;
        n++;
        sum += v;
      }
    }
    if (n === 0) {
      beta2[s] = NaN;
      sigma[s] = NaN;
      threshold[s] = NaN;
      continue;
    }
    const mean = sum / n;
    let m2 = 0;
    let m4 = 0;
    for (let o = 0; o < observers; o++) {
      for (let r = 0; r < reps; r++) {
        const v = at(o, s, r);
        if (Number.isNaN(v)) continue;
        const d2 = (v - mean) ** 2;
        m2 += d2;
        m4 += d2 * d2;
      }
    }
    const sd = Math.sqrt(m2 / n);
    const b2 = m2 === 0 ? NaN : m4 / n / (m2 / n) ** 2;
    // NaN compares false: the √20 branch, as SUREAL's `2 <= kurt <= 4` with kurt = NaN.
    const isNormal = b2 >= BT500_BETA2_NORMAL_MIN && b2 <= BT500_BETA2_NORMAL_MAX;
    const thr = (isNormal ? BT500_NORMAL_FACTOR : BT500_NON_NORMAL_FACTOR) * sd;
    beta2[s] = b2;
    sigma[s] = sd;
    normal[s] = isNormal;
    threshold[s] = thr;
    for (let o = 0; o < observers; o++) {
      for (let r = 0; r < reps; r++) {
        const v = at(o, s, r);
        if (Number.isNaN(v)) continue;
        if (v >= mean + thr) p[o]++;
        if (v <= mean - thr) q[o]++;
      }
    }
  }
  const denominator = stimuli * reps;
  const outsideRatio = new Float64Array(observers);
  const balance = new Float64Array(observers);
  const flagged = new Array<boolean>(observers).fill(false);
  for (let o = 0; o < observers; o++) {
    const outside = p[o]! + q[o]!;
    outsideRatio[o] = outside / denominator;
    balance[o] = outside > 0 ? Math.abs(p[o]! - q[o]!) / outside : NaN;
    flagged[o] = outsideRatio[o]! > BT500_MAX_OUTSIDE_RATIO && balance[o]! < BT500_MAX_BALANCE;
  }
  const allWouldBeRejected = flagged.every(Boolean);
  const rejected = allWouldBeRejected ? new Array<boolean>(observers).fill(false) : flagged;
  const rejectedObservers: number[] = [];
  const keptObservers: number[] = [];
  for (let o = 0; o < observers; o++) (rejected[o] ? rejectedObservers : keptObservers).push(o);
  return { beta2, sigma, normal, threshold, p, q, denominator, outsideRatio, balance, rejected, rejectedObservers, keptObservers, allWouldBeRejected };
}
