/**
 * Levenberg–Marquardt for small nonlinear least-squares problems min_p ½‖r(p)‖² with an analytic Jacobian
 * (Levenberg 1944, Marquardt 1963). What matches MINPACK's lmder (Moré 1978, "The Levenberg–Marquardt
 * algorithm: implementation and theory"), which scipy.optimize.curve_fit(method='lm') uses:
 * - variable scaling: D = diag of the largest column norms of J seen so far, so the damping term is
 *   μ‖Dδ‖² and the iteration is invariant to rescaling the parameters;
 * - each trial step solves the damped problem as the least-squares system [J; √μ·D] δ = [−r; 0] by
 *   Householder QR (no normal equations). As in MINPACK (qrfac + lmpar), J D⁻¹ = QR is factored once per
 *   Jacobian and each trial solves the small system [R; √μ·I] s = [−Qᵀr; 0] (2p × p): the same
 *   least-squares problem, since ‖[J D⁻¹; √μ I] s + [r; 0]‖² = ‖[R; √μ I] s + [Qᵀr; 0]‖² + ‖(I − QQᵀ) r‖².
 *   A trial then costs one residual evaluation, where the full (m + p) × p QR per trial cost several;
 *   where J D⁻¹ is numerically rank-deficient the trial falls back to the full augmented QR;
 * - the same three convergence tests: ftol (actual and predicted relative reduction of the SSE both ≤ ftol),
 *   xtol (relative scaled step ‖Dδ‖ ≤ xtol·‖Dp‖), gtol (largest cosine between r and a column of J).
 * Where it differs: the damping μ is updated from the gain ratio ρ by Nielsen's rule (Madsen, Nielsen &
 * Tingleff, "Methods for non-linear least squares problems", 2004, §3.2) instead of MINPACK's trust-region
 * radius with lmpar. Both reach the same minimum on well-posed problems; iteration counts differ.
 */
import { RANK_TOLERANCE, solveLeastSquaresInPlace } from './least-squares-qr';

export interface LeastSquaresModel {
  readonly nParams: number;
  readonly nResiduals: number;
  /** r(p) into `out` (length nResiduals); non-finite entries make a trial step fail. */
  residuals(params: Float64Array, out: Float64Array): void;
  /**
   * ∂r_i/∂p_j into `out`, row-major nResiduals × nParams. The iteration asks for it only at the parameters
   * of the latest `residuals` call, so a model may reuse terms computed there (the logistic's exp()).
   */
  jacobian(params: Float64Array, out: Float64Array): void;
}

export interface LevenbergMarquardtOptions {
  /** Most residual evaluations (MINPACK maxfev). Default 100 000, as the golden curve_fit runs. */
  readonly maxEvaluations?: number;
  /** Relative SSE reduction tolerance. Default 1e-10 (curve_fit: 1.49e-8; tighter costs a few iterations). */
  readonly ftol?: number;
  /** Relative step tolerance. Default 1e-10. */
  readonly xtol?: number;
  /** Gradient (cosine) tolerance. Default 1e-12. */
  readonly gtol?: number;
  /**
   * Parameters beyond this magnitude stop the iteration ('diverging', not converged): a valley whose SSE
   * keeps falling as the parameters run off has no minimum to converge to. Default: no limit.
   */
  readonly maxParameterMagnitude?: number;
  /**
   * Called after every accepted step with the new parameters (a working buffer: copy what is kept), the
   * SSE and the evaluations so far; returning true ends the iteration ('stopped', not converged). Lets a
   * multi-start search end a start that only retraces another one's path (mapping-fit.ts).
   */
  readonly onStep?: (params: Float64Array, sse: number, evaluations: number) => boolean;
}

export type LevenbergMarquardtStop = 'ftol' | 'xtol' | 'gtol' | 'zero-residual' | 'max-evaluations' | 'non-finite-start' | 'diverging' | 'stopped';

export interface LevenbergMarquardtResult {
  readonly params: Float64Array;
  /** Σ r_i² at `params`. */
  readonly sse: number;
  /** Accepted steps. */
  readonly iterations: number;
  /** Residual evaluations, the start included. */
  readonly evaluations: number;
  /** True when one of the tolerance tests (or an exact fit) stopped the iteration. */
  readonly converged: boolean;
  readonly stop: LevenbergMarquardtStop;
}

export const LEVENBERG_MARQUARDT_SOLVER = 'levenberg-marquardt (MINPACK-style column scaling, Nielsen damping)';

/** Initial damping relative to the scaled J̃ᵀJ̃ (whose diagonal is ≤ 1). */
const INITIAL_DAMPING = 1e-3;
/**
 * Largest condition number of the scaled JᵀJ (estimated from its Cholesky pivots) at which the step is solved
 * from the normal equations; beyond it, from the QR of J D⁻¹ (relative step error ≈ ε·κ: 1e-6 here).
 */
const NORMAL_EQUATIONS_CONDITION = 1e10;
/** A step is accepted when the SSE falls by at least this fraction of the predicted fall. */
const ACCEPT_RATIO = 1e-4;

/**
 * JᵀJ (upper triangle, row-major) and Jᵀr from row-major J in one pass. The logistic fits' 4 and 5 columns
 * are written out with the sums in locals: the loop over J is most of an iteration's work, and a typed-array
 * store per product made it several times slower.
 */
function accumulateNormalEquations(jac: Float64Array, r: Float64Array, m: number, np: number, gram: Float64Array, jtr: Float64Array): void {
  gram.fill(0);
  jtr.fill(0);
  if (np === 5) {
    let g00 = 0, g01 = 0, g02 = 0, g03 = 0, g04 = 0, g11 = 0, g12 = 0, g13 = 0, g14 = 0, g22 = 0, g23 = 0, g24 = 0, g33 = 0, g34 = 0, g44 = 0;
    let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
    for (let i = 0, o = 0; i < m; i++, o += 5) {
      const j0 = jac[o], j1 = jac[o + 1], j2 = jac[o + 2], j3 = jac[o + 3], j4 = jac[o + 4];
      const ri = r[i];
      g00 += j0 * j0; g01 += j0 * j1; g02 += j0 * j2; g03 += j0 * j3; g04 += j0 * j4;
      g11 += j1 * j1; g12 += j1 * j2; g13 += j1 * j3; g14 += j1 * j4;
      g22 += j2 * j2; g23 += j2 * j3; g24 += j2 * j4;
      g33 += j3 * j3; g34 += j3 * j4;
      g44 += j4 * j4;
      t0 += j0 * ri; t1 += j1 * ri; t2 += j2 * ri; t3 += j3 * ri; t4 += j4 * ri;
    }
    gram[0] = g00; gram[1] = g01; gram[2] = g02; gram[3] = g03; gram[4] = g04;
    gram[6] = g11; gram[7] = g12; gram[8] = g13; gram[9] = g14;
    gram[12] = g22; gram[13] = g23; gram[14] = g24;
    gram[18] = g33; gram[19] = g34;
    gram[24] = g44;
    jtr[0] = t0; jtr[1] = t1; jtr[2] = t2; jtr[3] = t3; jtr[4] = t4;
    return;
  }
  if (np === 4) {
    let g00 = 0, g01 = 0, g02 = 0, g03 = 0, g11 = 0, g12 = 0, g13 = 0, g22 = 0, g23 = 0, g33 = 0;
    let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (let i = 0, o = 0; i < m; i++, o += 4) {
      const j0 = jac[o], j1 = jac[o + 1], j2 = jac[o + 2], j3 = jac[o + 3];
      const ri = r[i];
      g00 += j0 * j0; g01 += j0 * j1; g02 += j0 * j2; g03 += j0 * j3;
      g11 += j1 * j1; g12 += j1 * j2; g13 += j1 * j3;
      g22 += j2 * j2; g23 += j2 * j3;
      g33 += j3 * j3;
      t0 += j0 * ri; t1 += j1 * ri; t2 += j2 * ri; t3 += j3 * ri;
    }
    gram[0] = g00; gram[1] = g01; gram[2] = g02; gram[3] = g03;
    gram[5] = g11; gram[6] = g12; gram[7] = g13;
    gram[10] = g22; gram[11] = g23;
    gram[15] = g33;
    jtr[0] = t0; jtr[1] = t1; jtr[2] = t2; jtr[3] = t3;
    return;
  }
  for (let i = 0; i < m; i++) {
    const o = i * np;
    const ri = r[i];
    for (let a = 0; a < np; a++) {
      const ja = jac[o + a];
      jtr[a] += ja * ri;
      for (let b = a; b < np; b++) gram[a * np + b] += ja * jac[o + b];
    }
  }
}

function sumSquares(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return s;
}

export function levenbergMarquardt(
  model: LeastSquaresModel,
  start: ArrayLike<number>,
  options: LevenbergMarquardtOptions = {},
): LevenbergMarquardtResult {
  const maxEvaluations = options.maxEvaluations ?? 100_000;
  const ftol = options.ftol ?? 1e-10;
  const xtol = options.xtol ?? 1e-10;
  const gtol = options.gtol ?? 1e-12;
  const maxMagnitude = options.maxParameterMagnitude ?? Infinity;
  const onStep = options.onStep;
  const np = model.nParams;
  const m = model.nResiduals;

  // Every buffer is allocated once per call; the iteration itself allocates nothing.
  let p = Float64Array.from(start);
  let trial = new Float64Array(np);
  let r = new Float64Array(m);
  let trialR = new Float64Array(m);
  const jac = new Float64Array(m * np);
  const scale = new Float64Array(np);
  const colNorm = new Float64Array(np);
  // J D⁻¹ column by column (contiguous columns for the Householder QR) and −r after them; R (p × p,
  // row-major) and the first p entries of Qᵀ(−r).
  const qr = new Float64Array(m * (np + 1));
  const rFactor = new Float64Array(np * np);
  const qtr = new Float64Array(np);
  // The trial system [R; √μ I] s = [Qᵀ(−r); 0] and its solution.
  const small = new Float64Array(2 * np * np);
  const smallRhs = new Float64Array(2 * np);
  const step = new Float64Array(np);
  const work = new Float64Array(np);
  const rs = new Float64Array(np);
  // JᵀJ (upper triangle) and Jᵀr; their scaled forms D⁻¹JᵀJD⁻¹ and D⁻¹Jᵀr; the damped matrix's Cholesky factor.
  const gram = new Float64Array(np * np);
  const jtr = new Float64Array(np);
  const gramScaled = new Float64Array(np * np);
  const jtrScaled = new Float64Array(np);
  const chol = new Float64Array(np * np);
  let normal = false;
  // The full augmented system, for a rank-deficient J D⁻¹ only.
  let aug: Float64Array | null = null;
  let rhs: Float64Array | null = null;
  let factored = false;

  model.residuals(p, r);
  let evaluations = 1;
  let sse = sumSquares(r);
  const done = (stop: LevenbergMarquardtStop, converged: boolean, iterations: number): LevenbergMarquardtResult => ({
    params: p,
    sse,
    iterations,
    evaluations,
    converged,
    stop,
  });
  if (!Number.isFinite(sse)) return done('non-finite-start', false, 0);

  /**
   * Householder QR of J D⁻¹ (Golub & Van Loan §5.2), with −r carried along as an extra column (it becomes
   * Qᵀ(−r)); false when a pivot is numerically zero. The columns are updated two at a time, each Householder
   * vector read once per pair: the same operations in the same order per column as one at a time.
   */
  const factor = (): boolean => {
    let maxColumnNorm = 0;
    for (let j = 0; j < np; j++) maxColumnNorm = Math.max(maxColumnNorm, colNorm[j] / scale[j]);
    const last = np * m;
    for (let i = 0; i < m; i++) qr[last + i] = -r[i];
    for (let k = 0; k < np; k++) {
      const ck = k * m;
      let sq = 0;
      for (let i = k; i < m; i++) sq += qr[ck + i] * qr[ck + i];
      const norm = Math.sqrt(sq);
      if (!(norm > RANK_TOLERANCE * maxColumnNorm)) return false;
      const alpha = qr[ck + k] > 0 ? -norm : norm;
      qr[ck + k] -= alpha;
      const vtv = -2 * alpha * qr[ck + k];
      let j = k + 1;
      for (; j + 1 <= np; j += 2) {
        const c1 = j * m;
        const c2 = c1 + m;
        let s1 = 0;
        let s2 = 0;
        for (let i = k; i < m; i++) {
          const v = qr[ck + i];
          s1 += v * qr[c1 + i];
          s2 += v * qr[c2 + i];
        }
        const f1 = (2 * s1) / vtv;
        const f2 = (2 * s2) / vtv;
        for (let i = k; i < m; i++) {
          const v = qr[ck + i];
          qr[c1 + i] -= f1 * v;
          qr[c2 + i] -= f2 * v;
        }
      }
      for (; j <= np; j++) {
        const c1 = j * m;
        let s1 = 0;
        for (let i = k; i < m; i++) s1 += qr[ck + i] * qr[c1 + i];
        const f1 = (2 * s1) / vtv;
        for (let i = k; i < m; i++) qr[c1 + i] -= f1 * qr[ck + i];
      }
      for (let jj = 0; jj < np; jj++) rFactor[k * np + jj] = jj < k ? 0 : jj === k ? alpha : qr[jj * m + k];
      qtr[k] = qr[last + k];
    }
    return true;
  };

  /** Cholesky factor of gramScaled + μI into `chol` (lower, row-major); false when not positive definite. */
  const cholesky = (mu: number): boolean => {
    for (let a = 0; a < np; a++) {
      for (let b = 0; b <= a; b++) {
        let v = gramScaled[b * np + a] + (a === b ? mu : 0);
        for (let c = 0; c < b; c++) v -= chol[a * np + c] * chol[b * np + c];
        if (a === b) {
          if (!(v > 0)) return false;
          chol[a * np + a] = Math.sqrt(v);
        } else {
          chol[a * np + b] = v / chol[b * np + b];
        }
      }
    }
    return true;
  };

  const updateJacobian = (): void => {
    model.jacobian(p, jac);
    // One pass over J: JᵀJ (its diagonal gives the column norms) and Jᵀr (the gradient).
    accumulateNormalEquations(jac, r, m, np, gram, jtr);
    for (let j = 0; j < np; j++) {
      colNorm[j] = Math.sqrt(gram[j * np + j]);
      // MINPACK mode 1: scale by the largest column norm seen; a zero column keeps scale 1.
      scale[j] = Math.max(scale[j], colNorm[j]);
      if (scale[j] === 0) scale[j] = 1;
    }
    for (let a = 0; a < np; a++) {
      jtrScaled[a] = jtr[a] / scale[a];
      for (let b = a; b < np; b++) gramScaled[a * np + b] = gram[a * np + b] / (scale[a] * scale[b]);
    }
    // The normal equations square J's condition number: they are solved directly only while the undamped
    // factor shows κ(JᵀJ) ≲ NORMAL_EQUATIONS_CONDITION (the step then keeps ≥ 6 significant digits, which is
    // all a trial step needs: the SSE at the trial decides). Otherwise, a step from a QR of J D⁻¹.
    normal = cholesky(0);
    if (normal) {
      let lo = Infinity;
      let hi = 0;
      for (let a = 0; a < np; a++) {
        lo = Math.min(lo, chol[a * np + a]);
        hi = Math.max(hi, chol[a * np + a]);
      }
      normal = (hi / lo) ** 2 <= NORMAL_EQUATIONS_CONDITION;
    }
    if (normal) {
      factored = false;
      return;
    }
    for (let j = 0; j < np; j++) {
      const d = scale[j];
      for (let i = 0; i < m; i++) qr[j * m + i] = jac[i * np + j] / d;
    }
    factored = factor();
  };
  updateJacobian();

  /** The scaled step s of damping μ into `step` (δ = D⁻¹ s); false when the system is rank-deficient. */
  const solveStep = (mu: number): boolean => {
    if (normal) {
      // (D⁻¹JᵀJD⁻¹ + μI) s = −D⁻¹Jᵀr by Cholesky: forward, then back substitution.
      if (!cholesky(mu)) return false;
      for (let a = 0; a < np; a++) {
        let v = -jtrScaled[a];
        for (let c = 0; c < a; c++) v -= chol[a * np + c] * work[c];
        work[a] = v / chol[a * np + a];
      }
      for (let a = np - 1; a >= 0; a--) {
        let v = work[a];
        for (let c = a + 1; c < np; c++) v -= chol[c * np + a] * step[c];
        step[a] = v / chol[a * np + a];
      }
      return true;
    }
    const sqrtMu = Math.sqrt(mu);
    if (factored) {
      for (let k = 0; k < np; k++) {
        for (let j = 0; j < np; j++) {
          small[k * np + j] = rFactor[k * np + j];
          small[(np + k) * np + j] = k === j ? sqrtMu : 0;
        }
        smallRhs[k] = qtr[k];
        smallRhs[np + k] = 0;
      }
      return solveLeastSquaresInPlace(small, smallRhs, 2 * np, np, step, work) !== null;
    }
    // [J D⁻¹; √μ I] s = [−r; 0] in full.
    aug ??= new Float64Array((m + np) * np);
    rhs ??= new Float64Array(m + np);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < np; j++) aug[i * np + j] = jac[i * np + j] / scale[j];
      rhs[i] = -r[i];
    }
    for (let k = 0; k < np; k++) {
      for (let j = 0; j < np; j++) aug[(m + k) * np + j] = k === j ? sqrtMu : 0;
      rhs[m + k] = 0;
    }
    return solveLeastSquaresInPlace(aug, rhs, m + np, np, step, work) !== null;
  };

  /** ‖r‖² − ‖r + J δ‖², the fall of the SSE the linear model predicts for the step in `step`. */
  const predictedReduction = (): number => {
    if (normal) {
      // ‖r‖² − ‖r + J̃s‖² = −2 sᵀJ̃ᵀr − sᵀJ̃ᵀJ̃s.
      let cross = 0;
      let quad = 0;
      for (let a = 0; a < np; a++) {
        cross += step[a] * jtrScaled[a];
        let v = gramScaled[a * np + a] * step[a];
        for (let b = a + 1; b < np; b++) v += 2 * gramScaled[a * np + b] * step[b];
        quad += step[a] * v;
      }
      return -2 * cross - quad;
    }
    if (factored) {
      // r + J D⁻¹ s = r + Q R s, so ‖r‖² − ‖r + QRs‖² = 2 (Qᵀ(−r))·(Rs) − ‖Rs‖².
      let cross = 0;
      let rsNorm = 0;
      for (let k = 0; k < np; k++) {
        let v = 0;
        for (let j = k; j < np; j++) v += rFactor[k * np + j] * step[j];
        rs[k] = v;
        cross += qtr[k] * v;
        rsNorm += v * v;
      }
      return 2 * cross - rsNorm;
    }
    let lin = 0;
    for (let i = 0; i < m; i++) {
      let v = r[i];
      for (let j = 0; j < np; j++) v += (jac[i * np + j] * step[j]) / scale[j];
      lin += v * v;
    }
    return sse - lin;
  };

  let mu = INITIAL_DAMPING;
  let nu = 2;
  let iterations = 0;
  for (;;) {
    if (sse === 0) return done('zero-residual', true, iterations);
    // Gradient test: max_j |J_jᵀ r| / (‖J_j‖ ‖r‖).
    let gmax = 0;
    const rnorm = Math.sqrt(sse);
    for (let j = 0; j < np; j++) {
      if (colNorm[j] === 0) continue;
      gmax = Math.max(gmax, Math.abs(jtr[j]) / (colNorm[j] * rnorm));
    }
    if (gmax <= gtol) return done('gtol', true, iterations);

    // Trial steps until one is accepted.
    for (;;) {
      if (evaluations >= maxEvaluations) return done('max-evaluations', false, iterations);
      const solved = solveStep(mu);
      let xnorm = 0;
      let dxnorm = 0;
      if (solved) {
        for (let j = 0; j < np; j++) {
          trial[j] = p[j] + step[j] / scale[j];
          xnorm += (scale[j] * p[j]) ** 2;
          dxnorm += step[j] * step[j];
        }
      }
      xnorm = Math.sqrt(xnorm);
      dxnorm = Math.sqrt(dxnorm);
      let predicted = -1;
      let actual = -1;
      let trialSse = Infinity;
      if (solved) {
        predicted = predictedReduction();
        model.residuals(trial, trialR);
        evaluations++;
        trialSse = sumSquares(trialR);
        actual = sse - trialSse;
      }
      const rho = predicted > 0 && Number.isFinite(trialSse) ? actual / predicted : -1;
      if (rho > ACCEPT_RATIO) {
        const previousSse = sse;
        const swapR = r;
        r = trialR;
        trialR = swapR;
        const swapP = p;
        p = trial;
        trial = swapP;
        sse = trialSse;
        iterations++;
        mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
        nu = 2;
        updateJacobian();
        for (let j = 0; j < np; j++) if (Math.abs(p[j]) > maxMagnitude) return done('diverging', false, iterations);
        if (Math.abs(actual) <= ftol * previousSse && predicted <= ftol * previousSse && rho <= 2) {
          return done('ftol', true, iterations);
        }
        if (dxnorm <= xtol * xnorm) return done('xtol', true, iterations);
        if (onStep?.(p, sse, evaluations)) return done('stopped', false, iterations);
        break;
      }
      mu *= nu;
      nu *= 2;
      // A rejected step that the linear model says cannot help, or that is negligibly small, ends the search.
      if (solved && predicted >= 0 && predicted <= ftol * sse && Math.abs(actual) <= ftol * sse) {
        return done('ftol', true, iterations);
      }
      if (dxnorm <= xtol * xnorm || !Number.isFinite(mu)) return done('xtol', true, iterations);
    }
  }
}
