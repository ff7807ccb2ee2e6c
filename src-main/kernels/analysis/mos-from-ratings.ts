/**
 * MOS per stimulus from raw ratings (participant, stimulus, score), with optional observer screening:
 * ITU-R BT.500 (β2 kurtosis rule) or correlation screening (each observer against the MOS of the
 * others, PLCC below a threshold). Missing and non-numeric scores are excluded and counted; repeated
 * ratings of one stimulus by one participant are averaged first (and counted). Confidence intervals
 * come from the t-distribution over the participants kept.
 *
 * Variants offered beside these defaults, for comparison with tools that compute otherwise (each named in
 * the report's `variants`; docs/analysis.md "Variants"):
 * - `interval: 'normal'`: the normal-approximation interval z·S/√N (SUREAL's MosModel; stats/mos.ts);
 * - `screening: 'bt500-sureal'`: SUREAL's version of the BT.500 β2 screening (stats/bt500-screening-sureal.ts);
 * - `repeats: 'observations'`: repeated ratings kept as separate observations (SUREAL stacks its
 *   repetitions so): the MOS, std, n and interval are over all the ratings of the participants kept; the
 *   BT.500 screening treats each repetition as its own presentation (stimulus, r), as the Recommendation's
 *   J·K·R presentations; SUREAL's screening pools them (its own rule); the correlation screening compares
 *   each participant's per-stimulus means (as SUREAL's pearson rejection does);
 * - `psiInterval: 'residual'` (subject model): the P.913 reference code's ψ interval (stats/subject-model-mle.ts).
 */
import { IqaError } from '../../common/errors';
import { bt500Screening } from '../stats/bt500-screening';
import { bt500ScreeningSureal } from '../stats/bt500-screening-sureal';
import { correlationScreening } from '../stats/correlation-screening';
import { mosPerStimulus, type MosInterval } from '../stats/mos';
import { presentationMatrix, stackedObservations, withoutRepetitions, type RepeatedRatings } from '../stats/repeated-ratings';
import { fitSubjectModel, type PsiInterval } from '../stats/subject-model-mle';
import { zScoresPerParticipant } from '../stats/zscore';
import type { RatingMatrix } from '../stats/rating-matrix';

export type Screening = 'bt500' | 'bt500-sureal' | 'corr' | 'none';
/** Repeated ratings of one stimulus by one participant: averaged first (default) or kept as observations. */
export const REPEATS = ['average', 'observations'] as const;
export type Repeats = (typeof REPEATS)[number];
export type { MosInterval, PsiInterval };
export type MosKind = 'raw' | 'screened' | 'mle';

export interface RatingRow {
  participant: string;
  stimulus: string;
  score: number;
}

export interface MosReport {
  screening: Screening;
  rejected: string[];
  /** Why each rejected participant was rejected. */
  reasons: Record<string, string>;
  stimuli: { stimulus: string; mos: number; std: number; n: number; ci95: [number, number] }[];
  /** repetitionsAveraged: ratings beyond a participant's first of a stimulus, averaged in (`repeats: 'average'`);
   *  repetitionsKept: the same ratings kept as observations instead (`repeats: 'observations'`, then repetitionsAveraged = 0). */
  counts: { ratings: number; excluded: number; repetitionsAveraged: number; participants: number; repetitionsKept?: number };
  /** Which variant produced the numbers (the defaults: t, average; information for the subject model). */
  variants: { repeats: Repeats; interval?: MosInterval; psiInterval?: PsiInterval };
  allWouldBeRejected?: boolean;
  /** With the P.913 subject model: each participant's bias and inconsistency. */
  subjects?: { participant: string; bias: number; biasCi95: [number, number]; inconsistency: number; inconsistencyCi95: [number, number] }[];
  model?: { solver: string; iterations: number; converged: boolean; logLikelihood: number };
}

/**
 * MOS as the ITU-T P.913 (§12.6) / P.910 Annex E maximum-likelihood subject model estimates it (SUREAL's
 * MLE_CO): ψ per stimulus with its 95 % interval, and each participant's bias and inconsistency. No
 * screening: the model weighs inconsistent participants down instead of rejecting them.
 */
export function mosFromSubjectModel(rows: readonly RatingRow[], options: { psiInterval?: PsiInterval; repeats?: Repeats } = {}): MosReport {
  if (rows.length === 0) throw new IqaError('E_INPUT', 'no ratings');
  const psiInterval = options.psiInterval ?? 'information';
  const repeats = options.repeats ?? 'average';
  const { matrix, participants, stimuli, excluded, repetitions } = ratingMatrix(rows);
  let fit;
  try {
    fit = fitSubjectModel(repeats === 'observations' ? repeatedRatings(rows).ratings : matrix, { psiInterval });
  } catch (err) {
    throw new IqaError('E_INPUT', `the subject model cannot be fitted: ${(err as Error).message}`);
  }
  return {
    screening: 'none',
    rejected: [],
    reasons: {},
    stimuli: stimuli.map((name, s) => ({
      stimulus: name,
      mos: fit.psi[s]!,
      std: fit.psiStd[s]!,
      n: fit.ratingsPerStimulus[s]!,
      ci95: [fit.psiCi95.lower[s]!, fit.psiCi95.upper[s]!],
    })),
    counts: repetitionCounts(rows.length, excluded, repetitions, participants.length, repeats),
    variants: { repeats, psiInterval },
    subjects: participants.map((p, o) => ({
      participant: p,
      bias: fit.bias[o]!,
      biasCi95: [fit.biasCi95.lower[o]!, fit.biasCi95.upper[o]!],
      inconsistency: fit.inconsistency[o]!,
      inconsistencyCi95: [fit.inconsistencyCi95.lower[o]!, fit.inconsistencyCi95.upper[o]!],
    })),
    model: { solver: fit.solver, iterations: fit.iterations, converged: fit.converged, logLikelihood: fit.logLikelihood },
  };
}

/** Participants and stimuli in order of first appearance, with their indices. */
function indexRows(rows: readonly RatingRow[]): { participants: string[]; stimuli: string[]; pIndex: Map<string, number>; sIndex: Map<string, number> } {
  const participants: string[] = [];
  const stimuli: string[] = [];
  const pIndex = new Map<string, number>();
  const sIndex = new Map<string, number>();
  for (const r of rows) {
    if (!pIndex.has(r.participant)) pIndex.set(r.participant, participants.push(r.participant) - 1);
    if (!sIndex.has(r.stimulus)) sIndex.set(r.stimulus, stimuli.push(r.stimulus) - 1);
  }
  return { participants, stimuli, pIndex, sIndex };
}

export function ratingMatrix(rows: readonly RatingRow[]): { matrix: RatingMatrix; participants: string[]; stimuli: string[]; excluded: number; repetitions: number } {
  const { participants, stimuli, pIndex, sIndex } = indexRows(rows);
  const sum = new Float64Array(participants.length * stimuli.length);
  const count = new Uint32Array(sum.length);
  let excluded = 0;
  for (const r of rows) {
    if (!Number.isFinite(r.score)) {
      excluded += 1;
      continue;
    }
    const i = pIndex.get(r.participant)! * stimuli.length + sIndex.get(r.stimulus)!;
    sum[i]! += r.score;
    count[i]! += 1;
  }
  let repetitions = 0;
  const values = new Float64Array(sum.length);
  for (let i = 0; i < values.length; i++) {
    if (count[i]! > 1) repetitions += count[i]! - 1;
    values[i] = count[i]! > 0 ? sum[i]! / count[i]! : Number.NaN;
  }
  return { matrix: { values, observers: participants.length, stimuli: stimuli.length }, participants, stimuli, excluded, repetitions };
}

/**
 * The ratings with repetitions kept apart (repeated-ratings.ts): repetition r of a participant's stimulus
 * is their r-th finite rating of it, in the order of the rows. Participants and stimuli in the order of
 * `ratingMatrix`.
 */
export function repeatedRatings(rows: readonly RatingRow[]): { ratings: RepeatedRatings; participants: string[]; stimuli: string[] } {
  const { participants, stimuli, pIndex, sIndex } = indexRows(rows);
  const count = new Uint32Array(participants.length * stimuli.length);
  for (const r of rows) if (Number.isFinite(r.score)) count[pIndex.get(r.participant)! * stimuli.length + sIndex.get(r.stimulus)!]! += 1;
  let reps = 1;
  for (const c of count) reps = Math.max(reps, c);
  const values = new Float64Array(count.length * reps).fill(Number.NaN);
  count.fill(0);
  for (const r of rows) {
    if (!Number.isFinite(r.score)) continue;
    const cell = pIndex.get(r.participant)! * stimuli.length + sIndex.get(r.stimulus)!;
    values[cell * reps + count[cell]!] = r.score;
    count[cell]! += 1;
  }
  return { ratings: { values, observers: participants.length, stimuli: stimuli.length, repetitions: reps }, participants, stimuli };
}

function repetitionCounts(ratings: number, excluded: number, repetitions: number, participants: number, repeats: Repeats): MosReport['counts'] {
  return repeats === 'observations'
    ? { ratings, excluded, repetitionsAveraged: 0, participants, repetitionsKept: repetitions }
    : { ratings, excluded, repetitionsAveraged: repetitions, participants };
}

export interface MosFromRatingsOptions {
  screening: Screening;
  minCorrelation?: number;
  /** 't' (default) or 'normal'. */
  interval?: MosInterval;
  /** 'average' (default) or 'observations'. */
  repeats?: Repeats;
}

export function mosFromRatings(rows: readonly RatingRow[], options: MosFromRatingsOptions): MosReport {
  if (rows.length === 0) throw new IqaError('E_INPUT', 'no ratings');
  const interval = options.interval ?? 't';
  const repeats = options.repeats ?? 'average';
  const { matrix, participants, stimuli, excluded, repetitions } = ratingMatrix(rows);
  const repeated = repeats === 'observations' ? repeatedRatings(rows).ratings : withoutRepetitions(matrix);
  let include: boolean[] | undefined;
  const reasons: Record<string, string> = {};
  let allWouldBeRejected: boolean | undefined;
  if (options.screening === 'bt500') {
    // With repetitions kept, each (stimulus, repetition) is a presentation of its own (BT.500's J·K·R).
    const s = bt500Screening(repeats === 'observations' ? presentationMatrix(repeated) : matrix);
    include = s.rejected.map((r) => !r);
    allWouldBeRejected = s.allWouldBeRejected;
    for (const o of s.rejectedObservers) {
      reasons[participants[o]!] = `BT.500: P=${s.p[o]}, Q=${s.q[o]}, (P+Q)/J=${s.outsideRatio[o]!.toFixed(3)} > 0.05 and |P-Q|/(P+Q)=${s.balance[o]!.toFixed(3)} < 0.3`;
    }
  } else if (options.screening === 'bt500-sureal') {
    const s = bt500ScreeningSureal(repeated);
    include = s.rejected.map((r) => !r);
    allWouldBeRejected = s.allWouldBeRejected;
    for (const o of s.rejectedObservers) {
      reasons[participants[o]!] = `BT.500 as SUREAL (population std): P=${s.p[o]}, Q=${s.q[o]}, (P+Q)/${s.denominator}=${s.outsideRatio[o]!.toFixed(3)} > 0.05 and |P-Q|/(P+Q)=${s.balance[o]!.toFixed(3)} < 0.3`;
    }
  } else if (options.screening === 'corr') {
    const minCorrelation = options.minCorrelation ?? 0.75;
    const s = correlationScreening(matrix, { minCorrelation });
    include = s.rejected.map((r) => !r);
    for (const o of s.rejectedObservers) {
      const c = s.correlation[o]!;
      reasons[participants[o]!] = Number.isNaN(c) ? 'correlation with the others undefined (constant ratings)' : `PLCC with the others' MOS ${c.toFixed(3)} < ${minCorrelation}`;
    }
  }
  if (include && !include.some(Boolean)) throw new IqaError('E_INPUT', 'screening rejected every participant');
  // Kept as observations: every rating is a row of the stacked matrix (row r·participants + o).
  const stackedInclude = include && repeats === 'observations' ? Array.from({ length: repeated.repetitions }, () => include!).flat() : include;
  const mos = mosPerStimulus(repeats === 'observations' ? stackedObservations(repeated) : matrix, { ...(stackedInclude ? { includeObserver: stackedInclude } : {}), interval });
  return {
    screening: options.screening,
    rejected: include ? participants.filter((_, o) => !include![o]) : [],
    reasons,
    stimuli: stimuli.map((name, s) => ({
      stimulus: name,
      mos: mos.mean[s]!,
      std: mos.std[s]!,
      n: mos.n[s]!,
      ci95: [mos.ciLower[s]!, mos.ciUpper[s]!],
    })),
    counts: repetitionCounts(rows.length, excluded, repetitions, participants.length, repeats),
    variants: { repeats, interval },
    ...(allWouldBeRejected !== undefined ? { allWouldBeRejected } : {}),
  };
}

/**
 * The MOS models `iqa mos` offers on a ratings file alone (no project), named by what they compute:
 * - `bt500`: MOS after ITU-R BT.500 observer screening (or `corr` screening), the default everywhere
 *   (common/contract-types.ts MOS_CHOICE_DEFAULTS: `iqa analyze` and the app default to it too);
 * - `raw`: MOS of every participant, no screening;
 * - `mle`: the ITU-T P.913 §12.6 subject model (ψ, each participant's bias and inconsistency with intervals);
 * - `zscore`: each participant's scores z-scored and rescaled to the scale (LIVE), then screened as `bt500`;
 * - `dmos`: ACR-HR differential scores V(PVS) − V(REF) + scale max per participant (ITU-T P.910; the
 *   rows need a `reference` column, empty for the hidden references), then screened as `bt500`.
 */
export const MOS_MODELS = ['bt500', 'raw', 'mle', 'zscore', 'dmos'] as const;
export type MosModel = (typeof MOS_MODELS)[number];

/** A rating of a ratings file, with the stimulus's reference for DMOS (null or '' for a reference). */
export interface ModelRatingRow extends RatingRow {
  reference?: string | null;
}

export interface MosModelOptions {
  model: MosModel;
  /** The screening of bt500, zscore and dmos (default bt500; `none` for none). */
  screening?: Screening;
  minCorrelation?: number;
  /** The rating scale (zscore rescales to it, dmos adds its max). */
  scale?: { min: number; max: number };
  /** The MOS interval of bt500, raw, zscore and dmos: 't' (default) or 'normal'. */
  interval?: MosInterval;
  /** The ψ interval of mle: 'information' (default) or 'residual'. */
  psiInterval?: PsiInterval;
  /** 'average' (default) or 'observations'. */
  repeats?: Repeats;
}

export interface MosModelReport extends MosReport {
  /** The model used and what it computes, as printed in every output. */
  mosModel: MosModel;
  description: string;
  /** zscore: participants whose scores could not be standardised (their scores are excluded). */
  notStandardised?: string[];
}

/** A MOS interval bounded by the range the scores can take, never so far that it excludes its own estimate. */
export function clipMosInterval(ci: readonly [number, number], estimate: number, bounds: { min: number; max: number }): [number, number] {
  const lo = Math.min(bounds.min, estimate);
  const hi = Math.max(bounds.max, estimate);
  return [Number.isNaN(ci[0]) ? ci[0] : Math.min(hi, Math.max(lo, ci[0])), Number.isNaN(ci[1]) ? ci[1] : Math.min(hi, Math.max(lo, ci[1]))];
}

/**
 * The range a model's scores can take on `scale`: the scale (z-scores are rescaled to it), and for ACR-HR
 * differential scores V(PVS) − V(REF) + max, [min, 2·max − min] (ITU-T P.910).
 */
export function modelScoreBounds(model: MosModel, scale: { min: number; max: number }): { min: number; max: number } {
  return model === 'dmos' ? { min: scale.min, max: 2 * scale.max - scale.min } : { min: scale.min, max: scale.max };
}

/** MOS of a ratings file by one of the named models (see MOS_MODELS). */
export function mosFromModel(rows: readonly ModelRatingRow[], options: MosModelOptions): MosModelReport {
  if (rows.length === 0) throw new IqaError('E_INPUT', 'no ratings');
  const scale = options.scale ?? { min: 1, max: 5 };
  const model = options.model;
  const repeats = options.repeats ?? 'average';
  const repeatsText = repeats === 'observations' ? '; repeated ratings kept as separate observations' : '';
  if (model === 'mle') {
    if (options.screening !== undefined) throw new IqaError('E_INPUT', 'the subject model (mle) screens nobody: it weighs inconsistent participants down; leave out the screening');
    if (options.interval !== undefined) throw new IqaError('E_INPUT', 'the subject model (mle) has its own psi interval: choose it with the psi interval option (information or residual), not the MOS interval');
    const psiInterval = options.psiInterval ?? 'information';
    const psiText = psiInterval === 'residual' ? "95 % psi interval from each stimulus's residuals (the P.913 reference code), bias and inconsistency intervals from the Fisher information" : '95 % intervals from the Fisher information';
    return {
      ...mosFromSubjectModel(rows, { psiInterval, repeats }),
      mosModel: model,
      description: `ITU-T P.913 subject model (maximum likelihood): psi per stimulus, bias and inconsistency per participant, ${psiText}${repeatsText}`,
    };
  }
  if (options.psiInterval !== undefined) throw new IqaError('E_INPUT', `the psi interval belongs to the subject model (mle); the ${model} model has a MOS interval (t or normal)`);
  const interval = options.interval ?? 't';
  const intervalText = interval === 'normal' ? '95 % normal interval (1.96 * SE)' : '95 % t interval';
  if (model === 'raw') {
    if (options.screening !== undefined && options.screening !== 'none') throw new IqaError('E_INPUT', `raw MOS screens nobody; use the bt500 model for ${options.screening} screening`);
    return { ...mosFromRatings(rows, { screening: 'none', interval, repeats }), mosModel: model, description: `MOS of every participant (no screening), ${intervalText}${repeatsText}` };
  }
  const screening = options.screening ?? 'bt500';
  const screeningText =
    screening === 'bt500'
      ? 'ITU-R BT.500 screening'
      : screening === 'bt500-sureal'
        ? 'ITU-R BT.500 screening as SUREAL computes it (population std, all presentations in the denominator)'
        : screening === 'corr'
          ? `correlation screening (PLCC with the others' MOS >= ${options.minCorrelation ?? 0.75})`
          : 'no screening';
  let scored: RatingRow[] = rows.map((r) => ({ participant: r.participant, stimulus: r.stimulus, score: r.score }));
  let description: string;
  let notStandardised: string[] | undefined;
  if (model === 'zscore') {
    const z = zScoresPerParticipant(rows.map((r) => r.participant), rows.map((r) => r.score), scale);
    scored = scored.map((r, i) => ({ ...r, score: z.values[i]! }));
    notStandardised = z.undefinedFor;
    description = `scores z-scored per participant (ddof = 1) and rescaled to ${scale.min}..${scale.max} as ${scale.min} + ${scale.max - scale.min} * (z + 3) / 6, then MOS after ${screeningText}${interval === 't' ? '' : `, ${intervalText}`}${repeatsText}`;
  } else if (model === 'dmos') {
    scored = differentialScores(rows, scale.max);
    description = `ACR-HR differential scores (ITU-T P.910): V(PVS) - V(REF) + ${scale.max} per participant, then DMOS after ${screeningText}${interval === 't' ? '' : `, ${intervalText}`}${repeatsText}`;
  } else {
    description = `MOS after ${screeningText}, ${intervalText}${repeatsText}`;
  }
  const report = mosFromRatings(scored, { screening, interval, repeats, ...(options.minCorrelation !== undefined ? { minCorrelation: options.minCorrelation } : {}) });
  if (model === 'dmos') report.counts.ratings = rows.length;
  return { ...report, mosModel: model, description, ...(notStandardised && notStandardised.length ? { notStandardised } : {}) };
}

/** ACR-HR differential scores of the rated distorted stimuli (each against the same participant's rating of its reference). */
function differentialScores(rows: readonly ModelRatingRow[], scaleMax: number): RatingRow[] {
  const isReference = (r: ModelRatingRow) => r.reference === undefined || r.reference === null || r.reference === '';
  if (rows.every(isReference)) throw new IqaError('E_INPUT', 'DMOS needs a "reference" column naming each distorted stimulus\'s reference (empty for the references themselves)');
  const refSum = new Map<string, { sum: number; n: number }>();
  for (const r of rows) {
    if (!isReference(r) || !Number.isFinite(r.score)) continue;
    const key = `${r.participant}\u0000${r.stimulus}`;
    const cur = refSum.get(key) ?? { sum: 0, n: 0 };
    cur.sum += r.score;
    cur.n += 1;
    refSum.set(key, cur);
  }
  return rows
    .filter((r) => !isReference(r))
    .map((r) => {
      const ref = refSum.get(`${r.participant}\u0000${r.reference}`);
      return { participant: r.participant, stimulus: r.stimulus, score: ref === undefined ? Number.NaN : r.score - ref.sum / ref.n + scaleMax };
    });
}
