import { describe, expect, it } from 'vitest';
import { differenceMap, MAP_KINDS, MAP_KINDS_INFO } from '../../src-renderer/src/lib/viewer/maps';

describe('viewer maps', () => {
  it('the absolute difference is the mean of |dist − ref| over R, G and B; the signed one keeps the sign', () => {
    const ref = Uint8Array.of(10, 20, 30, 0, 0, 0);
    const dist = Uint8Array.of(13, 14, 30, 255, 255, 255);
    expect([...differenceMap(ref, dist, false)]).toEqual([3, 255]);
    expect([...differenceMap(ref, dist, true)]).toEqual([-1, 255]);
    expect(() => differenceMap(ref, dist.subarray(0, 3), false)).toThrow(RangeError);
  });

  it('signed maps, and only they, are marked for the diverging scale', () => {
    expect(MAP_KINDS.filter((k) => MAP_KINDS_INFO[k].signed)).toEqual(['signed']);
    expect(MAP_KINDS_INFO.ssim.metric).toBe('ssim-y');
    expect(MAP_KINDS_INFO.lpips.metric).toBe('lpips');
  });
});
