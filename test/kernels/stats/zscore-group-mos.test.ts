import { describe, expect, it } from 'vitest';
import { zScoresPerParticipant } from '../../../src-main/kernels/stats/zscore';
import { groupRatingMatrix, mosPerStimulus } from '../../../src-main/kernels/stats/mos';
import { ratingMatrixFromRows } from '../../../src-main/kernels/stats/rating-matrix';
import { studentTQuantile } from '../../../src-main/kernels/stats/t-distribution';

describe('per-participant z-scores rescaled to the scale', () => {
  it('standardises each participant with their own mean and std (ddof 1) and maps z = ±3 to the scale ends', () => {
    const who = ['a', 'a', 'a', 'b', 'b', 'b'];
    const score = [1, 3, 5, 2, 2.5, 3];
    const z = zScoresPerParticipant(who, score, { min: 1, max: 5 });
    // a: mean 3, std 2 -> z = -1, 0, 1 -> 1 + 4 (z + 3) / 6
    expect(Array.from(z.values.slice(0, 3))).toEqual([1 + (4 * 2) / 6, 3, 1 + (4 * 4) / 6]);
    // b: mean 2.5, std 0.5 -> the same z, the same rescaled values
    expect(Array.from(z.values.slice(3))).toEqual(Array.from(z.values.slice(0, 3)));
    expect(z.participants).toEqual([
      { participant: 'a', mean: 3, std: 2, n: 3 },
      { participant: 'b', mean: 2.5, std: 0.5, n: 3 },
    ]);
    expect(z.undefinedFor).toEqual([]);
  });

  it('leaves NaN scores NaN and cannot standardise a constant or single-rating participant', () => {
    const z = zScoresPerParticipant(['a', 'a', 'b', 'b', 'c'], [NaN, 4, 3, 3, 5], { min: 0, max: 100 });
    expect(Array.from(z.values).every(Number.isNaN)).toBe(true);
    expect(z.undefinedFor).toEqual(['a', 'b', 'c']);
  });
});

describe('MOS per group of stimuli', () => {
  it('averages each participant over the group first, then over participants, with a t interval', () => {
    // 3 observers x 4 stimuli; groups: s0, s1 -> 0; s2 -> 1; s3 -> none.
    const m = ratingMatrixFromRows([
      [1, 3, 4, 5],
      [2, NaN, 5, 5],
      [3, 5, NaN, 1],
    ]);
    const g = groupRatingMatrix(m, [0, 0, 1, -1], 2);
    expect(Array.from(g.values)).toEqual([2, 4, 2, 5, 4, NaN]);
    const mos = mosPerStimulus(g);
    expect(mos.mean[0]).toBeCloseTo(8 / 3, 14);
    expect(mos.n[0]).toBe(3);
    const sd = Math.sqrt(((2 - 8 / 3) ** 2 * 2 + (4 - 8 / 3) ** 2) / 2);
    expect(mos.std[0]).toBeCloseTo(sd, 14);
    expect(mos.ciUpper[0]! - mos.mean[0]!).toBeCloseTo((studentTQuantile(0.975, 2) * sd) / Math.sqrt(3), 12);
    expect(mos.mean[1]).toBe(4.5);
    expect(mos.n[1]).toBe(2);
    expect(() => groupRatingMatrix(m, [0, 0, 2, -1], 2)).toThrow(RangeError);
  });
});
