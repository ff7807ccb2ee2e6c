/**
 * IQA-CNN++ patch pipeline (kernels/nn/iqacnnpp-patches.ts) against the float64 NumPy reference
 * (models/export/iqacnnpp_reference.py pipeline, fixture test/kernels/nn/fixtures/iqacnnpp-chelsea.*)
 * on a golden-sized image: chelsea, RGB 300×451 (an odd width: the last 3 columns make no patch).
 * The reference decodes the PNG with its own reader and does Pillow's grey conversion itself, so the
 * whole path from file to network input is compared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pilGrey } from '../../../src-main/kernels/nn/cnniqa-patches';
import { iqacnnppGrid, iqacnnppPatches } from '../../../src-main/kernels/nn/iqacnnpp-patches';
import { readGoldenPng } from '../../helpers/golden';
import { sharedData } from '../../helpers/shared-data';

const FIXTURES = join(import.meta.dirname, 'fixtures');
/**
 * float32 output of a float64 computation: values are about [−1, 1], so one float32 rounding is
 * ≤ 6e-8; the two sides sum the 3×3 window in different orders (≤ 1e-15 apart), so they should agree
 * to the last float32 bit or one step on either side.
 */
const PATCH_TOL = 2.5e-7;

interface Fixture {
  width: number;
  height: number;
  rows: number;
  cols: number;
  patches: number;
  patchesFile: string;
  patchesShape: number[];
}

describe.skipIf(!sharedData('golden'))('IQA-CNN++ patch pipeline equals the NumPy reference', () => {
  it('chelsea (RGB 300×451): 9×14 locally normalised patches, every value within 2.5e-7', () => {
    const fx = JSON.parse(readFileSync(join(FIXTURES, 'iqacnnpp-chelsea.json'), 'utf8')) as Fixture;
    const img = readGoldenPng('images/chelsea.png');
    expect([img.width, img.height]).toEqual([fx.width, fx.height]);
    const grey = pilGrey(img.data, img.width, img.height, { channels: img.channels });
    const p = iqacnnppPatches(grey, img.width, img.height);
    expect([p.rows, p.cols, p.count]).toEqual([fx.rows, fx.cols, fx.patches]);
    const buf = readFileSync(join(FIXTURES, fx.patchesFile));
    const ref = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    expect(p.data.length).toBe(ref.length);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(p.data[i]! - ref[i]!));
    expect(worst).toBeLessThanOrEqual(PATCH_TOL);
  });
});

describe('IQA-CNN++ patch pipeline invariants', () => {
  it('a flat patch normalises to 0 (to the rounding of a 9-term mean, ~1e-16)', () => {
    const p = iqacnnppPatches(new Uint8Array(32 * 32).fill(173), 32, 32);
    expect(p.count).toBe(1);
    expect(p.data.every((v) => Math.abs(v) < 1e-15)).toBe(true);
  });

  it('keeps every complete 32×32 block: 64×64 gives 2×2, 63×95 gives 1×2, 31×500 gives none', () => {
    expect(iqacnnppGrid(64, 64)).toEqual({ rows: 2, cols: 2 });
    expect(iqacnnppGrid(95, 63)).toEqual({ rows: 1, cols: 2 });
    expect(iqacnnppPatches(new Uint8Array(31 * 500), 500, 31).count).toBe(0);
  });

  it('normalises each patch on its own: patch 2 of a two-patch image does not see patch 1', () => {
    const w = 64;
    const img = new Uint8Array(w * 32);
    for (let y = 0; y < 32; y++) for (let x = 0; x < w; x++) img[y * w + x] = x < 32 ? ((x * 7 + y * 13) % 256) : 90;
    const p = iqacnnppPatches(img, w, 32);
    expect(p.data.subarray(1024).every((v) => Math.abs(v) < 1e-15)).toBe(true);
    expect(p.data.subarray(0, 1024).some((v) => Math.abs(v) > 0.1)).toBe(true);
  });

  it('a short plane is a RangeError', () => {
    expect(() => iqacnnppPatches(new Uint8Array(10), 32, 32)).toThrow(RangeError);
  });
});
