/**
 * Messages of workers/nr-train.worker.ts, the learned NR predictor's training and prediction
 * (kernels/nr/blinder-train.ts with libsvm). One task is one level of one fold, so the outer folds and
 * the levels spread over the pool's threads and progress moves in steps of one level.
 */
import type { WireError } from '../common/errors';
import type { AnalysisInput } from '../kernels/analysis/compute-analysis';
import type { Combine, LevelMatrix, SvrGrid, TrainedLevel, TrainedPredictor } from '../kernels/nr/blinder-train';
import type { SvrType } from '../kernels/nr/svr';

/** Fit one level on the training rows `train` (grid search by inner folds, then the chosen point on all of them). */
export interface LevelTask {
  kind: 'level';
  seq: number;
  level: LevelMatrix;
  targets: Float64Array;
  groups: string[];
  train: number[];
  scale: { mean: number; std: number };
  svr: SvrType;
  innerFolds: number;
  seed: number;
  grid?: SvrGrid;
}

/** The levels of one training set combined, and the rows `test` predicted with the result. */
export interface AssembleTask {
  kind: 'assemble';
  seq: number;
  combine: Combine;
  levels: TrainedLevel[];
  innerPredictions: Float64Array[];
  /** Standardised targets of the training rows, in training order. */
  y: Float64Array;
  scale: { mean: number; std: number };
  matrices: LevelMatrix[];
  test: number[];
}

/** Predictions of a stored predictor for every row of the matrices. */
export interface PredictTask {
  kind: 'predict';
  seq: number;
  predictor: TrainedPredictor;
  matrices: LevelMatrix[];
}

/** The MOS (or DMOS) per stimulus, computed by the analysis's own code from gathered ratings. */
export interface MosTask {
  kind: 'mos';
  seq: number;
  input: AnalysisInput;
}

/** P.1401 statistics of the cross-validated predictions, with a cluster bootstrap over contents. */
export interface StatsTask {
  kind: 'stats';
  seq: number;
  predictions: Float64Array;
  targets: Float64Array;
  clusters: string[];
  seed: number;
  resamples: number;
}

export type NrTask = LevelTask | AssembleTask | PredictTask | MosTask | StatsTask;

export interface CvStatistics {
  n: number;
  srocc: number;
  krocc: number;
  plcc: number;
  rmse: number;
  /** 95 % bootstrap intervals (null without resamples). */
  ci95: { srocc: [number, number]; krocc: [number, number]; plcc: [number, number]; rmse: [number, number]; seed: number; resamples: number; clusters: number | null; method: string } | null;
}

export type NrResult =
  | { kind: 'level'; level: TrainedLevel; innerPredictions: Float64Array }
  | { kind: 'assemble'; predictor: TrainedPredictor; predictions: Float64Array }
  | { kind: 'predict'; predictions: Float64Array }
  | { kind: 'mos'; rows: { stimulusId: number; mos: number }[]; scores: 'absolute' | 'difference' }
  | { kind: 'stats'; stats: CvStatistics };

export type NrReply = ({ ok: true; seq: number } & { result: NrResult }) | { ok: false; seq: number; error: WireError };
