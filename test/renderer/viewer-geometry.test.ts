import { describe, expect, it } from 'vitest';
import { canvasSize, mapIndexAt, panBy, paneLayout, rgbAt, sourcePixelAt, withZoom } from '../../src-renderer/src/lib/viewer/geometry';

describe('viewer geometry', () => {
  it('sizes the canvas backing store in device pixels', () => {
    expect(canvasSize(300, 200, 2)).toEqual({ width: 600, height: 400 });
    expect(canvasSize(301, 200, 1.5)).toEqual({ width: 452, height: 300 });
  });

  it('at zoom 8 every source pixel is an 8×8 block (16×16 on a 2× screen) at a whole-pixel corner', () => {
    for (const dpr of [1, 2]) {
      const l = paneLayout({ zoom: 8, cx: 48.3, cy: 32 }, 96, 64, 301, 200, dpr);
      expect(l.scale).toBe(8 * dpr);
      expect(Number.isInteger(l.x0) && Number.isInteger(l.y0)).toBe(true);
    }
  });

  it('fit shows the whole image centred', () => {
    const l = paneLayout({ zoom: 'fit', cx: 0, cy: 0 }, 100, 50, 200, 200, 1);
    expect(l.scale).toBe(2);
    expect([l.x0, l.y0]).toEqual([0, 50]);
  });

  it('finds the source pixel under the pointer, null outside the image', () => {
    const l = paneLayout({ zoom: 4, cx: 5, cy: 5 }, 10, 10, 40, 40, 1);
    expect([l.x0, l.y0]).toEqual([0, 0]);
    expect(sourcePixelAt(l, 0, 0, 10, 10)).toEqual({ x: 0, y: 0 });
    expect(sourcePixelAt(l, 7.9, 12, 10, 10)).toEqual({ x: 1, y: 3 });
    expect(sourcePixelAt(l, 40, 0, 10, 10)).toBeNull();
    const hi = paneLayout({ zoom: 4, cx: 5, cy: 5 }, 10, 10, 40, 40, 2);
    expect(sourcePixelAt(hi, 7.9, 12, 10, 10)).toEqual({ x: 1, y: 3 });
  });

  it('panning moves the centre against the drag and stays on the image; zoom keeps the centre', () => {
    expect(panBy({ zoom: 2, cx: 10, cy: 10 }, 4, -6, 100, 100, 50, 50)).toEqual({ zoom: 2, cx: 8, cy: 13 });
    expect(panBy({ zoom: 2, cx: 1, cy: 1 }, 100, 100, 100, 100, 50, 50)).toEqual({ zoom: 2, cx: 0, cy: 0 });
    expect(withZoom({ zoom: 2, cx: 7, cy: 9 }, 16, 100, 100)).toEqual({ zoom: 16, cx: 7, cy: 9 });
    expect(withZoom({ zoom: 'fit', cx: 0, cy: 0 }, 8, 100, 60)).toEqual({ zoom: 8, cx: 50, cy: 30 });
  });

  it('the hovered map value is the stored map element at that pixel (same size, and a downsampled map)', () => {
    const map = Float32Array.from({ length: 96 * 64 }, (_, i) => i / 7);
    for (const [x, y] of [[0, 0], [95, 63], [40, 17]] as const) expect(map[mapIndexAt(x, y, 96, 64, 96, 64)]).toBe(map[y * 96 + x]);
    // A map at half the size: source pixel (41, 17) lies in map element (20, 8).
    expect(mapIndexAt(41, 17, 96, 64, 48, 32)).toBe(8 * 48 + 20);
    expect(rgbAt(Uint8Array.of(1, 2, 3, 4, 5, 6), 2, 1, 0)).toEqual([4, 5, 6]);
  });
});
