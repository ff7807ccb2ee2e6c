/**
 * Colour maps as 256-entry RGB lookup tables, and painting a float map through one. viridis and magma
 * are matplotlib's perceptually uniform maps (van der Walt & Smith, 2015, CC0), the diverging map is
 * ColorBrewer's RdBu reversed (blue below zero, white at zero, red above); the colours come from
 * d3-scale-chromatic, sampled at the 256 centres i/255. Tables are built on first use (no work at
 * import). Pure: tested in test/renderer/viewer-colormaps.test.ts.
 */
import { interpolateMagma, interpolateRdBu, interpolateViridis } from 'd3-scale-chromatic';

export const SEQUENTIAL_COLORMAPS = ['viridis', 'magma'] as const;
export type SequentialColormap = (typeof SEQUENTIAL_COLORMAPS)[number];
export type ColormapName = SequentialColormap | 'rdbu';

const SOURCES: Record<ColormapName, (t: number) => string> = {
  viridis: interpolateViridis,
  magma: interpolateMagma,
  rdbu: (t) => interpolateRdBu(1 - t),
};

const tables = new Map<ColormapName, Uint8Array>();

/** d3's colour strings: "#rrggbb" or "rgb(r, g, b)". */
function parseColor(c: string): [number, number, number] {
  if (c.startsWith('#')) return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(c);
  if (!m) throw new Error(`unexpected colour ${c}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The 256 × RGB table of a colour map (entry 0 = the low end of the range). */
export function colormapTable(name: ColormapName): Uint8Array {
  let t = tables.get(name);
  if (!t) {
    t = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) t.set(parseColor(SOURCES[name](i / 255)), 3 * i);
    tables.set(name, t);
  }
  return t;
}

/** The table entry of value v on [lo, hi] (clamped; lo = hi maps everything to the middle). */
export function colormapIndex(v: number, lo: number, hi: number): number {
  if (!(hi > lo)) return 128;
  const i = Math.round(((v - lo) / (hi - lo)) * 255);
  return i < 0 ? 0 : i > 255 ? 255 : i;
}

/** The smallest and largest finite value (null when there is none). */
export function finiteRange(map: ArrayLike<number>): { lo: number; hi: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? { lo, hi } : null;
}

/** A range symmetric around 0 that holds every finite value (for signed maps on a diverging scale). */
export function symmetricRange(map: ArrayLike<number>): { lo: number; hi: number } | null {
  const r = finiteRange(map);
  if (!r) return null;
  const m = Math.max(Math.abs(r.lo), Math.abs(r.hi)) || 1;
  return { lo: -m, hi: m };
}

/**
 * Paints `map` (row-major, width × height) into RGBA `out` (4 × width × height bytes) through a table;
 * NaN and ±∞ become transparent.
 */
export function paintMap(map: ArrayLike<number>, table: Uint8Array, lo: number, hi: number, out: Uint8ClampedArray): Uint8ClampedArray {
  if (out.length !== 4 * map.length) throw new RangeError(`RGBA buffer of ${out.length} bytes for a map of ${map.length} values`);
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    const o = 4 * i;
    if (!Number.isFinite(v)) {
      out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
      continue;
    }
    const j = 3 * colormapIndex(v, lo, hi);
    out[o] = table[j]!;
    out[o + 1] = table[j + 1]!;
    out[o + 2] = table[j + 2]!;
    out[o + 3] = 255;
  }
  return out;
}

/** rgb24 (3 bytes a pixel) into RGBA for ImageData. */
export function rgbToRgba(rgb: Uint8Array, out: Uint8ClampedArray): Uint8ClampedArray {
  if (out.length * 3 !== rgb.length * 4) throw new RangeError(`RGBA buffer of ${out.length} bytes for ${rgb.length} RGB bytes`);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    out[j] = rgb[i]!;
    out[j + 1] = rgb[i + 1]!;
    out[j + 2] = rgb[i + 2]!;
    out[j + 3] = 255;
  }
  return out;
}
