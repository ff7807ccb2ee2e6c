/**
 * KID over subsets from precomputed Gram matrices. kernels/features/kid.ts recomputes three m × m × d
 * products per subset (about 2.3 s per subset of 1000 at d = 2048 in plain JS, so 100 subsets take
 * minutes); when both sets are small enough to keep their Gram matrices (G_AA, G_BB, G_AB in float64),
 * this computes them once and each subset only sums kernel values. The subsets are drawn exactly as
 * kernelInceptionDistance draws them (same generator, same order), so the values are the same up to
 * the summation order of the dot products.
 */
import { checkFeatures, checkFinite, type FeatureMatrix } from './feature-matrix';
import { multiplyABt } from './linalg/dense';
import { kernelInceptionDistance, type KidResult } from './kid';
import { createRng, sampleWithoutReplacement } from '../stats/rng';

/** Gram entries (float64) this path may hold at once: 3·10⁷ (240 MB), i.e. both sets up to about 3000. */
export const KID_GRAM_MAX_ENTRIES = 30_000_000;

function toF64(f: FeatureMatrix): Float64Array {
  return f.data instanceof Float64Array ? f.data : Float64Array.from(f.data);
}

export function kidWithGram(a: FeatureMatrix, b: FeatureMatrix, subsetSize: number, numSubsets: number, seed: number): KidResult {
  checkFeatures(a, 2, 'features A');
  checkFeatures(b, 2, 'features B');
  checkFinite(a, 'features A');
  checkFinite(b, 'features B');
  if (a.cols !== b.cols) throw new RangeError(`feature dimensions differ: ${a.cols} and ${b.cols}`);
  const na = a.rows;
  const nb = b.rows;
  if (na * na + nb * nb + na * nb > KID_GRAM_MAX_ENTRIES) return kernelInceptionDistance(a, b, { subsetSize, numSubsets, seed });
  if (!Number.isInteger(subsetSize) || subsetSize < 2 || subsetSize > Math.min(na, nb)) {
    throw new RangeError(`KID subset size must be an integer in 2..${Math.min(na, nb)}, got ${subsetSize}`);
  }
  if (!Number.isInteger(numSubsets) || numSubsets < 1) throw new RangeError(`KID needs at least one subset, got ${numSubsets}`);
  const d = a.cols;
  const x = toF64(a);
  const y = toF64(b);
  const kern = (g: Float64Array) => {
    for (let i = 0; i < g.length; i++) {
      const t = g[i]! / d + 1;
      g[i] = t * t * t;
    }
    return g;
  };
  const kxx = kern(multiplyABt(x, x, na, na, d, { symmetric: true }));
  const kyy = kern(multiplyABt(y, y, nb, nb, d, { symmetric: true }));
  const kxy = kern(multiplyABt(x, y, na, nb, d));
  const rng = createRng(seed);
  const m = subsetSize;
  const values = new Float64Array(numSubsets);
  const subsets: { rowsA: Uint32Array; rowsB: Uint32Array }[] = [];
  for (let s = 0; s < numSubsets; s++) {
    const ra = sampleWithoutReplacement(rng, na, m);
    const rb = sampleWithoutReplacement(rng, nb, m);
    subsets.push({ rowsA: ra, rowsB: rb });
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < m; i++) {
      const oa = ra[i]! * na;
      const ob = rb[i]! * nb;
      const oab = ra[i]! * nb;
      for (let j = 0; j < m; j++) {
        if (i !== j) {
          sxx += kxx[oa + ra[j]!]!;
          syy += kyy[ob + rb[j]!]!;
        }
        sxy += kxy[oab + rb[j]!]!;
      }
    }
    values[s] = sxx / (m * (m - 1)) + syy / (m * (m - 1)) - (2 * sxy) / (m * m);
  }
  let mean = 0;
  for (const v of values) mean += v;
  mean /= numSubsets;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return { values, mean, std: Math.sqrt(ss / numSubsets), subsets, seed };
}
