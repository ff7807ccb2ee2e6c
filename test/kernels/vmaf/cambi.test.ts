import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IqaError } from '../../../src-main/common/errors';
import { planeOf } from '../../../src-main/kernels/image/plane';
import { Cambi, cambiMaskThreshold, cambiWindowSize, sumTopK, tviForDiff } from '../../../src-main/kernels/vmaf/cambi';
import { sharedData } from '../../helpers/shared-data';
import { decodeGolden, goldenPairs, goldenResults, HEIGHT, lumaPlane, VMAF_GOLDEN_DIR, WIDTH } from './vmaf-golden';

// CAMBI (libvmaf 3.2.0's `cambi` feature at its defaults) against the vmaf CLI's JSON
// (../shared/golden/vmaf/results/<pair>.json). CAMBI scores the distorted video alone (full_ref is
// off by default). The CLI prints %.6f, so an exact port is within 5e-7 of every printed value: that
// is the bound (20x tighter than the 1e-5). Measured: every frame of the 4 pairs within
// 5.0e-7, and the pooled means too.
const PRINTED = 5e-7 + 1e-9;

const haveGolden = sharedData('golden');

function goldenPooled(pair: string): { mean: number; min: number; max: number } {
  const json = JSON.parse(readFileSync(join(VMAF_GOLDEN_DIR, 'results', `${pair}.json`), 'utf8')) as {
    pooled_metrics: Record<string, { mean: number; min: number; max: number }>;
  };
  return json.pooled_metrics.cambi!;
}

describe.skipIf(!haveGolden)('CAMBI on the golden pairs', () => {
  const pairs = haveGolden ? goldenPairs() : [];
  const cambi = new Cambi(WIDTH, HEIGHT, 8);

  for (const pair of pairs) {
    it(`${pair.name}: every frame of the distorted video, and the pooled mean`, () => {
      const dist = decodeGolden(pair.distorted, pair.frames);
      const golden = goldenResults(pair.name);
      expect(golden).toHaveLength(pair.frames);
      const values: number[] = [];
      for (let k = 0; k < pair.frames; k++) {
        const v = cambi.score(lumaPlane(dist, k));
        const g = golden[k]!.cambi;
        expect(g, `frame ${k} has cambi in the golden JSON`).toBeTypeOf('number');
        expect(Math.abs(v - g!), `frame ${k}: ${v} vs ${g}`).toBeLessThanOrEqual(PRINTED);
        values.push(v);
      }
      const pooled = goldenPooled(pair.name);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      expect(Math.abs(mean - pooled.mean), `mean ${mean} vs ${pooled.mean}`).toBeLessThanOrEqual(PRINTED);
      expect(Math.abs(Math.min(...values) - pooled.min)).toBeLessThanOrEqual(PRINTED);
      expect(Math.abs(Math.max(...values) - pooled.max)).toBeLessThanOrEqual(PRINTED);
    }, 60_000);
  }

  it('keeps no state between frames: a frame scores the same after other frames', () => {
    const dist = decodeGolden(pairs[0]!.distorted, pairs[0]!.frames);
    const first = cambi.score(lumaPlane(dist, 0));
    cambi.score(lumaPlane(dist, 5));
    cambi.score(lumaPlane(dist, 17));
    expect(cambi.score(lumaPlane(dist, 0))).toBe(first);
  });

  it('brings other bit depths to 10 bits as libvmaf does', () => {
    // A picture with banding: the mandelbrot pair's x264 frame 2.
    const pair = pairs.find((p) => p.name === 'p02_mandelbrot__x264_crf35')!;
    const y8 = lumaPlane(decodeGolden(pair.distorted, pair.frames), 2);
    const n = WIDTH * HEIGHT;
    const shifted = (shift: number) => planeOf(Uint16Array.from(y8.data.subarray(0, n), (v) => v << shift), WIDTH, HEIGHT);
    const at8 = new Cambi(WIDTH, HEIGHT, 8).score(y8);
    expect(at8).toBeGreaterThan(1);
    // 9-bit is shifted up by 1 and, like 8-bit, anti-dithered: the same 10-bit picture.
    expect(new Cambi(WIDTH, HEIGHT, 9).score(shifted(1))).toBe(at8);
    // 10-bit is taken as it is, with no anti-dithering; 12- and 16-bit are rounded down to 10 bits,
    // so v·4 at 12 bits and v·64 at 16 bits are the 10-bit v.
    const ten = planeOf(Uint16Array.from(y8.data.subarray(0, n), (v) => v << 2), WIDTH, HEIGHT);
    const at10 = new Cambi(WIDTH, HEIGHT, 10).score(ten);
    expect(at10).not.toBe(at8);
    expect(new Cambi(WIDTH, HEIGHT, 12).score(planeOf(Uint16Array.from(ten.data, (v) => v << 2), WIDTH, HEIGHT))).toBe(at10);
    expect(new Cambi(WIDTH, HEIGHT, 16).score(planeOf(Uint16Array.from(ten.data, (v) => (v << 6) + 31), WIDTH, HEIGHT))).toBe(at10);
    // Rounding to nearest: at 12 bits 4v + 1 is the 10-bit v and 4v + 2 the 10-bit v + 1 (offset on
    // every 7th sample, so that the picture changes).
    const at12 = (offset: number) =>
      new Cambi(WIDTH, HEIGHT, 12).score(planeOf(Uint16Array.from(ten.data, (v, i) => (v << 2) + (i % 7 === 0 ? offset : 0)), WIDTH, HEIGHT));
    expect(at12(1)).toBe(at10);
    const tenPlusOne = new Cambi(WIDTH, HEIGHT, 10).score(planeOf(Uint16Array.from(ten.data, (v, i) => v + (i % 7 === 0 ? 1 : 0)), WIDTH, HEIGHT));
    expect(tenPlusOne).not.toBe(at10);
    expect(at12(2)).toBe(tenPlusOne);
  });
});

describe('CAMBI parameters derived as libvmaf derives them', () => {
  it('visibility thresholds for contrasts 1-4 (10-bit limited range, BT.1886, 0.019): the values of libvmaf test_cambi.c', () => {
    expect([1, 2, 3, 4].map((d) => tviForDiff(d))).toEqual([178, 305, 432, 559]);
    expect(new Cambi(WIDTH, HEIGHT).tvi).toEqual(Int32Array.from([178, 305, 432, 559]));
  });

  it('window size scaled by the picture size (test_adjust_window_size, window 63), and 11 at 640x360 with 65', () => {
    const cases: [number, number, number][] = [
      [3840, 2160, 63], [2560, 1440, 43], [1920, 1080, 31], [1280, 720, 21], [960, 540, 15], [640, 360, 11], [480, 270, 7], [320, 180, 5], [6000, 4000, 105],
    ];
    for (const [w, h, ws] of cases) expect(cambiWindowSize(w, h, 63), `${w}x${h}`).toBe(ws);
    expect(cambiWindowSize(640, 360)).toBe(11);
    expect(cambiWindowSize(3840, 2160)).toBe(65);
  });

  it('mask threshold by picture size (test_get_mask_index, filter 7)', () => {
    const cases: [number, number, number][] = [
      [3840, 2160, 24], [2560, 1440, 22], [1980, 1080, 21], [1280, 720, 19], [960, 540, 18], [640, 360, 16], [480, 270, 15], [320, 180, 13], [6000, 4000, 27],
    ];
    for (const [w, h, t] of cases) expect(cambiMaskThreshold(w, h), `${w}x${h}`).toBe(t);
  });

  it('sumTopK: the sum of the k largest values, with many repeats', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (const n of [1, 2, 5, 100, 1000]) {
      const a = Float32Array.from({ length: n }, () => (rnd() < 0.5 ? 0 : Math.floor(rnd() * 8) / 3));
      const sorted = Array.from(a).sort((x, y) => y - x);
      for (const k of [1, Math.max(1, Math.floor(n * 0.6)), n]) {
        const expected = sorted.slice(0, k).reduce((s, v) => s + v, 0);
        expect(sumTopK(Float32Array.from(a), n, k), `n=${n} k=${k}`).toBeCloseTo(expected, 9);
      }
    }
  });

  it('refuses what libvmaf refuses: samples above the bit depth, pictures under 216 in both sides, windows over 65', () => {
    const c = new Cambi(WIDTH, HEIGHT, 10);
    const bad = new Uint16Array(WIDTH * HEIGHT);
    bad[1000] = 1024;
    expect(() => c.score(planeOf(bad, WIDTH, HEIGHT))).toThrow(IqaError);
    expect(() => new Cambi(200, 200)).toThrow(/at least 216/);
    expect(() => new Cambi(7680, 4320)).toThrow(/larger than libvmaf allows/);
    expect(() => c.score(planeOf(new Uint16Array(320 * 240), 320, 240))).toThrow(/set up for 640x360/);
  });
});
