// The WebAssembly routes of the Fréchet distance (frechet-wasm.ts) against the plain TypeScript routes of
// frechet.ts on random problems whose sizes cross every block edge of the wasm code (4 × 4 tiles, the
// 32- and 64-column panels, the 256-wide in-place blocks), full-rank and semi-definite, with and without
// the ε offset. The goldens (frechet.test.ts) go through the WebAssembly routes already.
import { describe, expect, it } from 'vitest';
import { featureMatrix, gaussianStats, type FeatureMatrix } from '../../../src-main/kernels/features/feature-matrix';
import {
  frechetDistance,
  frechetDistanceFromStats,
  traceSqrtProductFromCovariances,
  traceSqrtProductFromCovariancesTs,
  traceSqrtProductFromSamples,
  traceSqrtProductFromSamplesTs,
} from '../../../src-main/kernels/features/frechet';
import { congruenceEigenvaluesWasm, frechetWasmAvailable } from '../../../src-main/kernels/features/frechet-wasm';
import { symmetricEigenvalues } from '../../../src-main/kernels/features/linalg/symmetric-eigen';
import { createRng } from '../../../src-main/kernels/stats/rng';

/**
 * Same mathematics, another order of float64 operations. The spectra decay like real features', so the
 * smallest eigenvalues of M are down to 1e-10 of the largest and the round-off of either route moves their
 * square roots visibly: measured ≤ 1e-12 relative (≤ 6e-14 except two full-rank cases at d ≥ 130).
 */
const ROUTE_REL_TOL = 1e-10;

function relErr(x: number, ref: number): number {
  return Math.abs(x - ref) / Math.max(Math.abs(ref), 1e-300);
}

/**
 * n feature rows of dimension d with a decaying spectrum and non-negative values (like pool3 features:
 * the covariance is ill-conditioned), float32 as the model runtime delivers them.
 */
function features(n: number, d: number, seed: number): FeatureMatrix {
  const rng = createRng(seed);
  const mix = Float64Array.from({ length: d * d }, () => rng.nextFloat() - 0.5);
  const data = new Float32Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) z[k] = (rng.nextFloat() - 0.5) / (k + 1);
    for (let j = 0; j < d; j++) {
      let s = 0.05;
      for (let k = 0; k < d; k++) s += mix[j * d + k] * z[k];
      data[i * d + j] = Math.max(0, s);
    }
  }
  return featureMatrix(data, n, d);
}

describe.runIf(frechetWasmAvailable())('WebAssembly Fréchet routes', () => {
  it('full-rank covariances: the same tr √(Σa Σb), size and smallest eigenvalue as the TypeScript route', () => {
    for (const [d, seed] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [5, 4],
      [33, 5],
      [67, 6],
      [130, 7],
      [300, 8],
    ]) {
      const sa = gaussianStats(features(d + 40, d, seed)).covariance;
      const sb = gaussianStats(features(d + 50, d, seed + 100)).covariance;
      for (const eps of [0, 1e-6]) {
        const fast = traceSqrtProductFromCovariances(sa, sb, d, 'cholesky', eps);
        const ref = traceSqrtProductFromCovariancesTs(sa, sb, d, 'cholesky', eps);
        expect(fast.size).toBe(d);
        expect(relErr(fast.value, ref.value)).toBeLessThanOrEqual(ROUTE_REL_TOL);
        // Measured ≤ 2e-19; value² = (Σ√λ)² bounds the largest eigenvalue from above.
        expect(Math.abs(fast.minEigenvalue - ref.minEigenvalue)).toBeLessThanOrEqual(1e-14 * fast.value ** 2);
      }
    }
  });

  it('semi-definite Σa (fewer samples than dimensions): the pivoted factorisation stops at the same rank', () => {
    for (const [d, n] of [
      [70, 20],
      [300, 90],
    ]) {
      const sa = gaussianStats(features(n, d, d)).covariance;
      const sb = gaussianStats(features(2 * d, d, d + 1)).covariance;
      const fast = traceSqrtProductFromCovariances(sa, sb, d, 'cholesky');
      const ref = traceSqrtProductFromCovariancesTs(sa, sb, d, 'cholesky');
      expect(fast.size).toBe(ref.size);
      expect(fast.size).toBe(n - 1);
      expect(relErr(fast.value, ref.value)).toBeLessThanOrEqual(ROUTE_REL_TOL);
    }
    // A zero covariance has rank 0.
    const zero = new Float64Array(16);
    expect(traceSqrtProductFromCovariances(zero, zero, 4).value).toBe(0);
  });

  it('covariances computed inside the wasm memory (frechetDistance) match gaussianStats + the TypeScript route', () => {
    for (const [d, na, nb] of [
      [9, 30, 41],
      [70, 300, 257],
    ]) {
      const a = features(na, d, d + 7);
      const b = features(nb, d, d + 8);
      for (const eps of [0, 1e-6]) {
        const r = frechetDistance(a, b, { method: 'cholesky', eps });
        const sa = gaussianStats(a);
        const sb = gaussianStats(b);
        const ref = traceSqrtProductFromCovariancesTs(sa.covariance, sb.covariance, d, 'cholesky', eps);
        expect(relErr(r.traceSqrtProduct.value, ref.value)).toBeLessThanOrEqual(ROUTE_REL_TOL);
        expect(relErr(r.fid, frechetDistanceFromStats(sa, sb, { method: 'cholesky', eps }).fid)).toBeLessThanOrEqual(1e-10);
      }
    }
  });

  it('the n × n route (fewer samples than dimensions) matches the TypeScript route', () => {
    for (const [d, na, nb] of [
      [40, 7, 12],
      [300, 45, 30],
    ]) {
      const a = features(na, d, d + 20);
      const b = features(nb, d, d + 21);
      const fast = traceSqrtProductFromSamples(a, b);
      const ref = traceSqrtProductFromSamplesTs(a, b);
      expect(fast.size).toBe(Math.min(na, nb) - 1);
      expect(relErr(fast.value, ref.value)).toBeLessThanOrEqual(ROUTE_REL_TOL);
    }
  });

  it('eigenvalues of a symmetric matrix (Σa = I): the blocked tridiagonalisation and QL agree with symmetric-eigen.ts', () => {
    const n = 150;
    const g = gaussianStats(features(400, n, 31)).covariance;
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    const fast = congruenceEigenvaluesWasm({ covariance: identity }, { covariance: g }, n)!;
    const ref = symmetricEigenvalues(g, n);
    let maxDiff = 0;
    for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(fast.values[i] - ref[i]));
    expect(maxDiff).toBeLessThanOrEqual(1e-14 * ref[n - 1]);
  });

  it('is deterministic: bit-identical results on repeated calls, also after a larger problem reused the memory', () => {
    const a = features(60, 33, 41);
    const b = features(50, 33, 42);
    const first = frechetDistance(a, b, { method: 'cholesky' }).fid;
    const firstSamples = frechetDistance(features(20, 33, 43), b).fid;
    frechetDistance(features(320, 300, 44), features(310, 300, 45), { method: 'cholesky' });
    expect(frechetDistance(a, b, { method: 'cholesky' }).fid).toBe(first);
    expect(frechetDistance(features(20, 33, 43), b).fid).toBe(firstSamples);
  });
});
