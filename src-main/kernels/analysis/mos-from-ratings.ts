/**
 * MOS per stimulus from raw ratings (participant, stimulus, score), with optional observer screening:
 * ITU-R BT.500 (β2 kurtosis rule) or correlation screening (each observer against the MOS of the
 * others, PLCC below a threshold). Missing and non-numeric scores are excluded and counted; repeated
 * ratings of one stimulus by one participant are averaged first (and counted). Confidence intervals
 * come from the t-distribution over the participants kept.
 */
import { IqaError } from '../../common/errors';
import { bt500Screening } from '../stats/bt500-screening';
import { correlationScreening } from '../stats/correlation-screening';
import { mosPerStimulus } from '../stats/mos';
import { fitSubjectModel } from '../stats/subject-model-mle';
import { zScoresPerParticipant } from '../stats/zscore';
import type { RatingMatrix } from '../stats/rating-matrix';

export type Screening = 'bt500' | 'corr' | 'none';
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
  counts: { ratings: number; excluded: number; repetitionsAveraged: number; participants: number };
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
export function mosFromSubjectModel(rows: readonly RatingRow[]): MosReport {
  if (rows.length === 0) throw new IqaError('E_INPUT', 'no ratings');
  const { matrix, participants, stimuli, excluded, repetitions } = ratingMatrix(rows);
  let fit;
  try {
    fit = fitSubjectModel(matrix);
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
    counts: { ratings: rows.length, excluded, repetitionsAveraged: repetitions, participants: participants.length },
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

export function ratingMatrix(rows: readonly RatingRow[]): { matrix: RatingMatrix; participants: string[]; stimuli: string[]; excluded: number; repetitions: number } {
  const participants: string[] = [];
  const stimuli: string[] = [];
  const pIndex = new Map<string, number>();
  const sIndex = new Map<string, number>();
  for (const r of rows) {
    if (!pIndex.has(r.participant)) pIndex.set(r.participant, participants.push(r.participant) - 1);
    if (!sIndex.has(r.stimulus)) sIndex.set(r.stimulus, stimuli.push(r.stimulus) - 1);
  }
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

export function mosFromRatings(rows: readonly RatingRow[], options: { screening: Screening; minCorrelation?: number }): MosReport {
  if (rows.length === 0) throw new IqaError('E_INPUT', 'no ratings');
  const { matrix, participants, stimuli, excluded, repetitions } = ratingMatrix(rows);
  let include: boolean[] | undefined;
  const reasons: Record<string, string> = {};
  let allWouldBeRejected: boolean | undefined;
  if (options.screening === 'bt500') {
    const s = bt500Screening(matrix);
    include = s.rejected.map((r) => !r);
    allWouldBeRejected = s.allWouldBeRejected;
    for (const o of s.rejectedObservers) {
      reasons[participants[o]!] = `BT.500: P=${s.p[o]}, Q=${s.q[o]}, (P+Q)/J=${s.outsideRatio[o]!.toFixed(3)} > 0.05 and |P-Q|/(P+Q)=${s.balance[o]!.toFixed(3)} < 0.3`;
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
  const mos = mosPerStimulus(matrix, { includeObserver: include });
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
    counts: { ratings: rows.length, excluded, repetitionsAveraged: repetitions, participants: participants.length },
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
}

export interface MosModelReport extends MosReport {
  /** The model used and what it computes, as printed in every output. */
  mosModel: MosModel;
  description: string;
  /** zscore: participants whose scores could not be standardised (their scores are excluded). */
  notStandardised?: string[];
}

/** MOS of a ratings file by one of the named models (see MOS_MODELS). */
export function mosFromModel(rows: readonly ModelRatingRow[], options: MosModelOptions): MosModelReport {
  if (rows.length === 0) throw new IqaError('E_INPUT', 'no ratings');
  const scale = options.scale ?? { min: 1, max: 5 };
  const model = options.model;
  if (model === 'mle') {
    if (options.screening !== undefined) throw new IqaError('E_INPUT', 'the subject model (mle) screens nobody: it weighs inconsistent participants down; leave out the screening');
    return { ...mosFromSubjectModel(rows), mosModel: model, description: 'ITU-T P.913 subject model (maximum likelihood): psi per stimulus, bias and inconsistency per participant, 95 % intervals from the Fisher information' };
  }
  if (model === 'raw') {
    if (options.screening !== undefined && options.screening !== 'none') throw new IqaError('E_INPUT', `raw MOS screens nobody; use the bt500 model for ${options.screening} screening`);
    return { ...mosFromRatings(rows, { screening: 'none' }), mosModel: model, description: 'MOS of every participant (no screening), 95 % t interval' };
  }
  const screening = options.screening ?? 'bt500';
  const screeningText = screening === 'bt500' ? 'ITU-R BT.500 screening' : screening === 'corr' ? `correlation screening (PLCC with the others' MOS >= ${options.minCorrelation ?? 0.75})` : 'no screening';
  let scored: RatingRow[] = rows.map((r) => ({ participant: r.participant, stimulus: r.stimulus, score: r.score }));
  let description: string;
  let notStandardised: string[] | undefined;
  if (model === 'zscore') {
    const z = zScoresPerParticipant(rows.map((r) => r.participant), rows.map((r) => r.score), scale);
    scored = scored.map((r, i) => ({ ...r, score: z.values[i]! }));
    notStandardised = z.undefinedFor;
    description = `scores z-scored per participant (ddof = 1) and rescaled to ${scale.min}..${scale.max} as ${scale.min} + ${scale.max - scale.min} * (z + 3) / 6, then MOS after ${screeningText}`;
  } else if (model === 'dmos') {
    scored = differentialScores(rows, scale.max);
    description = `ACR-HR differential scores (ITU-T P.910): V(PVS) - V(REF) + ${scale.max} per participant, then DMOS after ${screeningText}`;
  } else {
    description = `MOS after ${screeningText}, 95 % t interval`;
  }
  const report = mosFromRatings(scored, { screening, ...(options.minCorrelation !== undefined ? { minCorrelation: options.minCorrelation } : {}) });
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
