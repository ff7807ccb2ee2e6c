/**
 * MSE, mean squared error, pooled over one or several planes.
 *
 * Input: a plane or a list of planes per side (any Samples type, stride allowed); ref[i] and dist[i] must
 * have the same size, different indices may differ (e.g. Y and subsampled chroma). Samples are used as
 * they are (no scaling), so MSE is in squared sample units.
 * Output: Σ over all samples of all planes of (ref − dist)² / total sample count, in [0, ∞), lower is
 * better, 0 only for identical planes. This pooling is ffmpeg's psnr "average" MSE and the golden `rgb`
 * block (all pixels and channels together); per-plane MSE is a one-plane call.
 * Accumulation: float64, a partial sum per row added to the total in row order, so results are
 * bit-identical across runs (and exact for integer samples while the sum stays below 2^53).
 *
 * Reference: the standard definition (e.g. skimage.metrics.mean_squared_error; ffmpeg libavfilter/vf_psnr.c).
 */
import { assertSamePlaneSize, type Plane } from '../image/plane';

/**
 * Sum of squared differences of one plane pair (sizes already checked), each row's partial sum added in
 * row order to `total`. Passing the running total of the rows above lets a caller feed a plane in row
 * tiles (e.g. luma computed a few rows at a time) and get the very sum a whole-plane call gives, bit for bit.
 */
export function sumSquaredError(a: Plane, b: Plane, total = 0): number {
  const { width, height } = a;
  const ad = a.data;
  const bd = b.data;
  for (let y = 0; y < height; y++) {
    const ao = y * a.stride;
    const bo = y * b.stride;
    let row = 0;
    for (let x = 0; x < width; x++) {
      const d = ad[ao + x] - bd[bo + x];
      row += d * d;
    }
    total += row;
  }
  return total;
}

/** Normalises the plane-or-planes argument and checks that both sides pair up. */
export function planePairs(ref: Plane | readonly Plane[], dist: Plane | readonly Plane[]): [readonly Plane[], readonly Plane[]] {
  const refs = Array.isArray(ref) ? (ref as readonly Plane[]) : [ref as Plane];
  const dists = Array.isArray(dist) ? (dist as readonly Plane[]) : [dist as Plane];
  if (refs.length === 0) throw new RangeError('at least one plane is needed');
  if (refs.length !== dists.length) throw new RangeError(`ref has ${refs.length} planes but dist has ${dists.length}`);
  for (let i = 0; i < refs.length; i++) {
    const suffix = refs.length > 1 ? `[${i}]` : '';
    assertSamePlaneSize(refs[i], dists[i], `ref${suffix}`, `dist${suffix}`);
  }
  return [refs, dists];
}

export function mse(ref: Plane | readonly Plane[], dist: Plane | readonly Plane[]): number {
  const [refs, dists] = planePairs(ref, dist);
  let sse = 0;
  let count = 0;
  for (let i = 0; i < refs.length; i++) {
    sse += sumSquaredError(refs[i], dists[i]);
    count += refs[i].width * refs[i].height;
  }
  return sse / count;
}
