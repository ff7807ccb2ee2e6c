/**
 * Fréchet distance between Gaussians fitted to two feature sets (FID when the features are Inception-v3
 * pool3 activations; Heusel et al., "GANs trained by a two time-scale update rule…", NeurIPS 2017):
 *
 *   FID = |μa − μb|² + tr Σa + tr Σb − 2 · tr √(Σa Σb),   Σ with ddof = 1 (numpy.cov), float64.
 *
 * Reference implementation: pytorch-fid `calculate_frechet_distance` (scipy.linalg.sqrtm). Golden:
 * `stats/fid_kid.json` (fid_pytorch_fid, fid_eigh, fid_eps_offset_forced, degenerate_case).
 *
 * The trace term. Σa Σb is not symmetric, but it is similar to a symmetric PSD matrix: for ANY factor F with
 * Σa = F Fᵀ, the non-zero eigenvalues of Σa Σb = F (Fᵀ Σb) equal those of M = Fᵀ Σb F (eig(XY) = eig(YX) away
 * from 0), and M is symmetric PSD, so tr √(Σa Σb) = Σ_k √λ_k(M). Routes, all of this form:
 * - 'eigh' (the golden's `fid_eigh` definition): F = V·diag(√max(λ, 0)) from Σa = V Λ Vᵀ, so M is
 *   √Σa Σb √Σa written in the eigenbasis of Σa; eigenvalues of M below 0 (round-off) are clamped to 0.
 *   O(d³) with eigenvectors (column-oriented tred2 + QL): for d up to a few hundred.
 * - 'cholesky': F = P L from a pivoted Cholesky factorisation Pᵀ Σa P = L Lᵀ, stopped at the numerical rank
 *   r, M = Lᵀ (Pᵀ Σb P) L is r × r; only eigenvalues are needed, never √M itself. The default covariance
 *   route. Where WebAssembly SIMD is available (every supported Node/Electron) it runs in frechet-wasm.ts:
 *   blocked factorisation, congruence and tridiagonal reduction in f64x2 kernels, 4/3 d³ multiply-adds in
 *   all (≈ 2.4 d³ in the TypeScript version), and frechetDistance computes the covariances there too
 *   (never as JS matrices). Measured at d = 2048, full rank, one core of the 2-core reference machine:
 *   1.4 s from covariances (scipy.linalg.sqrtm: ≈ 6 s; FID within 5e-14 relative of sqrtm's), plus 0.22 s
 *   per 1000 samples for each covariance. The plain TypeScript version (linalg/pivoted-cholesky.ts,
 *   linalg/dense.ts products, linalg/symmetric-eigen.ts; kept as the fallback and the tests' reference)
 *   takes ≈ 9–11 s there, plus ≈ 1.1 s per 1000 samples for each covariance. 'eigh' is ≈ 8× slower than
 *   that (9 s at d = 1024).
 * - 'samples' (n < d): Σa = AᵀA/(na − 1), Σb = BᵀB/(nb − 1) with A, B the centred feature rows, so with
 *   F = Aᵀ/√(na − 1): M = A BᵀB Aᵀ / ((na − 1)(nb − 1)) = C Cᵀ / ((na − 1)(nb − 1)) with C = A Bᵀ (na × nb).
 *   Hence tr √(Σa Σb) = ‖A Bᵀ‖_* / √((na − 1)(nb − 1)), the nuclear norm (sum of singular values) of an
 *   na × nb matrix, computed as Σ √λ(C Cᵀ) (or CᵀC, whichever is smaller), after removing the mean
 *   direction that centring makes null (see dropMeanDirection). Costs na·nb·d instead of d³ and never forms
 *   a d × d matrix; exact for rank-deficient covariances, where eigendecompositions of Σ only add
 *   round-off (the golden FID(A, A) at d = 2048 is −2.5e-4 for that reason). Forced with n > d it still
 *   works but each of the n − d spurious zero eigenvalues adds up to √ε·σ_max. C and C Cᵀ also go through
 *   frechet-wasm.ts where available: 0.04 s at n = 300, d = 2048 (plain TypeScript 0.13 s).
 * 'auto' uses 'samples' when min(na, nb) ≤ d and no ε offset is asked for, 'cholesky' otherwise.
 *
 * ε offset (pytorch-fid's fallback when sqrtm fails): tr √((Σa + εI)(Σb + εI)), while tr Σa and tr Σb stay
 * un-offset; needs a covariance route.
 */
import { checkFeatures, checkFinite, featureMean, centeredFeatures, gaussianStats, type FeatureMatrix, type GaussianStats } from './feature-matrix';
import { multiplyABt, transpose } from './linalg/dense';
import { pivotedCholesky } from './linalg/pivoted-cholesky';
import { symmetricEigen, symmetricEigenvalues } from './linalg/symmetric-eigen';
import { congruenceEigenvaluesWasm, samplesGramEigenvaluesWasm, type CongruenceEigenvalues } from './frechet-wasm';

export type TraceSqrtRoute = 'eigh' | 'cholesky' | 'samples';

export interface FrechetOptions {
  /** Default 'auto' (see header). 'samples' needs feature matrices, not statistics. */
  readonly method?: 'auto' | TraceSqrtRoute;
  /** Offset ε added to both covariances inside the square-root term only. Default 0. */
  readonly eps?: number;
}

export interface TraceSqrtResult {
  /** tr √(Σa Σb) (with the ε offset when asked). */
  readonly value: number;
  readonly route: TraceSqrtRoute;
  /** Smallest eigenvalue of the symmetric M (before clamping); negative ones are round-off. */
  readonly minEigenvalue: number;
  /** How many eigenvalues of M were negative and clamped to 0. */
  readonly clampedEigenvalues: number;
  /** Size of M (d, the rank of Σa for 'cholesky', min(na, nb) for 'samples'). */
  readonly size: number;
}

export interface FrechetResult {
  readonly fid: number;
  /** |μa − μb|². */
  readonly meanSqDiff: number;
  readonly traceA: number;
  readonly traceB: number;
  readonly traceSqrtProduct: TraceSqrtResult;
  readonly eps: number;
  readonly dim: number;
  readonly nA: number;
  readonly nB: number;
}

function sumSqrtClamped(eigenvalues: Float64Array, scale: number, route: TraceSqrtRoute, size: number): TraceSqrtResult {
  let value = 0;
  let clamped = 0;
  let minEigenvalue = Infinity;
  for (let k = 0; k < eigenvalues.length; k++) {
    const l = eigenvalues[k] * scale;
    if (l < minEigenvalue) minEigenvalue = l;
    if (l > 0) value += Math.sqrt(l);
    else if (l < 0) clamped++;
  }
  return { value, route, minEigenvalue, clampedEigenvalues: clamped, size };
}

function fromCongruence(c: CongruenceEigenvalues): TraceSqrtResult {
  if (c.rank === 0) return { value: 0, route: 'cholesky', minEigenvalue: 0, clampedEigenvalues: 0, size: 0 };
  return sumSqrtClamped(c.values, 1, 'cholesky', c.rank);
}

function withOffset(sigma: Float64Array, d: number, eps: number): Float64Array {
  if (eps === 0) return sigma;
  const s = Float64Array.from(sigma);
  for (let i = 0; i < d; i++) s[i * d + i] += eps;
  return s;
}

/** tr √(Σa Σb) from two d × d covariances (full symmetric storage), by the 'eigh' or 'cholesky' route. */
export function traceSqrtProductFromCovariances(
  sigmaA: Float64Array,
  sigmaB: Float64Array,
  d: number,
  route: 'eigh' | 'cholesky' = 'cholesky',
  eps = 0,
): TraceSqrtResult {
  if (sigmaA.length !== d * d || sigmaB.length !== d * d) {
    throw new RangeError(`covariances must be ${d} x ${d}, got ${sigmaA.length} and ${sigmaB.length} values`);
  }
  if (!(eps >= 0)) throw new RangeError(`eps must be ≥ 0, got ${eps}`);
  if (route === 'cholesky') {
    const fast = congruenceEigenvaluesWasm({ covariance: sigmaA }, { covariance: sigmaB }, d, eps);
    if (fast !== null) return fromCongruence(fast);
  }
  return traceSqrtProductFromCovariancesTs(sigmaA, sigmaB, d, route, eps);
}

/**
 * traceSqrtProductFromCovariances in plain TypeScript: the 'eigh' route always, the 'cholesky' route where
 * WebAssembly SIMD is unavailable. Exported so that tests can hold the WebAssembly route against it.
 */
export function traceSqrtProductFromCovariancesTs(
  sigmaA: Float64Array,
  sigmaB: Float64Array,
  d: number,
  route: 'eigh' | 'cholesky' = 'cholesky',
  eps = 0,
): TraceSqrtResult {
  if (sigmaA.length !== d * d || sigmaB.length !== d * d) {
    throw new RangeError(`covariances must be ${d} x ${d}, got ${sigmaA.length} and ${sigmaB.length} values`);
  }
  if (!(eps >= 0)) throw new RangeError(`eps must be ≥ 0, got ${eps}`);
  const a = withOffset(sigmaA, d, eps);
  const b = withOffset(sigmaB, d, eps);
  if (route === 'eigh') {
    const { values, vectors } = symmetricEigen(a, d);
    // M = D^½ Vᵀ Σb V D^½ with Vᵀ = `vectors` (rows = eigenvectors).
    const g = multiplyABt(vectors, b, d, d, d); // rows: vₖᵀ Σb
    const m = multiplyABt(g, vectors, d, d, d, { symmetric: true });
    const root = values.map((v) => Math.sqrt(Math.max(0, v)));
    for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) m[k * d + l] *= root[k] * root[l];
    return sumSqrtClamped(symmetricEigenvalues(m, d), 1, 'eigh', d);
  }
  const { lt, perm, rank } = pivotedCholesky(a, d);
  if (rank === 0) return { value: 0, route: 'cholesky', minEigenvalue: 0, clampedEigenvalues: 0, size: 0 };
  const bp = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const src = perm[i] * d;
    for (let j = 0; j < d; j++) bp[i * d + j] = b[src + perm[j]];
  }
  const tt = multiplyABt(lt, bp, rank, d, d, { aUpperTrapezoidal: true }); // Lᵀ (Pᵀ Σb P), r × d
  const m = multiplyABt(lt, tt, rank, rank, d, { aUpperTrapezoidal: true, symmetric: true }); // Lᵀ Σb' L
  return sumSqrtClamped(symmetricEigenvalues(m, rank), 1, 'cholesky', rank);
}

/** tr √(Σa Σb) from the feature rows themselves (the n × n route, see header). */
export function traceSqrtProductFromSamples(a: FeatureMatrix, b: FeatureMatrix): TraceSqrtResult {
  checkFeatures(a, 2, 'features A');
  checkFeatures(b, 2, 'features B');
  if (a.cols !== b.cols) throw new RangeError(`feature dimensions differ: ${a.cols} and ${b.cols}`);
  // Eigenvalues of C Cᵀ are σ²(C); scale so that they are those of M (see header).
  const fast = samplesGramEigenvaluesWasm(a, b);
  if (fast !== null) return sumSqrtClamped(fast.values, 1 / ((a.rows - 1) * (b.rows - 1)), 'samples', fast.size);
  return traceSqrtProductFromSamplesTs(a, b);
}

/**
 * traceSqrtProductFromSamples in plain TypeScript (where WebAssembly SIMD is unavailable). Exported so
 * that tests can hold the WebAssembly route against it.
 */
export function traceSqrtProductFromSamplesTs(a: FeatureMatrix, b: FeatureMatrix): TraceSqrtResult {
  checkFeatures(a, 2, 'features A');
  checkFeatures(b, 2, 'features B');
  if (a.cols !== b.cols) throw new RangeError(`feature dimensions differ: ${a.cols} and ${b.cols}`);
  const d = a.cols;
  const na = a.rows - 1;
  const nb = b.rows - 1;
  const ca = dropMeanDirection(centeredFeatures(a), a.rows, d);
  const cb = dropMeanDirection(centeredFeatures(b), b.rows, d);
  const c = multiplyABt(ca, cb, na, nb, d); // Ã B̃ᵀ, (na − 1) × (nb − 1)
  let g: Float64Array;
  let size: number;
  if (na <= nb) {
    size = na;
    g = multiplyABt(c, c, size, size, nb, { symmetric: true });
  } else {
    size = nb;
    const ct = transpose(c, na, nb);
    g = multiplyABt(ct, ct, size, size, na, { symmetric: true });
  }
  return sumSqrtClamped(symmetricEigenvalues(g, size), 1 / ((a.rows - 1) * (b.rows - 1)), 'samples', size);
}

/**
 * Centred rows sum to zero, so A has a known null direction 1/√n and C Cᵀ a known zero eigenvalue, which
 * round-off would turn into ±ε‖G‖ and then √(ε)·σ_max in the trace. Remove it exactly: the Householder
 * reflection H with H·1 = −√n·e₀ (u = 1 + √n·e₀) maps A to rows whose first is zero; the other n − 1 rows
 * Ã satisfy ÃᵀÃ = AᵀA (a Helmert-type transform). Returns Ã, (n − 1) × d.
 */
function dropMeanDirection(centred: Float64Array, n: number, d: number): Float64Array {
  const rootN = Math.sqrt(n);
  const s = new Float64Array(d); // uᵀA
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) s[j] += centred[o + j];
  }
  for (let j = 0; j < d; j++) s[j] += rootN * centred[j];
  const factor = 1 / (n + rootN); // 2/uᵀu
  const out = new Float64Array((n - 1) * d);
  for (let i = 1; i < n; i++) {
    const o = i * d;
    const t = (i - 1) * d;
    for (let j = 0; j < d; j++) out[t + j] = centred[o + j] - factor * s[j];
  }
  return out;
}

function traceOf(sigma: Float64Array, d: number): number {
  let t = 0;
  for (let i = 0; i < d; i++) t += sigma[i * d + i];
  return t;
}

function meanSqDiff(ma: Float64Array, mb: Float64Array): number {
  let s = 0;
  for (let j = 0; j < ma.length; j++) s += (ma[j] - mb[j]) ** 2;
  return s;
}

function assemble(
  msd: number,
  traceA: number,
  traceB: number,
  ts: TraceSqrtResult,
  eps: number,
  dim: number,
  nA: number,
  nB: number,
): FrechetResult {
  return { fid: msd + traceA + traceB - 2 * ts.value, meanSqDiff: msd, traceA, traceB, traceSqrtProduct: ts, eps, dim, nA, nB };
}

/** FID from precomputed Gaussian statistics (covariance routes only). */
export function frechetDistanceFromStats(a: GaussianStats, b: GaussianStats, options: FrechetOptions = {}): FrechetResult {
  if (a.dim !== b.dim) throw new RangeError(`feature dimensions differ: ${a.dim} and ${b.dim}`);
  const method = options.method ?? 'auto';
  if (method === 'samples') throw new RangeError("the 'samples' route needs the feature matrices, not their statistics");
  const eps = options.eps ?? 0;
  const d = a.dim;
  const ts = traceSqrtProductFromCovariances(a.covariance, b.covariance, d, method === 'auto' ? 'cholesky' : method, eps);
  return assemble(meanSqDiff(a.mean, b.mean), traceOf(a.covariance, d), traceOf(b.covariance, d), ts, eps, d, a.n, b.n);
}

/** FID between two feature sets (rows = samples), each with at least 2 rows and the same dimension. */
export function frechetDistance(a: FeatureMatrix, b: FeatureMatrix, options: FrechetOptions = {}): FrechetResult {
  checkFeatures(a, 2, 'features A');
  checkFeatures(b, 2, 'features B');
  if (a.cols !== b.cols) throw new RangeError(`feature dimensions differ: ${a.cols} and ${b.cols}`);
  checkFinite(a, 'features A');
  checkFinite(b, 'features B');
  const eps = options.eps ?? 0;
  const d = a.cols;
  let method = options.method ?? 'auto';
  if (method === 'auto') method = eps === 0 && Math.min(a.rows, b.rows) <= d ? 'samples' : 'cholesky';
  if (method === 'samples') {
    if (eps !== 0) throw new RangeError("the ε offset needs a covariance route ('eigh' or 'cholesky')");
    const ma = featureMean(a);
    const mb = featureMean(b);
    const traceA = sumSquaresCentered(a, ma) / (a.rows - 1);
    const traceB = sumSquaresCentered(b, mb) / (b.rows - 1);
    return assemble(meanSqDiff(ma, mb), traceA, traceB, traceSqrtProductFromSamples(a, b), 0, d, a.rows, b.rows);
  }
  if (method === 'cholesky') {
    // Covariances straight into the WebAssembly memory (frechet-wasm.ts), never as JS matrices.
    const ma = featureMean(a);
    const mb = featureMean(b);
    const fast = congruenceEigenvaluesWasm({ features: a, mean: ma }, { features: b, mean: mb }, d, eps);
    if (fast !== null) return assemble(meanSqDiff(ma, mb), fast.traceA, fast.traceB, fromCongruence(fast), eps, d, a.rows, b.rows);
  }
  return frechetDistanceFromStats(gaussianStats(a), gaussianStats(b), { method, eps });
}

/** Σ_ij (x_ij − μ_j)² = (n − 1)·tr Σ. */
function sumSquaresCentered(f: FeatureMatrix, mean: Float64Array): number {
  let s = 0;
  for (let i = 0; i < f.rows; i++) {
    const o = i * f.cols;
    for (let j = 0; j < f.cols; j++) s += (f.data[o + j] - mean[j]) ** 2;
  }
  return s;
}
