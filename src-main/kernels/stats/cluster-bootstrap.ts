/**
 * Bootstrap intervals for a correlation when stimuli are not independent: all distorted versions of
 * one source content share its picture, so resampling stimuli one by one understates the spread.
 * This resamples whole contents (clusters) with replacement and keeps every stimulus of each drawn
 * content (the cluster bootstrap, Field & Welsh 2007), with the same interval (BCa, jackknife over contents), seeded RNG
 * and statistic functions as bootstrap.ts. At least 2 clusters are needed.
 */
import { bootstrapStatistic, type BootstrapInterval, type BootstrapOptions, type BootstrapStatistic } from './bootstrap';
import { bootstrapStatistics } from './multi-bootstrap';

/** One statistic's interval over whole contents: the cluster resampling of multi-bootstrap.ts. */
export function bootstrapClusterInterval(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  clusters: ArrayLike<string>,
  options: BootstrapOptions,
): BootstrapInterval & { clusters: number } {
  if (x.length !== y.length || x.length !== clusters.length) throw new RangeError('x, y and clusters must have the same length');
  const s = options.statistic;
  const keep: number[] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]!) && Number.isFinite(y[i]!)) keep.push(i);
  const estimate = bootstrapStatistic(s, Float64Array.from(keep, (i) => x[i]!), Float64Array.from(keep, (i) => y[i]!));
  const r = bootstrapStatistics(x, y, [s], (bx, by) => ({ [s]: bootstrapStatistic(s, bx, by) }) as Record<BootstrapStatistic, number>, { ...options, clusters });
  return {
    statistic: s,
    estimate,
    lower: r.intervals[s][0],
    upper: r.intervals[s][1],
    confidence: r.confidence,
    resamples: r.resamples,
    skippedResamples: r.skipped[s],
    seed: options.seed,
    nTotal: x.length,
    nUsed: keep.length,
    method: r.method,
    clusters: r.clusters!,
  };
}
