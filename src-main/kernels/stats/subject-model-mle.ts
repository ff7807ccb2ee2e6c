/**
 * Maximum-likelihood subject model of ITU-T P.913 (06/2021) clause 12.6 (also in ITU-T P.910 Annex E), the
 * "MLE_CO" / P.913 model of Netflix SUREAL (Li & Bampis, "Recover subjective quality scores from noisy
 * measurements", DCC 2017; Li, Bampis, Krasula et al., "A simple model for subject behavior in subjective
 * experiments", HVEI 2020):
 *
 *   u_ij = ψ_j + Δ_i + υ_i·X,  X ~ N(0, 1),
 *
 * observer i, stimulus j: ψ_j the true quality of stimulus j, Δ_i the bias and υ_i ≥ 0 the inconsistency of
 * observer i. Input: a RatingMatrix (observers × stimuli, NaN = not rated; rating-matrix.ts), or
 * RepeatedRatings (repeated-ratings.ts) to keep an observer's repeated ratings of a stimulus as separate
 * observations u_ijk of the same ψ_j + Δ_i, as SUREAL does with its repetitions axis: every sum and count
 * below then runs over the ratings (k included), n_i = ratings by i, n_j = ratings of j. With a
 * RatingMatrix, or repetitions = 1, the arithmetic is the one without repetitions.
 *
 * The likelihood is maximized by block-coordinate updates, from ψ = MOS (mean of the ratings given):
 *   Δ_i = mean over j rated by i of (u_ij − ψ_j),
 *   υ_i = √(mean over j of r_ij²),  r_ij = u_ij − ψ_j − Δ_i   (population std, ddof 0: the MLE),
 *   ψ_j = Σ_i w_i (u_ij − Δ_i) / Σ_i w_i over i who rated j,  w_i = 1/(υ_i² + ε),
 * until ‖ψ_k − ψ_{k−1}‖₂ < tolerance. Two solvers reach the same fixed point:
 * - 'alternating-projection' (default): each update exact, in the order of the reference code of P.913
 *   clause 12.6 (SUREAL itut_p913_demo/demo.py: υ, then ψ, then Δ; tolerance 1e-8, at most 1000
 *   iterations, ε = 1e-8).
 * - 'newton-raphson': SUREAL MaximumLikelihoodEstimationModelContentOblivious ('simplified' gradient): Δ,
 *   then a Newton step on ∂ℓ/∂υ_i, then ψ, each damped with refresh rate 0.1 (x ← 0.9·x + 0.1·x_new),
 *   υ clamped at 0; at most 10000 iterations. Deviation from SUREAL, decided here: the ψ/Δ weights carry
 *   the same ε as above, and a Newton step from υ_i = 0 or from a point where ∂²ℓ/∂υ_i² ≥ 0 is replaced by
 *   the exact update √(mean r²) (SUREAL divides by zero or steps uphill there).
 * After convergence the biases are centred (SUREAL force_subjbias_zeromean, also P.913): Δ ← Δ − mean(Δ),
 * ψ ← ψ + mean(Δ) (unweighted mean over observers). υ is then recomputed from the final ψ and Δ, so the
 * Δ and υ equations hold exactly and the ψ equation to within the convergence of the iteration.
 *
 * Uncertainty, as SUREAL reports it (diagonal of the Fisher information at the estimate, not its inverse):
 *   sd(ψ_j) = 1/√(Σ_i w_i),  sd(Δ_i) = 1/√(n_i·w_i),  sd(υ_i) = υ_i/√(2 n_i)   (n_i = ratings by i);
 *   95 % intervals ψ ± z·sd, Δ ± z·sd with z = Φ⁻¹(0.975) = 1.959963984540054 (SUREAL writes 1.95996),
 *   and for υ SUREAL's χ² interval [υ·√(n_i/χ²_{0.975, n_i}), υ·√(n_i/χ²_{0.025, n_i})].
 * That is the ψ interval by default (`psiInterval: 'information'`; SUREAL's MLE_CO and MLE_CO_AP). The
 * variant `psiInterval: 'residual'` is the one of the P.913 clause 12.6 reference code (SUREAL
 * itut_p913_demo/demo.py get_sos_j, and SUREAL's MLE_CO_AP2, SubjectMLEModelProjectionSolver2): from the
 * spread of the residuals of the stimulus itself,
 *   sd(ψ_j) = σ_j/√n_j,  σ_j = population std (ddof 0, mean subtracted) over i who rated j of r_ij = u_ij − ψ_j − Δ_i,
 * n_j = ratings of j; it does not assume that each observer's υ_i holds for every stimulus (a stimulus
 * the observers agree on gets a narrower interval, an ambiguous one a wider one). The reference code takes
 * σ_j from the ψ, Δ before its last update; here it comes from the final ψ, Δ (the same to within the
 * convergence tolerance). No ε: σ_j = 0 gives a zero-width interval, as in the reference.
 * logLikelihood = Σ_ij ln N(u_ij; ψ_j + Δ_i, υ_i² + ε) (SUREAL reports it divided by the number of ratings:
 * `logLikelihoodPerRating`).
 *
 * Decided edge cases: the MLE is a stationary point found from the MOS start, not the global maximum (the
 * likelihood is unbounded: an observer can "become" ψ with υ → 0). An observer with fewer than 2 ratings,
 * fewer than 2 observers, a stimulus nobody rated, ±∞ ratings, or an observer–stimulus graph that falls into
 * separate groups (their biases are then not comparable) → RangeError. Identical ratings give υ = 0, kept
 * finite by ε.
 */
import { chiSquareQuantile } from './chi-square-distribution';
import { normalTwoSidedCritical } from './normal-distribution';
import { type RatingMatrix } from './rating-matrix';
import { checkRepeatedRatings, withoutRepetitions, type RepeatedRatings } from './repeated-ratings';

export type SubjectModelSolver = 'alternating-projection' | 'newton-raphson';
/** How sd(ψ_j) is formed: the Fisher information (default) or the stimulus's own residuals (P.913 reference code). */
export const PSI_INTERVALS = ['information', 'residual'] as const;
export type PsiInterval = (typeof PSI_INTERVALS)[number];

/** P.913 reference code and SUREAL: stop when ‖Δψ‖₂ < 1e-8. */
export const SUBJECT_MODEL_DEFAULT_TOLERANCE = 1e-8;
/** Added to υ_i² in the weights (the P.913 reference code's EPSILON), so that υ_i = 0 stays finite. */
export const SUBJECT_MODEL_DEFAULT_VARIANCE_FLOOR = 1e-8;
/** SUREAL's REFRESH_RATE for the damped Newton–Raphson solver. */
export const SUBJECT_MODEL_DEFAULT_REFRESH_RATE = 0.1;
const DEFAULT_MAX_ITERATIONS: Readonly<Record<SubjectModelSolver, number>> = {
  'alternating-projection': 1000,
  'newton-raphson': 10000,
};
const HALF_LOG_2PI = 0.9189385332046728;
/** Two-sided 95 %: z_{0.975}, and the χ² tail probabilities of SUREAL's υ interval. */
const CONFIDENCE = 0.95;

export interface SubjectModelOptions {
  readonly solver?: SubjectModelSolver;
  /** Stop when the Euclidean norm of the change of ψ in one iteration is below this. Default 1e-8. */
  readonly tolerance?: number;
  /** Default 1000 (alternating projection) / 10000 (Newton–Raphson), as the references. */
  readonly maxIterations?: number;
  /** ε added to υ² in the weights and the likelihood. Default 1e-8. */
  readonly varianceFloor?: number;
  /** Damping of the Newton–Raphson solver, 0 < ρ ≤ 1. Default 0.1. */
  readonly refreshRate?: number;
  /** sd(ψ_j) and its interval: 'information' (default) or 'residual'. */
  readonly psiInterval?: PsiInterval;
}

/** Interval end points (not half-widths: the υ interval is asymmetric). */
export interface IntervalArrays {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

export interface SubjectModelResult {
  /** ψ_j per stimulus (the recovered quality, on the rating scale). */
  readonly psi: Float64Array;
  /** sd(ψ_j) as `psiInterval` says. */
  readonly psiStd: Float64Array;
  readonly psiCi95: IntervalArrays;
  readonly psiInterval: PsiInterval;
  /** Δ_i per observer, mean 0. */
  readonly bias: Float64Array;
  readonly biasStd: Float64Array;
  readonly biasCi95: IntervalArrays;
  /** υ_i per observer. */
  readonly inconsistency: Float64Array;
  readonly inconsistencyStd: Float64Array;
  readonly inconsistencyCi95: IntervalArrays;
  readonly ratingsPerObserver: Uint32Array;
  readonly ratingsPerStimulus: Uint32Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** ‖Δψ‖₂ of the last iteration. */
  readonly finalChange: number;
  readonly logLikelihood: number;
  readonly logLikelihoodPerRating: number;
  readonly solver: SubjectModelSolver;
  readonly tolerance: number;
  readonly varianceFloor: number;
}

interface Layout {
  readonly observers: number;
  readonly stimuli: number;
  /** values[(o · stimuli + s) · reps + k]: observer o's k-th rating of stimulus s (reps = 1 for a RatingMatrix). */
  readonly values: Float64Array;
  readonly reps: number;
  readonly perObserver: Uint32Array;
  readonly perStimulus: Uint32Array;
  readonly total: number;
}

function validate(input: RatingMatrix | RepeatedRatings): Layout {
  const m: RepeatedRatings = 'repetitions' in input ? input : withoutRepetitions(input);
  checkRepeatedRatings(m);
  const { observers, stimuli, values } = m;
  const reps = m.repetitions;
  if (observers < 2) throw new RangeError(`the subject model needs at least 2 observers, got ${observers}`);
  const perObserver = new Uint32Array(observers);
  const perStimulus = new Uint32Array(stimuli);
  let total = 0;
  for (let o = 0; o < observers; o++) {
    for (let s = 0; s < stimuli; s++) {
      for (let k = 0; k < reps; k++) {
        const v = values[(o * stimuli + s) * reps + k];
        if (Number.isNaN(v)) continue;
        if (!Number.isFinite(v)) throw new RangeError(`rating of stimulus ${s} by observer ${o} is ${v}; use NaN for "not rated"`);
        perObserver[o]++;
        perStimulus[s]++;
        total++;
      }
    }
  }
  for (let o = 0; o < observers; o++) {
    if (perObserver[o] < 2) {
      throw new RangeError(`observer ${o} rated ${perObserver[o]} stimuli; bias and inconsistency need at least 2 ratings per observer`);
    }
  }
  for (let s = 0; s < stimuli; s++) {
    if (perStimulus[s] === 0) throw new RangeError(`stimulus ${s} has no ratings`);
  }
  checkConnected(observers, stimuli, values, reps);
  return { observers, stimuli, values, reps, perObserver, perStimulus, total };
}

/** The bipartite observer–stimulus graph (edge = a rating) must be connected, else biases are not comparable. */
function checkConnected(observers: number, stimuli: number, values: Float64Array, reps: number): void {
  const rated = (o: number, s: number) => {
    for (let k = 0; k < reps; k++) if (!Number.isNaN(values[(o * stimuli + s) * reps + k])) return true;
    return false;
  };
  const seenObserver = new Uint8Array(observers);
  const seenStimulus = new Uint8Array(stimuli);
  const queue: number[] = [0]; // observers as o, stimuli as observers + s
  seenObserver[0] = 1;
  let reachedObservers = 1;
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    if (node < observers) {
      for (let s = 0; s < stimuli; s++) {
        if (!seenStimulus[s] && rated(node, s)) {
          seenStimulus[s] = 1;
          queue.push(observers + s);
        }
      }
    } else {
      const s = node - observers;
      for (let o = 0; o < observers; o++) {
        if (!seenObserver[o] && rated(o, s)) {
          seenObserver[o] = 1;
          reachedObservers++;
          queue.push(o);
        }
      }
    }
  }
  if (reachedObservers < observers) {
    const apart: number[] = [];
    for (let o = 0; o < observers; o++) if (!seenObserver[o]) apart.push(o);
    throw new RangeError(
      `the observers fall into groups that rated no stimulus in common (observers ${apart.join(', ')} are not linked to observer 0); their biases cannot be compared`,
    );
  }
}

/** Δ_i = mean over rated j of (u_ij − ψ_j) into `out` (damped when rate < 1). */
function updateBias(l: Layout, psi: Float64Array, out: Float64Array, rate: number): void {
  const { observers, stimuli, values, reps } = l;
  for (let o = 0; o < observers; o++) {
    let sum = 0;
    for (let s = 0; s < stimuli; s++) {
      for (let k = 0; k < reps; k++) {
        const v = values[(o * stimuli + s) * reps + k];
        if (!Number.isNaN(v)) sum += v - psi[s];
      }
    }
    const next = sum / l.perObserver[o];
    out[o] = rate === 1 ? next : (1 - rate) * out[o] + rate * next;
  }
}

/** Population std over rated j of r_ij = u_ij − ψ_j − Δ_i (mean of r subtracted, as numpy.nanstd). */
function residualStd(l: Layout, psi: Float64Array, bias: Float64Array, o: number): { std: number; meanSquare: number } {
  const { stimuli, values, reps } = l;
  let sum = 0;
  let sumSq = 0;
  for (let s = 0; s < stimuli; s++) {
    for (let k = 0; k < reps; k++) {
      const v = values[(o * stimuli + s) * reps + k];
      if (Number.isNaN(v)) continue;
      const r = v - psi[s] - bias[o];
      sum += r;
      sumSq += r * r;
    }
  }
  const n = l.perObserver[o];
  const mean = sum / n;
  let ss = 0;
  for (let s = 0; s < stimuli; s++) {
    for (let k = 0; k < reps; k++) {
      const v = values[(o * stimuli + s) * reps + k];
      if (Number.isNaN(v)) continue;
      const d = v - psi[s] - bias[o] - mean;
      ss += d * d;
    }
  }
  return { std: Math.sqrt(ss / n), meanSquare: sumSq / n };
}

/** σ_j: population std over the observers who rated j of r_ij = u_ij − ψ_j − Δ_i (mean subtracted, as numpy.nanstd). */
function stimulusResidualStd(l: Layout, psi: Float64Array, bias: Float64Array, s: number): number {
  const { observers, stimuli, values, reps } = l;
  let sum = 0;
  for (let o = 0; o < observers; o++) {
    for (let k = 0; k < reps; k++) {
      const v = values[(o * stimuli + s) * reps + k];
      if (!Number.isNaN(v)) sum += v - psi[s] - bias[o];
    }
  }
  const n = l.perStimulus[s];
  const mean = sum / n;
  let ss = 0;
  for (let o = 0; o < observers; o++) {
    for (let k = 0; k < reps; k++) {
      const v = values[(o * stimuli + s) * reps + k];
      if (!Number.isNaN(v)) ss += (v - psi[s] - bias[o] - mean) ** 2;
    }
  }
  return Math.sqrt(ss / n);
}

/** ψ_j = Σ_i w_i (u_ij − Δ_i) / Σ_i w_i into `out` (damped when rate < 1). */
function updatePsi(l: Layout, bias: Float64Array, upsilon: Float64Array, eps: number, out: Float64Array, rate: number): void {
  const { observers, stimuli, values, reps } = l;
  for (let s = 0; s < stimuli; s++) {
    let num = 0;
    let den = 0;
    for (let o = 0; o < observers; o++) {
      for (let k = 0; k < reps; k++) {
        const v = values[(o * stimuli + s) * reps + k];
        if (Number.isNaN(v)) continue;
        const w = 1 / (upsilon[o] * upsilon[o] + eps);
        num += w * (v - bias[o]);
        den += w;
      }
    }
    const next = num / den;
    out[s] = rate === 1 ? next : (1 - rate) * out[s] + rate * next;
  }
}

function mosStart(l: Layout): Float64Array {
  const { observers, stimuli, values, reps } = l;
  const psi = new Float64Array(stimuli);
  for (let s = 0; s < stimuli; s++) {
    let sum = 0;
    for (let o = 0; o < observers; o++) {
      for (let k = 0; k < reps; k++) {
        const v = values[(o * stimuli + s) * reps + k];
        if (!Number.isNaN(v)) sum += v;
      }
    }
    psi[s] = sum / l.perStimulus[s];
  }
  return psi;
}

function changeNorm(a: Float64Array, b: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < a.length; i++) ss += (a[i] - b[i]) ** 2;
  return Math.sqrt(ss);
}

interface RawSolution {
  psi: Float64Array;
  bias: Float64Array;
  iterations: number;
  converged: boolean;
  finalChange: number;
}

/** P.913 clause 12.6 reference order: υ from (ψ, Δ); ψ from (Δ, υ); Δ from ψ. */
function solveAlternatingProjection(l: Layout, eps: number, tolerance: number, maxIterations: number): RawSolution {
  const psi = mosStart(l);
  const bias = new Float64Array(l.observers);
  updateBias(l, psi, bias, 1);
  const upsilon = new Float64Array(l.observers);
  const prev = new Float64Array(l.stimuli);
  let iterations = 0;
  let change = Infinity;
  while (iterations < maxIterations) {
    prev.set(psi);
    for (let o = 0; o < l.observers; o++) upsilon[o] = residualStd(l, psi, bias, o).std;
    updatePsi(l, bias, upsilon, eps, psi, 1);
    updateBias(l, psi, bias, 1);
    iterations++;
    change = changeNorm(psi, prev);
    if (change < tolerance) break;
  }
  return { psi, bias, iterations, converged: change < tolerance, finalChange: change };
}

/** SUREAL MLE_CO ('simplified'): damped Δ, Newton step on υ, damped ψ, in that order. */
function solveNewtonRaphson(l: Layout, eps: number, tolerance: number, maxIterations: number, rate: number): RawSolution {
  const { observers, stimuli, values, reps } = l;
  const psi = mosStart(l);
  const bias = new Float64Array(observers);
  const upsilon = new Float64Array(observers);
  // SUREAL's start: υ_i = std over j of (u_ij − MOS_j), ddof 0, with Δ = 0.
  for (let o = 0; o < observers; o++) upsilon[o] = residualStd(l, psi, bias, o).std;
  const prev = new Float64Array(stimuli);
  let iterations = 0;
  let change = Infinity;
  while (iterations < maxIterations) {
    prev.set(psi);
    updateBias(l, psi, bias, rate);
    for (let o = 0; o < observers; o++) {
      const v = upsilon[o];
      let first = 0;
      let second = 0;
      let sumSq = 0;
      for (let s = 0; s < stimuli; s++) {
        for (let k = 0; k < reps; k++) {
          const u = values[(o * stimuli + s) * reps + k];
          if (Number.isNaN(u)) continue;
          const a2 = (u - psi[s] - bias[o]) ** 2;
          sumSq += a2;
          // ∂/∂υ and ∂²/∂υ² of ln N(a; 0, υ²).
          first += -1 / v + a2 / (v * v * v);
          second += 1 / (v * v) - (3 * a2) / (v * v * v * v);
        }
      }
      const exact = Math.sqrt(sumSq / l.perObserver[o]);
      const newton = v > 0 && second < 0 && Number.isFinite(first / second) ? v - first / second : exact;
      upsilon[o] = Math.max(0, (1 - rate) * v + rate * newton);
    }
    updatePsi(l, bias, upsilon, eps, psi, rate);
    iterations++;
    change = changeNorm(psi, prev);
    if (change < tolerance) break;
  }
  return { psi, bias, iterations, converged: change < tolerance, finalChange: change };
}

export function fitSubjectModel(m: RatingMatrix | RepeatedRatings, options: SubjectModelOptions = {}): SubjectModelResult {
  const solver = options.solver ?? 'alternating-projection';
  const tolerance = options.tolerance ?? SUBJECT_MODEL_DEFAULT_TOLERANCE;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS[solver];
  const eps = options.varianceFloor ?? SUBJECT_MODEL_DEFAULT_VARIANCE_FLOOR;
  const rate = options.refreshRate ?? SUBJECT_MODEL_DEFAULT_REFRESH_RATE;
  if (solver !== 'alternating-projection' && solver !== 'newton-raphson') throw new RangeError(`unknown solver ${String(solver)}`);
  if (!(tolerance > 0)) throw new RangeError(`tolerance must be > 0, got ${tolerance}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError(`maxIterations must be a positive integer, got ${maxIterations}`);
  if (!(eps > 0) || !Number.isFinite(eps)) throw new RangeError(`varianceFloor must be a finite number > 0, got ${eps}`);
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`refreshRate must be in (0, 1], got ${rate}`);
  const psiInterval = options.psiInterval ?? 'information';
  if (psiInterval !== 'information' && psiInterval !== 'residual') throw new RangeError(`unknown psiInterval ${String(psiInterval)}`);
  const l = validate(m);
  const raw =
    solver === 'alternating-projection'
      ? solveAlternatingProjection(l, eps, tolerance, maxIterations)
      : solveNewtonRaphson(l, eps, tolerance, maxIterations, rate);
  const { psi, bias } = raw;
  const { observers, stimuli, values, reps, perObserver, perStimulus } = l;

  let meanBias = 0;
  for (let o = 0; o < observers; o++) meanBias += bias[o];
  meanBias /= observers;
  for (let o = 0; o < observers; o++) bias[o] -= meanBias;
  for (let s = 0; s < stimuli; s++) psi[s] += meanBias;

  const inconsistency = new Float64Array(observers);
  for (let o = 0; o < observers; o++) inconsistency[o] = Math.sqrt(residualStd(l, psi, bias, o).meanSquare);

  const z = normalTwoSidedCritical(CONFIDENCE);
  const psiStd = new Float64Array(stimuli);
  const psiLower = new Float64Array(stimuli);
  const psiUpper = new Float64Array(stimuli);
  for (let s = 0; s < stimuli; s++) {
    if (psiInterval === 'residual') {
      psiStd[s] = stimulusResidualStd(l, psi, bias, s) / Math.sqrt(perStimulus[s]);
    } else {
      let info = 0;
      for (let o = 0; o < observers; o++) {
        for (let k = 0; k < reps; k++) if (!Number.isNaN(values[(o * stimuli + s) * reps + k])) info += 1 / (inconsistency[o] ** 2 + eps);
      }
      psiStd[s] = 1 / Math.sqrt(info);
    }
    psiLower[s] = psi[s] - z * psiStd[s];
    psiUpper[s] = psi[s] + z * psiStd[s];
  }
  const biasStd = new Float64Array(observers);
  const biasLower = new Float64Array(observers);
  const biasUpper = new Float64Array(observers);
  const inconsistencyStd = new Float64Array(observers);
  const inconsistencyLower = new Float64Array(observers);
  const inconsistencyUpper = new Float64Array(observers);
  const chiByN = new Map<number, [number, number]>();
  let logLikelihood = 0;
  for (let o = 0; o < observers; o++) {
    const n = perObserver[o];
    const variance = inconsistency[o] ** 2 + eps;
    biasStd[o] = Math.sqrt(variance / n);
    biasLower[o] = bias[o] - z * biasStd[o];
    biasUpper[o] = bias[o] + z * biasStd[o];
    inconsistencyStd[o] = inconsistency[o] / Math.sqrt(2 * n);
    let chi = chiByN.get(n);
    if (!chi) {
      chi = [chiSquareQuantile((1 + CONFIDENCE) / 2, n), chiSquareQuantile((1 - CONFIDENCE) / 2, n)];
      chiByN.set(n, chi);
    }
    inconsistencyLower[o] = inconsistency[o] * Math.sqrt(n / chi[0]);
    inconsistencyUpper[o] = inconsistency[o] * Math.sqrt(n / chi[1]);
    for (let s = 0; s < stimuli; s++) {
      for (let k = 0; k < reps; k++) {
        const u = values[(o * stimuli + s) * reps + k];
        if (Number.isNaN(u)) continue;
        const r = u - psi[s] - bias[o];
        logLikelihood += -HALF_LOG_2PI - 0.5 * Math.log(variance) - (r * r) / (2 * variance);
      }
    }
  }
  return {
    psi,
    psiStd,
    psiCi95: { lower: psiLower, upper: psiUpper },
    psiInterval,
    bias,
    biasStd,
    biasCi95: { lower: biasLower, upper: biasUpper },
    inconsistency,
    inconsistencyStd,
    inconsistencyCi95: { lower: inconsistencyLower, upper: inconsistencyUpper },
    ratingsPerObserver: perObserver,
    ratingsPerStimulus: perStimulus,
    iterations: raw.iterations,
    converged: raw.converged,
    finalChange: raw.finalChange,
    logLikelihood,
    logLikelihoodPerRating: logLikelihood / l.total,
    solver,
    tolerance,
    varianceFloor: eps,
  };
}
