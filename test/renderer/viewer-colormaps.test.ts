import { describe, expect, it } from 'vitest';
import { colormapIndex, colormapTable, finiteRange, paintMap, rgbToRgba, symmetricRange } from '../../src-renderer/src/lib/viewer/colormaps';

describe('viewer colour maps', () => {
  it('viridis runs from dark purple to yellow, magma from black to pale yellow (matplotlib ends)', () => {
    const v = colormapTable('viridis');
    expect(v.length).toBe(768);
    expect([...v.subarray(0, 3)]).toEqual([0x44, 0x01, 0x54]);
    expect([...v.subarray(765, 768)]).toEqual([0xfd, 0xe7, 0x25]);
    const m = colormapTable('magma');
    expect([...m.subarray(0, 3)]).toEqual([0x00, 0x00, 0x04]);
    expect([...m.subarray(765, 768)]).toEqual([0xfc, 0xfd, 0xbf]);
  });

  it('viridis grows in lightness monotonically (perceptually ordered)', () => {
    const v = colormapTable('viridis');
    const l = (i: number) => 0.2126 * v[3 * i]! + 0.7152 * v[3 * i + 1]! + 0.0722 * v[3 * i + 2]!;
    for (let i = 8; i < 256; i += 8) expect(l(i)).toBeGreaterThan(l(i - 8));
  });

  it('the diverging map is blue below, near white at the middle, red above', () => {
    const d = colormapTable('rdbu');
    expect(d[2]!).toBeGreaterThan(d[0]!); // blue end
    expect(d[765]!).toBeGreaterThan(d[767]!); // red end
    expect(Math.min(d[3 * 128]!, d[3 * 128 + 1]!, d[3 * 128 + 2]!)).toBeGreaterThan(230);
  });

  it('indexes values on the range, clamped at both ends', () => {
    expect(colormapIndex(0, 0, 1)).toBe(0);
    expect(colormapIndex(1, 0, 1)).toBe(255);
    expect(colormapIndex(0.5, 0, 1)).toBe(128);
    expect(colormapIndex(-3, 0, 1)).toBe(0);
    expect(colormapIndex(7, 0, 1)).toBe(255);
    expect(colormapIndex(5, 5, 5)).toBe(128);
  });

  it('paints finite values through the table and leaves NaN transparent', () => {
    const t = colormapTable('viridis');
    const out = paintMap(Float32Array.of(0, 1, NaN), t, 0, 1, new Uint8ClampedArray(12));
    expect([...out.subarray(0, 4)]).toEqual([...t.subarray(0, 3), 255]);
    expect([...out.subarray(4, 8)]).toEqual([...t.subarray(765, 768), 255]);
    expect([...out.subarray(8, 12)]).toEqual([0, 0, 0, 0]);
  });

  it('finds automatic ranges (symmetric for signed maps) over finite values only', () => {
    expect(finiteRange(Float32Array.of(0.2, NaN, -0.1, 0.9))).toEqual({ lo: expect.closeTo(-0.1, 6), hi: expect.closeTo(0.9, 6) });
    expect(finiteRange(Float32Array.of(NaN))).toBeNull();
    expect(symmetricRange(Float32Array.of(-3, 2))).toEqual({ lo: -3, hi: 3 });
    expect(rgbToRgba(Uint8Array.of(1, 2, 3), new Uint8ClampedArray(4))).toEqual(Uint8ClampedArray.of(1, 2, 3, 255));
  });

  it('paints every pixel as the per-byte definition does (word writes: same colours, NaN and ±Infinity transparent, a flat range mid-table)', () => {
    const t = colormapTable('magma');
    const map = new Float32Array(4099);
    for (let i = 0; i < map.length; i++) map[i] = Math.sin(i * 12.9898) * 1.3 - 0.1;
    map[5] = NaN;
    map[6] = Infinity;
    map[7] = -Infinity;
    for (const [lo, hi] of [[-1, 1], [0.25, 0.75], [0.5, 0.5]] as const) {
      const out = paintMap(map, t, lo, hi, new Uint8ClampedArray(4 * map.length));
      for (let i = 0; i < map.length; i++) {
        const v = map[i]!;
        const want = Number.isFinite(v) ? [...t.subarray(3 * colormapIndex(v, lo, hi), 3 * colormapIndex(v, lo, hi) + 3), 255] : [0, 0, 0, 0];
        expect([...out.subarray(4 * i, 4 * i + 4)]).toEqual(want);
      }
    }
    // Aligned (read four pixels a word at a time, then the last pixel alone) and at an odd offset (byte by byte).
    const bytes = Uint8Array.from({ length: 3 * 1001 + 1 }, (_, i) => (i * 37 + 11) & 255);
    for (const rgb of [bytes.subarray(0, 3 * 1001), bytes.subarray(1)]) {
      const rgba = rgbToRgba(rgb, new Uint8ClampedArray(4 * 1001));
      for (let p = 0; p < 1001; p++) expect([...rgba.subarray(4 * p, 4 * p + 4)]).toEqual([rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2], 255]);
    }
  });
});
