/**
 * Gaussian (Laplace) approximation of the posterior over Thurstone Case V scores, for active sampling.
 *
 * Model: P(i ≻ j | q) = Φ((q_i − q_j)/σ) with σ = THURSTONE_JND_SIGMA, so scores are in JND units (a
 * difference of 1 = 75 % preference), the same model and unit as scalePairwise's 'thurstone-case-v'
 * (stats/pairwise-scaling.ts). A tie counts as half a win for each side, as there. Prior: q_i ~ N(0, τ²)
 * independently. The posterior is approximated by N(q̂, H⁻¹): q̂ the maximum a posteriori scores, H the
 * negative Hessian of the log posterior at q̂ (Laplace's method; MacKay 2003, "Information Theory, Inference,
 * and Learning Algorithms", ch. 27). The log posterior is strictly concave (ln Φ is concave and the prior
 * is strictly so), so q̂ is unique and exists for any counts, unlike the MLE.
 *
 * Why Laplace rather than TrueSkill's message passing (which ASAP uses, Mikhailiuk et al. 2021, reference
 * code github.com/gfxdisp/asap): the Laplace posterior depends only on the count matrix, so it does not
 * depend on the order in which the answers arrived, and it keeps the full covariance (ASAP's CPU code keeps
 * per-condition variances only). Its MAP with a vague prior tends to scalePairwise's MLE (tested).
 *
 * Input: wins (row-major n × n, wins[i·n + j] = times i was preferred over j, ties as ½ each, diagonal 0).
 * Output: `mean` (the MAP, updated in place; its value on entry is the Newton start, so a previous MAP is a
 * warm start) and `covariance` (n × n, H⁻¹). Newton's method with a backtracking (Armijo) line search as in
 * pairwise-scaling.ts; all work buffers come from a `ThurstonePosteriorWork` so a refit allocates nothing.
 */
import { normalCdf, normalPdf } from '../stats/normal-distribution';
import { THURSTONE_JND_SIGMA } from '../stats/pairwise-scaling';

/** Armijo sufficient-increase constant and the most step halvings (as pairwise-scaling.ts). */
const ARMIJO_C = 1e-4;
const MAX_HALVINGS = 60;

export interface ThurstonePosteriorWork {
  readonly n: number;
  readonly grad: Float64Array;
  /** n × n: the negative Hessian, then its Cholesky factor. */
  readonly negHess: Float64Array;
  readonly step: Float64Array;
  readonly trial: Float64Array;
}

export function createThurstonePosteriorWork(n: number): ThurstonePosteriorWork {
  return {
    n,
    grad: new Float64Array(n),
    negHess: new Float64Array(n * n),
    step: new Float64Array(n),
    trial: new Float64Array(n),
  };
}

export interface ThurstonePosteriorFit {
  readonly iterations: number;
  readonly converged: boolean;
}

/** ln p(q | wins) up to a constant. −Infinity where Φ underflows on a side with a positive count. */
export function thurstoneLogPosterior(wins: Float64Array, n: number, priorVariance: number, q: ArrayLike<number>): number {
  let lp = 0;
  for (let i = 0; i < n; i++) {
    lp -= (q[i] * q[i]) / (2 * priorVariance);
    for (let j = 0; j < n; j++) {
      const w = wins[i * n + j];
      if (w > 0) lp += w * Math.log(normalCdf((q[i] - q[j]) / THURSTONE_JND_SIGMA));
    }
  }
  return lp;
}

/**
 * Fill work.negHess with −∇² ln p and work.grad with ∇ ln p at q. With d = (q_i − q_j)/σ and λ(x) = φ(x)/Φ(x)
 * (as pairwise-scaling.ts): ∂/∂d = w_ij λ(d) − w_ji λ(−d), −∂²/∂d² = w_ij λ(d)(d + λ(d)) + w_ji λ(−d)(λ(−d) − d).
 */
function gradientAndNegHessian(wins: Float64Array, n: number, priorVariance: number, q: Float64Array, work: ThurstonePosteriorWork): void {
  const { grad, negHess } = work;
  const sigma = THURSTONE_JND_SIGMA;
  negHess.fill(0);
  for (let i = 0; i < n; i++) {
    grad[i] = -q[i] / priorVariance;
    negHess[i * n + i] = 1 / priorVariance;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const wij = wins[i * n + j];
      const wji = wins[j * n + i];
      if (wij + wji === 0) continue;
      const d = (q[i] - q[j]) / sigma;
      // λ only where its count is positive: Φ(−d) may underflow for a pair one side always wins.
      const lamPos = wij > 0 ? normalPdf(d) / normalCdf(d) : 0;
      const lamNeg = wji > 0 ? normalPdf(-d) / normalCdf(-d) : 0;
      const g = (wij * lamPos - wji * lamNeg) / sigma;
      const h = (wij * lamPos * (d + lamPos) + wji * lamNeg * (lamNeg - d)) / (sigma * sigma);
      grad[i] += g;
      grad[j] -= g;
      negHess[i * n + i] += h;
      negHess[j * n + j] += h;
      negHess[i * n + j] -= h;
      negHess[j * n + i] -= h;
    }
  }
}

/** In-place lower Cholesky factor of the SPD matrix a (n × n, row-major, lower triangle used). */
function cholesky(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    // The prior makes −∇² ln p ⪰ I/τ², so d > 0 barring round-off far beyond any realistic count.
    if (!(d > 0)) throw new RangeError('the Thurstone posterior information matrix is not positive definite');
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
}

/** Solve L Lᵀ x = b in place in b. */
function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** out = (L Lᵀ)⁻¹, column by column (work.step as the column buffer). */
function choleskyInverse(l: Float64Array, n: number, out: Float64Array, column: Float64Array): void {
  for (let c = 0; c < n; c++) {
    column.fill(0);
    column[c] = 1;
    choleskySolveInPlace(l, n, column);
    for (let r = 0; r < n; r++) out[r * n + c] = column[r];
  }
  // Symmetrize: the two triangles differ by round-off only.
  for (let r = 0; r < n; r++) {
    for (let c = r + 1; c < n; c++) {
      const v = 0.5 * (out[r * n + c] + out[c * n + r]);
      out[r * n + c] = v;
      out[c * n + r] = v;
    }
  }
}

/**
 * Refit the Laplace posterior: Newton from `mean` to the MAP (stops when no score moves more than
 * `tolerance`), then `covariance` = H⁻¹ at the final point.
 */
export function fitThurstonePosterior(
  wins: Float64Array,
  n: number,
  priorVariance: number,
  mean: Float64Array,
  covariance: Float64Array,
  work: ThurstonePosteriorWork,
  tolerance: number,
  maxIterations: number,
): ThurstonePosteriorFit {
  const { grad, negHess, step, trial } = work;
  let lp = thurstoneLogPosterior(wins, n, priorVariance, mean);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    gradientAndNegHessian(wins, n, priorVariance, mean, work);
    cholesky(negHess, n);
    step.set(grad);
    choleskySolveInPlace(negHess, n, step);
    let slope = 0;
    for (let k = 0; k < n; k++) slope += grad[k] * step[k];
    let t = 1;
    let next = -Infinity;
    for (let halving = 0; halving <= MAX_HALVINGS; halving++) {
      for (let k = 0; k < n; k++) trial[k] = mean[k] + t * step[k];
      next = thurstoneLogPosterior(wins, n, priorVariance, trial);
      if (next >= lp + ARMIJO_C * t * slope) break;
      t /= 2;
    }
    let maxMove = 0;
    for (let k = 0; k < n; k++) maxMove = Math.max(maxMove, Math.abs(trial[k] - mean[k]));
    if (next >= lp) {
      mean.set(trial);
      lp = next;
    }
    if (maxMove <= tolerance) {
      converged = true;
      break;
    }
  }
  // The covariance at the accepted point (the last Hessian may be one step behind).
  gradientAndNegHessian(wins, n, priorVariance, mean, work);
  cholesky(negHess, n);
  choleskyInverse(negHess, n, covariance, step);
  return { iterations, converged };
}
