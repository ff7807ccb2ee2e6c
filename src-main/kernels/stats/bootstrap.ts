/**
 * Bootstrap confidence interval for a correlation coefficient (Efron & Tibshirani, An Introduction to the
 * Bootstrap, 1993): resample the n finite pairs with replacement B times with the seeded generator of
 * rng.ts, recompute the statistic, and take the BCa interval of the B values (bca-interval.ts, §14.3; the
 * default) or their (1 − c)/2 and (1 + c)/2 quantiles (`interval: 'percentile'`, §13.3), with linear
 * interpolation between order statistics (numpy.percentile's default).
 * A resample whose statistic is undefined (e.g. all pairs drawn equal → constant vector) is skipped and
 * counted in `skippedResamples`. The seed is returned with the result so that it can be reproduced.
 * NaN pairs are dropped first and fewer than 3 pairs throw, as for the point estimates.
 */
import { pearsonCoefficient, plcc, srocc } from './correlation';
import { krocc } from './kendall';
import { finitePairs, isConstant } from './paired-samples';
import { averageRanks } from './ranks';
import { bootstrapStatistics } from './multi-bootstrap';
import type { IntervalMethod } from './bca-interval';

export type BootstrapStatistic = 'plcc' | 'srocc' | 'krocc';

export interface BootstrapOptions {
  readonly statistic: BootstrapStatistic;
  /** Required: the interval must be reproducible. */
  readonly seed: number;
  /** Number of resamples B; default 2000. */
  readonly resamples?: number;
  /** Two-sided confidence level; default 0.95. */
  readonly confidence?: number;
  /** 'bca' (default) or 'percentile'. */
  readonly interval?: IntervalMethod;
}

export interface BootstrapInterval {
  readonly statistic: BootstrapStatistic;
  /** The statistic on the original pairs (NaN when undefined). */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  readonly resamples: number;
  readonly skippedResamples: number;
  readonly seed: number;
  readonly nTotal: number;
  readonly nUsed: number;
  readonly method: IntervalMethod;
}

export { quantileSorted } from './quantile';

/** The statistic on one resample: NaN when either side is constant. */
export function bootstrapStatistic(kind: BootstrapStatistic, x: Float64Array, y: Float64Array): number {
  if (isConstant(x) || isConstant(y)) return NaN;
  switch (kind) {
    case 'plcc':
      return pearsonCoefficient(x, y);
    case 'srocc':
      return pearsonCoefficient(averageRanks(x), averageRanks(y));
    case 'krocc':
      return krocc(x, y).value;
  }
}

/** One statistic's interval: the resampling of multi-bootstrap.ts (the same resamples for the same seed). */
export function bootstrapCorrelationInterval(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: BootstrapOptions,
): BootstrapInterval {
  const pairs = finitePairs(x, y);
  const s = options.statistic;
  const point = s === 'plcc' ? plcc(pairs.x, pairs.y) : s === 'srocc' ? srocc(pairs.x, pairs.y) : krocc(pairs.x, pairs.y);
  const r = bootstrapStatistics(pairs.x, pairs.y, [s], (bx, by) => ({ [s]: bootstrapStatistic(s, bx, by) }) as Record<BootstrapStatistic, number>, options);
  return {
    statistic: s,
    estimate: point.value,
    lower: r.intervals[s][0],
    upper: r.intervals[s][1],
    confidence: r.confidence,
    resamples: r.resamples,
    skippedResamples: r.skipped[s],
    seed: options.seed,
    nTotal: pairs.nTotal,
    nUsed: pairs.nUsed,
    method: r.method,
  };
}
