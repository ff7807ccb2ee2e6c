/** Domain types shared by the engine, both transports and the renderer (types only, no runtime). */
import type { ErrorCode, WireError } from './errors';
import type { JobKind } from './contract-names';
import type { MetricSummary } from './metric-summary';

export type StimulusRole = 'reference' | 'distorted';
export type MediaKind = 'image' | 'video';

/** What ffprobe tells about one media file, normalised. */
export interface MediaInfo {
  kind: MediaKind;
  container: string | null;
  codec: string | null;
  width: number;
  height: number;
  /** Frames in the file: 1 for an image; from the stream header or a packet count for a video. */
  frameCount: number | null;
  fps: number | null;
  durationS: number | null;
  pixFmt: string | null;
  bitDepth: number | null;
  colorSpace: string | null;
  colorRange: string | null;
  colorPrimaries: string | null;
  colorTransfer: string | null;
}

/** Geometry a raw .yuv file needs, since it has no header. */
export interface RawVideoGeometry {
  width: number;
  height: number;
  pixFmt: string;
  fps: number;
}

export interface Stimulus extends MediaInfo {
  id: number;
  /** Path relative to the project folder, with '/' separators. */
  path: string;
  name: string;
  role: StimulusRole;
  referenceId: number | null;
  referenceName: string | null;
  /** Source content (the reference's stem) this stimulus belongs to. */
  content: string | null;
  sha256: string;
  sizeBytes: number;
  attributes: Record<string, string>;
  /** Declared geometry of a headerless .yuv file. */
  rawGeometry: RawVideoGeometry | null;
  importedAt: string;
}

export interface ProjectInfo {
  dir: string;
  name: string;
  createdAt: string;
  stimulusCount: number;
  schemaVersion: number;
}

export interface RecentProject {
  dir: string;
  name: string;
  openedAt: string;
}

export interface ImportIssue {
  /** The file as the user named it (absolute path, or the CSV and its row). */
  file: string;
  code: ErrorCode;
  reason: string;
}

export interface ImportReport {
  source: string;
  added: number;
  updated: number;
  unchanged: number;
  /** Distorted files for which no reference was found; imported without a pair. */
  unpaired: string[];
  /** Why each of `unpaired` found no reference, one sentence per file (same order). */
  unpairedReasons?: { file: string; reason: string }[];
  issues: ImportIssue[];
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

interface JobSnapshotBase {
  id: string;
  label: string;
  projectDir: string | null;
  state: JobState;
  done: number;
  total: number;
  unit: string;
  message: string;
  startedAt: string;
  finishedAt: string | null;
  /** Seconds left, estimated from the rate so far; null until there is a rate. */
  etaS: number | null;
  error: WireError | null;
}

/** What a finished job of each kind returns (JobSnapshot.result once its state is 'done'). */
export interface JobResults {
  import: ImportReport;
  metrics: MetricRunReport;
  'models.verify': ModelVerificationJson[];
  sets: SetJobResult;
  analysis: AnalysisReport;
  /** The stored learned-NR predictor (common/nr-predictor.ts) with its cross-validation. */
  'nr.train': import('./nr-predictor').NrPredictorRecord;
}

/**
 * A background job as the UI sees it, discriminated on `kind` (contract-names.ts, JOB_KINDS): `result`
 * is that kind's result once the job is done, null before and after a failure.
 */
export type JobSnapshot = { [K in JobKind]: JobSnapshotBase & { kind: K; result: JobResults[K] | null } }[JobKind];

/** The snapshot of a job of kind K. */
export type JobSnapshotOf<K extends JobKind> = Extract<JobSnapshot, { kind: K }>;

export interface FfmpegInfo {
  ffmpeg: string;
  ffprobe: string;
  source: 'env' | 'ffmpeg-static' | 'path';
  version: string;
}

export interface AppInfo {
  version: string;
  ffmpeg: FfmpegInfo | null;
  ffmpegError: string | null;
}

export interface MetricResultRow {
  stimulusId: number;
  stimulus: string;
  reference: string | null;
  metricId: string;
  metricVersion: string;
  params: Record<string, string | number>;
  pooling: string;
  /** Pooled value; "Infinity" for identical inputs in PSNR, null for NaN (JSON has neither). */
  value: number | 'Infinity' | '-Infinity' | null;
  frames: number;
  runId: number;
  engineVersion: string;
  /** The model file a neural metric ran (SHA-256) and the execution provider; null for kernel metrics. */
  modelSha256: string | null;
  provider: string | null;
  /** The ffmpeg command(s) that decoded the frames of this value (null for values stored before schema 2). */
  decoder: string | null;
  computedAt: string;
  attributes: Record<string, string>;
  /** What the metric reports beside its number (IQA-CNN++'s distortion distribution); absent when nothing. */
  summary?: MetricSummary | null;
}

export interface MetricRunReport {
  pairs: number;
  computed: number;
  skipped: number;
  /** A whole stimulus that failed, or (with `metric`) one metric of it whose model could not run. */
  failed: { stimulus: string; metric?: string; error: import('./errors').WireError }[];
  /** Project paths whose content changed since they were hashed: their values were dropped and recomputed (absent when none). */
  changed?: string[];
}

export type JsonNum = number | 'Infinity' | '-Infinity' | null;

export interface StudySummary {
  id: number;
  name: string;
  method: string;
  scale: { min: number; max: number };
  ratings: number;
  participants: number;
}

/** One row of the MOS table. */
export interface MosRow {
  stimulusId: number;
  stimulus: string;
  reference: string | null;
  attributes: Record<string, string>;
  mos: JsonNum;
  std: JsonNum;
  n: number;
  ci95: [JsonNum, JsonNum];
}

/** How well one metric configuration predicts the MOS (within one group, or overall). */
export interface CorrelationRow {
  metricId: string;
  metricName: string;
  params: Record<string, string | number>;
  pooling: string;
  higherIsBetter: boolean;
  /** Attribute value of the breakdown group; null = all stimuli. */
  group: string | null;
  n: number;
  nExcluded: number;
  srocc: JsonNum;
  krocc: JsonNum;
  plcc: JsonNum;
  rmse: JsonNum;
  plccMapped: JsonNum;
  rmseMapped: JsonNum;
  /**
   * The fitted mapping (docs/analysis.md, "Mapping fits"). `kind` is the kind fitted; `requested`,
   * `direction`, `fallback` and `degenerate` are absent in reports written before they were added.
   */
  mapping: {
    kind: string;
    params: JsonNum[];
    sse: JsonNum;
    converged: boolean;
    solver: string;
    /** The kind asked for; differs from `kind` when the fit fell back. */
    requested?: string;
    /** +1: the mapping rises with the metric, −1: it falls (the metric's direction). */
    direction?: 1 | -1;
    /** Why the requested kind was not used (each kind tried, with its diagnosis). */
    fallback?: { from: string; because: string } | null;
    /** A fit that is degenerate: 'extreme-parameters' (values kept), or why the mapped values are NaN. */
    degenerate?: { issue: string; detail: string } | null;
  } | null;
  /**
   * Bootstrap 95 % intervals (resampling source contents); rmse, plccMapped and rmseMapped are absent in
   * reports written before they were added. `widened`: statistics whose interval was extended to reach
   * its estimate (the estimate lay outside the central 95 % of its bootstrap distribution).
   */
  ci95: {
    srocc: [JsonNum, JsonNum];
    krocc: [JsonNum, JsonNum];
    plcc: [JsonNum, JsonNum];
    rmse?: [JsonNum, JsonNum];
    plccMapped?: [JsonNum, JsonNum];
    rmseMapped?: [JsonNum, JsonNum];
    widened?: string[];
  } | null;
  reason: string | null;
  /** Why the mapped PLCC / RMSE (and the outlier ratio, RMSE*) are NaN while the raw statistics are not. */
  mappingReason?: string | null;
  /** ITU-T P.1401: share of stimuli whose mapped prediction misses the MOS by more than its 95 % CI. */
  outlierRatio: JsonNum;
  /** ITU-T P.1401 epsilon-insensitive RMSE (errors reduced by the MOS CI, N − d degrees of freedom). */
  rmseStar: JsonNum;
  /**
   * Compact letter display within the group (P.1401 significance tests at 0.05): metrics sharing a
   * letter do not differ significantly; 'a' marks the best group. Null when fewer than 2 metrics.
   */
  letters: { plcc: string; srocc: string; rmse: string } | null;
  /** (metric value, MOS) per stimulus used, for scatter plots. */
  points: { stimulusId: number; x: number; y: number; group: string | null }[];
}

/** The MOS of one breakdown group: participants' means over the group's stimuli, averaged. */
export interface GroupMosRow {
  group: string;
  /** Rated stimuli in the group. */
  stimuli: number;
  mos: JsonNum;
  std: JsonNum;
  /** Participants with a rating in the group. */
  n: number;
  ci95: [JsonNum, JsonNum];
}

export interface AnalysisReport {
  provenance: {
    engineVersion: string;
    study: string;
    method: string;
    scale: { min: number; max: number };
    mos: 'raw' | 'screened' | 'mle';
    screening: 'bt500' | 'corr' | 'none';
    differential: boolean;
    mapping: string;
    by: string | null;
    /** `interval`: which interval (BCa or percentile); absent in reports written before it was stated. */
    bootstrap: { seed: number; resamples: number; resampling: string; interval?: string } | null;
    /** How the MOS 95 % intervals are formed and bounded (the t interval clipped to the score range). */
    mosInterval?: string;
    conventions: string;
    /** Which scores the MOS averages: absolute or difference scores, optionally z-scored per participant. */
    scores?: { kind: 'absolute' | 'difference'; zscore: boolean; range: { min: number; max: number }; description: string };
    /** The threshold of correlation screening (null for other screenings). */
    minCorrelation?: number | null;
    /** Where the MOS choice came from: the options given, the one stored in the project, or the defaults. */
    mosChoice?: 'given' | 'stored' | 'default';
    /** The significance tests behind the letters. */
    significance?: { correlations: string; rmse: string; alpha: number; correction: 'none' };
  };
  counts: {
    participants: number;
    ratings: number;
    excluded: number;
    repetitionsAveraged: number;
    /** With z-scores: participants whose scores could not be standardised (fewer than 2, or all equal). */
    notStandardised?: string[];
  };
  screening: { rejected: string[]; reasons: Record<string, string> };
  /** With --mos mle: the P.913 subject model's per-participant bias and inconsistency. */
  subjects: { participant: string; bias: JsonNum; inconsistency: JsonNum }[] | null;
  mos: MosRow[];
  /** With a breakdown: the MOS per group (null without one). */
  groupMos?: GroupMosRow[] | null;
  correlations: CorrelationRow[];
}

export type ModelStateName = 'installed' | 'unverified' | 'missing' | 'wrong-hash';

/** A supported model and whether it is usable here (the `iqa models list` row). */
export interface ModelRow {
  id: string;
  name: string;
  kind: string;
  comparable: boolean;
  comparableNote?: string;
  redistributable: boolean;
  state: ModelStateName;
  howToGet: string;
  files: { name: string; state: ModelStateName; path: string | null; expectedSha256: string | null; actualSha256: string | null; note?: string }[];
}

/** Set metrics (FID/KID/IS, FVD): the JSON the CLI prints and the jobs return. */
export interface IntervalJson {
  low: JsonNum;
  high: JsonNum;
  confidence: number;
  resamples: number;
  seed: number;
  method: 'percentile';
}

export interface SetSummaryJson {
  source: string;
  count: number;
  cache_dir: string | null;
}

/** What a set-metrics job returns: FID/KID/IS ('sets.metrics') or FVD ('sets.fvd'). */
export type SetJobResult = ImageSetMetricsResult | FvdResult;

export interface ImageSetMetricsResult {
  fid?: JsonNum;
  fid_ci?: IntervalJson;
  kid?: { mean: JsonNum; std: JsonNum; subsets: number; subset_size: number | null; seed: number | null; mode: 'full-sets' | 'subsets' };
  is?: { mean: JsonNum; std: JsonNum; splits: number; set: 'a'; n: number };
  n_a: number;
  n_b: number | null;
  feature_dim: number;
  model: string;
  model_sha256: string;
  model_verified: boolean;
  comparable: boolean;
  provider: string | null;
  resize: string;
  resize_method: string;
  warnings: string[];
  sets: { a: SetSummaryJson; b?: SetSummaryJson };
  cache: { enabled: boolean; hits: number; misses: number; corrupt: number; computed: number };
  timing_ms: { total: number; features: number; decode: number; inference: number; session: number; statistics: number };
  /** Images run through the network per second of feature time (null when all came from the cache). */
  images_per_s: number | null;
  batch_size: number;
  stats_saved?: string;
  /** A shard's extraction (ImageSetMetricsInput.shard): its images, whose features are now cached; no metric. */
  shard?: { index: number; count: number; images: number };
}

export interface FvdProtocol {
  clip_length: number;
  start: number;
  stride: number;
  frames_needed: number;
  frame_sampling: string;
  clips_per_video: 1;
  size: [number, number];
  resize: string;
  feature: string;
  model: string;
  decoder: string;
  reference: string;
}

export interface FvdResult {
  /** Absent for a shard's extraction (`shard`), which computes no FVD. */
  fvd?: JsonNum;
  fvd_ci?: IntervalJson;
  n_a: number;
  n_b: number;
  feature_dim: number;
  model: string;
  model_sha256: string;
  model_verified: boolean;
  comparable: boolean;
  provider: string | null;
  protocol: FvdProtocol;
  videos: { a: { fps: number[]; resolutions: string[] }; b: { fps: number[]; resolutions: string[] } };
  warnings: string[];
  sets: { a: SetSummaryJson; b: SetSummaryJson };
  cache: { enabled: boolean; hits: number; misses: number; corrupt: number; computed: number };
  timing_ms: { total: number; features: number; decode: number; inference: number; session: number; statistics: number };
  clips_per_s: number | null;
  batch_size: number;
  /** A shard's extraction (FvdInput.shard): its videos, whose features are now cached; no FVD. */
  shard?: { index: number; count: number; videos: number };
}

/** One output tensor of one probe of a model verification (NaN errors arrive as null over JSON). */
export interface OutputCheckJson {
  name: string;
  shape: number[];
  maxAbs: number | null;
  maxRel: number | null;
  relToMax: number | null;
  refMaxAbs: number | null;
  allFinite: boolean;
  pass: boolean;
  problem?: string;
}

export interface ProbeCheckJson {
  probe: string;
  pass: boolean;
  runMs: number;
  outputs: OutputCheckJson[];
}

export interface ModelToleranceJson {
  maxAbs: number;
  relToMax: number | null;
  reason?: string;
}

/** One model's verification (services/models/verify.ts, ModelVerification) as a 'models.verify' job returns it. */
export interface ModelVerificationJson {
  id: string;
  state: ModelStateName;
  comparable: boolean;
  sha256: string | null;
  provider: string | null;
  tolerance: ModelToleranceJson | null;
  probesFile: string | null;
  probes: ProbeCheckJson[];
  /** Why no probe ran (missing model, no probe file, not an ONNX model). */
  skipped?: string;
  pass: boolean;
  sessionMs: number;
}
