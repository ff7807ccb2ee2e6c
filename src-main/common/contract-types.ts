/**
 * The API contract's types, written as TypeScript: what each command takes (as a caller may send it:
 * fields with a default are optional) and returns, and what each event carries. No zod here: the
 * renderer imports these types. contract.ts holds the zod schemas and checks at compile time that
 * each schema's input type is exactly the type declared here, so the two cannot drift apart.
 */
import type { AlignmentVerdict, AnalysisExportFormat, CommandName, ResultsExportFormat, EventName, FrameMapMetric, ImageSetMetricName, MappingName, MosKind, ScoreName, Screening, SetResizeName, StudyMethodName } from './contract-names';
import type { WireError } from './errors';
import type { MetricDescriptor, Pooling, Scaler } from './metric-registry';
import type { AnalysisReport, AppInfo, JobSnapshot, MetricResultRow, ModelRow, ProjectInfo, RecentProject, Stimulus, StudySummary } from './domain';
import type { SetSpec } from './set-spec';
import type { ParticipantPagesInput, RatingSubmitInput, ScaleLabel, SessionDisplay, SessionNotes, SessionState, StudyCreateInput, StudyDetail, StudyEstimate, StudyProgress, StudyScale, StudyValidation, PlaylistTrial } from './study';
import type { StudyExportFormat } from './contract-names';
import type { LanListenerInfo, LanStatus } from './lan';
import type { NrCombine, NrGrouping, NrPredictorRecord, NrPredictorSummary, NrSvrType, NrTarget } from './nr-predictor';

export type { CommandName, EventName } from './contract-names';
export type { SetSpec } from './set-spec';

type Empty = Record<string, never>;
type ProjectRef = { projectDir: string };

export interface RawVideoInput {
  width: number;
  height: number;
  pixFmt: string;
  fps: number;
}

export interface ImportOptionsInput {
  /** A regular expression applied to file stems; the named group `ref` names the reference's stem,
   * every other named group becomes an attribute. Without it the default pairing rules apply. */
  pattern?: string;
  recursive?: boolean;
  rawVideo?: RawVideoInput;
}
/** Import options with their defaults filled in. */
export type ImportOptions = ImportOptionsInput & { recursive: boolean };

export interface AlignPolicyInput {
  scale?: Scaler;
  truncate?: boolean;
  skipRef?: number;
  skipDist?: number;
  ignoreFps?: boolean;
}

export interface MetricRequestInput {
  id: string;
  params?: Record<string, string | number>;
}

export interface MetricsRunInputType {
  projectDir: string;
  metrics: MetricRequestInput[];
  /** Distorted stimuli to compute (default: every paired one). */
  stimulusIds?: number[];
  /** The same by name (file stem), as `iqa run --only` gives them; added to stimulusIds. An unknown name is E_NOT_FOUND. */
  stimulusNames?: string[];
  force?: boolean;
  pooling?: Pooling;
  policy?: AlignPolicyInput;
  /** Compute from damaged files' concealed frames (recorded in each value's decoder provenance) instead of failing them. */
  acceptDecodeErrors?: boolean;
  /**
   * Compute only shard `index` (1-based) of `count` of the pairs still to compute, into the shard's own
   * store beside the project (services/shards/; the project file is only read); `shards.merge` folds it in.
   */
  shard?: { index: number; count: number };
}

/** One shard of a sharded run (services/shards/): its store's state. */
export interface ShardState {
  index: number;
  /** missing: no store yet; unfinished: started, not done; done: finished, not merged; merged: folded into the project. */
  state: 'missing' | 'unfinished' | 'done' | 'merged';
  /** Stimuli with values in the store, of those planned. */
  computed: number;
  planned: number;
  doneAt: string | null;
  /** What failed in the shard's finished run (a plain run reports the same): not merged, retried when the shard runs again. */
  failed?: { stimulus: string; metric?: string; message: string }[];
}

/** A sharded run: one metric configuration split over `count` shards (<project>/shards/<runKey>/). */
export interface ShardRun {
  runKey: string;
  count: number;
  /** The metric configurations, as id{params}. */
  metrics: string[];
  shards: ShardState[];
}

export interface ShardMergeReport {
  runs: (ShardRun & { merged: number[]; alreadyMerged: number[] })[];
}

/** `iqa slurm submit`: a sharded run as a Slurm job array and a merge job depending on it. */
/**
 * `nr.train` (services/nr/train-predictor.ts, docs/learned-nr.md): a BLINDER-style predictor trained on
 * a study's MOS or DMOS from a backbone's level features, cross-validated by content; stored under `name`.
 */
export interface NrTrainInput {
  projectDir: string;
  name: string;
  /** The level-feature backbone (services/nr/level-features.ts LEVEL_BACKBONES). */
  features: string;
  target: NrTarget;
  study?: string;
  /** Outer folds (default 5; fewer when there are fewer groups). */
  folds?: number;
  /** Inner folds of the hyper-parameter search (default 4). */
  innerFolds?: number;
  group?: NrGrouping;
  combine?: NrCombine;
  svr?: NrSvrType;
  seed?: number;
  /** Bootstrap resamples of the cross-validated statistics' intervals (default 2000; 0: none). */
  resamples?: number;
}

export interface SlurmSubmitInput {
  projectDir: string;
  metrics: MetricRequestInput[];
  shards: number;
  force?: boolean;
  pooling?: Pooling;
  policy?: AlignPolicyInput;
  acceptDecodeErrors?: boolean;
  partition?: string;
  /** sbatch --time, e.g. 2:00:00 or 1-00:00:00. */
  time?: string;
  cpusPerTask?: number;
  /** sbatch --gres, e.g. gpu:1. */
  gres?: string;
  /** Write the scripts and say what would be submitted, without calling sbatch. */
  dryRun?: boolean;
}

export interface SlurmJob {
  kind: 'array' | 'merge';
  jobId: string;
  shards: number[];
  script: string;
  submittedAt: string;
}

export interface SlurmSubmitReport {
  runKey: string;
  count: number;
  /** The shards submitted (those neither finished nor queued). */
  shards: number[];
  arrayScript: string;
  mergeScript: string;
  /** The sbatch command lines, in order. */
  commands: string[];
  arrayJobId: string | null;
  mergeJobId: string | null;
  dryRun: boolean;
}

export interface SlurmStatusReport {
  /** Per run, its jobs and each shard's Slurm state by index (e.g. RUNNING, CANCELLED), where Slurm still knows it. */
  runs: (ShardRun & { jobs: SlurmJob[]; slurm: Record<string, string> })[];
  /** Why Slurm could not be asked, when it could not. */
  schedulerError: string | null;
}
/** A metrics run with its defaults filled in. */
export interface MetricsRunInput extends MetricsRunInputType {
  metrics: { id: string; params: Record<string, string | number> }[];
  force: boolean;
  pooling: Pooling;
  policy: AlignPolicyInput;
}

/**
 * Which MOS the analysis uses: the kind, the screening and its threshold, the scores averaged (absolute
 * or difference scores: DSCQS reference − test, ACR-HR DMOS; 'auto' picks the method's usual one) and
 * per-participant z-scores. A project stores one ('analysis.setMosChoice'); an analysis that is not
 * given a field takes it from there, then from MOS_CHOICE_DEFAULTS.
 */
export type MosChoice = {
  mos: MosKind;
  screening: Screening;
  minCorrelation: number;
  scores: ScoreName;
  zscore: boolean;
};
export const MOS_CHOICE_DEFAULTS: Readonly<MosChoice> = Object.freeze({ mos: 'screened', screening: 'bt500', minCorrelation: 0.75, scores: 'auto', zscore: false });

export interface AnalysisOptionsInput extends Partial<MosChoice> {
  projectDir: string;
  study?: string;
  mapping?: MappingName;
  by?: string;
  seed?: number;
  resamples?: number;
}
/** Analysis options with their defaults filled in (the MOS choice fields stay optional: the project's stored choice fills them). */
export interface AnalysisOptions extends AnalysisOptionsInput {
  mapping: MappingName;
  seed: number;
  resamples: number;
}
export const ANALYSIS_DEFAULTS = Object.freeze({ mapping: 'logistic5', seed: 1, resamples: 2000 } as const);

export interface SetBootstrapInput {
  resamples: number;
  seed?: number;
  confidence?: number;
}

/** A set: the structure, or (for scripts) the CLI's one-string syntax the engine parses into it. */
export type SetSpecInput = SetSpec | string;

export interface ImageSetMetricsInput {
  a: SetSpecInput;
  b?: SetSpecInput;
  metrics?: ImageSetMetricName[];
  model?: string;
  resize?: SetResizeName;
  isSplits?: number;
  /** KID's subsets (default: one estimate over the full sets when both have at most 1000 images, else 100 subsets of 1000). */
  kid?: { subsetSize?: number; subsets?: number; seed?: number };
  bootstrap?: SetBootstrapInput;
  /** Also write set A's μ and Σ to this .npz file (pytorch-fid's layout). */
  saveStatsA?: string;
  /** Read and write the feature cache (default true). */
  cache?: boolean;
  /**
   * Only extract the features of shard `index` (1-based) of `count` of the sets' images into the feature
   * cache (issue 17); a run without it then computes the metrics from the cache. No metric is computed.
   */
  shard?: { index: number; count: number };
}

export interface FvdInput {
  a: SetSpecInput;
  b: SetSpecInput;
  model?: string;
  clipLength?: number;
  start?: number;
  stride?: number;
  bootstrap?: SetBootstrapInput;
  /** Read and write the feature cache (default true). */
  cache?: boolean;
  /** Only extract the I3D features of shard `index` (1-based) of `count` of the sets' videos into the feature cache (issue 17); no FVD. */
  shard?: { index: number; count: number };
}

export interface RatingsImportSummary {
  study: string;
  studyId: number;
  ratings: number;
  participants: number;
  notRated: number;
  issues: { row: string; reason: string }[];
  scale: { min: number; max: number };
}

/** One frame's quality map for the viewer's heatmap (services/metrics/frame-maps.ts). */
export interface FrameMapJson {
  metric: FrameMapMetric;
  params: Record<string, string | number>;
  frame: number;
  width: number;
  height: number;
  /** The metric on this frame (null for NaN). */
  value: number | null;
  /**
   * width × height float32 values, row-major, as little-endian bytes (binary-reply.ts `float32View`
   * reads them). SSIM: 1 = identical; LPIPS: 0 = identical.
   */
  map: Uint8Array;
  decoder: string;
  model: { id: string; sha256: string; provider: string; comparable: boolean } | null;
}

/** Frame k of a pair as the viewer shows it (services/viewer/frame-pixels.ts). */
export interface FramePixelsJson {
  frame: number;
  width: number;
  height: number;
  /** Frames both sides yield (null when a container does not say). */
  frames: number | null;
  fps: number | null;
  /** width × height × 3 bytes (8-bit RGB, row-major): the reference's and the distorted's frame, after the pair's alignment. */
  ref: Uint8Array;
  dist: Uint8Array;
  decoder: string;
}

/** One image a participant is shown: width × height × 3 bytes of 8-bit RGB (row-major), base64; presented at 1:1 device pixels. */
export interface StimulusPixelsJson {
  stimulusId: number;
  width: number;
  height: number;
  rgb: string;
}

/**
 * One chunk of the file a participant's browser plays for a video stimulus (services/study/playable-copy.ts):
 * the source when Chromium plays it, else its lossless VP9 copy verified frame-exact against the source.
 * `data` is base64 of the bytes from `offset`; the page asks again from `offset + bytes` until `size`.
 */
export interface VideoChunkJson {
  stimulusId: number;
  mime: string;
  size: number;
  offset: number;
  data: string;
  prepared: boolean;
}

/**
 * The temporal alignment check of a distorted video against its reference (services/align,
 * docs/alignment.md). Frames are numbered from 0 in the REFERENCE; offset k: distorted frame j shows
 * reference frame j + k.
 */
export interface AlignmentReport {
  offset: number;
  /** Reference frames the distorted skips between two it shows. */
  dropped: number[];
  /** Reference frames the distorted shows again (once per extra showing). */
  duplicated: number[];
  fps: { ref: number | null; dist: number | null };
  /** In [0, 1]: how distinct the matched frames are (0: still content, nothing can be told apart). */
  confidence: number;
  /** Frame for frame the same timeline; null when the confidence is too low to say. */
  aligned: boolean | null;
  /** Decoded frames, and the distorted frames that show a reference frame. */
  frames: { ref: number; dist: number; matched: number };
  /** 'frames': matched frame by frame; 'timestamps': by time, as after a frame-rate conversion. */
  matchedBy: 'frames' | 'timestamps';
  startTime: { ref: number | null; dist: number | null };
  timeBase: { ref: string | null; dist: string | null };
  maxOffset: number;
  /** The metrics run's alignment policy filled with what was found. */
  policy: Required<Omit<AlignPolicyInput, 'scale'>>;
  /** Whether that policy alone makes the pair compare frame for frame (no drops or duplicates inside, enough confidence). */
  policyExact: boolean;
  notes: string[];
}

/**
 * What the user decided about a pair's detected alignment after looking at it (the viewer's "Confirm by
 * flicker"): 'accepted' stores the policy a later metrics run applies to the pair (the compute dialog
 * fills it in), 'rejected' says the detection was wrong. Kept per distorted stimulus for the two files'
 * contents it was decided on (services/align/alignment-decisions.ts); a changed file makes it stale.
 */
export interface AlignmentDecision {
  stimulusId: number;
  referenceId: number;
  verdict: AlignmentVerdict;
  /** The offset looked at (distorted frame j shows reference frame j + offset). */
  offset: number;
  /** The metrics run's alignment for the pair, as accepted (or as it was rejected). */
  policy: Required<Omit<AlignPolicyInput, 'scale'>>;
  /** The check's report the decision was made on (null when none was given). */
  report: AlignmentReport | null;
  /** ISO time. */
  decidedAt: string;
  /** A file of the pair changed since the decision: it no longer applies. */
  stale: boolean;
}

/** Per-frame values of one stimulus for one metric configuration (for curves). */
export interface FrameSeries {
  metricId: string;
  params: Record<string, string | number>;
  pooling: string;
  values: (number | 'Infinity' | '-Infinity' | null)[];
}

/** What each command takes, as a caller sends it. */
export interface CommandInputs {
  'app.info': Empty;
  'projects.recent': Empty;
  'projects.create': { dir: string; name?: string };
  'projects.open': { dir: string };
  'stimuli.list': ProjectRef;
  'stimuli.thumbnail': ProjectRef & { stimulusId: number };
  'import.start': ProjectRef & { source: string; options?: ImportOptionsInput };
  'metrics.list': Empty;
  'metrics.run': MetricsRunInputType;
  'metrics.results': ProjectRef;
  'metrics.frames': ProjectRef & { stimulusId: number };
  /** The stored values as a file, byte for byte what `iqa results --format <format>` prints. */
  'results.export': ProjectRef & { format: ResultsExportFormat };
  'viewer.frameMap': ProjectRef & {
    /** A distorted stimulus with a reference. */
    stimulusId: number;
    /** Frame number from 0 (0 for images). */
    frame: number;
    metric: FrameMapMetric;
    params?: Record<string, string | number>;
    /** As for 'viewer.framePixels': the map of the pair with these frames skipped. */
    skipRef?: number;
    skipDist?: number;
    ignoreFps?: boolean;
  };
  /** Frame k of a distorted stimulus and its reference as 8-bit RGB, for the viewer's panes. */
  /**
   * `skipRef`/`skipDist`: frames skipped at the start of each side (an offset applied, as the metrics
   * run's policy does; the longer side is then cut to the shorter): frame k is frame k + skip of each
   * file. `ignoreFps`: two frame rates compared frame by frame.
   */
  'viewer.framePixels': ProjectRef & { stimulusId: number; frame: number; skipRef?: number; skipDist?: number; ignoreFps?: boolean };
  /** The temporal alignment of a distorted video with its reference (decodes both, small). */
  'align.check': ProjectRef & { stimulusId: number; maxOffset?: number };
  /** The stored alignment decisions of the project's pairs (or of one distorted stimulus). */
  'align.decisions': ProjectRef & { stimulusId?: number };
  /** Stores (replaces) the decision about one pair's alignment; `verdict: null` forgets it. */
  'align.decide': ProjectRef & { stimulusId: number; verdict: AlignmentVerdict | null; policy?: Required<Omit<AlignPolicyInput, 'scale'>>; offset?: number; report?: AlignmentReport };
  'studies.list': ProjectRef;
  'ratings.import': ProjectRef & { csv: string; study?: string; method?: StudyMethodName; scale?: { min: number; max: number }; replace?: boolean };
  /** A study's raw ratings as a SUREAL dataset file (Python), byte for byte what `iqa ratings export-sureal` prints. */
  'ratings.exportSureal': ProjectRef & { study?: string };
  /** A subjective study designed over the project's stimuli (common/study.ts, docs/studies.md). */
  'studies.create': ProjectRef & StudyCreateInput;
  'studies.get': ProjectRef & { studyId: number };
  /** Every stimulus decodes and fits the display at 1:1 (the display given, else the design's). */
  'studies.validate': ProjectRef & { studyId: number; display?: { width: number; height: number } };
  'studies.progress': ProjectRef & { studyId: number };
  /** The playlist a participant code gets, without enrolling it (the same code always gets the same). */
  'studies.playlist': ProjectRef & { studyId: number; participant: string };
  'studies.setLabels': ProjectRef & { studyId: number; labels: ScaleLabel[] };
  'studies.export': ProjectRef & { studyId: number; format: StudyExportFormat };
  /** Enrols a participant code once (a second time: E_EXISTS, unless `resume`), returning the session and its first trial. */
  'sessions.enrol': ProjectRef & { studyId: number; participant: string; resume?: boolean; display?: SessionDisplay; notes?: SessionNotes };
  /** The session's state and next unanswered trial (what to show: stimulus ids by role, never paths). */
  'sessions.current': ProjectRef & { sessionId: number };
  /** The playable file of a video a session shows, by stimulus id, in chunks (prepared and verified on first use). */
  'sessions.video': ProjectRef & { sessionId: number; stimulusId: number; offset?: number };
  /**
   * The current trial's voting time (design timing.voteLimitMs) ran out: it is recorded as timed out
   * (trials.timed_out_at), with no rating, and the session goes on; returns the next trial.
   */
  'sessions.timeout': ProjectRef & { sessionId: number; trialId: number; presentedAt: string; timedOutAt: string };
  /** The participant's display and the researcher's notes. */
  'sessions.update': ProjectRef & { sessionId: number; display?: SessionDisplay; notes?: SessionNotes };
  /**
   * What the participant answers before the trials: consent (a refusal ends the session), the
   * demographics form, the vision check record. Each part once; returns the session.
   */
  'sessions.participant': ProjectRef & ParticipantPagesInput;
  /** One answer to the session's current trial, committed before the reply; returns the next trial. */
  'ratings.submit': ProjectRef & RatingSubmitInput;
  /** The pixels of one image a session shows, by stimulus id (services/study/presentation.ts): lossless 8-bit RGB. */
  'sessions.stimulus': ProjectRef & { sessionId: number; stimulusId: number };
  /** The media of the next `count` (default 1) unanswered trials after the current one, for the page to load ahead. */
  'sessions.upcoming': ProjectRef & { sessionId: number; count?: number };
  /**
   * LAN mode (docs/lan.md): opens the study to browsers on the network on a listener of its own, with a
   * fresh token (held in memory only). `host`: one of this machine's IPv4 addresses (default: the first
   * non-loopback one); `port`: default any free port. Already on: the running listener, unchanged.
   */
  'studies.lan.start': ProjectRef & { studyId: number; host?: string; port?: number };
  /** Closes the study's LAN listener (its token dies with it). */
  'studies.lan.stop': ProjectRef & { studyId: number };
  /** Whether the study's LAN listener is on, how many sessions use it, and the interfaces to choose from. */
  'studies.lan.status': ProjectRef & { studyId: number };
  'analysis.run': AnalysisOptionsInput;
  /** The same analysis as a job: progress over the rows' bootstrap intervals, cancellable; the report is the job's result. */
  'analysis.start': AnalysisOptionsInput;
  'analysis.mosChoice': ProjectRef;
  'analysis.setMosChoice': ProjectRef & { choice: Partial<MosChoice> };
  'analysis.export': AnalysisOptionsInput & { format: AnalysisExportFormat };
  'models.list': Empty;
  'models.install': { file: string; as?: string };
  /** Verifies one model, or every installed one. `maxProbes`: at most this many probes per model (default 2, a quick check; null: all); `probes`: only these (needs an id). */
  'models.verify': { id?: string; probes?: string[]; maxProbes?: number | null };
  'sets.metrics': ImageSetMetricsInput;
  'sets.fvd': FvdInput;
  'jobs.list': Empty;
  'jobs.cancel': { jobId: string };
  /** Forgets finished jobs (done, failed, cancelled): those of one project, or (null) those of no project. */
  'jobs.clearFinished': { projectDir: string | null };
  'shards.status': ProjectRef;
  'shards.merge': ProjectRef;
  'slurm.submit': SlurmSubmitInput;
  'slurm.status': ProjectRef;
  /** Trains and stores a learned NR predictor as a job (progress: feature pictures, then level fits). */
  'nr.train': NrTrainInput;
  'nr.list': ProjectRef;
  'nr.get': ProjectRef & { name: string };
  /** Deletes a predictor and the values its metric nr:<name> stored. */
  'nr.delete': ProjectRef & { name: string };
  /** The predictor as one JSON file (services/nr/predictor-file.ts). */
  'nr.export': ProjectRef & { name: string };
  /** Reads an exported predictor into the project, under its own name or `as`. */
  'nr.import': ProjectRef & { file: string; as?: string };
}

/** What each command returns. */
export interface CommandOutputs {
  'app.info': AppInfo;
  'projects.recent': RecentProject[];
  'projects.create': ProjectInfo;
  'projects.open': ProjectInfo;
  'stimuli.list': Stimulus[];
  'stimuli.thumbnail': { dataUrl: string | null };
  'import.start': { jobId: string };
  'metrics.list': MetricDescriptor[];
  'metrics.run': { jobId: string };
  'metrics.results': MetricResultRow[];
  'metrics.frames': FrameSeries[];
  'results.export': { filename: string; mime: string; content: string };
  'viewer.frameMap': FrameMapJson;
  'align.check': AlignmentReport;
  'align.decisions': AlignmentDecision[];
  /** null when the decision was forgotten. */
  'align.decide': AlignmentDecision | null;
  'viewer.framePixels': FramePixelsJson;
  'studies.list': StudySummary[];
  'ratings.import': RatingsImportSummary;
  'ratings.exportSureal': { filename: string; mime: string; content: string };
  'studies.create': { studyId: number; estimate: StudyEstimate };
  'studies.get': StudyDetail;
  'studies.validate': StudyValidation;
  'studies.progress': StudyProgress;
  /** `activeTrials`: PC active designs' test trials, chosen as the session goes (not listed). */
  'studies.playlist': { trials: PlaylistTrial[]; activeTrials: number };
  'studies.setLabels': StudyScale;
  'studies.export': { filename: string; mime: string; content: string };
  'sessions.enrol': SessionState;
  'sessions.current': SessionState;
  'sessions.video': VideoChunkJson;
  'sessions.timeout': SessionState;
  'sessions.update': SessionState;
  'sessions.participant': SessionState;
  'ratings.submit': SessionState;
  'sessions.stimulus': StimulusPixelsJson;
  /** `videos`: those of `stimulusIds` that are videos (fetched with `sessions.video`, the others with `sessions.stimulus`). */
  'sessions.upcoming': { stimulusIds: number[]; videos: number[] };
  'studies.lan.start': LanListenerInfo;
  'studies.lan.stop': { stopped: boolean };
  'studies.lan.status': LanStatus;
  'analysis.run': AnalysisReport;
  'analysis.start': { jobId: string };
  'analysis.mosChoice': { choice: MosChoice; stored: boolean };
  'analysis.setMosChoice': { choice: MosChoice; stored: boolean };
  'analysis.export': { filename: string; mime: string; content: string };
  'models.list': { dir: string; models: ModelRow[] };
  /** `file`: the source; `extras`: probe and licence files copied from beside it; `notes`: random weights, no licence to redistribute. */
  'models.install': { id: string; file: string; path: string; sha256: string; verified: boolean; extras: string[]; notes: string[] };
  'models.verify': { jobId: string };
  'sets.metrics': { jobId: string };
  'sets.fvd': { jobId: string };
  'jobs.list': JobSnapshot[];
  'jobs.cancel': { cancelled: boolean };
  'jobs.clearFinished': { cleared: number };
  'shards.status': ShardRun[];
  'shards.merge': ShardMergeReport;
  'slurm.submit': SlurmSubmitReport;
  'slurm.status': SlurmStatusReport;
  'nr.train': { jobId: string };
  'nr.list': NrPredictorSummary[];
  'nr.get': NrPredictorRecord & { sha256: string };
  'nr.delete': { deleted: boolean };
  'nr.export': { filename: string; mime: string; content: string };
  'nr.import': NrPredictorSummary;
}

export type CommandInput<C extends CommandName> = CommandInputs[C];
export type CommandOutput<C extends CommandName> = CommandOutputs[C];

/** Events pushed from the engine to every connected UI. */
export interface Events {
  'job.update': JobSnapshot;
}

/** The shape both transports hand the renderer. */
export type Api = {
  [C in CommandName]: (input: CommandInput<C>) => Promise<CommandOutput<C>>;
};

/** Envelope for every reply over any transport. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: WireError };

// Keeps the name list and the two maps in step: a command or event missing from one is an error here.
type Assert<T extends true> = T;
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type ContractTypesComplete = [
  Assert<SameKeys<CommandName, keyof CommandInputs>>,
  Assert<SameKeys<CommandName, keyof CommandOutputs>>,
  Assert<SameKeys<EventName, keyof Events>>,
];
