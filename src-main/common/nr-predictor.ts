/**
 * A trained learned-NR predictor (BLINDER-style: one RBF SVR per level of a backbone's features,
 * levels combined; kernels/nr/blinder-train.ts) as the project stores it (migration 8, table
 * nr_predictors), as `iqa nr export` writes it and as the contract returns it. Plain types and
 * constants, shared by the engine, the command line and the page.
 */

export const NR_TARGETS = ['mos', 'dmos'] as const;
export type NrTarget = (typeof NR_TARGETS)[number];
export const NR_COMBINES = ['mean', 'stack'] as const;
export type NrCombine = (typeof NR_COMBINES)[number];
export const NR_GROUPINGS = ['content', 'none'] as const;
export type NrGrouping = (typeof NR_GROUPINGS)[number];
export const NR_SVR_TYPES = ['epsilon', 'nu'] as const;
export type NrSvrType = (typeof NR_SVR_TYPES)[number];

/** A predictor's name: what follows `nr:` in a metric id. */
export const NR_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const NR_METRIC_PREFIX = 'nr:';

/** The version of the export file's layout (a reader refuses newer ones). */
export const NR_FILE_VERSION = 1;
export const NR_FILE_FORMAT = 'iqa-nr-predictor';

export interface SvrParamsRecord {
  type: NrSvrType;
  C: number;
  gamma: number;
  epsilon?: number;
  nu?: number;
  tolerance?: number;
}

export interface StandardisationRecord {
  mean: number[];
  std: number[];
}

export interface TrainedLevelRecord {
  name: string;
  dims: number;
  params: SvrParamsRecord;
  /** Inner cross-validated MSE of the chosen grid point, in standard deviations² of the target. */
  innerMse: number;
  features: StandardisationRecord;
  /** libsvm's model text (svm_save_model). */
  model: string;
}

export interface CombinationRecord {
  kind: NrCombine;
  weights: number[];
  intercept: number;
}

export interface TrainedPredictorRecord {
  levels: TrainedLevelRecord[];
  combination: CombinationRecord;
  target: { mean: number; std: number };
}

/** Cross-validated statistics (P.1401, no mapping: the predictions are on the target's scale). */
export interface NrCvStatistics {
  n: number;
  srocc: number | null;
  krocc: number | null;
  plcc: number | null;
  rmse: number | null;
  /** 95 % cluster-bootstrap intervals over contents (BCa), null without resamples. */
  ci95: {
    srocc: [number | null, number | null];
    krocc: [number | null, number | null];
    plcc: [number | null, number | null];
    rmse: [number | null, number | null];
    seed: number;
    resamples: number;
    clusters: number | null;
    method: string;
  } | null;
}

export interface NrTrainingOptions {
  folds: number;
  innerFolds: number;
  group: NrGrouping;
  combine: NrCombine;
  svr: NrSvrType;
  seed: number;
  resamples: number;
  grid: { C: number[]; gammaScale: number[]; epsilon: number[]; nu: number[] };
}

export interface NrTrainingStimulus {
  id: number;
  name: string;
  sha256: string;
  content: string;
  target: number;
  fold: number;
  /** The prediction of the model that did not see this stimulus's fold. */
  cvPrediction: number;
}

export interface NrFoldRecord {
  index: number;
  testContents: string[];
  train: number;
  test: number;
  levels: { name: string; params: SvrParamsRecord; innerMse: number }[];
  combination: CombinationRecord;
  stats: { srocc: number | null; plcc: number | null; rmse: number | null };
}

/** What `nr.list` shows of a predictor. */
export interface NrPredictorSummary {
  name: string;
  backbone: string;
  backboneSha256: string;
  target: NrTarget;
  study: string;
  stimuli: number;
  contents: number;
  options: NrTrainingOptions;
  cv: NrCvStatistics;
  createdAt: string;
}

/** The whole stored predictor (`nr.get`, the export file's body). */
export interface NrPredictorRecord extends NrPredictorSummary {
  engineVersion: string;
  svmLibrary: string;
  levels: string[];
  training: { stimuli: NrTrainingStimulus[]; mosChoice: Record<string, unknown> };
  folds: NrFoldRecord[];
  predictor: TrainedPredictorRecord;
}

/** The export file: the record with its format and version. */
export interface NrPredictorFile {
  format: typeof NR_FILE_FORMAT;
  version: number;
  predictor: NrPredictorRecord;
}

/** The predictor name of a metric id nr:<name>, or null for any other id. */
export function nrPredictorName(metricId: string): string | null {
  if (!metricId.startsWith(NR_METRIC_PREFIX)) return null;
  const name = metricId.slice(NR_METRIC_PREFIX.length);
  return NR_NAME_PATTERN.test(name) ? name : null;
}
