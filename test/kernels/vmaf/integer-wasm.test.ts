/**
 * The WebAssembly SIMD paths of the integer VMAF features give exactly the TypeScript paths' numbers
 * (integer arithmetic: equality, not tolerance), on random, smooth, flat and extreme 8-bit frames,
 * widths that are and are not multiples of 4, both enhancement gain limits; and ADM without AIM keeps
 * every other number.
 */
import { describe, expect, it } from 'vitest';
import { planeOf } from '../../../src-main/kernels/image/plane';
import { createIntegerAdmWorkspace, integerAdm } from '../../../src-main/kernels/vmaf/integer-adm';
import { createIntegerVifWorkspace, integerVif } from '../../../src-main/kernels/vmaf/integer-vif';
import { wasmSimdSupported } from '../../../src-main/kernels/wasm/wasm-runtime';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

type Maker = (w: number, h: number, r: () => number) => [Uint8Array, Uint8Array];
const PAIRS: Record<string, Maker> = {
  noise: (w, h, r) => {
    const a = new Uint8Array(w * h).map(() => Math.floor(r() * 256));
    const b = a.map((v) => Math.max(0, Math.min(255, v + Math.round((r() - 0.5) * 60))));
    return [a, b];
  },
  smooth: (w, h, r) => {
    const a = new Uint8Array(w * h);
    const b = new Uint8Array(w * h);
    const p = r() * 6;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = 128 + 100 * Math.sin(x / 7 + p) * Math.cos(y / 11);
        a[y * w + x] = Math.round(v);
        b[y * w + x] = Math.max(0, Math.min(255, Math.round(v * 0.9 + 12 + (r() - 0.5) * 8)));
      }
    }
    return [a, b];
  },
  extremes: (w, h, r) => {
    const a = new Uint8Array(w * h).map(() => (r() < 0.5 ? 0 : 255));
    const b = new Uint8Array(w * h).map(() => (r() < 0.5 ? 0 : 255));
    return [a, b];
  },
  enhanced: (w, h, r) => {
    const a = new Uint8Array(w * h).map((_, i) => 120 + ((i % w) % 9) + Math.floor(r() * 3));
    const b = a.map((v) => Math.max(0, Math.min(255, 128 + (v - 124) * 12)));
    return [a, b];
  },
  flat: (w, h) => [new Uint8Array(w * h).fill(200), new Uint8Array(w * h).fill(37)],
};

describe.skipIf(!wasmSimdSupported())('integer VMAF: WebAssembly SIMD equals TypeScript', () => {
  for (const [w, h] of [[64, 48], [37, 33], [130, 71]] as const) {
    for (const [name, make] of Object.entries(PAIRS)) {
      it(`VIF ${name} ${w}x${h}`, () => {
        const r = rng(w * 1000 + h + name.length);
        const [a, b] = make(w, h, r);
        const ref = planeOf(a, w, h);
        const dis = planeOf(b, w, h);
        for (const egl of [100, 1]) {
          const ts = integerVif(ref, dis, createIntegerVifWorkspace(w, h, 8), { enhnGainLimit: egl, wasm: false });
          const ws = createIntegerVifWorkspace(w, h, 8);
          const wa = integerVif(ref, dis, ws, { enhnGainLimit: egl });
          expect(ws.wasm).not.toBeNull();
          expect(wa).toEqual(ts);
        }
      });
    }
  }
});

describe('integer ADM: skipAim', () => {
  it('gives the same adm2, scales, num and den, and NaN for aim and adm3', () => {
    const [w, h] = [97, 61];
    const [a, b] = PAIRS.smooth!(w, h, rng(7));
    const ref = planeOf(a, w, h);
    const dis = planeOf(b, w, h);
    const full = integerAdm(ref, dis, createIntegerAdmWorkspace(w, h, 8));
    const skip = integerAdm(ref, dis, createIntegerAdmWorkspace(w, h, 8), { skipAim: true });
    expect(skip.adm2).toBe(full.adm2);
    expect(skip.scales).toEqual(full.scales);
    expect(skip.num).toEqual(full.num);
    expect(skip.den).toEqual(full.den);
    expect(full.aim).not.toBeNaN();
    expect(skip.aim).toBeNaN();
    expect(skip.adm3).toBeNaN();
  });
});
