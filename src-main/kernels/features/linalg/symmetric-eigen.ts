/**
 * Eigenvalues (and, for small matrices, eigenvectors) of a real symmetric matrix, float64, row-major n × n.
 *
 * Eigenvalues only — `symmetricEigenvalues`, the path used at d = 2048:
 *   Householder reduction to tridiagonal form (Golub & Van Loan, Matrix Computations, 4th ed., Alg. 8.3.1):
 *   step k reflects column k with H = I − βvvᵀ and updates the trailing block as B ← B − vwᵀ − wvᵀ,
 *   p = βBv, w = p − (β/2)(pᵀv)v. Only the lower triangle is read and written, row by row (contiguous).
 *   The update of step k is fused with the product p' = β'B'v' of step k + 1 (v' depends only on column
 *   k + 1 of the updated block, which is updated first), so the trailing block is streamed once per step
 *   instead of twice: the reduction is memory-bound at this size. Then the implicit QL algorithm with
 *   Wilkinson shifts on the tridiagonal matrix (Numerical Recipes 3rd ed. §11.4, `tqli`), O(n²).
 * With eigenvectors — `symmetricEigen`, O(n³) with column access, meant for n up to a few hundred:
 *   Householder reduction with accumulated transformations (`tred2`, NR §11.3) and QL with rotations
 *   applied to the eigenvector rows.
 * Eigenvalues are returned in ascending order.
 */

/** Relative size below which an off-diagonal element counts as zero in QL (the unit round-off). */
const QL_EPS = Number.EPSILON;
/** QL iterations per eigenvalue before giving up (typically 1–3 are needed). */
const QL_MAX_ITERATIONS = 60;

/** Householder vector for column `col` (rows col+1..n−1) of the lower triangle; returns [β, α]. */
function householder(a: Float64Array, n: number, col: number, v: Float64Array): [number, number] {
  let sq = 0;
  for (let i = col + 1; i < n; i++) {
    const x = a[i * n + col];
    v[i] = x;
    sq += x * x;
  }
  if (sq === 0) {
    for (let i = col + 1; i < n; i++) v[i] = 0;
    return [0, 0];
  }
  const norm = Math.sqrt(sq);
  const x0 = v[col + 1];
  const alpha = x0 > 0 ? -norm : norm;
  v[col + 1] = x0 - alpha;
  return [1 / (norm * (norm + Math.abs(x0))), alpha];
}

/**
 * Reduces the symmetric matrix (lower triangle of `a`, destroyed) to tridiagonal form: diagonal `d`,
 * off-diagonal `e` (e[k] couples k and k + 1; e[n − 1] = 0). Same eigenvalues as `a`.
 */
export function tridiagonalizeInPlace(a: Float64Array, n: number): { d: Float64Array; e: Float64Array } {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 1) {
    d[0] = a[0];
    return { d, e };
  }
  if (n === 2) {
    d[0] = a[0];
    d[1] = a[3];
    e[0] = a[2];
    return { d, e };
  }
  let v = new Float64Array(n);
  let v2 = new Float64Array(n);
  let p = new Float64Array(n);
  let p2 = new Float64Array(n);
  const w = new Float64Array(n);

  // Step 0: reflector and p = βBv by a plain pass over the lower triangle.
  let [beta, alpha] = householder(a, n, 0, v);
  e[0] = alpha;
  for (let i = 1; i < n; i++) {
    const row = i * n;
    const vi = v[i];
    let acc = 0;
    for (let j = 1; j < i; j++) {
      const x = a[row + j];
      acc += x * v[j];
      p[j] += x * vi;
    }
    p[i] += acc + a[row + i] * vi;
  }
  for (let i = 1; i < n; i++) p[i] *= beta;

  for (let k = 0; k <= n - 3; k++) {
    const r = k + 1;
    d[k] = a[k * n + k];
    let pv = 0;
    for (let i = r; i < n; i++) pv += p[i] * v[i];
    const kk = 0.5 * beta * pv;
    for (let i = r; i < n; i++) w[i] = p[i] - kk * v[i];
    // Diagonal and column r of the updated trailing block first.
    a[r * n + r] -= 2 * v[r] * w[r];
    const vr = v[r];
    const wr = w[r];
    for (let i = r + 1; i < n; i++) a[i * n + r] -= v[i] * wr + w[i] * vr;
    if (k === n - 3) {
      // The trailing block is 2 × 2 (rows n−2, n−1): finish its update.
      const last = (n - 1) * n + (n - 1);
      a[last] -= 2 * v[n - 1] * w[n - 1];
      d[n - 2] = a[(n - 2) * n + (n - 2)];
      d[n - 1] = a[last];
      e[n - 2] = a[(n - 1) * n + (n - 2)];
      break;
    }
    const [beta2, alpha2] = householder(a, n, r, v2);
    e[r] = alpha2;
    // Fused pass over rows r+1..n−1: apply step k's update and accumulate p2 = B'·v2.
    const lo = r + 1;
    for (let i = lo; i < n; i++) p2[i] = 0;
    for (let i = lo; i < n; i++) {
      const row = i * n;
      const vi = v[i];
      const wi = w[i];
      const v2i = v2[i];
      // Unrolled by two with two accumulators: V8 does not vectorise, this hides some FP latency.
      let acc0 = 0;
      let acc1 = 0;
      let j = lo;
      for (; j + 1 < i; j += 2) {
        const x0 = a[row + j] - vi * w[j] - wi * v[j];
        const x1 = a[row + j + 1] - vi * w[j + 1] - wi * v[j + 1];
        a[row + j] = x0;
        a[row + j + 1] = x1;
        acc0 += x0 * v2[j];
        acc1 += x1 * v2[j + 1];
        p2[j] += x0 * v2i;
        p2[j + 1] += x1 * v2i;
      }
      for (; j < i; j++) {
        const x = a[row + j] - vi * w[j] - wi * v[j];
        a[row + j] = x;
        acc0 += x * v2[j];
        p2[j] += x * v2i;
      }
      const xd = a[row + i] - 2 * vi * wi;
      a[row + i] = xd;
      p2[i] += acc0 + acc1 + xd * v2i;
    }
    for (let i = lo; i < n; i++) p2[i] *= beta2;
    [v, v2] = [v2, v];
    [p, p2] = [p2, p];
    beta = beta2;
  }
  return { d, e };
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix (d, e) by implicit QL with shifts; d and e are
 * destroyed; e[k] couples k and k + 1. Returns d sorted ascending.
 */
export function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): Float64Array {
  qlImplicit(d, e, null, d.length);
  return d.sort();
}

/**
 * √(a² + b²) without Math.hypot, whose generic path in V8 took 40% of the QL time: the plain formula is
 * within an ulp whenever the squares neither overflow nor underflow; otherwise Math.hypot.
 */
function hypot2(a: number, b: number): number {
  const s = a * a + b * b;
  return s < 1e300 && s > 1e-290 ? Math.sqrt(s) : Math.hypot(a, b);
}

/** NR `tqli` with e[k] coupling k, k+1. When zt is given (n × n, row k = k-th vector), rotations update it. */
function qlImplicit(d: Float64Array, e: Float64Array, zt: Float64Array | null, n: number): void {
  if (n > 0) e[n - 1] = 0;
  // Deflate also when |e_m| is negligible against the whole matrix (not only against its neighbours):
  // a cluster of round-off-sized eigenvalues (rank-deficient Gram matrices) otherwise never meets the
  // relative test. The perturbation is within the backward error of the Householder reduction.
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0));
  const absoluteTolerance = QL_EPS * norm;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= QL_EPS * dd || Math.abs(e[m]) <= absoluteTolerance) break;
      }
      if (m !== l) {
        if (iter++ === QL_MAX_ITERATIONS) throw new Error('symmetric eigensolver: QL iteration did not converge');
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = hypot2(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          let f = s * e[i];
          const b = c * e[i];
          r = hypot2(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          if (zt) {
            const ri = i * n;
            const ri1 = (i + 1) * n;
            for (let k = 0; k < n; k++) {
              f = zt[ri1 + k];
              const zi = zt[ri + k];
              zt[ri1 + k] = s * zi + c * f;
              zt[ri + k] = c * zi - s * f;
            }
          }
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}

/** Eigenvalues (ascending) of the symmetric n × n matrix `a` (lower triangle used). `a` is not modified. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  checkSquare(a, n);
  const { d, e } = tridiagonalizeInPlace(Float64Array.from(a), n);
  return tridiagonalEigenvalues(d, e);
}

export interface SymmetricEigen {
  /** Ascending. */
  readonly values: Float64Array;
  /** Row-major n × n; row k is the unit eigenvector of values[k]. */
  readonly vectors: Float64Array;
}

/** Eigenvalues and eigenvectors of the symmetric n × n matrix `a` (full storage; not modified). */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  checkSquare(a, n);
  const z = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(z, d, e, n);
  // tred2 leaves e[i] coupling i−1 and i; shift to e[k] coupling k and k + 1.
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  // Rotations act on columns of z; keep them as rows of zt for contiguous access.
  const zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) zt[j * n + i] = z[i * n + j];
  qlImplicit(d, e, zt, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    vectors.set(zt.subarray(src * n, src * n + n), dst * n);
  });
  return { values, vectors };
}

/** NR `tred2`: Householder tridiagonalisation with the orthogonal transformation accumulated in z. */
function tred2(z: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k < i; k++) scale += Math.abs(z[i * n + k]);
      if (scale === 0) {
        e[i] = z[i * n + l];
      } else {
        for (let k = 0; k < i; k++) {
          z[i * n + k] /= scale;
          h += z[i * n + k] * z[i * n + k];
        }
        let f = z[i * n + l];
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        z[i * n + l] = f - g;
        f = 0;
        for (let j = 0; j < i; j++) {
          z[j * n + i] = z[i * n + j] / h;
          g = 0;
          for (let k = 0; k < j + 1; k++) g += z[j * n + k] * z[i * n + k];
          for (let k = j + 1; k < i; k++) g += z[k * n + j] * z[i * n + k];
          e[j] = g / h;
          f += e[j] * z[i * n + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j < i; j++) {
          f = z[i * n + j];
          g = e[j] - hh * f;
          e[j] = g;
          for (let k = 0; k < j + 1; k++) z[j * n + k] -= f * e[k] + g * z[i * n + k];
        }
      }
    } else {
      e[i] = z[i * n + l];
    }
    d[i] = h;
  }
  d[0] = 0;
  e[0] = 0;
  for (let i = 0; i < n; i++) {
    if (d[i] !== 0) {
      for (let j = 0; j < i; j++) {
        let g = 0;
        for (let k = 0; k < i; k++) g += z[i * n + k] * z[k * n + j];
        for (let k = 0; k < i; k++) z[k * n + j] -= g * z[k * n + i];
      }
    }
    d[i] = z[i * n + i];
    z[i * n + i] = 1;
    for (let j = 0; j < i; j++) {
      z[j * n + i] = 0;
      z[i * n + j] = 0;
    }
  }
}

function checkSquare(a: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new RangeError(`expected a ${n} x ${n} matrix (${n * n} values), got ${a.length} values`);
  }
}
