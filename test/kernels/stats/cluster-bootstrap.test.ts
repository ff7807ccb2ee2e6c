import { describe, expect, it } from 'vitest';
import { bootstrapClusterInterval } from '../../../src-main/kernels/stats/cluster-bootstrap';
import { bootstrapCorrelationInterval } from '../../../src-main/kernels/stats/bootstrap';
import { createRng } from '../../../src-main/kernels/stats/rng';

describe('cluster bootstrap of a correlation', () => {
  // 8 contents × 6 distortions; a strong content effect makes stimuli of one content move together.
  const rng = createRng(11);
  const x: number[] = [];
  const y: number[] = [];
  const c: string[] = [];
  for (let k = 0; k < 8; k++) {
    const shift = rng.nextFloat() * 2 - 1;
    for (let d = 0; d < 6; d++) {
      const q = d / 5;
      x.push(q + 0.05 * rng.nextFloat());
      y.push(1 + 3 * q + 1.5 * shift + 0.2 * rng.nextFloat());
      c.push(`src${k}`);
    }
  }

  it('is reproducible from its seed and brackets the estimate', () => {
    const a = bootstrapClusterInterval(x, y, c, { statistic: 'srocc', seed: 3, resamples: 500 });
    const b = bootstrapClusterInterval(x, y, c, { statistic: 'srocc', seed: 3, resamples: 500 });
    expect(a).toEqual(b);
    expect(a.lower).toBeLessThanOrEqual(a.estimate);
    expect(a.upper).toBeGreaterThanOrEqual(a.estimate);
    expect(a.clusters).toBe(8);
  });

  it('is wider than resampling single stimuli when contents are correlated', () => {
    // The spread of the resamples, so percentile intervals: BCa's ends also move with z0 and the
    // acceleration, which a jackknife over 8 contents estimates roughly.
    const cl = bootstrapClusterInterval(x, y, c, { statistic: 'plcc', seed: 5, resamples: 1000, interval: 'percentile' });
    const iid = bootstrapCorrelationInterval(x, y, { statistic: 'plcc', seed: 5, resamples: 1000, interval: 'percentile' });
    expect(cl.estimate).toBeCloseTo(iid.estimate, 12);
    expect(cl.upper - cl.lower).toBeGreaterThan(iid.upper - iid.lower);
  });

  it('needs at least two contents', () => {
    expect(() => bootstrapClusterInterval([1, 2, 3], [1, 2, 4], ['a', 'a', 'a'], { statistic: 'plcc', seed: 1 })).toThrow(/at least 2 source contents/);
  });
});
