import { describe, expect, it } from 'vitest';
import { frameForKey, frameTime, LruCache, worstFrames } from '../../src-renderer/src/lib/viewer/frames';

describe('viewer frames', () => {
  it('steps one frame with the arrows, ten with shift, to the ends with Home/End, clamped', () => {
    expect(frameForKey('ArrowRight', false, 3, 12)).toBe(4);
    expect(frameForKey('ArrowLeft', false, 0, 12)).toBe(0);
    expect(frameForKey('ArrowRight', true, 3, 12)).toBe(11);
    expect(frameForKey('ArrowLeft', true, 15, 30)).toBe(5);
    expect(frameForKey('Home', false, 7, 12)).toBe(0);
    expect(frameForKey('End', false, 7, 12)).toBe(11);
    expect(frameForKey('a', false, 7, 12)).toBeNull();
  });

  it('lists the worst frames worst first by the metric direction, leaving out non-finite frames', () => {
    const ssim = [0.9, 0.5, null, 0.7, 0.5, 0.95];
    expect(worstFrames(ssim, true, 3)).toEqual([{ frame: 1, value: 0.5 }, { frame: 4, value: 0.5 }, { frame: 3, value: 0.7 }]);
    expect(worstFrames([30, 'Infinity', 20, 40], false, 2)).toEqual([{ frame: 3, value: 40 }, { frame: 0, value: 30 }]);
  });

  it('shows the time of a frame', () => {
    expect(frameTime(25, 25)).toBe('1.00 s');
    expect(frameTime(3, null)).toBeNull();
  });

  it('keeps the most recently used entries', () => {
    const c = new LruCache<number, string>(2);
    c.set(1, 'a');
    c.set(2, 'b');
    c.get(1);
    c.set(3, 'c');
    expect([c.has(1), c.has(2), c.has(3), c.size]).toEqual([true, false, true, 2]);
    // A failed request is forgotten only while the cache still holds that request.
    c.delete(1, 'other');
    expect(c.has(1)).toBe(true);
    c.delete(1, 'a');
    expect(c.has(1)).toBe(false);
  });
});
