/**
 * Bias-corrected and accelerated (BCa) bootstrap interval (Efron 1987, "Better bootstrap confidence
 * intervals", JASA 82; Efron & Tibshirani, An Introduction to the Bootstrap, 1993, §14.3; the same formulas
 * as scipy.stats.bootstrap(method='BCa')):
 *   z0 = Φ⁻¹(share of resample values below the estimate, ties counted half),
 *   a  = Σ (θ̄ − θ_(i))³ / (6 · (Σ (θ̄ − θ_(i))²)^{3/2}) over the jackknife values θ_(i) (leave one unit out),
 *   α1,2 = Φ(z0 + (z0 + z_{α/2, 1−α/2}) / (1 − a·(z0 + z_{α/2, 1−α/2}))),
 * and the interval is the α1 and α2 quantiles of the resample values (linear interpolation, as
 * quantile.ts). Without jackknife values a = 0: the bias-corrected percentile interval (BC).
 *
 * The estimate lies inside a BCa interval whenever |z0| < z_{1−α/2}; beyond that (the estimate outside the
 * central (1 − α) of its own bootstrap distribution) no quantile interval can hold it. Such an interval is
 * widened to reach the estimate and marked `widened`, so that an interval never excludes its estimate
 * silently.
 */
import { normalCdf, normalQuantile } from './normal-distribution';
import { quantileSorted } from './quantile';

export type IntervalMethod = 'percentile' | 'bca';

export interface BcaInterval {
  readonly lower: number;
  readonly upper: number;
  /** Bias correction z0 (0 for the percentile interval). */
  readonly z0: number;
  /** Acceleration a (0 without jackknife values). */
  readonly acceleration: number;
  /** True when the quantile interval excluded the estimate and was extended to it. */
  readonly widened: boolean;
}

/** Jackknife acceleration; 0 when the jackknife values do not vary (or fewer than 2 are finite). */
export function jackknifeAcceleration(jackknife: ArrayLike<number>): number {
  let n = 0;
  let mean = 0;
  for (let i = 0; i < jackknife.length; i++) {
    if (Number.isFinite(jackknife[i]!)) {
      mean += jackknife[i]!;
      n++;
    }
  }
  if (n < 2) return 0;
  mean /= n;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < jackknife.length; i++) {
    if (!Number.isFinite(jackknife[i]!)) continue;
    const d = mean - jackknife[i]!;
    s2 += d * d;
    s3 += d * d * d;
  }
  return s2 > 0 ? s3 / (6 * s2 ** 1.5) : 0;
}

/**
 * The interval from sorted resample values (NaN removed). `method` 'percentile' ignores the estimate;
 * 'bca' needs it (and uses a = 0 when `jackknife` is null). A NaN estimate gives the percentile interval.
 */
export function bootstrapInterval(
  sorted: Float64Array,
  estimate: number,
  confidence: number,
  method: IntervalMethod,
  jackknife: ArrayLike<number> | null,
): BcaInterval {
  const alpha = (1 - confidence) / 2;
  const b = sorted.length;
  if (b === 0) return { lower: NaN, upper: NaN, z0: NaN, acceleration: NaN, widened: false };
  if (method === 'percentile' || !Number.isFinite(estimate)) {
    return { lower: quantileSorted(sorted, alpha), upper: quantileSorted(sorted, 1 - alpha), z0: 0, acceleration: 0, widened: false };
  }
  let below = 0;
  let equal = 0;
  for (let i = 0; i < b; i++) {
    if (sorted[i]! < estimate) below++;
    else if (sorted[i]! === estimate) equal++;
  }
  // Keep z0 finite when every resample lies on one side (share 0 or 1): half a resample from the edge.
  const share = Math.min(1 - 0.5 / b, Math.max(0.5 / b, (below + 0.5 * equal) / b));
  const z0 = normalQuantile(share);
  const a = jackknife ? jackknifeAcceleration(jackknife) : 0;
  const level = (z: number): number => {
    const w = z0 + z;
    return normalCdf(z0 + w / (1 - a * w));
  };
  let lower = quantileSorted(sorted, level(normalQuantile(alpha)));
  let upper = quantileSorted(sorted, level(normalQuantile(1 - alpha)));
  let widened = false;
  if (estimate < lower) {
    lower = estimate;
    widened = true;
  }
  if (estimate > upper) {
    upper = estimate;
    widened = true;
  }
  return { lower, upper, z0, acceleration: a, widened };
}
