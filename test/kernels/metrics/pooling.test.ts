/**
 * Pooling of per-frame values (kernels/metrics/pooling.ts). Percentiles are numpy.percentile's default
 * ('linear'); the expected numbers below are numpy's for [1, 2, 3, 4, 10] (pos = (n − 1)·q/100).
 */
import { describe, expect, it } from 'vitest';
import { percentile, poolValues } from '../../../src-main/kernels/metrics/pooling';

const v = [3, 10, 1, 4, 2];

describe('poolValues', () => {
  it('mean, harmonic mean and median do not depend on the direction', () => {
    for (const hib of [true, false]) {
      expect(poolValues(v, 'mean', hib)).toBe(4);
      expect(poolValues(v, 'harmonic', hib)).toBeCloseTo(5 / (1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 10), 15);
      expect(poolValues(v, 'median', hib)).toBe(3);
    }
  });

  it('min and low percentiles take the worst frames: the lowest values when higher is better', () => {
    expect(poolValues(v, 'min')).toBe(1);
    expect(poolValues(v, 'p5')).toBeCloseTo(1.2, 12);
    expect(poolValues(v, 'p10')).toBeCloseTo(1.4, 12);
    expect(poolValues(v, 'p25')).toBe(2);
  });

  it('and the highest values when lower is better (MSE, LPIPS, BRISQUE, NIQE)', () => {
    expect(poolValues(v, 'min', false)).toBe(10);
    expect(poolValues(v, 'p5', false)).toBeCloseTo(8.8, 12); // numpy.percentile(v, 95)
    expect(poolValues(v, 'p10', false)).toBeCloseTo(7.6, 12); // numpy.percentile(v, 90)
    expect(poolValues(v, 'p25', false)).toBe(4); // numpy.percentile(v, 75)
  });

  it('keeps NaN visible, handles +Infinity, and is NaN for no frames or a non-positive harmonic input', () => {
    expect(poolValues([1, NaN, 3], 'mean')).toBeNaN();
    expect(poolValues([1, NaN, 3], 'min', false)).toBeNaN();
    expect(poolValues([30, Infinity], 'mean')).toBe(Infinity);
    expect(poolValues([30, Infinity, Infinity], 'median')).toBe(Infinity);
    expect(poolValues([30, Infinity], 'min')).toBe(30);
    expect(poolValues([], 'mean')).toBeNaN();
    expect(poolValues([1, 0, 2], 'harmonic')).toBeNaN();
  });

  it('percentile interpolates between order statistics like numpy', () => {
    expect(percentile([5], 50)).toBe(5);
    expect(percentile([0, 10], 25)).toBe(2.5);
    expect(percentile(v, 100)).toBe(10);
    expect(percentile(v, 0)).toBe(1);
  });
});
