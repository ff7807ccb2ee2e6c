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
  // One 32-bit write a pixel from a packed palette: a 1080p map is 2 M pixels painted on every frame
  // shown, and four clamped byte writes a pixel cost the page tens of milliseconds of each step.
  const palette = packedPalette(table);
  const px = pixelWords(out);
  if (!(hi > lo)) {
    // colormapIndex's flat range: every finite value at the middle of the table.
    for (let i = 0; i < map.length; i++) {
      const v = map[i]!;
      px[i] = v - v === 0 ? palette[128]! : 0;
    }
    return out;
  }
  const span = hi - lo;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    // v - v is 0 for every finite value, NaN for NaN and ±Infinity (a cheaper Number.isFinite).
    if (v - v !== 0) {
      px[i] = 0;
      continue;
    }
    // colormapIndex, inlined: clamping before rounding gives the same index (the clamp bounds are integers).
    const x = ((v - lo) / span) * 255;
    px[i] = palette[x <= 0 ? 0 : x >= 255 ? 255 : Math.round(x)]!;
  }
  return out;
}

/** The RGBA bytes as one 32-bit word a pixel (a view when aligned, as every freshly allocated buffer is). */
function pixelWords(out: Uint8ClampedArray): Uint32Array {
  if (out.byteOffset % 4 !== 0) throw new RangeError('RGBA buffer must start on a 4-byte boundary');
  return new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
}

/** Whether this machine stores the low byte of a word first (every platform Chromium and Electron run on does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The word whose bytes in memory are r, g, b, a. */
function rgbaWord(r: number, g: number, b: number, a: number): number {
  return (LITTLE_ENDIAN ? (a << 24) | (b << 16) | (g << 8) | r : (r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

/** The 256 colours of a colormap table (rgb triples) as opaque RGBA words. */
function packedPalette(table: Uint8Array): Uint32Array {
  const out = new Uint32Array(256);
  for (let j = 0; j < 256; j++) out[j] = rgbaWord(table[3 * j]!, table[3 * j + 1]!, table[3 * j + 2]!, 255);
  return out;
}

/** rgb24 (3 bytes a pixel) into RGBA for ImageData. */
export function rgbToRgba(rgb: Uint8Array, out: Uint8ClampedArray): Uint8ClampedArray {
  if (out.length * 3 !== rgb.length * 4) throw new RangeError(`RGBA buffer of ${out.length} bytes for ${rgb.length} RGB bytes`);
  // One 32-bit write a pixel (see paintMap): two 1080p frames are converted for every frame fetched.
  // Four pixels at a time from three 32-bit reads where the bytes allow it (the binary replies align
  // their fields): half the time of reading byte by byte.
  const px = pixelWords(out);
  let p = 0;
  if (LITTLE_ENDIAN && rgb.byteOffset % 4 === 0) {
    const whole = px.length & ~3;
    const w = new Uint32Array(rgb.buffer, rgb.byteOffset, (3 * whole) >> 2);
    for (let i = 0; p < whole; p += 4, i += 3) {
      const w0 = w[i]!; // r0 g0 b0 r1
      const w1 = w[i + 1]!; // g1 b1 r2 g2
      const w2 = w[i + 2]!; // b2 r3 g3 b3
      px[p] = w0 | 0xff000000;
      px[p + 1] = (w0 >>> 24) | (w1 << 8) | 0xff000000;
      px[p + 2] = (w1 >>> 16) | (w2 << 16) | 0xff000000;
      px[p + 3] = (w2 >>> 8) | 0xff000000;
    }
  }
  for (let i = 3 * p; p < px.length; i += 3, p++) px[p] = rgbaWord(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!, 255);
  return out;
}
