/**
 * Dense linear least squares min ‖A z − b‖₂ for tall, thin A (m × p, p small: mapping fits and the
 * Levenberg–Marquardt step), by Householder QR (Golub & Van Loan, Matrix Computations, 4th ed., §5.3).
 * Avoids the normal equations, whose condition number is the square of A's.
 * A is row-major m × p and is overwritten; b is overwritten. Returns z (length p), or null when A is
 * numerically rank-deficient (a zero pivot relative to the largest column norm).
 */

/** A pivot below this fraction of the largest column norm counts as rank deficiency. */
export const RANK_TOLERANCE = 1e-13;

/**
 * `out` (length ≥ p) and `work` (length ≥ p) may be passed to avoid allocating: the Levenberg–Marquardt
 * step solves thousands of these small systems per fit. z is then written to `out`, which is returned.
 */
export function solveLeastSquaresInPlace(a: Float64Array, b: Float64Array, m: number, p: number, out?: Float64Array, work?: Float64Array): Float64Array | null {
  if (m < p) return null;
  let maxColumnNorm = 0;
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * p + j] * a[i * p + j];
    maxColumnNorm = Math.max(maxColumnNorm, Math.sqrt(s));
  }
  if (maxColumnNorm === 0) return null;
  const diag = work ?? new Float64Array(p);
  for (let k = 0; k < p; k++) {
    // Householder vector for column k, rows k..m−1 (kept in place below the diagonal).
    let sq = 0;
    for (let i = k; i < m; i++) sq += a[i * p + k] * a[i * p + k];
    const norm = Math.sqrt(sq);
    if (norm <= RANK_TOLERANCE * maxColumnNorm) return null;
    const alpha = a[k * p + k] > 0 ? -norm : norm;
    a[k * p + k] -= alpha;
    // v = a[k.., k]; vᵀv = 2·norm·(norm + |a_kk|) = −2·alpha·v_k.
    const vtv = -2 * alpha * a[k * p + k];
    for (let j = k + 1; j < p; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += a[i * p + k] * a[i * p + j];
      const f = (2 * s) / vtv;
      for (let i = k; i < m; i++) a[i * p + j] -= f * a[i * p + k];
    }
    let s = 0;
    for (let i = k; i < m; i++) s += a[i * p + k] * b[i];
    const f = (2 * s) / vtv;
    for (let i = k; i < m; i++) b[i] -= f * a[i * p + k];
    diag[k] = alpha;
  }
  // Back substitution with R (diagonal in `diag`, strict upper triangle in a).
  const z = out ?? new Float64Array(p);
  for (let k = p - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < p; j++) s -= a[k * p + j] * z[j];
    z[k] = s / diag[k];
  }
  return z;
}
