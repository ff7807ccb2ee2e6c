/**
 * Bootstrap intervals for several statistics of the same paired samples at once: every
 * statistic is computed on the same resamples, so one draw serves SROCC, KROCC, PLCC, RMSE and the
 * mapped PLCC/RMSE (whose mapping is refitted once per resample and shared).
 *
 * The resamples are exactly those of bootstrap.ts (single pairs: `resampleIndices` over the finite
 * pairs) and of cluster-bootstrap.ts (whole source contents, in order of first appearance, with
 * `rng.nextInt`), drawn from the seeded generator of rng.ts; for the correlations the intervals are
 * therefore identical to bootstrapCorrelationInterval / bootstrapClusterInterval with the same seed.
 * A resample on which a statistic is undefined (NaN: a constant vector, a mapping that cannot be
 * fitted, fewer than 3 pairs drawn) is skipped for that statistic and counted in `skipped`.
 *
 * Interval: BCa by default (bca-interval.ts), with z0 from the statistic on all pairs and the acceleration
 * from the jackknife over the resampled units (leave one pair out, or one source content with clusters),
 * so that a statistic whose resample values are biased (a mapping refitted to each resample fits it better
 * than the population) still gets an interval around its estimate; 'percentile' on request.
 */
import { bootstrapInterval, type IntervalMethod } from './bca-interval';
import { createRng, resampleIndices } from './rng';

export interface MultiBootstrapOptions {
  /** Required: the intervals must be reproducible. */
  readonly seed: number;
  /** Number of resamples B; default 2000. */
  readonly resamples?: number;
  /** Two-sided confidence level; default 0.95. */
  readonly confidence?: number;
  /** Source content of each pair: resample whole contents (at least 2 with data) instead of pairs. */
  readonly clusters?: ArrayLike<string>;
  /** 'bca' (default) or 'percentile'. */
  readonly interval?: IntervalMethod;
}

export interface MultiBootstrapResult<K extends string> {
  readonly intervals: Record<K, [number, number]>;
  /** Resamples on which each statistic was undefined. */
  readonly skipped: Record<K, number>;
  readonly seed: number;
  readonly resamples: number;
  readonly confidence: number;
  /** Contents resampled (cluster bootstrap), or null when single pairs are. */
  readonly clusters: number | null;
  readonly method: IntervalMethod;
  /** The statistics on all pairs (what the BCa interval is centred on; NaN when undefined). */
  readonly estimates: Record<K, number>;
  /** Statistics whose quantile interval excluded the estimate and was extended to it (bca-interval.ts). */
  readonly widened: K[];
}

/**
 * `compute(x, y)` returns the statistics of one resample (finite pairs only, at least 3 of them, or
 * fewer when a cluster resample draws small contents: then every statistic counts as undefined).
 */
export function bootstrapStatistics<K extends string>(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  names: readonly K[],
  compute: (x: Float64Array, y: Float64Array) => Record<K, number>,
  options: MultiBootstrapOptions,
): MultiBootstrapResult<K> {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (x.length !== y.length) throw new RangeError(`paired samples must have the same length, got ${x.length} and ${y.length}`);
  const clusters = options.clusters;
  if (clusters && clusters.length !== x.length) throw new RangeError('x, y and clusters must have the same length');
  const fx: number[] = [];
  const fy: number[] = [];
  const members = new Map<string, number[]>();
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) continue;
    const k = fx.length;
    fx.push(x[i]!);
    fy.push(y[i]!);
    if (clusters) {
      const c = clusters[i]!;
      const list = members.get(c);
      if (list) list.push(k);
      else members.set(c, [k]);
    }
  }
  const n = fx.length;
  if (n < 3) throw new RangeError(`at least 3 finite pairs are needed, got ${n} (of ${x.length}; pairs with a NaN or infinite value are dropped)`);
  const groups = [...members.values()];
  if (clusters && groups.length < 2) throw new RangeError(`a cluster bootstrap needs at least 2 source contents with data, got ${groups.length}`);

  const values = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const skipped = Object.fromEntries(names.map((k) => [k, 0])) as Record<K, number>;
  const rng = createRng(options.seed);
  const idx = new Uint32Array(n);
  const bx: number[] = [];
  const by: number[] = [];
  for (let b = 0; b < resamples; b++) {
    bx.length = 0;
    by.length = 0;
    if (clusters) {
      for (let g = 0; g < groups.length; g++) {
        for (const k of groups[rng.nextInt(groups.length)]!) {
          bx.push(fx[k]!);
          by.push(fy[k]!);
        }
      }
    } else {
      resampleIndices(rng, n, idx);
      for (let i = 0; i < n; i++) {
        bx.push(fx[idx[i]!]!);
        by.push(fy[idx[i]!]!);
      }
    }
    const stats = bx.length >= 3 ? compute(Float64Array.from(bx), Float64Array.from(by)) : null;
    for (const k of names) {
      const v = stats ? stats[k] : Number.NaN;
      if (Number.isNaN(v)) skipped[k]++;
      else values[k].push(v);
    }
  }
  const method = options.interval ?? 'bca';
  const all = compute(Float64Array.from(fx), Float64Array.from(fy));
  let jackknife: Record<K, number[]> | null = null;
  if (method === 'bca') {
    // Leave one unit out: a pair, or every stimulus of one source content.
    const units = clusters ? groups : fx.map((_, i) => [i]);
    jackknife = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<K, number[]>;
    if (units.length >= 2) {
      const drop = new Uint8Array(n);
      for (const unit of units) {
        for (const i of unit) drop[i] = 1;
        bx.length = 0;
        by.length = 0;
        for (let i = 0; i < n; i++) {
          if (drop[i]) continue;
          bx.push(fx[i]!);
          by.push(fy[i]!);
        }
        for (const i of unit) drop[i] = 0;
        const stats = bx.length >= 3 ? compute(Float64Array.from(bx), Float64Array.from(by)) : null;
        for (const k of names) jackknife[k].push(stats ? stats[k] : Number.NaN);
      }
    }
  }
  const widened: K[] = [];
  const intervals = Object.fromEntries(
    names.map((k) => {
      const sorted = Float64Array.from(values[k]).sort();
      const r = bootstrapInterval(sorted, all[k], confidence, method, jackknife ? jackknife[k] : null);
      if (r.widened) widened.push(k);
      return [k, [r.lower, r.upper]];
    }),
  ) as Record<K, [number, number]>;
  return { intervals, skipped, seed: options.seed, resamples, confidence, clusters: clusters ? groups.length : null, method, estimates: all, widened };
}
