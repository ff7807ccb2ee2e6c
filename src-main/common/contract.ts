/**
 * The one API contract between the UI and the engine. Both transports (Electron IPC through the
 * preload, and the loopback HTTP/WebSocket host) serve exactly these commands and events; channel
 * and route names are derived from the keys here and appear nowhere else. Every inbound input is
 * parsed with its schema before a handler sees it.
 */
import { z } from 'zod';
import { metricRequestSchema } from './metric-params';
import { POOLINGS, SCALER_NAMES, type MetricDescriptor } from './metric-registry';
import type {
  ModelRow,
  AnalysisReport,
  StudySummary,
  AppInfo,
  MetricResultRow,
  JobSnapshot,
  ProjectInfo,
  RecentProject,
  Stimulus,
} from './domain';

/** A command: its input schema, and its output type carried as a phantom. */
interface CommandSpec<I extends z.ZodType, O> {
  input: I;
  readonly output?: O;
}
function command<O>() {
  return <I extends z.ZodType>(input: I): CommandSpec<I, O> => ({ input });
}

const absPath = z
  .string()
  .min(1, 'a path is required')
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'must be an absolute path');

export const rawVideoSchema = z.strictObject({
  width: z.number().int().positive().max(32768),
  height: z.number().int().positive().max(32768),
  pixFmt: z.string().regex(/^[a-z0-9_]+$/, 'a pixel format name such as yuv420p'),
  fps: z.number().positive().max(1000),
});

export const importOptionsSchema = z.strictObject({
  /** A regular expression applied to file stems; the named group `ref` names the reference's stem,
   * every other named group becomes an attribute. Without it the default pairing rules apply. */
  pattern: z
    .string()
    .max(1000)
    .refine((p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression')
    .optional(),
  recursive: z.boolean().default(true),
  rawVideo: rawVideoSchema.optional(),
});

export const alignPolicySchema = z.strictObject({
  scale: z.enum(SCALER_NAMES).optional(),
  truncate: z.boolean().optional(),
  skipRef: z.number().int().min(0).max(1_000_000).optional(),
  skipDist: z.number().int().min(0).max(1_000_000).optional(),
  ignoreFps: z.boolean().optional(),
});

export const metricsRunSchema = z.strictObject({
  projectDir: absPath,
  metrics: z.array(metricRequestSchema).min(1, 'choose at least one metric').max(50),
  /** Distorted stimuli to compute (default: every paired one). */
  stimulusIds: z.array(z.number().int().positive()).max(1_000_000).optional(),
  force: z.boolean().default(false),
  pooling: z.enum(POOLINGS).default('mean'),
  policy: alignPolicySchema.default({}),
  /** Compute from damaged files' concealed frames (recorded in each value's decoder provenance) instead of failing them. */
  acceptDecodeErrors: z.boolean().optional(),
});

export const MAPPING_NAMES = ['logistic5', 'logistic4', 'cubic', 'linear', 'none'] as const;
export const STUDY_METHOD_NAMES = ['ACR', 'ACR-HR', 'DCR', 'DSCQS', 'SSCQE', 'PC'] as const;

/**
 * Which MOS the analysis uses: the kind, the screening and its threshold, the scores averaged (absolute
 * or difference scores: DSCQS reference − test, ACR-HR DMOS; 'auto' picks the method's usual one) and
 * per-participant z-scores. A project stores one ('analysis.setMosChoice'); an analysis that is not
 * given a field takes it from there, then from these defaults.
 */
export const mosChoiceSchema = z.strictObject({
  mos: z.enum(['screened', 'raw', 'mle']).default('screened'),
  screening: z.enum(['bt500', 'corr']).default('bt500'),
  minCorrelation: z.number().gt(-1).lt(1).default(0.75),
  scores: z.enum(['auto', 'absolute', 'difference']).default('auto'),
  zscore: z.boolean().default(false),
});
export type MosChoice = z.output<typeof mosChoiceSchema>;

export const analysisOptionsSchema = z.strictObject({
  projectDir: absPath,
  study: z.string().min(1).max(200).optional(),
  // The MOS choice: a field left out comes from the project's stored choice (then the defaults above).
  mos: z.enum(['screened', 'raw', 'mle']).optional(),
  screening: z.enum(['bt500', 'corr']).optional(),
  minCorrelation: z.number().gt(-1).lt(1).optional(),
  scores: z.enum(['auto', 'absolute', 'difference']).optional(),
  zscore: z.boolean().optional(),
  mapping: z.enum(MAPPING_NAMES).default('logistic5'),
  by: z.string().min(1).max(100).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  resamples: z.number().int().min(0).max(100_000).default(2000),
});

/** A set for FID/KID/IS/FVD: an absolute folder, project:<dir>[:key=value,...], or stats:<file.npz>. */
const setSpecString = z
  .string()
  .min(1)
  .max(4096)
  .refine((v) => v.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v) || v.startsWith('project:') || v.startsWith('stats:'), 'an absolute folder, project:<dir>[:key=value] or stats:<file.npz>');
const setBootstrapSchema = z.strictObject({
  resamples: z.number().int().min(2).max(10_000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  confidence: z.number().gt(0).lt(1).default(0.95),
});
const modelIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/).max(100);

export const imageSetMetricsSchema = z.strictObject({
  a: setSpecString,
  b: setSpecString.optional(),
  metrics: z.array(z.enum(['fid', 'kid', 'is'])).min(1).max(3).default(['fid']),
  model: modelIdSchema.default('fid-inception'),
  resize: z.enum(['pytorch-fid', 'clean-fid', 'tf1']).default('pytorch-fid'),
  isSplits: z.number().int().min(1).max(1000).default(10),
  bootstrap: setBootstrapSchema.optional(),
});

export const fvdSchema = z.strictObject({
  a: setSpecString,
  b: setSpecString,
  model: modelIdSchema.default('i3d-kinetics400'),
  clipLength: z.number().int().min(10).max(512).default(16),
  start: z.number().int().min(0).max(1_000_000).default(0),
  stride: z.number().int().min(1).max(1000).default(1),
  bootstrap: setBootstrapSchema.optional(),
});

export const commands = {
  'app.info': command<AppInfo>()(z.strictObject({})),
  'projects.recent': command<RecentProject[]>()(z.strictObject({})),
  'projects.create': command<ProjectInfo>()(z.strictObject({ dir: absPath, name: z.string().max(200).optional() })),
  'projects.open': command<ProjectInfo>()(z.strictObject({ dir: absPath })),
  'stimuli.list': command<Stimulus[]>()(z.strictObject({ projectDir: absPath })),
  'stimuli.thumbnail': command<{ dataUrl: string | null }>()(
    z.strictObject({ projectDir: absPath, stimulusId: z.number().int().positive() }),
  ),
  'import.start': command<{ jobId: string }>()(
    z.strictObject({ projectDir: absPath, source: absPath, options: importOptionsSchema.default({ recursive: true }) }),
  ),
  'metrics.list': command<MetricDescriptor[]>()(z.strictObject({})),
  'metrics.run': command<{ jobId: string }>()(metricsRunSchema),
  'metrics.results': command<MetricResultRow[]>()(z.strictObject({ projectDir: absPath })),
  'metrics.frames': command<FrameSeries[]>()(z.strictObject({ projectDir: absPath, stimulusId: z.number().int().positive() })),
  'viewer.frameMap': command<FrameMapJson>()(
    z.strictObject({
      projectDir: absPath,
      /** A distorted stimulus with a reference. */
      stimulusId: z.number().int().positive(),
      /** Frame number from 0 (0 for images). */
      frame: z.number().int().min(0).max(10_000_000),
      metric: z.enum(['ssim-y', 'lpips']),
      params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
    }),
  ),
  'studies.list': command<StudySummary[]>()(z.strictObject({ projectDir: absPath })),
  'ratings.import': command<RatingsImportSummary>()(
    z.strictObject({
      projectDir: absPath,
      csv: absPath,
      study: z.string().min(1).max(200).default('imported'),
      method: z.enum(STUDY_METHOD_NAMES).default('ACR'),
      scale: z.strictObject({ min: z.number(), max: z.number() }).refine((s) => s.min < s.max, 'min must be below max').optional(),
      replace: z.boolean().default(false),
    }),
  ),
  'analysis.run': command<AnalysisReport>()(analysisOptionsSchema),
  'analysis.mosChoice': command<{ choice: MosChoice; stored: boolean }>()(z.strictObject({ projectDir: absPath })),
  'analysis.setMosChoice': command<{ choice: MosChoice; stored: boolean }>()(z.strictObject({ projectDir: absPath, choice: mosChoiceSchema })),
  'analysis.export': command<{ filename: string; mime: string; content: string }>()(
    analysisOptionsSchema.extend({ format: z.enum(['csv', 'json', 'latex', 'md']) }),
  ),
  'models.list': command<{ dir: string; models: ModelRow[] }>()(z.strictObject({})),
  'models.install': command<{ id: string; path: string; sha256: string; verified: boolean }>()(
    z.strictObject({ file: absPath, as: z.string().regex(/^[a-z0-9-]+$/).max(100).optional() }),
  ),
  'models.verify': command<{ jobId: string }>()(z.strictObject({ id: z.string().regex(/^[a-z0-9-]+$/).max(100).optional() })),
  'sets.metrics': command<{ jobId: string }>()(imageSetMetricsSchema),
  'sets.fvd': command<{ jobId: string }>()(fvdSchema),
  'jobs.list': command<JobSnapshot[]>()(z.strictObject({})),
  'jobs.cancel': command<{ cancelled: boolean }>()(z.strictObject({ jobId: z.string().min(1).max(100) })),
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export const COMMAND_NAMES = Object.keys(commands) as CommandName[];

export type CommandInput<C extends CommandName> = z.input<Commands[C]['input']>;
export type ParsedInput<C extends CommandName> = z.output<Commands[C]['input']>;
export type CommandOutput<C extends CommandName> = NonNullable<Commands[C]['output']>;

/** Events pushed from the engine to every connected UI. */
export interface Events {
  'job.update': JobSnapshot;
}
export type EventName = keyof Events;
export const EVENT_NAMES: EventName[] = ['job.update'];

/** The shape both transports hand the renderer. */
export type Api = {
  [C in CommandName]: (input: CommandInput<C>) => Promise<CommandOutput<C>>;
};

/** The shape the engine implements: handlers get already-parsed input. */
export type Handlers = {
  [C in CommandName]: (input: ParsedInput<C>) => Promise<CommandOutput<C>>;
};

/** IPC channel and HTTP route names, derived in one place. */
export const ipcChannel = (name: CommandName | EventName): string => `iqa:${name}`;
export const httpRoute = (name: CommandName): string => `/api/${name}`;

export type ImportOptions = z.output<typeof importOptionsSchema>;
export type MetricsRunInput = z.output<typeof metricsRunSchema>;

/** Envelope for every reply over any transport. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: import('./errors').WireError };

export interface RatingsImportSummary {
  study: string;
  studyId: number;
  ratings: number;
  participants: number;
  notRated: number;
  issues: { row: string; reason: string }[];
  scale: { min: number; max: number };
}
export type AnalysisOptions = z.output<typeof analysisOptionsSchema>;

/** One frame's quality map for the viewer's heatmap (services/metrics/frame-maps.ts). */
export interface FrameMapJson {
  metric: 'ssim-y' | 'lpips';
  params: Record<string, string | number>;
  frame: number;
  width: number;
  height: number;
  /** The metric on this frame (null for NaN). */
  value: number | null;
  /** width × height float32 values, row-major, little-endian, base64. SSIM: 1 = identical; LPIPS: 0 = identical. */
  map: string;
  decoder: string;
  model: { id: string; sha256: string; provider: string; comparable: boolean } | null;
}

/** Per-frame values of one stimulus for one metric configuration (for curves). */
export interface FrameSeries {
  metricId: string;
  params: Record<string, string | number>;
  pooling: string;
  values: (number | 'Infinity' | '-Infinity' | null)[];
}
