/**
 * SSIM, Wang et al. 2004, with the Gaussian window and the valid-region mean.
 *
 * Input: two same-size single-channel planes (any Samples type; stride allowed), at least 11×11.
 * Data range: explicit `dataRange` L (255 for 8-bit code values, 1023 for 10-bit, 1 for [0, 1] floats).
 * Output: the mean SSIM over the valid region, in [−1, 1], higher is better (1 only for identical planes);
 * optionally the per-pixel map.
 *
 * Convention (golden README, "SSIM (Wang et al. 2004)"):
 *  - 11×11 Gaussian window, σ = 1.5, normalised; population (co)variances E[xy] − μxμy;
 *  - C1 = (K1·L)², C2 = (K2·L)², K1 = 0.01, K2 = 0.03 by default;
 *  - SSIM = ((2μxμy + C1)(2σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2));
 *  - mean over the valid (H−10)×(W−10) region only (MATLAB filter2(..., 'valid')).
 * This equals skimage `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
 * data_range=L)` and Wang's `ssim_index.m`; it is NOT MATLAB's built-in `ssim()` (replicate padding, mean over
 * the whole image). Maps: `map: 'valid'` gives the (H−10)×(W−10) inner map; `map: 'full'` the H×W map whose
 * 5-pixel ring uses half-sample symmetric padding, exactly skimage's `full=True` map (for viewer heatmaps);
 * the returned value is the valid-region mean in both cases.
 *
 * `downsample: 'matlab-auto'` reproduces Wang's later `ssim.m` (2009): f = max(1, round(min(H, W)/256)); when
 * f > 1 both images are filtered with an f×f box (MATLAB imfilter(ones(f)/f², 'symmetric', 'same'), kernel
 * centre floor((f+1)/2)) and every f-th sample is kept starting at the first (img(1:f:end, 1:f:end)), giving
 * ceil(H/f)×ceil(W/f); SSIM is then computed as above (ssim.m also uses filter2 'valid' and mean2). The map,
 * when requested, is at the downsampled size. Default 'none' (the golden convention). For 1080p, f = 4.
 *
 * All arithmetic is float64 (inputs converted per row); results are bit-identical across runs, and between
 * the WebAssembly SIMD engine (used where available) and the TypeScript code (ssim-core.ts).
 *
 * References: Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality assessment: from error
 * visibility to structural similarity", IEEE TIP 13(4), 2004; reference code `ssim_index.m` and `ssim.m`
 * (Z. Wang); scikit-image `skimage/metrics/_structural_similarity.py`.
 */
import { boxDownsampleMatlab } from '../image/downsample';
import { assertDataRange, assertSamePlaneSize, type FloatSamples, type Plane } from '../image/plane';
import {
  assertSsimConstant,
  assertWindowFits,
  runSsim,
  SSIM_WINDOW,
  SsimWorkspace,
  type SsimMapMode,
  type SsimWorkspaceOptions,
} from './ssim-core';

export { SsimWorkspace, ssimWasmAvailable, type SsimMapMode, type SsimWorkspaceOptions } from './ssim-core';

export type SsimDownsample = 'none' | 'matlab-auto';

export interface SsimOptions {
  /** L, the dynamic range of the samples (255 for 8-bit). Required: never guessed from the data. */
  readonly dataRange: number;
  /** Default 0.01. */
  readonly k1?: number;
  /** Default 0.03. */
  readonly k2?: number;
  /** Default 'none'. */
  readonly downsample?: SsimDownsample;
  /** Default 'none'. */
  readonly map?: SsimMapMode;
  /** Where to write the map (packed); a new Float32Array when absent. */
  readonly mapOut?: FloatSamples;
  /** Reused scratch; pass one per worker when calling per frame. */
  readonly workspace?: SsimWorkspace;
}

export interface SsimResult {
  /** Mean SSIM over the valid region. */
  readonly value: number;
  /** The ssim.m downsampling factor applied (1 when `downsample` is 'none'). */
  readonly downsampleFactor: number;
  /** The requested map (packed, stride = width), or null. */
  readonly map: Plane<FloatSamples> | null;
}

/**
 * Scratch for ssim/msSsim calls on frames up to `width` wide (it grows on demand). `{ wasm: false }` keeps
 * it on the TypeScript code (same results; for checking the WebAssembly engine against it).
 */
export function createSsimWorkspace(width = 0, options?: SsimWorkspaceOptions): SsimWorkspace {
  return new SsimWorkspace(width, options);
}

/** MATLAB ssim.m's automatic downsampling factor max(1, round(min(H, W)/256)). */
export function matlabAutoDownsampleFactor(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 256));
}

// Workspace scratch slots used here (ms-ssim.ts uses others).
const SLOT_REF = 0;
const SLOT_DIST = 1;
const SLOT_ROW = 2;

export function ssim(ref: Plane, dist: Plane, options: SsimOptions): SsimResult {
  assertSamePlaneSize(ref, dist, 'ref', 'dist');
  if (options === null || typeof options !== 'object') throw new TypeError('ssim options must be an object');
  const { dataRange } = options;
  assertDataRange(dataRange);
  const k1 = options.k1 ?? 0.01;
  const k2 = options.k2 ?? 0.03;
  assertSsimConstant(k1, 'k1');
  assertSsimConstant(k2, 'k2');
  const downsample = options.downsample ?? 'none';
  if (downsample !== 'none' && downsample !== 'matlab-auto') {
    throw new RangeError(`downsample must be 'none' or 'matlab-auto', got ${String(downsample)}`);
  }
  const mode = options.map ?? 'none';
  if (mode !== 'none' && mode !== 'valid' && mode !== 'full') {
    throw new RangeError(`map must be 'none', 'valid' or 'full', got ${String(mode)}`);
  }
  assertWindowFits(ref.width, ref.height, 'ssim input');
  const ws = options.workspace ?? new SsimWorkspace(ref.width);
  if (!(ws instanceof SsimWorkspace)) throw new TypeError('workspace must come from createSsimWorkspace()');

  const factor = downsample === 'matlab-auto' ? matlabAutoDownsampleFactor(ref.width, ref.height) : 1;
  const sw = Math.ceil(ref.width / factor);
  const sh = Math.ceil(ref.height / factor);
  if (factor > 1) assertWindowFits(sw, sh, `ssim input downsampled by ${factor}`);

  let map: Plane<FloatSamples> | null = null;
  if (mode !== 'none') {
    const mw = mode === 'full' ? sw : sw - (SSIM_WINDOW - 1);
    const mh = mode === 'full' ? sh : sh - (SSIM_WINDOW - 1);
    const out = options.mapOut ?? new Float32Array(mw * mh);
    if (!(out instanceof Float32Array || out instanceof Float64Array)) throw new TypeError('mapOut must be a Float32Array or Float64Array');
    if (out.length < mw * mh) throw new RangeError(`mapOut holds ${out.length} samples, the ${mode} map needs ${mw * mh}`);
    map = { data: out, width: mw, height: mh, stride: mw };
  }

  const c1 = (k1 * dataRange) ** 2;
  const c2 = (k2 * dataRange) ** 2;
  const mapData = map === null ? null : map.data;
  // The WebAssembly engine downsamples inside its own memory (same numbers as boxDownsampleMatlab).
  const engine = factor > 1 ? ws.wasm() : null;
  if (engine !== null && engine.run(ref, dist, c1, c2, false, mode === 'full', mapData, factor)) {
    ws.meanSsim = engine.ssimTotal / ((sw - (SSIM_WINDOW - 1)) * (sh - (SSIM_WINDOW - 1)));
  } else {
    let x: Plane = ref;
    let y: Plane = dist;
    if (factor > 1) {
      const row = ws.scratch(SLOT_ROW, ref.width + 2 * factor);
      x = boxDownsampleMatlab(ref, factor, ws.scratch(SLOT_REF, sw * sh), row);
      y = boxDownsampleMatlab(dist, factor, ws.scratch(SLOT_DIST, sw * sh), row);
    }
    runSsim(x, y, c1, c2, false, mode, mapData, ws);
  }
  return { value: ws.meanSsim, downsampleFactor: factor, map };
}
