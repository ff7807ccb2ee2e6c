/**
 * The names of the API contract as plain data: every command and event, the channel and route each is
 * served on, and the enumerations the inputs accept. No zod and no schemas here (those are in
 * contract.ts, which the engine and the hosts import): the preload and the renderer import this module,
 * so what they load is a list of names, not a validator. test/common/contract.test.ts checks that
 * COMMAND_NAMES are exactly the keys of the schema map, and test/common/architecture.test.ts that this
 * module (and contract-types.ts) import nothing that reaches zod.
 */
import { POOLINGS, SCALER_NAMES } from './metric-registry';
import type { MappingKind } from './mapping-models';

export { POOLINGS, SCALER_NAMES };

/** Every command, in the order the contract declares them. */
export const COMMAND_NAMES = [
  'app.info',
  'projects.recent',
  'projects.create',
  'projects.open',
  'stimuli.list',
  'stimuli.thumbnail',
  'import.start',
  'metrics.list',
  'metrics.run',
  'metrics.results',
  'metrics.frames',
  'results.export',
  'viewer.frameMap',
  'viewer.framePixels',
  'align.check',
  'align.decisions',
  'align.decide',
  'studies.list',
  'ratings.import',
  'ratings.exportSureal',
  'studies.create',
  'studies.get',
  'studies.validate',
  'studies.progress',
  'studies.playlist',
  'studies.setLabels',
  'studies.export',
  'sessions.enrol',
  'sessions.current',
  'sessions.video',
  'sessions.timeout',
  'sessions.update',
  'sessions.participant',
  'ratings.submit',
  'sessions.stimulus',
  'sessions.upcoming',
  'studies.lan.start',
  'studies.lan.stop',
  'studies.lan.status',
  'analysis.run',
  'analysis.start',
  'analysis.mosChoice',
  'analysis.setMosChoice',
  'analysis.export',
  'models.list',
  'models.install',
  'models.verify',
  'sets.metrics',
  'sets.fvd',
  'jobs.list',
  'jobs.cancel',
  'jobs.clearFinished',
  'shards.status',
  'shards.merge',
  'slurm.submit',
  'slurm.status',
  'nr.train',
  'nr.list',
  'nr.get',
  'nr.delete',
  'nr.export',
  'nr.import',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Events pushed from the engine to every connected UI. */
export const EVENT_NAMES = ['job.update'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** IPC channel and HTTP route names, derived in one place. */
export const ipcChannel = (name: CommandName | EventName): string => `iqa:${name}`;
export const httpRoute = (name: CommandName): string => `/api/${name}`;

export const isCommandName = (name: string): name is CommandName => (COMMAND_NAMES as readonly string[]).includes(name);

/**
 * The commands whose replies carry pixels as byte arrays (Uint8Array fields): the loopback host sends
 * them in the binary format of binary-reply.ts instead of JSON; Electron's IPC clones them as they are.
 */
export const BINARY_REPLY_COMMANDS: readonly CommandName[] = ['viewer.frameMap', 'viewer.framePixels'];

/** Mappings fitted before PLCC/RMSE ('cubic' is the monotonic cubic the engine reports as 'cubic-monotonic'). */
export const MAPPING_NAMES = ['logistic5', 'logistic4', 'cubic', 'linear', 'none'] as const;
export type MappingName = (typeof MAPPING_NAMES)[number];
/**
 * The mapping each name fits: 'cubic' is what the user types and picks, 'cubic-monotonic' what is fitted
 * and reported. The one place the alias lives (the engine's analysis and `iqa correlate` use it).
 */
export const MAPPING_FITS = {
  logistic5: 'logistic5',
  logistic4: 'logistic4',
  cubic: 'cubic-monotonic',
  linear: 'linear',
  none: 'none',
} as const satisfies Record<MappingName, MappingKind | 'none'>;
export const STUDY_METHOD_NAMES = ['ACR', 'ACR-HR', 'DCR', 'DSCQS', 'SSCQE', 'PC'] as const;
export type StudyMethodName = (typeof STUDY_METHOD_NAMES)[number];

/** A collected study as a file (services/study/study-export.ts). */
export const STUDY_EXPORT_FORMATS = ['csv', 'json', 'sureal'] as const;
export type StudyExportFormat = (typeof STUDY_EXPORT_FORMATS)[number];

/** The MOS choice's enumerations (mosChoiceSchema). */
export const MOS_KINDS = ['screened', 'raw', 'mle'] as const;
export type MosKind = (typeof MOS_KINDS)[number];
export const SCREENINGS = ['bt500', 'corr'] as const;
export type Screening = (typeof SCREENINGS)[number];
export const SCORE_NAMES = ['auto', 'absolute', 'difference'] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];

/** The stored values as `iqa results --format` writes them (services/export/results-export.ts). */
export const RESULTS_EXPORT_FORMATS = ['csv', 'json'] as const;
export type ResultsExportFormat = (typeof RESULTS_EXPORT_FORMATS)[number];

export const ANALYSIS_EXPORT_FORMATS = ['csv', 'json', 'latex', 'md'] as const;
export type AnalysisExportFormat = (typeof ANALYSIS_EXPORT_FORMATS)[number];

/** Metrics whose per-frame map the viewer can show. */
export const FRAME_MAP_METRICS = ['ssim-y', 'lpips'] as const;
export type FrameMapMetric = (typeof FRAME_MAP_METRICS)[number];

/** The set metrics over images, and how images are resized for the Inception network. */
export const IMAGE_SET_METRIC_NAMES = ['fid', 'kid', 'is'] as const;
export type ImageSetMetricName = (typeof IMAGE_SET_METRIC_NAMES)[number];
export const SET_RESIZE_NAMES = ['pytorch-fid', 'clean-fid', 'tf1'] as const;
export type SetResizeName = (typeof SET_RESIZE_NAMES)[number];
/** FVD clips: at least this many frames (the I3D graph itself needs 9), 16 by default. */
export const FVD_MIN_CLIP_LENGTH = 10;
export const FVD_DEFAULT_CLIP_LENGTH = 16;

/** The alignment check's offset search: ±ALIGN_DEFAULT_MAX_OFFSET frames unless asked, at most ±ALIGN_MAX_OFFSET_LIMIT. */
export const ALIGN_DEFAULT_MAX_OFFSET = 25;
export const ALIGN_MAX_OFFSET_LIMIT = 500;
/** What the user decided about a pair's detected alignment ('align.decide'). */
export const ALIGN_VERDICTS = ['accepted', 'rejected'] as const;
export type AlignmentVerdict = (typeof ALIGN_VERDICTS)[number];

/** The kinds of background job, each with its own result type (JobSnapshot in domain.ts). */
export const JOB_KINDS = ['import', 'metrics', 'models.verify', 'sets', 'analysis', 'nr.train'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
