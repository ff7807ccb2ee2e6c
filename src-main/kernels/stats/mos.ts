/**
 * Mean opinion score per stimulus with its spread and confidence interval (ITU-R BT.500-14 Annex 2 §2.2,
 * ITU-T P.910 / P.913):
 *   MOS_s = mean over the observers who rated s; S_s = sample std (ddof = 1);
 *   CI half-width = t_{(1+c)/2, N−1} · S/√N (Student t, c = 0.95 by default, as scipy.stats.t.ppf);
 *   `ciHalfWidthNormal95` = 1.96 · S/√N, the δ of the BT.500 text, for comparison with reports using it.
 * `interval: 'normal'` (a variant, not the default) makes the interval itself the normal approximation
 *   z_{(1+c)/2} · S/√N (z_{0.975} = 1.959963984540054): what SUREAL's MosModel reports as quality_scores_ci95
 *   (1.95996 · S/√N) and BT.500 §2.2.1 writes as 1.96 · S/√N. It ignores that S is estimated, so it is
 *   narrower than the t interval (by 1 − z/t: 29 % at N = 5, 5 % at N = 24).
 * NaN ratings are "not rated" and excluded per stimulus; N is reported per stimulus. With N = 1 the std and
 * CI are NaN; with N = 0 the MOS is NaN too. Golden: `stats/bt500.json` (before/after screening).
 */
import { normalTwoSidedCritical } from './normal-distribution';
import { checkRatingMatrix, type RatingMatrix } from './rating-matrix';
import { studentTQuantile } from './t-distribution';

/** z_{0.975} rounded as in the BT.500 text. */
export const BT500_Z95 = 1.96;

/** The MOS interval: Student t with N − 1 degrees of freedom (default) or the normal approximation. */
export const MOS_INTERVALS = ['t', 'normal'] as const;
export type MosInterval = (typeof MOS_INTERVALS)[number];

export interface MosOptions {
  /** 't' (default) or 'normal' (z · S/√N, SUREAL's MosModel). */
  readonly interval?: MosInterval;
  /** Two-sided confidence level of the t interval. Default 0.95. */
  readonly confidence?: number;
  /** Observers to include (true = include); default all. Used to recompute after screening. */
  readonly includeObserver?: ArrayLike<boolean>;
}

export interface MosResult {
  readonly mean: Float64Array;
  /** Sample standard deviation (ddof = 1). */
  readonly std: Float64Array;
  /** Ratings used per stimulus. */
  readonly n: Uint32Array;
  /** t_{(1+c)/2, n−1} per stimulus (NaN when n < 2). */
  readonly tQuantile: Float64Array;
  /** Half-width of the chosen interval (`interval`). */
  readonly ciHalfWidth: Float64Array;
  readonly ciLower: Float64Array;
  readonly ciUpper: Float64Array;
  /** 1.96 · S/√N (BT.500's δ). */
  readonly ciHalfWidthNormal95: Float64Array;
  readonly confidence: number;
  readonly interval: MosInterval;
}

export function mosPerStimulus(m: RatingMatrix, options: MosOptions = {}): MosResult {
  checkRatingMatrix(m);
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const interval = options.interval ?? 't';
  if (interval !== 't' && interval !== 'normal') throw new RangeError(`unknown MOS interval ${String(interval)}`);
  const z = normalTwoSidedCritical(confidence);
  const include = options.includeObserver;
  if (include && include.length !== m.observers) {
    throw new RangeError(`includeObserver has ${include.length} entries for ${m.observers} observers`);
  }
  const { observers, stimuli, values } = m;
  const mean = new Float64Array(stimuli);
  const std = new Float64Array(stimuli);
  const n = new Uint32Array(stimuli);
  const tQuantile = new Float64Array(stimuli);
  const ciHalfWidth = new Float64Array(stimuli);
  const ciLower = new Float64Array(stimuli);
  const ciUpper = new Float64Array(stimuli);
  const ciHalfWidthNormal95 = new Float64Array(stimuli);
  const quantileByN = new Map<number, number>();
  for (let s = 0; s < stimuli; s++) {
    let count = 0;
    let sum = 0;
    for (let o = 0; o < observers; o++) {
      const v = values[o * stimuli + s];
      if ((include && !include[o]) || Number.isNaN(v)) continue;
      count++;
      sum += v;
    }
    const mu = count > 0 ? sum / count : NaN;
    let ss = 0;
    for (let o = 0; o < observers; o++) {
      const v = values[o * stimuli + s];
      if ((include && !include[o]) || Number.isNaN(v)) continue;
      ss += (v - mu) ** 2;
    }
    const sd = count > 1 ? Math.sqrt(ss / (count - 1)) : NaN;
    let t = NaN;
    if (count > 1) {
      t = quantileByN.get(count) ?? studentTQuantile((1 + confidence) / 2, count - 1);
      quantileByN.set(count, t);
    }
    const se = sd / Math.sqrt(count);
    mean[s] = mu;
    std[s] = sd;
    n[s] = count;
    tQuantile[s] = t;
    // The normal half-width is NaN with N = 1 as the t one is (S is NaN).
    const critical = interval === 't' ? t : z;
    ciHalfWidth[s] = critical * se;
    ciLower[s] = mu - critical * se;
    ciUpper[s] = mu + critical * se;
    ciHalfWidthNormal95[s] = BT500_Z95 * se;
  }
  return { mean, std, n, tQuantile, ciHalfWidth, ciLower, ciUpper, ciHalfWidthNormal95, confidence, interval };
}

/**
 * Ratings per group of stimuli (a condition, a codec, a content): each observer's mean over the stimuli
 * of the group they rated (NaN when none), one column per group. `mosPerStimulus` on it gives the MOS per
 * group with the participant as the unit: mean over participants of their group means, the sample std of
 * those means, and the t interval with n − 1 df (n = participants with a rating in the group). With a
 * complete design this MOS equals the mean of all the group's ratings.
 */
export function groupRatingMatrix(m: RatingMatrix, stimulusGroup: ArrayLike<number>, groups: number): RatingMatrix {
  checkRatingMatrix(m);
  if (stimulusGroup.length !== m.stimuli) throw new RangeError(`stimulusGroup has ${stimulusGroup.length} entries for ${m.stimuli} stimuli`);
  const sum = new Float64Array(m.observers * groups);
  const count = new Uint32Array(sum.length);
  for (let o = 0; o < m.observers; o++) {
    for (let s = 0; s < m.stimuli; s++) {
      const g = stimulusGroup[s]!;
      const v = m.values[o * m.stimuli + s]!;
      if (g < 0 || Number.isNaN(v)) continue;
      if (!Number.isInteger(g) || g >= groups) throw new RangeError(`group index ${g} outside 0..${groups - 1}`);
      sum[o * groups + g]! += v;
      count[o * groups + g]! += 1;
    }
  }
  const values = new Float64Array(sum.length);
  for (let i = 0; i < values.length; i++) values[i] = count[i]! > 0 ? sum[i]! / count[i]! : NaN;
  return { values, observers: m.observers, stimuli: groups };
}
