/**
 * MS-SSIM, Wang, Simoncelli & Bovik 2003, following the authors' MATLAB `msssim.m` + `ssim_index_new.m`.
 *
 * Input: two same-size single-channel planes (any Samples type). The coarsest scale must still hold the
 * 11×11 window: with 5 scales that means at least 161×161 (ceil(n/16) >= 11); smaller input throws.
 * Data range: explicit `dataRange` L (255 for 8-bit).
 * Output: value in [0, 1], higher is better (1 for identical planes), plus per-scale detail.
 *
 * Convention (golden README, "MS-SSIM"):
 *  - 5 scales, weights [0.0448, 0.2856, 0.3001, 0.2363, 0.1333], K = [0.01, 0.03], the SSIM window of ssim.ts;
 *  - at every scale, mssim = mean SSIM and mcs = mean of the per-pixel cs = (2σxy + C2)/(σx² + σy² + C2),
 *    both over the valid region (a mean of ratios, not a ratio of means);
 *  - value = Π_{l=1..4} mcs_l^w_l · mssim_5^w_5 (luminance only at the coarsest scale);
 *  - between scales: 2×2 mean, MATLAB imfilter(ones(2)/4, 'symmetric', 'same') then (1:2:end), i.e. the
 *    block at (2i, 2j) with the edge row/column repeated for odd sizes; size ceil(H/2)×ceil(W/2);
 *  - negative components: MATLAB would return a complex number; here each component is clamped to 0 before
 *    the power (as TensorFlow / pytorch-msssim do), so any negative component gives 0.
 *    `allComponentsPositive` says whether the clamp had no effect.
 * Float64 throughout; bit-identical across runs, and between the WebAssembly SIMD engine (used where
 * available: ../wasm/ssim-wang.wat runs every scale and the 2×2 means) and the TypeScript code.
 *
 * References: Z. Wang, E. P. Simoncelli, A. C. Bovik, "Multi-scale structural similarity for image quality
 * assessment", Asilomar 2003; reference code `msssim.m` / `ssim_index_new.m` (Z. Wang).
 */
import { downsample2x2Mean } from '../image/downsample';
import { assertDataRange, assertSamePlaneSize, type Plane } from '../image/plane';
import { assertSsimConstant, runSsim, SSIM_WINDOW, SsimWorkspace } from './ssim-core';

export const MS_SSIM_WEIGHTS: readonly number[] = Object.freeze([0.0448, 0.2856, 0.3001, 0.2363, 0.1333]);

export interface MsSsimOptions {
  /** L, the dynamic range of the samples (255 for 8-bit). Required. */
  readonly dataRange: number;
  /** Default 0.01. */
  readonly k1?: number;
  /** Default 0.03. */
  readonly k2?: number;
  /** One weight per scale, finest first; default MS_SSIM_WEIGHTS (5 scales). */
  readonly weights?: readonly number[];
  /** Reused scratch; pass one per worker when calling per frame. */
  readonly workspace?: SsimWorkspace;
}

export interface MsSsimResult {
  readonly value: number;
  /** Mean SSIM per scale, finest first. */
  readonly mssimPerScale: number[];
  /** Mean cs per scale, finest first. */
  readonly mcsPerScale: number[];
  /** [height, width] of every scale, finest first. */
  readonly scaleSizes: [number, number][];
  /** False when some mcs (scales 1..n−1) or the last mssim was negative and was clamped to 0. */
  readonly allComponentsPositive: boolean;
}

// Workspace scratch slots (ssim.ts uses 0..2): two ping-pong buffers per image.
const SLOT_REF_A = 3;
const SLOT_REF_B = 4;
const SLOT_DIST_A = 5;
const SLOT_DIST_B = 6;

export function msSsim(ref: Plane, dist: Plane, options: MsSsimOptions): MsSsimResult {
  assertSamePlaneSize(ref, dist, 'ref', 'dist');
  if (options === null || typeof options !== 'object') throw new TypeError('msSsim options must be an object');
  const { dataRange } = options;
  assertDataRange(dataRange);
  const k1 = options.k1 ?? 0.01;
  const k2 = options.k2 ?? 0.03;
  assertSsimConstant(k1, 'k1');
  assertSsimConstant(k2, 'k2');
  const weights = options.weights ?? MS_SSIM_WEIGHTS;
  if (!Array.isArray(weights) || weights.length < 1 || !weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0)) {
    throw new RangeError('weights must be a non-empty array of finite numbers >= 0, one per scale');
  }
  const scales = weights.length;

  const scaleSizes: [number, number][] = [];
  let h = ref.height;
  let w = ref.width;
  for (let l = 0; l < scales; l++) {
    scaleSizes.push([h, w]);
    if (l < scales - 1) {
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
    }
  }
  const [ch, cw] = scaleSizes[scales - 1];
  if (ch < SSIM_WINDOW || cw < SSIM_WINDOW) {
    throw new RangeError(
      `ms-ssim input ${ref.width}x${ref.height} is too small: its scale ${scales} is ${cw}x${ch}, smaller than the ` +
        `${SSIM_WINDOW}x${SSIM_WINDOW} window (${scales} scales need at least ${minimumSize(scales)}x${minimumSize(scales)})`,
    );
  }
  const ws = options.workspace ?? new SsimWorkspace(ref.width);
  if (!(ws instanceof SsimWorkspace)) throw new TypeError('workspace must come from createSsimWorkspace()');

  const c1 = (k1 * dataRange) ** 2;
  const c2 = (k2 * dataRange) ** 2;
  const mssimPerScale: number[] = [];
  const mcsPerScale: number[] = [];
  // The WebAssembly engine runs every scale and the 2×2 means in its own memory (same numbers).
  const engine = ws.wasm();
  if (engine === null || !engine.msScales(ref, dist, c1, c2, scales, mssimPerScale, mcsPerScale)) {
    let x: Plane = ref;
    let y: Plane = dist;
    for (let l = 0; l < scales; l++) {
      runSsim(x, y, c1, c2, true, 'none', null, ws);
      mssimPerScale.push(ws.meanSsim);
      mcsPerScale.push(ws.meanCs);
      if (l < scales - 1) {
        const n = Math.ceil(x.height / 2) * Math.ceil(x.width / 2);
        const even = l % 2 === 0;
        x = downsample2x2Mean(x, ws.scratch(even ? SLOT_REF_A : SLOT_REF_B, n));
        y = downsample2x2Mean(y, ws.scratch(even ? SLOT_DIST_A : SLOT_DIST_B, n));
      }
    }
  }

  let value = 1;
  let allComponentsPositive = true;
  for (let l = 0; l < scales; l++) {
    const component = l < scales - 1 ? mcsPerScale[l] : mssimPerScale[l];
    if (!(component > 0)) allComponentsPositive = false;
    value *= Math.max(0, component) ** weights[l];
  }
  return { value, mssimPerScale, mcsPerScale, scaleSizes, allComponentsPositive };
}

/** Smallest side that keeps the coarsest of `scales` scales at least as large as the window. */
function minimumSize(scales: number): number {
  return (SSIM_WINDOW - 1) * 2 ** (scales - 1) + 1;
}
