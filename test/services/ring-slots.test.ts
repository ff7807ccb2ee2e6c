import { describe, expect, it } from 'vitest';
import { RING_BUDGET_BYTES, ringSlots } from '../../src-main/services/metrics/decode-loop';

describe('the frame ring of a decode loop', () => {
  it('keeps two frames per worker in flight for a video', () => {
    expect(ringSlots(2 * 1920 * 1080 * 1.5, 2, 120)).toBe(4);
    expect(ringSlots(1000, 0, null)).toBe(2); // inline runner: decode one frame while the other is computed
  });

  it('holds one slot for an image: there is no next frame to decode', () => {
    expect(ringSlots(2 * 6000 * 4000 * 3, 2, 1)).toBe(1);
  });

  it('takes fewer slots for huge frames, never fewer than one', () => {
    const slot24mpPair = 2 * 6000 * 4000 * 3; // 144 MB of rgb24
    expect(ringSlots(slot24mpPair, 8, 100)).toBe(Math.floor(RING_BUDGET_BYTES / slot24mpPair));
    expect(ringSlots(RING_BUDGET_BYTES * 2, 8, 100)).toBe(1);
  });
});
