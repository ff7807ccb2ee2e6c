/**
 * Box-filter downsampling with MATLAB's conventions, as used by Wang's SSIM and MS-SSIM code.
 *
 * Input: one plane of any sample type, any value range. Output: a packed float plane
 * (Float64Array unless the caller passes a Float32Array), values are means so the range is unchanged.
 *
 * `boxDownsampleMatlab(src, f)` equals MATLAB `imfilter(img, ones(f)/f^2, 'symmetric', 'same')` followed by
 * `img(1:f:end, 1:f:end)`:
 *  - imfilter correlates and puts the kernel centre at c = floor((f + 1)/2) (1-based), so output sample
 *    (i, j) is the mean of input rows i·f − (c − 1) .. i·f + f − c and the same columns. For f = 2 that is
 *    the 2×2 block whose top-left corner is (2i, 2j); for f = 3 the block centred on (3i, 3j); for f = 4
 *    rows 4i − 1 .. 4i + 2.
 *  - 'symmetric' padding mirrors with the edge sample repeated (half-sample symmetric: d c b a | a b c d).
 *  - the output size is ceil(H/f) × ceil(W/f).
 * Each output is (sum of the f² samples) · (1/f²) in float64; for f = 2 and 4 this is exact scaling.
 *
 * `downsample2x2Mean(src)` is the f = 2 case (MS-SSIM, golden README): pixel (i, j) is the mean of the 2×2
 * block at (2i, 2j), the missing row/column of an odd size being the edge row/column repeated.
 *
 * Reference: Z. Wang, `ssim.m` (2009, automatic downsampling) and `msssim.m` (Wang, Simoncelli & Bovik 2003);
 * MATLAB documentation of imfilter (centre floor((size(h)+1)/2), 'symmetric' boundary option).
 */
import { assertPlane, outputBuffer, type FloatSamples, type Plane } from './plane';

/** Mirror index for 'symmetric' padding (period 2n): -1 -> 0, -2 -> 1, n -> n-1, n+1 -> n-2. */
function mirror(index: number, n: number): number {
  const period = 2 * n;
  let m = index % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/** 2×2 mean with edge repeat for odd sizes; output ceil(H/2) × ceil(W/2), packed. */
export function downsample2x2Mean<T extends FloatSamples = Float64Array>(src: Plane, out?: T): Plane<T> {
  assertPlane(src, 'src');
  const { data, width, height, stride } = src;
  const ow = (width + 1) >> 1;
  const oh = (height + 1) >> 1;
  const dst = outputBuffer(out, ow * oh, 'downsample output');
  const evenW = width >> 1; // output columns whose 2×2 block lies fully inside
  for (let i = 0; i < oh; i++) {
    const r0 = 2 * i * stride;
    const r1 = Math.min(2 * i + 1, height - 1) * stride;
    const o = i * ow;
    for (let j = 0; j < evenW; j++) {
      const c = 2 * j;
      dst[o + j] = (data[r0 + c] + data[r0 + c + 1] + (data[r1 + c] + data[r1 + c + 1])) * 0.25;
    }
    if (ow > evenW) {
      const c = width - 1;
      dst[o + evenW] = (data[r0 + c] + data[r0 + c] + (data[r1 + c] + data[r1 + c])) * 0.25;
    }
  }
  return { data: dst, width: ow, height: oh, stride: ow };
}

/**
 * MATLAB imfilter(ones(f)/f², 'symmetric', 'same') then (1:f:end, 1:f:end). `factor` must be an integer
 * 1..min(width, height). `scratch` (optional, >= width + 2·factor samples) avoids a per-call row buffer.
 */
export function boxDownsampleMatlab<T extends FloatSamples = Float64Array>(
  src: Plane,
  factor: number,
  out?: T,
  scratch?: Float64Array,
): Plane<T> {
  assertPlane(src, 'src');
  const { data, width, height, stride } = src;
  if (!Number.isInteger(factor) || factor < 1 || factor > Math.min(width, height)) {
    throw new RangeError(`downsampling factor must be an integer 1..${Math.min(width, height)}, got ${factor}`);
  }
  const ow = Math.ceil(width / factor);
  const oh = Math.ceil(height / factor);
  const dst = outputBuffer(out, ow * oh, 'downsample output');
  const pad = factor;
  const need = width + 2 * pad;
  const col = scratch !== undefined && scratch.length >= need ? scratch : new Float64Array(need);
  const centre = Math.floor((factor + 1) / 2);
  const lo = -(centre - 1); // first tap offset; last is lo + factor - 1 = factor - centre
  const scale = 1 / (factor * factor);
  for (let i = 0; i < oh; i++) {
    // Column sums of the factor rows around output row i (mirrored at the top and bottom).
    const first = mirror(i * factor + lo, height) * stride;
    for (let x = 0; x < width; x++) col[pad + x] = data[first + x];
    for (let k = 1; k < factor; k++) {
      const row = mirror(i * factor + lo + k, height) * stride;
      for (let x = 0; x < width; x++) col[pad + x] += data[row + x];
    }
    for (let p = 1; p <= pad; p++) {
      col[pad - p] = col[pad + mirror(-p, width)];
      col[pad + width - 1 + p] = col[pad + mirror(width - 1 + p, width)];
    }
    const o = i * ow;
    for (let j = 0; j < ow; j++) {
      const start = pad + j * factor + lo;
      let s = 0;
      for (let k = 0; k < factor; k++) s += col[start + k];
      dst[o + j] = s * scale;
    }
  }
  return { data: dst, width: ow, height: oh, stride: ow };
}
