/**
 * The covariance route of the Fréchet distance's trace term at WebAssembly speed: the non-zero eigenvalues
 * of M = Lᵀ B L with B = Pᵀ Σb P and Pᵀ Σa P = L Lᵀ (pivoted Cholesky, L d × r lower-trapezoidal, r the
 * numerical rank), so that tr √(Σa Σb) = Σ_k √λ_k(M) (see frechet.ts). The same mathematics as the
 * TypeScript route there; only the order of the floating-point operations differs (the results agree to
 * round-off: tr √(Σa Σb) within 2e-13 relative of scipy.linalg.sqrtm's at d = 2048, full rank). Also the
 * n × n problem of the 'samples' route (samplesGramEigenvaluesWasm).
 *
 * Why it is fast: each O(d³) stage is blocked so that nearly all of its work is in matrix products, run by
 * the 4 × 4 f64x2 gemm kernel of wasm/frechet-linalg.wat (≈ 10 GMAC/s on one core, five times the
 * plain-JS products of linalg/dense.ts), and the work itself is cut to what eigenvalues need:
 * - Σ from feature rows (frechetDistance): (X − μ)ᵀ(X − μ)/(n − 1) by the same gemm, lower triangle only,
 *   centring while packing (X never exists as float64 in full). Σb is computed directly in the pivot order
 *   of Σa's factorisation (its columns are gathered through P while packing), so it is never permuted.
 * - Cholesky with diagonal pivoting, blocked as LAPACK dpstrf: inside a panel of CHOL_NB columns the pivot
 *   is the largest updated diagonal (the panel's squares are summed per row), and the trailing matrix gets
 *   one rank-CHOL_NB update (gemm) per panel: d³/6 multiply-adds. It stops at the tolerance of
 *   linalg/pivoted-cholesky.ts (d·ε·max Σa_ii), which handles semi-definite Σa (r < d).
 * - The congruence M = Lᵀ B L without forming B L: write B = T + Tᵀ, T the lower triangle of B with its
 *   diagonal halved; then Y = T L is lower-trapezoidal and M = Lᵀ Y + Yᵀ L. Y costs d³/6 and the lower
 *   triangle of M d³/3 multiply-adds: d³/2 in all (LAPACK dsygst's count), against 5/6 d³ for Lᵀ·(B·L).
 *   Both products run in place (Y over T by column blocks, left to right, because column j of Y needs only
 *   columns ≥ j of T; M over Y by row blocks, top down, because rows ≥ i of M need only rows ≥ i of Y),
 *   through one NBT-wide scratch block: two d × d matrices in memory instead of four.
 * - Householder tridiagonalisation, blocked as LAPACK dsytrd/dlatrd: per column one symmetric
 *   matrix-vector product with the trailing matrix as it was at the start of the panel (wasm symv, which
 *   reads the lower triangle once) corrected by the panel's reflectors, and one rank-2·TRD_NB update per
 *   panel (gemm): 2/3 d³ multiply-adds, half of them in gemm; no eigenvectors. Then implicit QL on the
 *   tridiagonal matrix (O(d²)).
 * In all 4/3 d³ multiply-adds (the TypeScript route: ≈ 2.4 d³). Triangular factors are zero-filled while
 * packing, so block edges need no special cases, and the kernel skips the depth ranges and tiles that are
 * zero or unused. Measured at d = 2048, full rank, one core of the 2-core reference machine (with another
 * job on the other core): 1.4 s from covariances (Cholesky 0.2 s, congruence 0.45 s, tridiagonalisation
 * 0.8 s of which symv 0.45 s, QL 0.07 s; the TypeScript route 9 s, scipy.linalg.sqrtm ≈ 6 s);
 * covariances from feature rows add 0.22 s per 1000 rows and set (TypeScript: 1.1 s).
 *
 * Memory: one WebAssembly memory (two d × d float64 matrices plus ≈ 10 MB, ≈ 77 MB at d = 2048), reused by
 * the calls of one synchronous job (the bootstrap's resamples) through a WeakRef, so they do not pay for
 * fresh pages again (≈ 0.1 s per 32 MB here), and left to the garbage collector afterwards. Every value
 * that reaches a result is written in the same call (the kernels also accumulate into the never-read upper
 * triangles, whatever those hold), so results never depend on an earlier call. Pure and deterministic
 * otherwise: wasm arithmetic is IEEE binary64 without fused operations and every summation order is fixed.
 *
 * The functions return null where WebAssembly SIMD is missing or the memory cannot grow: the caller then
 * uses the TypeScript route.
 */
import { FRECHET_LINALG_WASM } from '../wasm/generated/ssim-wasm';
import { compileWasm, WasmArena } from '../wasm/wasm-runtime';
import type { FeatureMatrix } from './feature-matrix';
import { tridiagonalEigenvalues } from './linalg/symmetric-eigen';

/** Pivoted-Cholesky panel width (rank of each trailing update). */
const CHOL_NB = 64;
/** Tridiagonalisation panel width: the trailing update has rank 2·TRD_NB. */
const TRD_NB = 32;
/** gemm depth per packed block (a 4-column strip of B, KC × 4 float64 = 8 KiB, stays in L1). */
const KC = 256;
/** Rows per packed block of A (MC × KC float64 = 128 KiB, stays in L2). */
const MC = 64;
/** Width of the in-place products' scratch block (columns of Y, rows of M). */
const NBT = 256;
/** Columns of B packed at a time (KC × NC float64 = 8 MiB), which bounds the packing buffer for any size. */
const NC = 4096;

type GemmFn = (
  ap: number,
  bp: number,
  c: number,
  ldc: number,
  mt: number,
  ns: number,
  kc: number,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
  sAhead: number,
) => void;
type SymvFn = (a: number, ldb: number, i0: number, n: number, js: number, v: number, y: number) => void;
type RowsDotFn = (a: number, lda: number, rows: number, x: number, len: number, y: number, ystride: number, div: number) => void;
type ColsAxpyFn = (a: number, lda: number, rows: number, v: number, len: number, z: number) => void;

/** A covariance given as a full symmetric d × d matrix, or as the feature rows it is computed from. */
export type CovarianceInput =
  | { readonly covariance: Float64Array }
  | { readonly features: FeatureMatrix; readonly mean: Float64Array };

export interface CongruenceEigenvalues {
  /** Eigenvalues of M (ascending), one per column of L. */
  readonly values: Float64Array;
  /** Numerical rank r of Σa + εI (the size of M). */
  readonly rank: number;
  /** tr Σa and tr Σb without the ε offset. */
  readonly traceA: number;
  readonly traceB: number;
}

let compiled: object | null | undefined;
let cachedArena: WeakRef<WasmArena> | undefined;

function linalgModule(): object | null {
  if (compiled === undefined) compiled = compileWasm(FRECHET_LINALG_WASM);
  return compiled;
}

/** Whether the WebAssembly route is available in this engine (compiles the module once). */
export function frechetWasmAvailable(): boolean {
  return linalgModule() !== null;
}

/** An arena of at least `bytes`: the one still alive from an earlier call when possible. */
function arenaOf(module: object, bytes: number): WasmArena | null {
  let arena = cachedArena?.deref();
  if (arena === undefined) {
    arena = WasmArena.create(module, 65536) ?? undefined;
    if (arena === undefined) return null;
    cachedArena = new WeakRef(arena);
  }
  return arena.ensure(bytes) ? arena : null;
}

function contextOf(arena: WasmArena, pa: number, pb: number): Ctx {
  return {
    h: new Float64Array(arena.buffer),
    gemm: arena.exports.gemm as GemmFn,
    symv: arena.exports.symv as SymvFn,
    rowsDot: arena.exports.rowsDot as RowsDotFn,
    colsAxpy: arena.exports.colsAxpy as ColsAxpyFn,
    pa,
    pb,
  };
}

/** The heap and kernels of one call; offsets are float64 indices into `h`. */
interface Ctx {
  readonly h: Float64Array;
  readonly gemm: GemmFn;
  readonly symv: SymvFn;
  readonly rowsDot: RowsDotFn;
  readonly colsAxpy: ColsAxpyFn;
  /** Packed A block (MC × KC) and packed B panel (KC × padded columns). */
  readonly pa: number;
  readonly pb: number;
}

/**
 * One product C += A·B for the driver: C row-major at `c` (stride ldc), m × cols; depth k ∈ [kLo, kHi).
 * packA writes rows [i0, i1) × depth [k0, k1) in the tile layout of frechet-linalg.wat (4 rows per tile,
 * rows past i1 zero), packB columns [j0, j1) × depth [k0, k1) in the strip layout; both write 0 outside
 * their operand's non-zero part.
 */
interface Product {
  readonly c: number;
  readonly ldc: number;
  readonly m: number;
  readonly cols: number;
  readonly kLo: number;
  readonly kHi: number;
  packA(dst: number, i0: number, i1: number, k0: number, k1: number): void;
  packB(dst: number, j0: number, j1: number, k0: number, k1: number): void;
  /** Columns of B that can be non-zero in depth block [k0, k1) are < colEnd (default: all). */
  colEnd?(k0: number, k1: number): number;
  /** Whether A can be non-zero in rows [i0, i1) × depth [k0, k1) (default: yes). */
  rowsActive?(i0: number, i1: number, k0: number, k1: number): boolean;
  /** When set, only tiles with some j ≤ i + lowerShift are computed (the lower triangle of a square C). */
  readonly lowerShift?: number;
  /**
   * Depth bounds of the non-zeros for the kernel, relative to the depth block starting at k0, for the row
   * block starting at i0 and the columns starting at j0: tile t of A is non-zero only for
   * k ∈ [4t + aStart, 4t + aEnd), strip s of B (columns j0 + 4s …) only for k ∈ [4s + bStart, 4s + bEnd)
   * (see frechet-linalg.wat). Default: unbounded.
   */
  bounds?(i0: number, k0: number, j0: number): readonly [aStart: number, aEnd: number, bStart: number, bEnd: number];
}

/** "No bound" for the kernel's depth and lower-triangle limits. */
const FAR = 1 << 30;
const UNBOUNDED = [-FAR, FAR, -FAR, FAR] as const;

/**
 * Goto/BLIS loop order: per depth block and NC columns, B is packed once; per MC-row block A is packed and
 * the kernel sweeps it (in L2) against each 4-column strip (in L1).
 */
function runProduct(ctx: Ctx, p: Product): void {
  for (let k0 = p.kLo; k0 < p.kHi; k0 += KC) {
    const k1 = Math.min(k0 + KC, p.kHi);
    const jMax = Math.min(p.cols, p.colEnd ? p.colEnd(k0, k1) : p.cols);
    for (let j0 = 0; j0 < jMax; j0 += NC) {
      const j1 = Math.min(jMax, j0 + NC);
      p.packB(ctx.pb, j0, j0 + ((j1 - j0 + 3) >> 2) * 4, k0, k1);
      for (let i0 = 0; i0 < p.m; i0 += MC) {
        const i1 = Math.min(i0 + MC, p.m);
        if (p.rowsActive && !p.rowsActive(i0, i1, k0, k1)) continue;
        const jEnd = p.lowerShift === undefined ? j1 : Math.min(j1, i1 + p.lowerShift);
        if (jEnd <= j0) continue;
        p.packA(ctx.pa, i0, i1, k0, k1);
        const [aStart, aEnd, bStart, bEnd] = p.bounds ? p.bounds(i0, k0, j0) : UNBOUNDED;
        // Tile t (rows i0 + 4t…) meets strip s (columns j0 + 4s…) of a lower C when
        // j0 + 4s ≤ i0 + 4t + 3 + lowerShift.
        const sAhead = p.lowerShift === undefined ? FAR : Math.floor((i0 + p.lowerShift + 3 - j0) / 4);
        const c = p.c + i0 * p.ldc + j0;
        ctx.gemm(ctx.pa * 8, ctx.pb * 8, c * 8, p.ldc * 8, (i1 - i0 + 3) >> 2, (jEnd - j0 + 3) >> 2, k1 - k0, aStart, aEnd, bStart, bEnd, sAhead);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Packing. "Rows" packers read operand row i as a contiguous matrix row (A = S, or B = Sᵀ); "columns"
// packers read operand row i as a matrix column, i.e. contiguous runs along the other index (A = Sᵀ, or
// B = S). The tile layout of A over (i, k) and the strip layout of B over (k, j) are the same, so every
// packer serves both operands.

/**
 * Operand(x, k) = sign·S[base + x][k] for x ∈ [x0, x1), k ∈ [k0, k1), rows base + x < rowEnd; with
 * `lower`, only k ≤ base + x (the diagonal halved when `halfDiagonal`).
 */
function packRows(
  h: Float64Array,
  s: number,
  ld: number,
  dst: number,
  x0: number,
  x1: number,
  k0: number,
  k1: number,
  base: number,
  rowEnd: number,
  lower: boolean,
  halfDiagonal: boolean,
  sign: number,
): void {
  const kc = k1 - k0;
  h.fill(0, dst, dst + ((x1 - x0 + 3) >> 2) * 4 * kc);
  const xEnd = Math.min(x1, rowEnd - base);
  for (let x = x0; x < xEnd; x++) {
    const row = base + x;
    const out = dst + ((x - x0) >> 2) * 4 * kc + ((x - x0) & 3) - 4 * k0;
    const src = s + row * ld;
    const kEnd = lower ? Math.min(k1, row) : k1;
    for (let k = k0; k < kEnd; k++) h[out + 4 * k] = sign * h[src + k];
    if (lower && row >= k0 && row < k1) h[out + 4 * row] = halfDiagonal ? 0.5 * h[src + row] : h[src + row];
  }
}

/**
 * Operand(x, k) = S[k][base + x] for x ∈ [x0, x1), k ∈ [k0, k1), columns base + x < colEnd; with `lower`,
 * only base + x ≤ k (S lower-trapezoidal).
 */
function packColumns(
  h: Float64Array,
  s: number,
  ld: number,
  dst: number,
  x0: number,
  x1: number,
  k0: number,
  k1: number,
  base: number,
  colEnd: number,
  lower: boolean,
): void {
  const kc = k1 - k0;
  h.fill(0, dst, dst + ((x1 - x0 + 3) >> 2) * 4 * kc);
  for (let k = k0; k < k1; k++) {
    const src = s + k * ld + base;
    const out = dst + 4 * (k - k0);
    const xEnd = Math.min(x1, colEnd - base, lower ? k + 1 - base : x1);
    for (let x = x0; x < xEnd; x++) {
      const q = x - x0;
      h[out + (q >> 2) * 4 * kc + (q & 3)] = h[src + x];
    }
  }
}

/** Operand(x, s) = X[s][p(x)] − μ[p(x)] (float64) for x ∈ [x0, x1) (< d), rows s ∈ [s0, s1) of the features. */
function packFeatures(
  h: Float64Array,
  f: FeatureMatrix,
  mean: Float64Array,
  perm: Uint32Array | null,
  dst: number,
  x0: number,
  x1: number,
  s0: number,
  s1: number,
): void {
  const kc = s1 - s0;
  const d = f.cols;
  const data = f.data;
  h.fill(0, dst, dst + ((x1 - x0 + 3) >> 2) * 4 * kc);
  const xEnd = Math.min(x1, d);
  for (let s = s0; s < s1; s++) {
    const src = s * d;
    const out = dst + 4 * (s - s0);
    if (perm === null) {
      for (let x = x0; x < xEnd; x++) {
        const q = x - x0;
        h[out + (q >> 2) * 4 * kc + (q & 3)] = data[src + x] - mean[x];
      }
    } else {
      for (let x = x0; x < xEnd; x++) {
        const q = x - x0;
        const j = perm[x];
        h[out + (q >> 2) * 4 * kc + (q & 3)] = data[src + j] - mean[j];
      }
    }
  }
}

/** Operand(x, q) = X[x][q ^ 1] (each (v, w) pair of the reflector rows swapped), rows x < rowEnd. */
function packSwappedPairs(h: Float64Array, s: number, ld: number, dst: number, x0: number, x1: number, q0: number, q1: number, rowEnd: number): void {
  const kc = q1 - q0;
  h.fill(0, dst, dst + ((x1 - x0 + 3) >> 2) * 4 * kc);
  for (let x = x0; x < Math.min(x1, rowEnd); x++) {
    const out = dst + ((x - x0) >> 2) * 4 * kc + ((x - x0) & 3) - 4 * q0;
    const src = s + x * ld;
    for (let q = q0; q < q1; q++) h[out + 4 * q] = h[src + (q ^ 1)];
  }
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Eigenvalues of Lᵀ (Pᵀ (Σb + εI) P) L with Pᵀ (Σa + εI) P = L Lᵀ; null where WebAssembly is unavailable.
 * Covariance matrices are full symmetric d × d, row-major, and are not modified.
 */
export function congruenceEigenvaluesWasm(a: CovarianceInput, b: CovarianceInput, d: number, eps = 0): CongruenceEigenvalues | null {
  const module = linalgModule();
  if (module === null) return null;
  const np = (d + 3) & ~3; // tiles are 4 × 4: rows and columns are padded to a multiple of 4
  const ld = np;
  const xs = 2 * TRD_NB;
  // Layout (float64 indices), each region 64-byte aligned.
  const align = (x: number): number => (x + 7) & ~7;
  const aOff = 8;
  const bOff = align(aOff + np * ld);
  const tOff = align(bOff + np * ld);
  const xOff = align(tOff + np * NBT);
  const vOff = align(xOff + np * xs);
  const pOff = align(vOff + np + 8);
  const paOff = align(pOff + np + 8 + 2 * xs);
  const pbOff = align(paOff + MC * KC);
  const end = align(pbOff + KC * (Math.min(np, NC) + 4));
  const arena = arenaOf(module, end * 8);
  if (arena === null) return null;
  const ctx = contextOf(arena, paOff, pbOff);
  const h = ctx.h;

  const traceA = loadCovariance(ctx, a, d, aOff, ld, null);
  let maxDiag = 0;
  for (let i = 0; i < d; i++) {
    h[aOff + i * ld + i] += eps;
    maxDiag = Math.max(maxDiag, h[aOff + i * ld + i]);
  }
  const perm = new Uint32Array(d);
  for (let i = 0; i < d; i++) perm[i] = i;
  const rank = pivotedCholeskyBlocked(ctx, aOff, ld, d, perm, d * Number.EPSILON * maxDiag);
  const traceB = loadCovariance(ctx, b, d, bOff, ld, perm);
  if (rank === 0) return { values: new Float64Array(0), rank, traceA, traceB };
  for (let i = 0; i < d; i++) h[bOff + i * ld + i] += eps;

  lowerTimesFactorInPlace(ctx, bOff, aOff, ld, d, rank, tOff);
  congruenceInPlace(ctx, bOff, aOff, ld, d, rank, tOff);
  const { d: diag, e } = tridiagonalizeBlocked(ctx, bOff, ld, rank, xOff, vOff, pOff);
  return { values: tridiagonalEigenvalues(diag, e), rank, traceA, traceB };
}

/**
 * The 'samples' route of frechet.ts (fewer samples than dimensions) in WebAssembly: the eigenvalues of
 * G = C Cᵀ (or Cᵀ C, whichever is smaller) with C = Ã B̃ᵀ, Ã and B̃ the centred feature rows with their
 * mean direction removed (see dropMeanDirection in frechet.ts: the same float64 operations, done while
 * packing, so neither Ã nor B̃ is ever stored). C costs na·nb·d multiply-adds in gemm, G and its
 * tridiagonalisation are O(min(na, nb)³). Null where WebAssembly is unavailable.
 */
export function samplesGramEigenvaluesWasm(a: FeatureMatrix, b: FeatureMatrix): { values: Float64Array; size: number } | null {
  const module = linalgModule();
  if (module === null) return null;
  const d = a.cols;
  const na = a.rows - 1;
  const nb = b.rows - 1;
  const size = Math.min(na, nb);
  const other = Math.max(na, nb);
  const ldc = (nb + 3) & ~3;
  const ldg = (size + 3) & ~3;
  const xs = 2 * TRD_NB;
  const align = (x: number): number => (x + 7) & ~7;
  const cOff = 8;
  const gOff = align(cOff + ((na + 3) & ~3) * ldc);
  const xOff = align(gOff + ldg * ldg);
  const vOff = align(xOff + ldg * xs);
  const pOff = align(vOff + ldg + 8);
  const paOff = align(pOff + ldg + 8 + 2 * xs);
  const pbOff = align(paOff + MC * KC);
  const end = align(pbOff + KC * (Math.min(NC, Math.max(ldc, ldg)) + 4));
  const arena = arenaOf(module, end * 8);
  if (arena === null) return null;
  const ctx = contextOf(arena, paOff, pbOff);
  const h = ctx.h;
  const sa = meanDirectionShift(a);
  const sb = meanDirectionShift(b);
  // C = Ã B̃ᵀ (na × nb): A(i, k) = Ã[i][k], B(k, j) = B̃[j][k].
  h.fill(0, cOff, gOff);
  runProduct(ctx, {
    c: cOff,
    ldc,
    m: na,
    cols: nb,
    kLo: 0,
    kHi: d,
    packA: (o, x0, x1, k0, k1) => packHelmertRows(h, a, sa, o, x0, x1, k0, k1),
    packB: (o, x0, x1, k0, k1) => packHelmertRows(h, b, sb, o, x0, x1, k0, k1),
  });
  // G = C Cᵀ (na ≤ nb) or Cᵀ C, lower triangle.
  h.fill(0, gOff, xOff);
  runProduct(ctx, {
    c: gOff,
    ldc: ldg,
    m: size,
    cols: size,
    kLo: 0,
    kHi: other,
    packA:
      na <= nb
        ? (o, x0, x1, k0, k1) => packRows(h, cOff, ldc, o, x0, x1, k0, k1, 0, na, false, false, 1)
        : (o, x0, x1, k0, k1) => packColumns(h, cOff, ldc, o, x0, x1, k0, k1, 0, nb, false),
    packB:
      na <= nb
        ? (o, x0, x1, k0, k1) => packRows(h, cOff, ldc, o, x0, x1, k0, k1, 0, na, false, false, 1)
        : (o, x0, x1, k0, k1) => packColumns(h, cOff, ldc, o, x0, x1, k0, k1, 0, nb, false),
    lowerShift: 0,
  });
  const { d: diag, e } = tridiagonalizeBlocked(ctx, gOff, ldg, size, xOff, vOff, pOff);
  return { values: tridiagonalEigenvalues(diag, e), size };
}

/**
 * The mean direction's Householder data of frechet.ts's dropMeanDirection for the centred rows
 * c_i = x_i − μ: row i ≥ 1 of the transformed set is c_i − f·s with s = Σ_i c_i + √n·c_0, f = 1/(n + √n).
 * Returns μ, f·s (same operations and order as there).
 */
interface MeanDirection {
  readonly mean: Float64Array;
  readonly fs: Float64Array;
}

function meanDirectionShift(f: FeatureMatrix): MeanDirection {
  const { rows: n, cols: d, data } = f;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const rootN = Math.sqrt(n);
  const s = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) s[j] += data[o + j] - mean[j];
  }
  for (let j = 0; j < d; j++) s[j] += rootN * (data[j] - mean[j]);
  const factor = 1 / (n + rootN);
  for (let j = 0; j < d; j++) s[j] *= factor;
  return { mean, fs: s };
}

/** Operand(x, k) = (X[x + 1][k] − μ[k]) − f·s[k] (row x of the transformed set, x < n − 1). */
function packHelmertRows(h: Float64Array, f: FeatureMatrix, md: MeanDirection, dst: number, x0: number, x1: number, k0: number, k1: number): void {
  const kc = k1 - k0;
  const { cols: d, data } = f;
  const { mean, fs } = md;
  h.fill(0, dst, dst + ((x1 - x0 + 3) >> 2) * 4 * kc);
  const xEnd = Math.min(x1, f.rows - 1);
  for (let x = x0; x < xEnd; x++) {
    const out = dst + ((x - x0) >> 2) * 4 * kc + ((x - x0) & 3) - 4 * k0;
    const src = (x + 1) * d;
    for (let k = k0; k < k1; k++) h[out + 4 * k] = data[src + k] - mean[k] - fs[k];
  }
}

/**
 * Writes the lower triangle of Pᵀ Σ P (P from `perm`, identity when null) into the matrix at `dst`
 * (stride ld) and returns tr Σ.
 */
function loadCovariance(ctx: Ctx, input: CovarianceInput, d: number, dst: number, ld: number, perm: Uint32Array | null): number {
  const h = ctx.h;
  let trace = 0;
  if ('covariance' in input) {
    const s = input.covariance;
    if (s.length !== d * d) throw new RangeError(`covariances must be ${d} x ${d}, got ${s.length} values`);
    for (let i = 0; i < d; i++) {
      const row = dst + i * ld;
      if (perm === null) {
        h.set(s.subarray(i * d, i * d + i + 1), row);
      } else {
        const src = perm[i] * d;
        for (let j = 0; j <= i; j++) h[row + j] = s[src + perm[j]];
      }
      trace += s[i * d + i];
    }
    return trace;
  }
  // Σ = Xcᵀ Xc / (n − 1), lower tiles: C[i][j] = Σ_s Xc[s][p(i)]·Xc[s][p(j)].
  const { features: f, mean } = input;
  if (f.cols !== d || mean.length !== d) throw new RangeError(`features must have ${d} columns`);
  const np = (d + 3) & ~3;
  for (let i = 0; i < np; i++) h.fill(0, dst + i * ld, dst + i * ld + Math.min(np, i + 4));
  runProduct(ctx, {
    c: dst,
    ldc: ld,
    m: d,
    cols: d,
    kLo: 0,
    kHi: f.rows,
    packA: (o, x0, x1, s0, s1) => packFeatures(h, f, mean, perm, o, x0, x1, s0, s1),
    packB: (o, x0, x1, s0, s1) => packFeatures(h, f, mean, perm, o, x0, x1, s0, s1),
    lowerShift: 0,
  });
  const scale = 1 / (f.rows - 1);
  for (let i = 0; i < d; i++) {
    const row = dst + i * ld;
    for (let j = 0; j <= i; j++) h[row + j] *= scale;
    trace += h[row + i];
  }
  return trace;
}

/**
 * Pivoted Cholesky of the symmetric matrix in the lower triangle of `a` (n × n, stride ld), in place; returns
 * the rank. Rows/columns end in pivoted order (`perm`), columns 0..rank−1 of the lower triangle hold L.
 * Blocked as LAPACK dpstrf: `diag` holds the diagonal as of the panel start and `work` the sums of squares
 * of each row's entries in the panel, so the updated diagonal is diag − work without touching the matrix.
 */
function pivotedCholeskyBlocked(ctx: Ctx, a: number, ld: number, n: number, perm: Uint32Array, tol: number): number {
  const h = ctx.h;
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = h[a + i * ld + i];
  const work = new Float64Array(n);
  for (let k0 = 0; k0 < n; k0 += CHOL_NB) {
    const kEnd = Math.min(k0 + CHOL_NB, n);
    work.fill(0, k0, n);
    for (let j = k0; j < kEnd; j++) {
      let piv = j;
      let best = diag[j] - work[j];
      for (let i = j + 1; i < n; i++) {
        const v = diag[i] - work[i];
        if (v > best) {
          best = v;
          piv = i;
        }
      }
      if (!(best > tol)) return j;
      if (piv !== j) {
        swapSymmetric(h, a, ld, n, j, piv);
        swapEntries(diag, j, piv);
        swapEntries(work, j, piv);
        const p = perm[j];
        perm[j] = perm[piv];
        perm[piv] = p;
      }
      const ljj = Math.sqrt(best);
      const rowJ = a + j * ld;
      h[rowJ + j] = ljj;
      // L[i][j] = (A[i][j] − Σ_{k0 ≤ c < j} L[i][c]·L[j][c]) / L[j][j] for i > j (earlier panels are in A).
      if (j + 1 < n) ctx.rowsDot((a + (j + 1) * ld + k0) * 8, ld * 8, n - j - 1, (rowJ + k0) * 8, j - k0, (a + (j + 1) * ld + j) * 8, ld * 8, ljj);
      for (let i = j + 1; i < n; i++) {
        const x = h[a + i * ld + j];
        work[i] += x * x;
      }
    }
    if (kEnd < n) {
      // A22 −= P Pᵀ, P = rows [kEnd, n) of the panel columns [k0, kEnd); lower tiles only.
      for (let i = kEnd; i < n; i++) diag[i] -= work[i];
      const m = n - kEnd;
      const p = a + kEnd * ld;
      runProduct(ctx, {
        c: p + kEnd,
        ldc: ld,
        m,
        cols: m,
        kLo: k0,
        kHi: kEnd,
        packA: (o, x0, x1, q0, q1) => packRows(h, p, ld, o, x0, x1, q0, q1, 0, m, false, false, -1),
        packB: (o, x0, x1, q0, q1) => packRows(h, p, ld, o, x0, x1, q0, q1, 0, m, false, false, 1),
        lowerShift: 0,
      });
    }
  }
  return n;
}

function swapEntries(x: Float64Array, i: number, j: number): void {
  const t = x[i];
  x[i] = x[j];
  x[j] = t;
}

/** Swaps indices j < p of the symmetric matrix held in the lower triangle (with the rows of L left of j). */
function swapSymmetric(h: Float64Array, a: number, ld: number, n: number, j: number, p: number): void {
  const rj = a + j * ld;
  const rp = a + p * ld;
  for (let c = 0; c < j; c++) {
    const t = h[rj + c];
    h[rj + c] = h[rp + c];
    h[rp + c] = t;
  }
  let t = h[rj + j];
  h[rj + j] = h[rp + p];
  h[rp + p] = t;
  for (let i = j + 1; i < p; i++) {
    const x = a + i * ld + j;
    t = h[x];
    h[x] = h[rp + i];
    h[rp + i] = t;
  }
  for (let i = p + 1; i < n; i++) {
    const r = a + i * ld;
    t = h[r + j];
    h[r + j] = h[r + p];
    h[r + p] = t;
  }
}

/**
 * Y = T L in place over T (the lower triangle of the n × n matrix at `t`, diagonal halved on the fly;
 * L n × r lower-trapezoidal at `l`): Y is n × r lower-trapezoidal. Column block [j0, j1) of Y reads
 * columns ≥ j0 of T only, so blocks go left to right, each computed into the scratch and then copied over
 * T's columns [j0, j1) (the copied entries above the diagonal are exact zeros).
 */
function lowerTimesFactorInPlace(ctx: Ctx, t: number, l: number, ld: number, n: number, r: number, scratch: number): void {
  const h = ctx.h;
  for (let j0 = 0; j0 < r; j0 += NBT) {
    const w = Math.min(NBT, r - j0);
    const m = n - j0;
    h.fill(0, scratch, scratch + ((m + 3) & ~3) * NBT);
    runProduct(ctx, {
      c: scratch,
      ldc: NBT,
      m,
      cols: w,
      kLo: j0,
      kHi: n,
      // A(i, k) = T[j0 + i][k], k ≤ j0 + i; B(k, j) = L[k][j0 + j], j0 + j ≤ k.
      packA: (o, x0, x1, k0, k1) => packRows(h, t, ld, o, x0, x1, k0, k1, j0, n, true, true, 1),
      packB: (o, x0, x1, k0, k1) => packColumns(h, l, ld, o, x0, x1, k0, k1, j0, r, true),
      colEnd: (_k0, k1) => k1 - j0,
      rowsActive: (_i0, i1, k0) => k0 < j0 + i1,
      // Tile t holds rows j0 + i0 + 4t … + 3 of T (k ≤ row); strip s columns j0 + 4s … of L (k ≥ column).
      bounds: (i0, k0, jc) => [-FAR, j0 + i0 + 4 - k0, j0 + jc - k0, FAR],
    });
    for (let i = 0; i < m; i++) h.copyWithin(t + (j0 + i) * ld + j0, scratch + i * NBT, scratch + i * NBT + w);
  }
}

/**
 * The lower triangle of M = Lᵀ Y + Yᵀ L (r × r) in place over Y (n × r lower-trapezoidal at `y`; L at `l`).
 * M[i][j] for j ≤ i sums over k ≥ i only, so row blocks go top down, each computed into the scratch and
 * then copied over Y's rows (which later blocks no longer read).
 */
function congruenceInPlace(ctx: Ctx, y: number, l: number, ld: number, n: number, r: number, scratch: number): void {
  const h = ctx.h;
  const np = (n + 3) & ~3;
  for (let i0 = 0; i0 < r; i0 += NBT) {
    const rows = Math.min(NBT, r - i0);
    const i1 = i0 + rows;
    h.fill(0, scratch, scratch + ((rows + 3) & ~3) * np);
    for (const [left, right] of [
      [l, y],
      [y, l],
    ]) {
      runProduct(ctx, {
        c: scratch,
        ldc: np,
        m: rows,
        cols: i1,
        kLo: i0,
        kHi: n,
        // A(i, k) = Left[k][i0 + i], i0 + i ≤ k; B(k, j) = Right[k][j], j ≤ k.
        packA: (o, x0, x1, k0, k1) => packColumns(h, left, ld, o, x0, x1, k0, k1, i0, r, true),
        packB: (o, x0, x1, k0, k1) => packColumns(h, right, ld, o, x0, x1, k0, k1, 0, r, true),
        colEnd: (_k0, k1) => k1,
        rowsActive: (x0, _x1, _k0, k1) => i0 + x0 < k1,
        lowerShift: i0,
        // Tile t holds columns i0 + x0 + 4t … of Left, strip s columns 4s … of Right (k ≥ column).
        bounds: (x0, k0, j0) => [i0 + x0 - k0, FAR, j0 - k0, FAR],
      });
    }
    for (let i = 0; i < rows; i++) h.copyWithin(y + (i0 + i) * ld, scratch + i * np, scratch + i * np + i0 + i + 1);
  }
}

/**
 * Householder tridiagonalisation (eigenvalues only) of the symmetric r × r matrix in the lower triangle
 * at `m` (stride ld; destroyed), blocked as LAPACK dlatrd. Step j reflects column j with H = I − βvvᵀ and
 * the trailing block becomes A − v wᵀ − w vᵀ (w = p − (β/2)(pᵀv)v, p = βAv), as in
 * linalg/symmetric-eigen.ts; within a panel that update is deferred. The panel's v and w are kept
 * interleaved in the rows of X (row i: v⁰_i, w⁰_i, v¹_i, w¹_i, …), so each row's panel data is one
 * contiguous run and the deferred update of column j is one dot product per row with X̃ row j
 * (X̃: the pairs swapped), since (V Wᵀ + W Vᵀ)[i][j] = Σ_q X[i][q]·X̃[j][q].
 */
function tridiagonalizeBlocked(ctx: Ctx, m: number, ld: number, r: number, x: number, vOff: number, pOff: number): { d: Float64Array; e: Float64Array } {
  const h = ctx.h;
  const d = new Float64Array(r);
  const e = new Float64Array(r);
  const xs = 2 * TRD_NB;
  const tmp = pOff + ((r + 8) & ~7); // 2·TRD_NB scratch after p: X̃ row j, or z with its pairs swapped
  const zOff = tmp + xs;
  for (let k0 = 0; k0 < r - 1; k0 += TRD_NB) {
    const kEnd = Math.min(k0 + TRD_NB, r - 1);
    h.fill(0, x + k0 * xs, x + r * xs);
    for (let j = k0; j < kEnd; j++) {
      const c = j - k0;
      const rowJx = x + j * xs;
      // Column j (rows ≥ j) brought up to date with the panel's earlier reflectors.
      if (c > 0) {
        for (let q = 0; q < 2 * c; q++) h[tmp + q] = h[rowJx + (q ^ 1)];
        ctx.rowsDot(rowJx * 8, xs * 8, r - j, tmp * 8, 2 * c, (m + j * ld + j) * 8, ld * 8, 1);
      }
      d[j] = h[m + j * ld + j];
      // Reflector for rows j+1..r−1 of column j (as householder() in linalg/symmetric-eigen.ts).
      let sq = 0;
      for (let i = j + 1; i < r; i++) {
        const xi = h[m + i * ld + j];
        h[vOff + i] = xi;
        sq += xi * xi;
      }
      if (sq === 0) {
        e[j] = 0;
        continue; // H = I: v = w = 0 (X's rows are zero)
      }
      const norm = Math.sqrt(sq);
      const x0 = h[vOff + j + 1];
      const alpha = x0 > 0 ? -norm : norm;
      h[vOff + j + 1] = x0 - alpha;
      const beta = 1 / (norm * (norm + Math.abs(x0)));
      e[j] = alpha;
      // p = A22 v with A22 as at the panel start (wasm symv; v is 0 left of j + 1) …
      const i0 = j + 1;
      const js = i0 & ~1;
      for (let i = js; i < i0; i++) h[vOff + i] = 0;
      h.fill(0, pOff + js, pOff + r);
      ctx.symv(m * 8, ld * 8, i0, r, js, vOff * 8, pOff * 8);
      // … minus the panel's deferred update: p −= X z̃ with z = Xᵀv, z̃ its pairs swapped (= V(Wᵀv) + W(Vᵀv)).
      if (c > 0) {
        h.fill(0, zOff, zOff + 2 * c);
        ctx.colsAxpy((x + i0 * xs) * 8, xs * 8, r - i0, (vOff + i0) * 8, 2 * c, zOff * 8);
        for (let q = 0; q < 2 * c; q++) h[tmp + q] = h[zOff + (q ^ 1)];
        ctx.rowsDot((x + i0 * xs) * 8, xs * 8, r - i0, tmp * 8, 2 * c, (pOff + i0) * 8, 8, 1);
      }
      let pv = 0;
      for (let i = i0; i < r; i++) {
        const pi = beta * h[pOff + i];
        h[pOff + i] = pi;
        pv += pi * h[vOff + i];
      }
      const kk = 0.5 * beta * pv;
      for (let i = i0; i < r; i++) {
        const vi = h[vOff + i];
        const at = x + i * xs + 2 * c;
        h[at] = vi;
        h[at + 1] = h[pOff + i] - kk * vi;
      }
    }
    // Trailing update A22 −= V Wᵀ + W Vᵀ = (−X) X̃ᵀ over rows/columns [kEnd, r), lower tiles only.
    if (kEnd < r) {
      const mm = r - kEnd;
      const rowsX = x + kEnd * xs;
      runProduct(ctx, {
        c: m + kEnd * ld + kEnd,
        ldc: ld,
        m: mm,
        cols: mm,
        kLo: 0,
        kHi: 2 * (kEnd - k0),
        packA: (o, x0, x1, q0, q1) => packRows(h, rowsX, xs, o, x0, x1, q0, q1, 0, mm, false, false, -1),
        packB: (o, x0, x1, q0, q1) => packSwappedPairs(h, rowsX, xs, o, x0, x1, q0, q1, mm),
        lowerShift: 0,
      });
    }
  }
  d[r - 1] = h[m + (r - 1) * ld + (r - 1)];
  return { d, e };
}
