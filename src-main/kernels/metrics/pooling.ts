/**
 * Pooling per-frame values of a video into one number. mean (the default, as most VQA papers and
 * ffmpeg's per-frame averages), harmonic mean (penalises low values, as VMAF's harmonic pooling),
 * min, and percentiles with linear interpolation between order statistics (NumPy's default
 * 'linear' method). NaN frames make the result NaN: a metric that failed on a frame is not hidden.
 * +Infinity frames (identical frames in PSNR) make the mean +Infinity and drop out of nothing.
 *
 * `min` and the low percentiles are worst-case poolings: they look at the worst frames. For a metric
 * where lower is better (MSE, LPIPS, BRISQUE, NIQE) the worst frames have the highest values, so with
 * `higherIsBetter = false` min takes the maximum and pN the (100 − N)-th percentile. mean, median and
 * harmonic do not depend on the direction (harmonic is the plain harmonic mean of the values).
 */
import type { Pooling } from '../../common/metric-registry';

export function poolValues(values: ArrayLike<number>, pooling: Pooling, higherIsBetter = true): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i]!)) return Number.NaN;
  const worst = (q: number) => percentile(values, higherIsBetter ? q : 100 - q);
  switch (pooling) {
    case 'mean': {
      let s = 0;
      for (let i = 0; i < n; i++) s += values[i]!;
      return s / n;
    }
    case 'harmonic': {
      let s = 0;
      for (let i = 0; i < n; i++) {
        if (values[i]! <= 0) return Number.NaN; // undefined for non-positive values
        s += 1 / values[i]!;
      }
      return n / s;
    }
    case 'min': {
      let m = higherIsBetter ? Infinity : -Infinity;
      for (let i = 0; i < n; i++) if (higherIsBetter ? values[i]! < m : values[i]! > m) m = values[i]!;
      return m;
    }
    case 'p5':
      return worst(5);
    case 'p10':
      return worst(10);
    case 'p25':
      return worst(25);
    case 'median':
      return percentile(values, 50);
  }
}

/** q-th percentile (0..100), linear interpolation between closest ranks (numpy.percentile default). */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi) return sorted[lo]!;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  if (a === b) return a; // also keeps Infinity - Infinity from giving NaN
  return a + (b - a) * (pos - lo);
}
