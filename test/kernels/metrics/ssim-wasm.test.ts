// The WebAssembly SIMD engine of Wang SSIM / MS-SSIM (src-main/kernels/wasm/ssim-wang.wat) against the
// TypeScript reference (ssim-core.ts, used by workspaces created with { wasm: false }): every result must be
// bit-identical (Object.is on each value and map sample), for all sample types, sizes, strides and modes.
import { describe, expect, it } from 'vitest';
import { lumaFromInterleaved } from '../../../src-main/kernels/image/luma';
import type { FloatSamples, Plane, Samples } from '../../../src-main/kernels/image/plane';
import { msSsim } from '../../../src-main/kernels/metrics/ms-ssim';
import { createSsimWorkspace, ssim, ssimWasmAvailable, type SsimMapMode, type SsimOptions } from '../../../src-main/kernels/metrics/ssim';
import { decodeBase64 } from '../../../src-main/kernels/wasm/wasm-runtime';
import { channelPlane, grayPlane, readGoldenPng, readIqaGolden, rgbImage } from '../../helpers/golden';

const golden = readIqaGolden();
const allPairs = [...golden.pairs, ...golden.tiny];

const wasmWs = createSsimWorkspace();
const tsWs = createSsimWorkspace(0, { wasm: false });

type Kind = 'u8' | 'u16' | 'f32' | 'f64';

/** A deterministic plane: smooth pattern plus LCG noise in [0, peak]; `like` makes a distorted copy of it. */
function plane(kind: Kind, width: number, height: number, stride: number, peak: number, seed: number, like?: Plane): Plane {
  const n = stride * (height - 1) + width;
  const data: Samples =
    kind === 'u8' ? new Uint8Array(n) : kind === 'u16' ? new Uint16Array(n) : kind === 'f32' ? new Float32Array(n) : new Float64Array(n);
  let s = seed >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const noise = s / 2 ** 32 - 0.5;
      const base = like ? like.data[y * like.stride + x] : peak * (0.5 + 0.3 * Math.sin(x / 7 + seed) * Math.cos(y / 5));
      const v = Math.max(0, Math.min(peak, base + noise * (like ? 0.25 : 0.3) * peak));
      data[y * stride + x] = kind === 'u8' || kind === 'u16' ? Math.round(v) : v;
    }
  }
  return { data, width, height, stride };
}

function peakOf(kind: Kind): number {
  return kind === 'u8' ? 255 : kind === 'u16' ? 1023 : 1;
}

function expectSameSamples(a: FloatSamples, b: FloatSamples): void {
  expect(a.length).toBe(b.length);
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
  expect(differing).toBe(0);
}

/** Runs ssim on both engines and checks value, factor and map are identical. */
function expectSameSsim(ref: Plane, dist: Plane, options: Omit<SsimOptions, 'workspace' | 'mapOut'>, mapType: 'f32' | 'f64' = 'f32'): number {
  const mode: SsimMapMode = options.map ?? 'none';
  const mapOut = (): FloatSamples | undefined => {
    if (mode === 'none') return undefined;
    // Sized generously: only the map's own samples may be written.
    const n = ref.width * ref.height + 7;
    return mapType === 'f32' ? new Float32Array(n).fill(-7) : new Float64Array(n).fill(-7);
  };
  const a = ssim(ref, dist, { ...options, workspace: wasmWs, mapOut: mapOut() });
  const b = ssim(ref, dist, { ...options, workspace: tsWs, mapOut: mapOut() });
  expect(Object.is(a.value, b.value), `${a.value} vs ${b.value}`).toBe(true);
  expect(a.downsampleFactor).toBe(b.downsampleFactor);
  if (mode === 'none') {
    expect(a.map).toBeNull();
  } else {
    expect([a.map!.width, a.map!.height]).toEqual([b.map!.width, b.map!.height]);
    expectSameSamples(a.map!.data, b.map!.data);
  }
  return a.value;
}

function expectSameMsSsim(ref: Plane, dist: Plane, dataRange: number, weights?: readonly number[]): void {
  const a = msSsim(ref, dist, { dataRange, weights, workspace: wasmWs });
  const b = msSsim(ref, dist, { dataRange, weights, workspace: tsWs });
  expect(Object.is(a.value, b.value), `${a.value} vs ${b.value}`).toBe(true);
  expect(a.mssimPerScale.length).toBe(b.mssimPerScale.length);
  a.mssimPerScale.forEach((v, l) => expect(Object.is(v, b.mssimPerScale[l])).toBe(true));
  a.mcsPerScale.forEach((v, l) => expect(Object.is(v, b.mcsPerScale[l])).toBe(true));
  expect(a.scaleSizes).toEqual(b.scaleSizes);
  expect(a.allComponentsPositive).toBe(b.allComponentsPositive);
}

function yFloat(path: string): Plane<Float64Array> {
  const image = readGoldenPng(path);
  return lumaFromInterleaved(rgbImage(image), new Float64Array(image.width * image.height), { matrix: 'bt601', range: 'studio' });
}

function yUint8AsF32(path: string): Plane<Float32Array> {
  const image = readGoldenPng(path);
  return lumaFromInterleaved(rgbImage(image), new Float32Array(image.width * image.height), {
    matrix: 'bt601',
    range: 'studio',
    rounding: 'half-up',
  });
}

describe('SSIM WebAssembly engine', () => {
  it('is available in this runtime (Node 20 has WebAssembly SIMD), so these tests exercise it', () => {
    expect(ssimWasmAvailable()).toBe(true);
    expect(wasmWs.wasm()).not.toBeNull();
    expect(tsWs.wasm()).toBeNull();
  });

  it('decodes base64 like Buffer does', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255, 1000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      const text = Buffer.from(bytes).toString('base64');
      expect(Array.from(decodeBase64(text))).toEqual(Array.from(bytes));
      expect(Array.from(decodeBase64(text.replace(/=+$/, '')))).toEqual(Array.from(bytes));
    }
    expect(() => decodeBase64('ab$d')).toThrow(RangeError);
  });
});

describe('SSIM: WebAssembly engine = TypeScript engine, bit for bit', () => {
  it.each(allPairs.map((p) => [p.id, p] as const))('golden %s: planes, luma, maps', (_id, pair) => {
    const ref = readGoldenPng(pair.ref);
    const dist = readGoldenPng(pair.dist);
    if (pair.mode === 'gray') {
      for (const map of ['none', 'valid', 'full'] as const) expectSameSsim(grayPlane(ref), grayPlane(dist), { dataRange: 255, map });
    } else {
      for (let c = 0; c < 3; c++) expectSameSsim(channelPlane(ref, c), channelPlane(dist, c), { dataRange: 255 });
      expectSameSsim(yFloat(pair.ref), yFloat(pair.dist), { dataRange: 255, map: 'full' }, 'f64');
      expectSameSsim(yUint8AsF32(pair.ref), yUint8AsF32(pair.dist), { dataRange: 255, map: 'valid' });
    }
  });

  const sizes: [number, number][] = [
    [11, 11],
    [12, 11],
    [11, 16],
    [13, 17],
    [31, 29],
    [64, 48],
    [255, 14],
    [256, 13],
    [257, 19],
    [266, 12],
    [267, 12],
    [300, 41],
    [517, 33],
    [1000, 23],
  ];
  for (const kind of ['u8', 'u16', 'f32', 'f64'] as const) {
    it.each(sizes)(`${kind} %ix%i: packed and strided, no map, valid and full maps (float32 and float64)`, (width, height) => {
      const peak = peakOf(kind);
      for (const stride of [width, width + 3]) {
        const ref = plane(kind, width, height, stride, peak, width * 7 + height);
        const dist = plane(kind, width, height, stride, peak, width + height * 13, ref);
        for (const map of ['none', 'valid', 'full'] as const) {
          for (const mapType of ['f32', 'f64'] as const) expectSameSsim(ref, dist, { dataRange: peak, map }, mapType);
        }
      }
    });
  }

  it('mixed sample types, custom and zero constants, identical and inverted inputs', () => {
    const ref = plane('u8', 97, 45, 97, 255, 3);
    const distF32 = plane('f32', 97, 45, 101, 255, 4, ref);
    expectSameSsim(ref, distF32, { dataRange: 255, map: 'full' });
    expectSameSsim(ref, distF32, { dataRange: 255, k1: 0.02, k2: 0.05, map: 'valid' });
    expect(expectSameSsim(ref, ref, { dataRange: 255 })).toBe(1);
    const inverted = { ...ref, data: ref.data.map((v) => 255 - v) };
    expectSameSsim(ref, inverted, { dataRange: 255, map: 'full' });
    // k1 = k2 = 0 on flat planes: 0/0 gives NaN in both engines, in the value and the map
    const flat = plane('u8', 40, 30, 40, 0, 1);
    expect(Number.isNaN(expectSameSsim(flat, flat, { dataRange: 255, k1: 0, k2: 0, map: 'full' }))).toBe(true);
  });

  it('non-finite samples propagate the same way', () => {
    const ref = plane('f64', 60, 40, 60, 1, 8);
    const dist = plane('f64', 60, 40, 60, 1, 9, ref);
    (dist.data as Float64Array)[20 * 60 + 30] = Number.NaN;
    (dist.data as Float64Array)[5 * 60 + 7] = Number.POSITIVE_INFINITY;
    expectSameSsim(ref, dist, { dataRange: 1, map: 'full' });
    expectSameSsim(ref, dist, { dataRange: 1, map: 'valid' }, 'f64');
  });

  it.each([
    ['u8', 512, 384, 0],
    ['u8', 700, 530, 3],
    ['u16', 801, 777, 0],
    ['f32', 1030, 777, 5],
    ['f64', 1290, 1279, 0],
    ['u8', 1920, 1080, 0],
  ] as const)('matlab-auto downsampling (ssim.m), %s %ix%i (stride +%i), with maps', (kind, w, h, extra) => {
    const peak = peakOf(kind);
    const ref = plane(kind, w, h, w + extra, peak, w);
    const dist = plane(kind, w, h, w + extra, peak, h, ref);
    expectSameSsim(ref, dist, { dataRange: peak, downsample: 'matlab-auto' });
    expectSameSsim(ref, dist, { dataRange: peak, downsample: 'matlab-auto', map: 'full' });
    expectSameSsim(ref, dist, { dataRange: peak, downsample: 'matlab-auto', map: 'valid' }, 'f64');
  });

  it('a reused workspace gives the same numbers as a fresh one after larger and smaller frames', () => {
    const big = plane('u16', 700, 90, 700, 1023, 1);
    const bigDist = plane('u16', 700, 90, 700, 1023, 2, big);
    const small = plane('u8', 50, 20, 50, 255, 3);
    const smallDist = plane('u8', 50, 20, 50, 255, 4, small);
    const first = ssim(small, smallDist, { dataRange: 255, workspace: createSsimWorkspace(), map: 'full' });
    const ws = createSsimWorkspace();
    ssim(big, bigDist, { dataRange: 1023, workspace: ws, map: 'full' });
    const again = ssim(small, smallDist, { dataRange: 255, workspace: ws, map: 'full' });
    expect(Object.is(first.value, again.value)).toBe(true);
    expectSameSamples(first.map!.data, again.map!.data);
    // and without any workspace
    expect(Object.is(ssim(small, smallDist, { dataRange: 255 }).value, first.value)).toBe(true);
  });
});

describe('MS-SSIM: WebAssembly engine = TypeScript engine, bit for bit', () => {
  it.each(golden.pairs.map((p) => [p.id, p] as const))('golden %s', (_id, pair) => {
    const ref = readGoldenPng(pair.ref);
    const dist = readGoldenPng(pair.dist);
    if (pair.mode === 'gray') {
      expectSameMsSsim(grayPlane(ref), grayPlane(dist), 255);
    } else {
      expectSameMsSsim(channelPlane(ref, 1), channelPlane(dist, 1), 255);
      expectSameMsSsim(yFloat(pair.ref), yFloat(pair.dist), 255);
    }
  });

  it.each([
    [161, 161],
    [162, 175],
    [200, 170],
    [333, 251],
  ])('%ix%i: all sample types, strided, fewer scales', (w, h) => {
    for (const kind of ['u8', 'u16', 'f32', 'f64'] as const) {
      const peak = peakOf(kind);
      const ref = plane(kind, w, h, w + 1, peak, w * 3 + h);
      const dist = plane(kind, w, h, w + 1, peak, w + h * 5, ref);
      expectSameMsSsim(ref, dist, peak);
      expectSameMsSsim(ref, dist, peak, [0.5, 0.25, 0.25]);
      expectSameMsSsim(ref, dist, peak, [1]);
    }
  });

  it('1920x1080, and an inverted pair (negative components clamped)', () => {
    const ref = plane('u8', 1920, 1080, 1920, 255, 11);
    const dist = plane('u8', 1920, 1080, 1920, 255, 12, ref);
    expectSameMsSsim(ref, dist, 255);
    const small = plane('u8', 180, 170, 180, 255, 5);
    expectSameMsSsim(small, { ...small, data: small.data.map((v) => 255 - v) }, 255);
  });
});
