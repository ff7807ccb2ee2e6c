// The WebAssembly SIMD engine of the ffmpeg-compatible SSIM (src-main/kernels/wasm/ssim-ffmpeg.wat) against
// the TypeScript reference (ssim-ffmpeg.ts with a { wasm: false } workspace): per-plane values, All and the
// dB figure must be bit-identical, including the cases the wasm hands back to TypeScript (depths above 12,
// Uint16 samples too large for its int32 sums).
import { describe, expect, it } from 'vitest';
import type { Plane } from '../../../src-main/kernels/image/plane';
import { createSsimFfmpegWorkspace, ssimFfmpeg } from '../../../src-main/kernels/metrics/ssim-ffmpeg';
import { readGoldenPng, type GoldenImage } from '../../helpers/golden';

const wasmWs = createSsimFfmpegWorkspace();
const tsWs = createSsimFfmpegWorkspace({ wasm: false });

function expectSame(ref: Plane | Plane[], dist: Plane | Plane[], bitDepth: number): number[] {
  const a = ssimFfmpeg(ref, dist, { bitDepth, workspace: wasmWs });
  const b = ssimFfmpeg(ref, dist, { bitDepth, workspace: tsWs });
  expect(a.planes.length).toBe(b.planes.length);
  a.planes.forEach((v, i) => expect(Object.is(v, b.planes[i]), `plane ${i}: ${v} vs ${b.planes[i]}`).toBe(true));
  expect(Object.is(a.all, b.all)).toBe(true);
  expect(Object.is(a.allDb, b.allDb)).toBe(true);
  return a.planes;
}

/** Deterministic integer plane in [0, max] (pattern + LCG noise); `like` gives a distorted copy. */
function plane(wide: boolean, width: number, height: number, stride: number, max: number, seed: number, like?: Plane): Plane<Uint8Array | Uint16Array> {
  const n = stride * (height - 1) + width;
  const data = wide ? new Uint16Array(n) : new Uint8Array(n);
  let s = seed >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const noise = s / 2 ** 32 - 0.5;
      const base = like ? like.data[y * like.stride + x] : max * (0.5 + 0.35 * Math.sin(x / 9 + seed) * Math.cos(y / 6));
      data[y * stride + x] = Math.max(0, Math.min(max, Math.round(base + noise * (like ? 0.2 : 0.3) * max)));
    }
  }
  // Stride padding holds out-of-range junk: it must never be read.
  for (let y = 0; y < height - 1; y++) for (let x = width; x < stride; x++) data[y * stride + x] = wide ? 65535 : 255;
  return { data, width, height, stride };
}

describe('ffmpeg SSIM: WebAssembly engine = TypeScript engine, bit for bit', () => {
  it('uses the WebAssembly engine here', () => {
    expect(wasmWs.wasm()).not.toBeNull();
    expect(tsWs.wasm()).toBeNull();
  });

  const sizes: [number, number][] = [
    [8, 8],
    [11, 9],
    [12, 12],
    [16, 16],
    [20, 9],
    [24, 13],
    [36, 20],
    [40, 40],
    [44, 44],
    [88, 72],
    [360, 288],
    [426, 240],
    [1921, 1083],
  ];
  it.each(sizes)('%ix%i: 8-bit (Uint8 and Uint16 data), 9-, 10-, 12- and 16-bit, packed and strided', (w, h) => {
    for (const stride of [w, w + 5]) {
      for (const [bitDepth, wide] of [
        [8, false],
        [8, true],
        [9, true],
        [10, true],
        [12, true],
        [16, true],
        [10, false],
      ] as const) {
        const max = wide ? 2 ** bitDepth - 1 : 255;
        const ref = plane(wide, w, h, stride, max, w * 31 + h + bitDepth);
        const dist = plane(wide, w, h, stride, max, w + h * 17, ref);
        expectSame(ref, dist, bitDepth);
        expectSame(ref, ref, bitDepth);
      }
    }
  });

  it('yuv420p / yuv444p / yuv420p10le frames from the golden images (several planes, All and dB)', () => {
    const frame = (image: GoldenImage, sub: number, shift: number): Plane<Uint8Array | Uint16Array>[] =>
      [1, 0, 2].map((c, i) => {
        const s = i === 0 ? 1 : sub;
        const w = Math.ceil(image.width / s);
        const h = Math.ceil(image.height / s);
        const d = shift > 0 ? new Uint16Array(w * h) : new Uint8Array(w * h);
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const p = (y * s * image.width + x * s) * image.channels;
            d[y * w + x] = (image.data[p + c] << shift) | (image.data[p + ((c + 1) % 3)] & ((1 << shift) - 1));
          }
        }
        return { data: d, width: w, height: h, stride: w };
      });
    for (const [ref, dist] of [
      ['astronaut.png', 'astronaut__jpeg_q50.png'],
      ['chelsea.png', 'chelsea__noise_s15.png'],
      ['coffee.png', 'coffee__blur_s2.5.png'],
    ]) {
      const a = readGoldenPng(`images/${ref}`);
      const b = readGoldenPng(`images/${dist}`);
      expectSame(frame(a, 2, 0), frame(b, 2, 0), 8);
      expectSame(frame(a, 1, 0), frame(b, 1, 0), 8);
      expectSame(frame(a, 2, 2), frame(b, 2, 2), 10);
      expectSame(frame(a, 1, 4), frame(b, 1, 4), 12);
    }
  });

  it('Uint16 samples beyond what the declared depth allows fall back to TypeScript with the same result', () => {
    const ref = plane(true, 64, 40, 64, 1023, 1);
    const dist = plane(true, 64, 40, 64, 1023, 2, ref);
    ref.data[100] = 5000; // over 4095: int32 window sums could overflow in the wasm
    expectSame(ref, dist, 10);
    const ref8 = plane(true, 64, 40, 64, 255, 3);
    const dist8 = plane(true, 64, 40, 64, 255, 4, ref8);
    dist8.data[7] = 300; // a "8-bit" plane with a 9-bit sample
    expectSame(ref8, dist8, 8);
    ref8.data[9] = 65535;
    expectSame(ref8, dist8, 8);
  });

  it('mixed Uint8 / Uint16 planes and extreme contents (flat, inverted, full range)', () => {
    const ref = plane(false, 50, 30, 50, 255, 5);
    const dist16 = plane(true, 50, 30, 50, 255, 6, ref);
    expectSame(ref, dist16, 8);
    expectSame(ref, dist16, 10);
    const flat = { data: new Uint8Array(50 * 30), width: 50, height: 30, stride: 50 };
    const white = { data: new Uint8Array(50 * 30).fill(255), width: 50, height: 30, stride: 50 };
    expectSame(flat, white, 8);
    expectSame(ref, { ...ref, data: ref.data.map((v) => 255 - v) }, 8);
    const hi = { data: new Uint16Array(50 * 30).fill(4095), width: 50, height: 30, stride: 50 };
    expectSame(hi, { ...hi, data: new Uint16Array(50 * 30) }, 12);
  });

  it('a reused workspace gives the same numbers as a fresh one', () => {
    const big = plane(false, 1000, 100, 1000, 255, 7);
    const bigDist = plane(false, 1000, 100, 1000, 255, 8, big);
    const small = plane(true, 30, 20, 30, 1023, 9);
    const smallDist = plane(true, 30, 20, 30, 1023, 10, small);
    const fresh = ssimFfmpeg(small, smallDist, { bitDepth: 10, workspace: createSsimFfmpegWorkspace() }).all;
    const ws = createSsimFfmpegWorkspace();
    ssimFfmpeg(big, bigDist, { bitDepth: 8, workspace: ws });
    expect(Object.is(ssimFfmpeg(small, smallDist, { bitDepth: 10, workspace: ws }).all, fresh)).toBe(true);
    expect(Object.is(ssimFfmpeg(small, smallDist, { bitDepth: 10 }).all, fresh)).toBe(true);
  });
});
