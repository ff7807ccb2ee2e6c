/**
 * Levenberg–Marquardt for small nonlinear least-squares problems min_p ½‖r(p)‖² with an analytic Jacobian
 * (Levenberg 1944, Marquardt 1963). What matches MINPACK's lmder (Moré 1978, "The Levenberg–Marquardt
 * algorithm: implementation and theory"), which scipy.optimize.curve_fit(method='lm') uses:
 * - variable scaling: D = diag of the largest column norms of J seen so far, so the damping term is
 *   μ‖Dδ‖² and the iteration is invariant to rescaling the parameters;
 * - each trial step solves the damped problem as the least-squares system [J; √μ·D] δ = [−r; 0] by
 *   Householder QR (no normal equations);
 * - the same three convergence tests: ftol (actual and predicted relative reduction of the SSE both ≤ ftol),
 *   xtol (relative scaled step ‖Dδ‖ ≤ xtol·‖Dp‖), gtol (largest cosine between r and a column of J).
 * Where it differs: the damping μ is updated from the gain ratio ρ by Nielsen's rule (Madsen, Nielsen &
 * Tingleff, "Methods for non-linear least squares problems", 2004, §3.2) instead of MINPACK's trust-region
 * radius with lmpar. Both reach the same minimum on well-posed problems; iteration counts differ.
 */
import { solveLeastSquaresInPlace } from './least-squares-qr';

export interface LeastSquaresModel {
  readonly nParams: number;
  readonly nResiduals: number;
  /** r(p) into `out` (length nResiduals); non-finite entries make a trial step fail. */
  residuals(params: Float64Array, out: Float64Array): void;
  /** ∂r_i/∂p_j into `out`, row-major nResiduals × nParams. */
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
}

export type LevenbergMarquardtStop = 'ftol' | 'xtol' | 'gtol' | 'zero-residual' | 'max-evaluations' | 'non-finite-start' | 'diverging';

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
/** A step is accepted when the SSE falls by at least this fraction of the predicted fall. */
const ACCEPT_RATIO = 1e-4;

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
  const np = model.nParams;
  const m = model.nResiduals;

  let p = Float64Array.from(start);
  let r = new Float64Array(m);
  let trialR = new Float64Array(m);
  const jac = new Float64Array(m * np);
  const aug = new Float64Array((m + np) * np);
  const rhs = new Float64Array(m + np);
  const scale = new Float64Array(np);
  const colNorm = new Float64Array(np);
  const trial = new Float64Array(np);

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

  const updateJacobian = (): void => {
    model.jacobian(p, jac);
    for (let j = 0; j < np; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += jac[i * np + j] * jac[i * np + j];
      colNorm[j] = Math.sqrt(s);
      // MINPACK mode 1: scale by the largest column norm seen; a zero column keeps scale 1.
      scale[j] = Math.max(scale[j], colNorm[j]);
      if (scale[j] === 0) scale[j] = 1;
    }
  };
  updateJacobian();

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
      let g = 0;
      for (let i = 0; i < m; i++) g += jac[i * np + j] * r[i];
      gmax = Math.max(gmax, Math.abs(g) / (colNorm[j] * rnorm));
    }
    if (gmax <= gtol) return done('gtol', true, iterations);

    // Trial steps until one is accepted.
    for (;;) {
      if (evaluations >= maxEvaluations) return done('max-evaluations', false, iterations);
      // [J D⁻¹; √μ I] s = [−r; 0], δ = D⁻¹ s.
      const sqrtMu = Math.sqrt(mu);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < np; j++) aug[i * np + j] = jac[i * np + j] / scale[j];
        rhs[i] = -r[i];
      }
      for (let k = 0; k < np; k++) {
        for (let j = 0; j < np; j++) aug[(m + k) * np + j] = k === j ? sqrtMu : 0;
        rhs[m + k] = 0;
      }
      const s = solveLeastSquaresInPlace(aug, rhs, m + np, np);
      let xnorm = 0;
      let dxnorm = 0;
      if (s) {
        for (let j = 0; j < np; j++) {
          const delta = s[j] / scale[j];
          trial[j] = p[j] + delta;
          xnorm += (scale[j] * p[j]) ** 2;
          dxnorm += s[j] * s[j];
        }
      }
      xnorm = Math.sqrt(xnorm);
      dxnorm = Math.sqrt(dxnorm);
      let predicted = -1;
      let actual = -1;
      let trialSse = Infinity;
      if (s) {
        // Predicted reduction: ‖r‖² − ‖r + Jδ‖².
        let lin = 0;
        for (let i = 0; i < m; i++) {
          let v = r[i];
          for (let j = 0; j < np; j++) v += (jac[i * np + j] * s[j]) / scale[j];
          lin += v * v;
        }
        predicted = sse - lin;
        model.residuals(trial, trialR);
        evaluations++;
        trialSse = sumSquares(trialR);
        actual = sse - trialSse;
      }
      const rho = predicted > 0 && Number.isFinite(trialSse) ? actual / predicted : -1;
      if (rho > ACCEPT_RATIO) {
        const previousSse = sse;
        const swap = r;
        r = trialR;
        trialR = swap;
        p = Float64Array.from(trial);
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
        break;
      }
      mu *= nu;
      nu *= 2;
      // A rejected step that the linear model says cannot help, or that is negligibly small, ends the search.
      if (s && predicted >= 0 && predicted <= ftol * sse && Math.abs(actual) <= ftol * sse) {
        return done('ftol', true, iterations);
      }
      if (dxnorm <= xtol * xnorm || !Number.isFinite(mu)) return done('xtol', true, iterations);
    }
  }
}
