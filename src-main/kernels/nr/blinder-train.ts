/**
 * Training of a BLINDER-style no-reference predictor (Gao, Yu, Tao et al., "Blind image quality
 * prediction by exploiting multi-level deep representations", Pattern Recognition 81, 2018): each
 * level of a pretrained network gives one pooled feature vector per stimulus; one RBF support vector
 * regression per level is fitted to the subjective scores, and the level predictions are combined
 * (the paper averages them; a linear stack fitted on inner-fold predictions is offered as an option).
 *
 * Contract:
 * - Data: per level an n × d row-major Float64Array, a target per stimulus (MOS or DMOS, any scale),
 *   and a group per stimulus (its source content, so that folds never split one content).
 * - Standardisation: features (per dimension) and the target are centred and scaled on the training
 *   samples only, never on the samples they are evaluated on; a constant dimension gets scale 1.
 * - Hyper-parameters (C, γ, and ε or ν) per level: the grid point with the least mean squared error of
 *   inner K-fold out-of-fold predictions (inner folds split by group too, seeded); ties keep the first
 *   grid point in C, γ, ε/ν order. γ is given relative to the dimension (γ = s / d), because the
 *   squared distance between two standardised d-vectors grows with d.
 * - Combination: 'mean' (weights 1/L) or 'stack' (least squares of the target on the levels' inner
 *   out-of-fold predictions, with a small ridge STACK_RIDGE · n on the weights, not the intercept).
 * - Determinism: fold assignment comes from the seeded generator of stats/rng.ts over the sorted group
 *   names, so the same seed and data give the same folds, hyper-parameters and models.
 *
 * Pure: the SVR solver is injected (kernels/nr/svr.ts); workers/nr-train.worker.ts runs these
 * functions with libsvm, one level of one fold per task.
 */
import { createRng } from '../stats/rng';
import { solveLeastSquaresInPlace } from '../stats/least-squares-qr';
import type { NrCombine, CombinationRecord, StandardisationRecord, TrainedLevelRecord, TrainedPredictorRecord } from '../../common/nr-predictor';
import type { SvrBackend, SvrModel, SvrParams, SvrType } from './svr';

export type Combine = NrCombine;

export interface LevelMatrix {
  readonly name: string;
  readonly dims: number;
  /** n × dims, row-major. */
  readonly values: Float64Array;
}

export interface SvrGrid {
  readonly C: readonly number[];
  /** γ = s / d for each s. */
  readonly gammaScale: readonly number[];
  readonly epsilon: readonly number[];
  readonly nu: readonly number[];
}

/**
 * The default search: C over 2^-1 … 2^5, γ·d over 2^-3 … 2^1 (kernel values around exp(−2γd) for two
 * unrelated standardised vectors), ε in standard deviations of the target, ν as libsvm suggests.
 */
export const DEFAULT_GRID: SvrGrid = { C: [0.5, 2, 8, 32], gammaScale: [0.125, 0.5, 2], epsilon: [0.1, 0.3], nu: [0.25, 0.5] };

/** Ridge on the stacking weights, per training sample (keeps collinear levels' weights bounded). */
export const STACK_RIDGE = 1e-3;

export type Standardisation = StandardisationRecord;
/** One level's regression, fitted on a training set. */
export type TrainedLevel = TrainedLevelRecord;
export type Combination = CombinationRecord;
/** A trained predictor: levels, their combination and the target's scale. */
export type TrainedPredictor = TrainedPredictorRecord;

export interface LevelFitOptions {
  readonly svr: SvrType;
  readonly innerFolds: number;
  /** Seed of the inner folds. */
  readonly seed: number;
  readonly grid?: SvrGrid;
  /** Called after each SVR fit of the search (for progress). */
  readonly onFit?: () => void;
  /** Checked between fits; a true answer stops the search with an AbortError. */
  readonly aborted?: () => boolean;
}

/** A level fitted on a training set, with the inner out-of-fold predictions its combination needs. */
export interface LevelFit {
  readonly level: TrainedLevel;
  /** The chosen grid point's inner out-of-fold prediction of each training sample (standardised units). */
  readonly innerPredictions: Float64Array;
}

/** Number of SVR fits `fitLevel` makes (for progress totals). */
export function fitsPerLevel(svr: SvrType, innerFolds: number, grid: SvrGrid = DEFAULT_GRID): number {
  return gridPoints(svr, 1, grid).length * innerFolds + 1;
}

/**
 * Fold of each sample: the distinct groups, sorted, are shuffled by the seeded generator and dealt
 * round-robin to min(k, groups) folds. Samples of one group always share a fold.
 */
export function assignFolds(groups: readonly string[], k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer ≥ 2, got ${k}`);
  const distinct = [...new Set(groups)].sort();
  if (distinct.length < 2) throw new RangeError(`folds need at least 2 groups, got ${distinct.length}`);
  const rng = createRng(seed);
  for (let i = distinct.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [distinct[i], distinct[j]] = [distinct[j]!, distinct[i]!];
  }
  const folds = Math.min(k, distinct.length);
  const foldOfGroup = new Map<string, number>();
  distinct.forEach((g, i) => foldOfGroup.set(g, i % folds));
  return Int32Array.from(groups, (g) => foldOfGroup.get(g)!);
}

/** Mean and standard deviation (population) of a set of values. */
export function targetScale(targets: ArrayLike<number>, indices: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < indices.length; i++) s += targets[indices[i]!]!;
  const mean = s / indices.length;
  let v = 0;
  for (let i = 0; i < indices.length; i++) v += (targets[indices[i]!]! - mean) ** 2;
  const std = Math.sqrt(v / indices.length);
  return { mean, std: std > 0 ? std : 1 };
}

/** Per-dimension standardisation of the rows `indices` of an n × d matrix. */
export function featureScale(m: LevelMatrix, indices: ArrayLike<number>): Standardisation {
  const d = m.dims;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let r = 0; r < indices.length; r++) {
    const o = indices[r]! * d;
    for (let j = 0; j < d; j++) mean[j]! += m.values[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= indices.length;
  for (let r = 0; r < indices.length; r++) {
    const o = indices[r]! * d;
    for (let j = 0; j < d; j++) sq[j]! += (m.values[o + j]! - mean[j]!) ** 2;
  }
  const std = Array.from(sq, (v) => {
    const s = Math.sqrt(v / indices.length);
    return s > 0 && Number.isFinite(s) ? s : 1;
  });
  return { mean: Array.from(mean), std };
}

/** The rows `indices`, standardised, one Float64Array per row. */
export function standardRows(m: LevelMatrix, indices: ArrayLike<number>, z: Standardisation): Float64Array[] {
  const d = m.dims;
  const rows: Float64Array[] = [];
  for (let r = 0; r < indices.length; r++) {
    const o = indices[r]! * d;
    const row = new Float64Array(d);
    for (let j = 0; j < d; j++) row[j] = (m.values[o + j]! - z.mean[j]!) / z.std[j]!;
    rows.push(row);
  }
  return rows;
}

function gridPoints(svr: SvrType, dims: number, grid: SvrGrid): SvrParams[] {
  const out: SvrParams[] = [];
  for (const C of grid.C) {
    for (const s of grid.gammaScale) {
      const gamma = s / dims;
      if (svr === 'nu') for (const nu of grid.nu) out.push({ type: 'nu', C, gamma, nu });
      else for (const epsilon of grid.epsilon) out.push({ type: 'epsilon', C, gamma, epsilon });
    }
  }
  return out;
}

function abortError(): Error {
  const e = new Error('training cancelled');
  e.name = 'AbortError';
  return e;
}

/**
 * One level on the training samples `train` (indices into the matrix): grid search by inner
 * cross-validation, then the chosen point fitted on all of `train`. `targets` are raw scores; they are
 * standardised with `scale` (the training set's, from targetScale).
 */
export function fitLevel(
  backend: SvrBackend,
  m: LevelMatrix,
  targets: ArrayLike<number>,
  groups: readonly string[],
  train: readonly number[],
  scale: { mean: number; std: number },
  opts: LevelFitOptions,
): LevelFit {
  const grid = opts.grid ?? DEFAULT_GRID;
  const points = gridPoints(opts.svr, m.dims, grid);
  const y = Float64Array.from(train, (i) => (targets[i]! - scale.mean) / scale.std);
  // A training set of one group (two contents, two outer folds) is searched over single samples.
  const innerGroups = train.map((i) => groups[i]!);
  const inner = assignFolds(new Set(innerGroups).size >= 2 ? innerGroups : train.map(String), opts.innerFolds, opts.seed);
  const innerCount = Math.max(...inner) + 1;
  // Out-of-fold predictions of every grid point, filled fold by fold.
  const oof = points.map(() => new Float64Array(train.length));
  for (let f = 0; f < innerCount; f++) {
    const fitPos: number[] = [];
    const evalPos: number[] = [];
    for (let p = 0; p < train.length; p++) (inner[p] === f ? evalPos : fitPos).push(p);
    const fitIdx = fitPos.map((p) => train[p]!);
    const z = featureScale(m, fitIdx);
    const fitRows = standardRows(m, fitIdx, z);
    const evalRows = standardRows(
      m,
      evalPos.map((p) => train[p]!),
      z,
    );
    const fitY = Float64Array.from(fitPos, (p) => y[p]!);
    for (let g = 0; g < points.length; g++) {
      if (opts.aborted?.()) throw abortError();
      const model = backend.train(fitRows, fitY, points[g]!);
      try {
        const pred = model.predict(evalRows);
        evalPos.forEach((p, k) => (oof[g]![p] = pred[k]!));
      } finally {
        model.free();
      }
      opts.onFit?.();
    }
  }
  let best = 0;
  let bestMse = Infinity;
  for (let g = 0; g < points.length; g++) {
    let s = 0;
    for (let p = 0; p < train.length; p++) s += (oof[g]![p]! - y[p]!) ** 2;
    const mse = s / train.length;
    if (mse < bestMse) {
      bestMse = mse;
      best = g;
    }
  }
  const features = featureScale(m, train);
  const model = backend.train(standardRows(m, train, features), y, points[best]!);
  let text: string;
  try {
    text = model.serialize();
  } finally {
    model.free();
  }
  opts.onFit?.();
  return {
    level: { name: m.name, dims: m.dims, params: points[best]!, innerMse: bestMse, features, model: text },
    innerPredictions: oof[best]!,
  };
}

/**
 * The combination of the levels fitted on one training set. `innerPredictions[l]` are level l's inner
 * out-of-fold predictions of the training samples (standardised), `y` their standardised targets.
 */
export function fitCombination(kind: Combine, innerPredictions: readonly Float64Array[], y: Float64Array): Combination {
  const L = innerPredictions.length;
  if (kind === 'mean' || L === 0) return { kind: 'mean', weights: new Array<number>(L).fill(1 / L), intercept: 0 };
  const n = y.length;
  const p = L + 1;
  const rows = n + L;
  const a = new Float64Array(rows * p);
  const b = new Float64Array(rows);
  for (let i = 0; i < n; i++) {
    a[i * p] = 1;
    for (let l = 0; l < L; l++) a[i * p + 1 + l] = innerPredictions[l]![i]!;
    b[i] = y[i]!;
  }
  const ridge = Math.sqrt(STACK_RIDGE * n);
  for (let l = 0; l < L; l++) a[(n + l) * p + 1 + l] = ridge;
  const z = solveLeastSquaresInPlace(a, b, rows, p);
  // Rank deficiency is impossible with the ridge rows; the mean is the documented fallback regardless.
  if (!z) return { kind: 'mean', weights: new Array<number>(L).fill(1 / L), intercept: 0 };
  return { kind: 'stack', weights: Array.from(z.subarray(1)), intercept: z[0]! };
}

/** Predictions of a trained predictor for rows `indices` of the level matrices (same level order). */
export function predictRows(backend: SvrBackend, predictor: TrainedPredictor, levels: readonly LevelMatrix[], indices: readonly number[]): Float64Array {
  const out = new Float64Array(indices.length).fill(predictor.combination.intercept);
  predictor.levels.forEach((lv, l) => {
    const m = levels.find((x) => x.name === lv.name);
    if (!m) throw new RangeError(`level ${lv.name} missing from the features`);
    if (m.dims !== lv.dims) throw new RangeError(`level ${lv.name} has ${m.dims} values, the predictor was trained on ${lv.dims}`);
    let model: SvrModel | null = null;
    try {
      model = backend.load(lv.model);
      const p = model.predict(standardRows(m, indices, lv.features));
      for (let i = 0; i < indices.length; i++) out[i]! += predictor.combination.weights[l]! * p[i]!;
    } finally {
      model?.free();
    }
  });
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * predictor.target.std + predictor.target.mean;
  return out;
}

/**
 * A whole predictor on one training set, in this thread (the worker splits the same steps into one
 * task per level; tests use this form).
 */
export function fitPredictor(
  backend: SvrBackend,
  levels: readonly LevelMatrix[],
  targets: ArrayLike<number>,
  groups: readonly string[],
  train: readonly number[],
  opts: LevelFitOptions & { combine: Combine },
): TrainedPredictor {
  const scale = targetScale(targets, train);
  const fits = levels.map((m) => fitLevel(backend, m, targets, groups, train, scale, opts));
  const y = Float64Array.from(train, (i) => (targets[i]! - scale.mean) / scale.std);
  return {
    levels: fits.map((f) => f.level),
    combination: fitCombination(
      opts.combine,
      fits.map((f) => f.innerPredictions),
      y,
    ),
    target: scale,
  };
}

/** Seed of the inner folds within outer fold `fold` (−1: the final model on all data). */
export function innerSeed(seed: number, fold: number): number {
  return (seed * 1009 + (fold + 2) * 7919) % 2147483647;
}

export interface CrossValidation {
  /** Outer fold of each sample. */
  foldOf: Int32Array;
  /** Each sample's prediction by the model of the folds that did not contain it. */
  predictions: Float64Array;
  /** The predictor fitted in each outer fold. */
  folds: TrainedPredictor[];
}

/**
 * Outer K-fold cross-validation on this thread: fold f's predictor is fitted on the other folds (its own
 * inner folds seeded with innerSeed(seed, f)) and predicts fold f. services/nr/train-predictor.ts runs the
 * same steps as worker tasks, one level per task, and gets the same numbers.
 */
export function crossValidate(
  backend: SvrBackend,
  levels: readonly LevelMatrix[],
  targets: ArrayLike<number>,
  groups: readonly string[],
  opts: Omit<LevelFitOptions, 'seed'> & { combine: Combine; folds: number; seed: number },
): CrossValidation {
  const foldOf = assignFolds(groups, opts.folds, opts.seed);
  const k = Math.max(...foldOf) + 1;
  const predictions = new Float64Array(targets.length);
  const folds: TrainedPredictor[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < foldOf.length; i++) (foldOf[i] === f ? test : train).push(i);
    const predictor = fitPredictor(backend, levels, targets, groups, train, { ...opts, seed: innerSeed(opts.seed, f) });
    const p = predictRows(backend, predictor, levels, test);
    test.forEach((i, j) => (predictions[i] = p[j]!));
    folds.push(predictor);
  }
  return { foldOf, predictions, folds };
}
