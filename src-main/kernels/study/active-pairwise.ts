/**
 * Active pairwise-comparison sampling: the next pair is the one whose answer is expected to tell the most
 * about the quality scale, chosen live from the answers so far (ASAP: Mikhailiuk, Wilmot, Perez-Ortiz, Yue &
 * Mantiuk 2021, "Active sampling for pairwise comparisons via approximate message passing and information
 * gain maximization", ICPR 2020; reference code github.com/gfxdisp/asap — read, not ported).
 *
 * What is implemented (see docs/active-pairwise.md):
 * - Model: Thurstone Case V in JND units, P(i ≻ j) = Φ((q_i − q_j)/σ), σ = THURSTONE_JND_SIGMA, the model and
 *   unit of scalePairwise (stats/pairwise-scaling.ts); a tie is half a win each way, as there.
 * - Posterior: Gaussian, by Laplace's method around the MAP with an independent N(0, τ²) prior per condition,
 *   full covariance (thurstone-posterior.ts). It is refitted from the count matrix after every answer, so it
 *   does not depend on the order of the answers (ASAP's TrueSkill message passing does, slightly).
 * - Criterion: ASAP's expected KL divergence from the current posterior to the posterior after the
 *   comparison, in closed form per pair (active-information-gain.ts); every pair is scored (ASAP's exact
 *   variant) unless `maxCandidates` caps it, then that many random pairs are (a cheaper, cruder stand-in for
 *   ASAP's "selective EIG", which samples pairs by their predicted closeness). Batch mode: `nextBatch`
 *   gives ASAP's spanning tree of pairs (maximum total EIG), all scored on the same posterior.
 *
 * API (import as a namespace: `import * as activePairwise from '…/active-pairwise'`):
 *   createState(n, options) → state with no answers;  stateFromCounts(wins, options) → resume from counts;
 *   update(state, i, j, outcome) records one answer and refits (mutates `state`; no allocation);
 *   nextPair(state, rng) → [i, j], i < j, the highest EIG, ties broken by the RNG (show the two sides in a
 *   random order: the pair's order carries no meaning);
 *   scores(state) → mean-0 scores in JND with posterior standard errors;
 *   informationGain(state, i, j) → the EIG in nats of comparing i with j now.
 * Cost per update: O(pairs + n³) (a few Newton steps and one n × n inverse), per nextPair O(pairs) with no
 * allocation per candidate; measured at n = 50 on a busy 2-core machine: update 4.6 ms, nextPair 1.8 ms.
 */
import type { Rng } from '../stats/rng';
import { comparisonInformationGain } from './active-information-gain';
import { createThurstonePosteriorWork, fitThurstonePosterior, type ThurstonePosteriorWork } from './thurstone-posterior';

/** 'i': the first condition was preferred, 'j': the second, 'tie': no preference (half a win each). */
export type PairOutcome = 'i' | 'j' | 'tie';

export interface ActivePairwiseOptions {
  /**
   * Prior standard deviation τ of each score, in JND. Default 2 (ASAP's prior variance 0.5 in its unit of
   * the comparison noise is ≈ 1.05 JND). Chosen on simulated observers (test/kernels/study/
   * active-pairwise.test.ts, docs/active-pairwise.md): with a vague prior (τ ≥ 3) greedy selection inflates
   * score differences that look large by chance (those pairs are then no longer compared) and active
   * sampling loses to the full design; τ = 1.5–2 keeps that in check. It also shrinks the scores: set it
   * near the expected spread (sd) of the conditions' true scores.
   */
  readonly priorSd?: number;
  /** Newton stops when no score moves more than this. Default 1e-9 JND. */
  readonly tolerance?: number;
  /** Default 100 (Newton converges in a handful from the previous MAP). */
  readonly maxIterations?: number;
}

export interface ActivePairwiseState {
  readonly conditions: number;
  readonly priorSd: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  /** Row-major n × n, wins[i·n + j] = times i was preferred over j, ties as ½ each. Read only. */
  readonly wins: Float64Array;
  /** MAP scores (prior mean 0, not re-centred). Read only; use scores(). */
  readonly mean: Float64Array;
  /** Posterior covariance H⁻¹, n × n. Read only. */
  readonly covariance: Float64Array;
  /** Answers recorded (a tie counts once). */
  readonly comparisons: number;
  /** Whether the last refit met the tolerance. */
  readonly converged: boolean;
  readonly work: ThurstonePosteriorWork;
}

type MutableState = { -readonly [K in keyof ActivePairwiseState]: ActivePairwiseState[K] };

export interface NextPairOptions {
  /**
   * Score at most this many candidate pairs, drawn uniformly at random (with replacement), instead of all
   * n(n−1)/2. Default Infinity (all pairs). For large n, where O(n²) per choice is too slow.
   */
  readonly maxCandidates?: number;
}

export interface ActivePairwiseScores {
  readonly unit: 'jnd';
  /** Posterior mean scores, shifted to mean 0 (scalePairwise's 'mean0' anchor). */
  readonly scores: Float64Array;
  /** Posterior sd of q_i − mean(q), the uncertainty of each mean-0 score. */
  readonly standardError: Float64Array;
  readonly comparisons: number;
}

/** EIGs within this relative distance of the best are ties, broken by the RNG (equal up to round-off). */
const EIG_TIE_RELATIVE = 1e-12;
const DEFAULT_PRIOR_SD = 2;
const DEFAULT_TOLERANCE = 1e-9;
const DEFAULT_MAX_ITERATIONS = 100;

function resolveOptions(options: ActivePairwiseOptions): { priorSd: number; tolerance: number; maxIterations: number } {
  const priorSd = options.priorSd ?? DEFAULT_PRIOR_SD;
  if (!(priorSd > 0) || !Number.isFinite(priorSd)) throw new RangeError(`priorSd must be a finite number > 0, got ${priorSd}`);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (!(tolerance > 0)) throw new RangeError(`tolerance must be > 0, got ${tolerance}`);
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError(`maxIterations must be a positive integer, got ${maxIterations}`);
  return { priorSd, tolerance, maxIterations };
}

/** A state with no answers: every score N(0, τ²), so every pair has the same EIG. */
export function createState(n: number, options: ActivePairwiseOptions = {}): ActivePairwiseState {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`active sampling needs at least 2 conditions, got ${n}`);
  const { priorSd, tolerance, maxIterations } = resolveOptions(options);
  const covariance = new Float64Array(n * n);
  for (let i = 0; i < n; i++) covariance[i * n + i] = priorSd * priorSd;
  return {
    conditions: n,
    priorSd,
    tolerance,
    maxIterations,
    wins: new Float64Array(n * n),
    mean: new Float64Array(n),
    covariance,
    comparisons: 0,
    converged: true,
    work: createThurstonePosteriorWork(n),
  };
}

/** A state holding the answers in a count matrix (wins[i][j], ties as ½ each, diagonal 0), e.g. to resume a session. */
export function stateFromCounts(wins: ArrayLike<ArrayLike<number>>, options: ActivePairwiseOptions = {}): ActivePairwiseState {
  const n = wins.length;
  const state = createState(n, options) as MutableState;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = wins[i];
    if (row.length !== n) throw new RangeError(`the comparison matrix must be square: row ${i} has ${row.length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`wins[${i}][${j}] must be a finite count ≥ 0, got ${String(v)}`);
      if (i === j && v !== 0) throw new RangeError(`wins[${i}][${i}] must be 0 (a condition is not compared with itself), got ${v}`);
      state.wins[i * n + j] = v;
      total += v;
    }
  }
  state.comparisons = total;
  if (total > 0) refit(state);
  return state;
}

function refit(state: MutableState): void {
  const fit = fitThurstonePosterior(
    state.wins,
    state.conditions,
    state.priorSd * state.priorSd,
    state.mean,
    state.covariance,
    state.work,
    state.tolerance,
    state.maxIterations,
  );
  state.converged = fit.converged;
}

function checkPair(state: ActivePairwiseState, i: number, j: number): void {
  const n = state.conditions;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`condition i must be an integer in [0, ${n}), got ${i}`);
  if (!Number.isInteger(j) || j < 0 || j >= n) throw new RangeError(`condition j must be an integer in [0, ${n}), got ${j}`);
  if (i === j) throw new RangeError(`a condition is not compared with itself (i = j = ${i})`);
}

/** Record one answer about the pair (i, j) and refit the posterior. Mutates `state`. */
export function update(state: ActivePairwiseState, i: number, j: number, outcome: PairOutcome): void {
  checkPair(state, i, j);
  const n = state.conditions;
  const s = state as MutableState;
  if (outcome === 'i') s.wins[i * n + j] += 1;
  else if (outcome === 'j') s.wins[j * n + i] += 1;
  else if (outcome === 'tie') {
    s.wins[i * n + j] += 0.5;
    s.wins[j * n + i] += 0.5;
  } else throw new RangeError(`outcome must be 'i', 'j' or 'tie', got ${String(outcome)}`);
  s.comparisons += 1;
  refit(s);
}

/** EIG (nats) of comparing i with j given the answers so far. */
export function informationGain(state: ActivePairwiseState, i: number, j: number): number {
  checkPair(state, i, j);
  return pairGain(state, i, j);
}

function pairGain(state: ActivePairwiseState, i: number, j: number): number {
  const n = state.conditions;
  const { mean, covariance } = state;
  const varDiff = covariance[i * n + i] + covariance[j * n + j] - 2 * covariance[i * n + j];
  return comparisonInformationGain(mean[i] - mean[j], varDiff);
}

/**
 * The pair (i < j) to show next: the highest expected information gain over all pairs (or over
 * `maxCandidates` random ones), ties broken uniformly by `rng`. Does not change the state.
 */
export function nextPair(state: ActivePairwiseState, rng: Rng, options: NextPairOptions = {}): [number, number] {
  const n = state.conditions;
  const pairs = (n * (n - 1)) / 2;
  const maxCandidates = options.maxCandidates ?? Infinity;
  if (!(maxCandidates >= 1)) throw new RangeError(`maxCandidates must be ≥ 1, got ${maxCandidates}`);
  let bestGain = -Infinity;
  let bestI = -1;
  let bestJ = -1;
  let tied = 0;
  const consider = (i: number, j: number): void => {
    const gain = pairGain(state, i, j);
    if (gain > bestGain * (1 + EIG_TIE_RELATIVE) || bestI < 0) {
      bestGain = gain;
      bestI = i;
      bestJ = j;
      tied = 1;
    } else if (gain >= bestGain * (1 - EIG_TIE_RELATIVE)) {
      // Reservoir sampling: each of the `tied` equal pairs ends up chosen with probability 1/tied.
      tied++;
      if (rng.nextInt(tied) === 0) {
        bestI = i;
        bestJ = j;
      }
    }
  };
  if (maxCandidates >= pairs) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) consider(i, j);
  } else {
    const draws = Math.floor(maxCandidates);
    for (let k = 0; k < draws; k++) {
      const a = rng.nextInt(n);
      let b = rng.nextInt(n - 1);
      if (b >= a) b++;
      if (a < b) consider(a, b);
      else consider(b, a);
    }
  }
  return [bestI, bestJ];
}

/**
 * A batch of n − 1 pairs for the next round (ASAP's batch mode): the spanning tree of the conditions with
 * the largest total EIG (ASAP: the minimum spanning tree of 1/EIG, the same tree when EIGs are distinct),
 * by Prim's algorithm on the dense graph, O(n²). Every condition appears in the batch, so a round can
 * never leave a condition out, and the EIGs are all taken from the same posterior (the batch does not
 * account for the answers within it). Ties between equal EIGs are broken by `rng`. Pairs come as [i < j],
 * in the order Prim's algorithm adds them (highest EIG edge first is not guaranteed): shuffle for display.
 */
export function nextBatch(state: ActivePairwiseState, rng: Rng): Array<[number, number]> {
  const n = state.conditions;
  const inTree = new Uint8Array(n);
  const bestGain = new Float64Array(n).fill(-Infinity);
  const bestFrom = new Int32Array(n).fill(-1);
  const batch: Array<[number, number]> = [];
  let current = rng.nextInt(n);
  inTree[current] = 1;
  for (let added = 1; added < n; added++) {
    for (let v = 0; v < n; v++) {
      if (inTree[v]) continue;
      const gain = pairGain(state, Math.min(current, v), Math.max(current, v));
      if (gain > bestGain[v]) {
        bestGain[v] = gain;
        bestFrom[v] = current;
      }
    }
    let pick = -1;
    let pickGain = -Infinity;
    let tied = 0;
    for (let v = 0; v < n; v++) {
      if (inTree[v]) continue;
      const gain = bestGain[v];
      if (pick < 0 || gain > pickGain * (1 + EIG_TIE_RELATIVE)) {
        pick = v;
        pickGain = gain;
        tied = 1;
      } else if (gain >= pickGain * (1 - EIG_TIE_RELATIVE)) {
        tied++;
        if (rng.nextInt(tied) === 0) pick = v;
      }
    }
    inTree[pick] = 1;
    const from = bestFrom[pick];
    batch.push(from < pick ? [from, pick] : [pick, from]);
    current = pick;
  }
  return batch;
}

/** Mean-0 posterior scores (JND) with standard errors: sd of q_i − q̄ under N(μ, Σ), i.e. √(CΣC)_ii, C = I − 11ᵀ/n. */
export function scores(state: ActivePairwiseState): ActivePairwiseScores {
  const n = state.conditions;
  const { mean, covariance } = state;
  let meanOfMeans = 0;
  for (let i = 0; i < n; i++) meanOfMeans += mean[i];
  meanOfMeans /= n;
  const rowMean = new Float64Array(n);
  let grandMean = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += covariance[i * n + j];
    rowMean[i] = s / n;
    grandMean += s;
  }
  grandMean /= n * n;
  const out = new Float64Array(n);
  const standardError = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = mean[i] - meanOfMeans;
    standardError[i] = Math.sqrt(Math.max(0, covariance[i * n + i] - 2 * rowMean[i] + grandMean));
  }
  return { unit: 'jnd', scores: out, standardError, comparisons: state.comparisons };
}
