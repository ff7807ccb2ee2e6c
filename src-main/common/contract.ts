/**
 * The one API contract between the UI and the engine: the zod schema of every command's input. Both
 * transports (Electron IPC through the preload, and the loopback HTTP/WebSocket host) serve exactly
 * these commands and events, and every inbound input is parsed with its schema before a handler sees it.
 *
 * The names (commands, events, channels, routes, enumerations) live in contract-names.ts and the types
 * (inputs, outputs, events) in contract-types.ts, both free of zod so that the preload and the renderer
 * can import them; this module re-exports them for the engine's side and checks at compile time that
 * each schema accepts exactly its declared input type (InputTypesMatch below).
 */
import { z } from 'zod';
import { metricRequestSchema } from './metric-params';
import { parseSetSpecText } from './set-spec';
import {
  ALIGN_MAX_OFFSET_LIMIT,
  ALIGN_VERDICTS,
  ANALYSIS_EXPORT_FORMATS,
  FRAME_MAP_METRICS,
  FVD_DEFAULT_CLIP_LENGTH,
  FVD_MIN_CLIP_LENGTH,
  IMAGE_SET_METRIC_NAMES,
  MAPPING_NAMES,
  MOS_KINDS,
  POOLINGS,
  RESULTS_EXPORT_FORMATS,
  SCALER_NAMES,
  SCORE_NAMES,
  SCREENINGS,
  SET_RESIZE_NAMES,
  STUDY_METHOD_NAMES,
  STUDY_EXPORT_FORMATS,
  type CommandName,
} from './contract-names';
import { COLOUR_VISION, STUDY_SCALE_IDS } from './study';
import { NR_COMBINES, NR_GROUPINGS, NR_NAME_PATTERN, NR_SVR_TYPES, NR_TARGETS } from './nr-predictor';
import type { AnalysisOptions, CommandInputs, CommandOutput, ImportOptions, MetricsRunInput, MosChoice } from './contract-types';

export * from './contract-names';
export * from './contract-types';

/** A command: its input schema. */
interface CommandSpec<I extends z.ZodType> {
  input: I;
}
const command = <I extends z.ZodType>(input: I): CommandSpec<I> => ({ input });

const isAbsolutePath = (p: string): boolean => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');

const absPath = z.string().min(1, 'a path is required').max(4096).refine(isAbsolutePath, 'must be an absolute path');

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

const frameSkip = z.number().int().min(0).max(1_000_000).optional();
const alignTimingSchema = z.strictObject({
  skipRef: z.number().int().min(0).max(1_000_000),
  skipDist: z.number().int().min(0).max(1_000_000),
  truncate: z.boolean(),
  ignoreFps: z.boolean(),
});
const frameList = z.array(z.number().int().min(0)).max(1_000_000);
const sides = <T extends z.ZodType>(t: T) => z.strictObject({ ref: t, dist: t });
/** An 'align.check' report handed back with a decision (stored as it was shown). */
export const alignmentReportSchema = z.strictObject({
  offset: z.number().int(),
  dropped: frameList,
  duplicated: frameList,
  fps: sides(z.number().nullable()),
  confidence: z.number().min(0).max(1),
  aligned: z.boolean().nullable(),
  frames: z.strictObject({ ref: z.number().int().min(0), dist: z.number().int().min(0), matched: z.number().int().min(0) }),
  matchedBy: z.enum(['frames', 'timestamps']),
  startTime: sides(z.number().nullable()),
  timeBase: sides(z.string().max(100).nullable()),
  maxOffset: z.number().int().min(0),
  policy: alignTimingSchema,
  policyExact: z.boolean(),
  notes: z.array(z.string().max(2000)).max(100),
});

/** One shard of N (1-based, as Slurm's array task ids). */
const shardSpecSchema = z
  .strictObject({ index: z.number().int().min(1), count: z.number().int().min(1).max(10_000) })
  .refine((s) => s.index <= s.count, 'the shard index must be between 1 and the shard count');

export const metricsRunSchema = z.strictObject({
  projectDir: absPath,
  metrics: z.array(metricRequestSchema).min(1, 'choose at least one metric').max(50),
  /** Distorted stimuli to compute (default: every paired one). */
  stimulusIds: z.array(z.number().int().positive()).max(1_000_000).optional(),
  stimulusNames: z.array(z.string().min(1).max(4096)).max(1_000_000).optional(),
  force: z.boolean().default(false),
  pooling: z.enum(POOLINGS).default('mean'),
  policy: alignPolicySchema.default({}),
  /** Compute from damaged files' concealed frames (recorded in each value's decoder provenance) instead of failing them. */
  acceptDecodeErrors: z.boolean().optional(),
  shard: shardSpecSchema.optional(),
});

/** `iqa slurm submit` (services/shards/slurm.ts); the scheduler options become #SBATCH lines, so only their plain forms pass. */
export const slurmSubmitSchema = z.strictObject({
  projectDir: absPath,
  metrics: z.array(metricRequestSchema).min(1, 'choose at least one metric').max(50),
  shards: z.number().int().min(1).max(10_000),
  force: z.boolean().optional(),
  pooling: z.enum(POOLINGS).optional(),
  policy: alignPolicySchema.optional(),
  acceptDecodeErrors: z.boolean().optional(),
  partition: z.string().regex(/^[A-Za-z0-9_.,-]{1,100}$/, 'a partition name (letters, digits, _ . , -)').optional(),
  time: z.string().regex(/^(\d+-)?\d{1,3}(:\d{2}){0,2}$/, 'a Slurm time limit: MM, HH:MM:SS or D-HH:MM:SS').optional(),
  cpusPerTask: z.number().int().min(1).max(1024).optional(),
  gres: z.string().regex(/^[A-Za-z0-9_]+(:[A-Za-z0-9_.-]+){0,2}$/, 'a generic resource such as gpu:1 or gpu:a100:2').optional(),
  dryRun: z.boolean().optional(),
});

/** The MOS choice (contract-types.ts, MosChoice); its defaults are MOS_CHOICE_DEFAULTS. */
export const mosChoiceSchema = z.strictObject({
  mos: z.enum(MOS_KINDS).default('screened'),
  screening: z.enum(SCREENINGS).default('bt500'),
  minCorrelation: z.number().gt(-1).lt(1).default(0.75),
  scores: z.enum(SCORE_NAMES).default('auto'),
  zscore: z.boolean().default(false),
});

export const analysisOptionsSchema = z.strictObject({
  projectDir: absPath,
  study: z.string().min(1).max(200).optional(),
  // The MOS choice: a field left out comes from the project's stored choice (then the defaults above).
  mos: z.enum(MOS_KINDS).optional(),
  screening: z.enum(SCREENINGS).optional(),
  minCorrelation: z.number().gt(-1).lt(1).optional(),
  scores: z.enum(SCORE_NAMES).optional(),
  zscore: z.boolean().optional(),
  mapping: z.enum(MAPPING_NAMES).default('logistic5'),
  by: z.string().min(1).max(100).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  resamples: z.number().int().min(0).max(100_000).default(2000),
});

/** A filter key or value of a project group (common/set-spec.ts). */
const filterText = z.string().max(1000);

/** A set for FID/KID/IS/FVD (common/set-spec.ts): an absolute folder, a project group, or stored statistics. */
const setSpecObjectSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('folder'), dir: absPath }),
  z.strictObject({ type: z.literal('project'), dir: absPath, filter: z.record(filterText.min(1), filterText) }),
  z.strictObject({ type: z.literal('stats'), file: absPath }),
]);

/**
 * A set as the structure (what the UI sends), or as the CLI's one string (`/folder`,
 * `project:<dir>[:k=v,…]`, `stats:<file.npz>`, for scripts over HTTP), parsed by the one parser into the
 * structure. Handlers always receive the structure.
 */
export const setSpecSchema = z.union([
  setSpecObjectSchema,
  z
    .string()
    .min(1)
    .max(4096)
    .transform((text, ctx) => {
      try {
        return parseSetSpecText(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
        return z.NEVER;
      }
    })
    .pipe(setSpecObjectSchema),
]);

const setBootstrapSchema = z.strictObject({
  resamples: z.number().int().min(2).max(10_000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  confidence: z.number().gt(0).lt(1).default(0.95),
});
const modelIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/).max(100);

export const imageSetMetricsSchema = z.strictObject({
  a: setSpecSchema,
  b: setSpecSchema.optional(),
  metrics: z.array(z.enum(IMAGE_SET_METRIC_NAMES)).min(1).max(3).default(['fid']),
  model: modelIdSchema.default('fid-inception'),
  resize: z.enum(SET_RESIZE_NAMES).default('pytorch-fid'),
  isSplits: z.number().int().min(1).max(1000).default(10),
  kid: z
    .strictObject({
      subsetSize: z.number().int().min(1).max(1_000_000).optional(),
      subsets: z.number().int().min(1).max(100_000).optional(),
      seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    })
    .optional(),
  bootstrap: setBootstrapSchema.optional(),
  saveStatsA: absPath.optional(),
  cache: z.boolean().default(true),
  shard: shardSpecSchema.optional(),
});

export const fvdSchema = z.strictObject({
  a: setSpecSchema,
  b: setSpecSchema,
  model: modelIdSchema.default('i3d-kinetics400'),
  clipLength: z
    .number()
    .int()
    .min(FVD_MIN_CLIP_LENGTH, `FVD clip length must be a whole number of frames from ${FVD_MIN_CLIP_LENGTH} to 512`)
    .max(512, `FVD clip length must be a whole number of frames from ${FVD_MIN_CLIP_LENGTH} to 512`)
    .default(FVD_DEFAULT_CLIP_LENGTH),
  start: z.number().int().min(0).max(1_000_000).default(0),
  stride: z.number().int().min(1).max(1000).default(1),
  bootstrap: setBootstrapSchema.optional(),
  cache: z.boolean().default(true),
  shard: shardSpecSchema.optional(),
});

/** Subjective studies (common/study.ts). */
const studyFilterSchema = z.record(filterText.min(1), filterText);
const scaleLabelsSchema = z.array(z.strictObject({ value: z.number().finite(), label: z.string().max(200) })).min(1).max(101);
const studySeedSchema = z.number().int().min(0).max(2 ** 31 - 1);
const isoTime = z.string().min(1).max(64).refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO 8601 time');
const participantCodeSchema = z.string().min(1).max(100).regex(/^[^\u0000-\u001f]+$/, 'no control characters');
const displaySchema = z.strictObject({
  screenWidth: z.number().int().positive().max(100_000),
  screenHeight: z.number().int().positive().max(100_000),
  devicePixelRatio: z.number().positive().max(16),
  colorGamut: z.string().max(50).optional(),
  userAgent: z.string().max(1000).optional(),
});
const notesSchema = z.strictObject({ viewingDistance: z.string().max(200).optional(), room: z.string().max(1000).optional(), text: z.string().max(10_000).optional() });
const demographicFieldSchema = z.strictObject({
  key: z.string().min(1).max(100).regex(/^[a-z0-9_]+$/, 'lower-case letters, digits and _'),
  label: z.string().min(1).max(200),
  kind: z.enum(['text', 'number', 'choice']),
  options: z.array(z.string().min(1).max(200)).max(50),
  required: z.boolean(),
});
const participantPagesSchema = z.strictObject({
  consent: z.string().min(1).max(50_000).nullable(),
  demographics: z.array(demographicFieldSchema).max(50),
  visionCheck: z.boolean(),
  instructions: z.string().min(1).max(20_000).nullable(),
});
const displaySizeSchema = z.strictObject({ width: z.number().int().positive().max(100_000), height: z.number().int().positive().max(100_000) });
const perPairSchema = z.number().int().min(1).max(10_000);

export const studyCreateSchema = z.strictObject({
  projectDir: absPath,
  name: z.string().min(1).max(200),
  method: z.enum(STUDY_METHOD_NAMES),
  stimuli: studyFilterSchema.optional(),
  scale: z.enum(STUDY_SCALE_IDS).optional(),
  labels: scaleLabelsSchema.optional(),
  allowTie: z.boolean().optional(),
  repetitions: z.number().int().min(1).max(100).optional(),
  training: z.number().int().min(0).max(1000).optional(),
  trainingStimuli: studyFilterSchema.optional(),
  order: z.enum(['random', 'fixed']).optional(),
  seed: studySeedSchema.optional(),
  pairs: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('full') }),
      z.strictObject({ kind: z.literal('random'), perPair: perPairSchema }),
      z.strictObject({ kind: z.literal('active'), perPair: perPairSchema }),
    ])
    .optional(),
  pairsWithin: z.enum(['content', 'all']).optional(),
  plannedParticipants: z.number().int().min(1).max(100_000).optional(),
  timing: z
    .strictObject({
      imageMs: z.number().int().min(100).max(600_000),
      video: z.enum(['play-once', 'until-vote']),
      greyMs: z.number().int().min(0).max(60_000),
      voteLimitMs: z.number().int().min(500).max(600_000).nullable(),
      breakEveryMin: z.number().min(1).max(240).nullable(),
      sampleRateHz: z.number().min(0.1).max(100),
    })
    .partial()
    .optional(),
  display: displaySizeSchema.optional(),
  pages: participantPagesSchema.partial().optional(),
});

export const ratingSubmitSchema = z.strictObject({
  projectDir: absPath,
  sessionId: z.number().int().positive(),
  trialId: z.number().int().positive(),
  value: z.number().finite().optional(),
  valueRef: z.number().finite().optional(),
  sides: z.strictObject({ A: z.number().finite(), B: z.number().finite() }).optional(),
  choice: z.union([z.literal(0), z.literal(1)]).nullable().optional(),
  samples: z.array(z.strictObject({ tMs: z.number().finite().min(0), value: z.number().finite() })).min(1).max(100_000).optional(),
  responseMs: z.number().finite().min(0).max(86_400_000),
  presentedAt: isoTime,
  votedAt: isoTime,
});

/** A learned NR predictor's name: lower case, what follows nr: in its metric id. */
const nrName = z.string().regex(NR_NAME_PATTERN, 'a predictor name is 1-64 of a-z, 0-9, _ and -, starting with a letter or digit');

const nrTrainSchema = z.strictObject({
  projectDir: absPath,
  name: nrName,
  features: z.string().min(1).max(100),
  target: z.enum(NR_TARGETS),
  study: z.string().min(1).max(200).optional(),
  folds: z.number().int().min(2).max(50).default(5),
  innerFolds: z.number().int().min(2).max(20).default(4),
  group: z.enum(NR_GROUPINGS).default('content'),
  combine: z.enum(NR_COMBINES).default('mean'),
  svr: z.enum(NR_SVR_TYPES).default('epsilon'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  resamples: z.number().int().min(0).max(100_000).default(2000),
});

export const commands = {
  'app.info': command(z.strictObject({})),
  'projects.recent': command(z.strictObject({})),
  'projects.create': command(z.strictObject({ dir: absPath, name: z.string().max(200).optional() })),
  'projects.open': command(z.strictObject({ dir: absPath })),
  'stimuli.list': command(z.strictObject({ projectDir: absPath })),
  'stimuli.thumbnail': command(z.strictObject({ projectDir: absPath, stimulusId: z.number().int().positive() })),
  'import.start': command(z.strictObject({ projectDir: absPath, source: absPath, options: importOptionsSchema.default({ recursive: true }) })),
  'metrics.list': command(z.strictObject({})),
  'metrics.run': command(metricsRunSchema),
  'metrics.results': command(z.strictObject({ projectDir: absPath })),
  'metrics.frames': command(z.strictObject({ projectDir: absPath, stimulusId: z.number().int().positive() })),
  'results.export': command(z.strictObject({ projectDir: absPath, format: z.enum(RESULTS_EXPORT_FORMATS) })),
  'viewer.frameMap': command(
    z.strictObject({
      projectDir: absPath,
      /** A distorted stimulus with a reference. */
      stimulusId: z.number().int().positive(),
      /** Frame number from 0 (0 for images). */
      frame: z.number().int().min(0).max(10_000_000),
      metric: z.enum(FRAME_MAP_METRICS),
      params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
      skipRef: frameSkip,
      skipDist: frameSkip,
      ignoreFps: z.boolean().optional(),
    }),
  ),
  'viewer.framePixels': command(
    z.strictObject({ projectDir: absPath, stimulusId: z.number().int().positive(), frame: z.number().int().min(0).max(10_000_000), skipRef: frameSkip, skipDist: frameSkip, ignoreFps: z.boolean().optional() }),
  ),
  'align.check': command(
    z.strictObject({
      projectDir: absPath,
      /** A distorted video with a reference. */
      stimulusId: z.number().int().positive(),
      maxOffset: z.number().int().min(0).max(ALIGN_MAX_OFFSET_LIMIT).optional(),
    }),
  ),
  'align.decisions': command(z.strictObject({ projectDir: absPath, stimulusId: z.number().int().positive().optional() })),
  'align.decide': command(
    z
      .strictObject({
        projectDir: absPath,
        stimulusId: z.number().int().positive(),
        verdict: z.enum(ALIGN_VERDICTS).nullable(),
        policy: alignTimingSchema.optional(),
        offset: z.number().int().min(-1_000_000).max(1_000_000).optional(),
        report: alignmentReportSchema.optional(),
      })
      .refine((d) => d.verdict === null || d.policy !== undefined || d.report !== undefined, { message: 'a decision needs the policy or the report it was made on', path: ['policy'] }),
  ),
  'studies.list': command(z.strictObject({ projectDir: absPath })),
  'ratings.import': command(
    z.strictObject({
      projectDir: absPath,
      csv: absPath,
      study: z.string().min(1).max(200).default('imported'),
      method: z.enum(STUDY_METHOD_NAMES).default('ACR'),
      scale: z.strictObject({ min: z.number(), max: z.number() }).refine((s) => s.min < s.max, 'min must be below max').optional(),
      replace: z.boolean().default(false),
    }),
  ),
  'ratings.exportSureal': command(z.strictObject({ projectDir: absPath, study: z.string().min(1).max(200).optional() })),
  'studies.create': command(studyCreateSchema),
  'studies.get': command(z.strictObject({ projectDir: absPath, studyId: z.number().int().positive() })),
  'studies.validate': command(z.strictObject({ projectDir: absPath, studyId: z.number().int().positive(), display: displaySizeSchema.optional() })),
  'studies.progress': command(z.strictObject({ projectDir: absPath, studyId: z.number().int().positive() })),
  'studies.playlist': command(z.strictObject({ projectDir: absPath, studyId: z.number().int().positive(), participant: participantCodeSchema })),
  'studies.setLabels': command(z.strictObject({ projectDir: absPath, studyId: z.number().int().positive(), labels: scaleLabelsSchema })),
  'studies.export': command(z.strictObject({ projectDir: absPath, studyId: z.number().int().positive(), format: z.enum(STUDY_EXPORT_FORMATS) })),
  'sessions.enrol': command(
    z.strictObject({
      projectDir: absPath,
      studyId: z.number().int().positive(),
      participant: participantCodeSchema,
      resume: z.boolean().optional(),
      display: displaySchema.optional(),
      notes: notesSchema.optional(),
    }),
  ),
  'sessions.current': command(z.strictObject({ projectDir: absPath, sessionId: z.number().int().positive() })),
  'sessions.video': command(z.strictObject({ projectDir: absPath, sessionId: z.number().int().positive(), stimulusId: z.number().int().positive(), offset: z.number().int().min(0).default(0) })),
  'sessions.timeout': command(z.strictObject({ projectDir: absPath, sessionId: z.number().int().positive(), trialId: z.number().int().positive(), presentedAt: isoTime, timedOutAt: isoTime })),
  'sessions.update': command(z.strictObject({ projectDir: absPath, sessionId: z.number().int().positive(), display: displaySchema.optional(), notes: notesSchema.optional() })),
  'sessions.participant': command(
    z.strictObject({
      projectDir: absPath,
      sessionId: z.number().int().positive(),
      consent: z.strictObject({ agreed: z.boolean(), at: isoTime }).optional(),
      demographics: z.record(z.string().min(1).max(100), z.union([z.string().max(1000), z.number().finite(), z.null()])).optional(),
      vision: z.strictObject({ acuity: z.string().max(50), colour: z.enum(COLOUR_VISION), test: z.string().max(500).optional(), at: isoTime }).optional(),
    }),
  ),
  'ratings.submit': command(ratingSubmitSchema),
  'sessions.stimulus': command(z.strictObject({ projectDir: absPath, sessionId: z.number().int().positive(), stimulusId: z.number().int().positive() })),
  'sessions.upcoming': command(z.strictObject({ projectDir: absPath, sessionId: z.number().int().positive(), count: z.number().int().min(1).max(20).default(1) })),
  'studies.lan.start': command(
    z.strictObject({
      projectDir: absPath,
      studyId: z.number().int().positive(),
      // One address of this machine (checked against its interfaces by the listener); never 0.0.0.0.
      host: z.ipv4().refine((h) => h !== '0.0.0.0', 'choose one interface address, not 0.0.0.0 (every interface)').optional(),
      port: z.number().int().min(0).max(65535).optional(),
    }),
  ),
  'studies.lan.stop': command(z.strictObject({ projectDir: absPath, studyId: z.number().int().positive() })),
  'studies.lan.status': command(z.strictObject({ projectDir: absPath, studyId: z.number().int().positive() })),
  'analysis.run': command(analysisOptionsSchema),
  'analysis.start': command(analysisOptionsSchema),
  'analysis.mosChoice': command(z.strictObject({ projectDir: absPath })),
  'analysis.setMosChoice': command(z.strictObject({ projectDir: absPath, choice: mosChoiceSchema })),
  'analysis.export': command(analysisOptionsSchema.extend({ format: z.enum(ANALYSIS_EXPORT_FORMATS) })),
  'models.list': command(z.strictObject({})),
  'models.install': command(z.strictObject({ file: absPath, as: z.string().regex(/^[a-z0-9-]+$/).max(100).optional() })),
  'models.verify': command(
    z.strictObject({
      id: z.string().regex(/^[a-z0-9-]+$/).max(100).optional(),
      probes: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
      maxProbes: z.number().int().min(1).max(100_000).nullable().default(2),
    }),
  ),
  'sets.metrics': command(imageSetMetricsSchema),
  'sets.fvd': command(fvdSchema),
  'jobs.list': command(z.strictObject({})),
  'jobs.cancel': command(z.strictObject({ jobId: z.string().min(1).max(100) })),
  'jobs.clearFinished': command(z.strictObject({ projectDir: absPath.nullable() })),
  'shards.status': command(z.strictObject({ projectDir: absPath })),
  'shards.merge': command(z.strictObject({ projectDir: absPath })),
  'slurm.submit': command(slurmSubmitSchema),
  'slurm.status': command(z.strictObject({ projectDir: absPath })),
  'nr.train': command(nrTrainSchema),
  'nr.list': command(z.strictObject({ projectDir: absPath })),
  'nr.get': command(z.strictObject({ projectDir: absPath, name: nrName })),
  'nr.delete': command(z.strictObject({ projectDir: absPath, name: nrName })),
  'nr.export': command(z.strictObject({ projectDir: absPath, name: nrName })),
  'nr.import': command(z.strictObject({ projectDir: absPath, file: absPath, as: nrName.optional() })),
} as const satisfies Record<CommandName, CommandSpec<z.ZodType>>;

export type Commands = typeof commands;

/** A command's input after its schema: defaults filled in, what a handler receives. */
export type ParsedInput<C extends CommandName> = z.output<Commands[C]['input']>;

/** The shape the engine implements: handlers get already-parsed input. */
export type Handlers = {
  [C in CommandName]: (input: ParsedInput<C>) => Promise<CommandOutput<C>>;
};

// Every schema accepts exactly the input type contract-types.ts declares (the renderer's view of it):
// a command named here has drifted; fix the schema or the type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Drifted = { [C in CommandName]: Same<z.input<Commands[C]['input']>, CommandInputs[C]> extends true ? never : C }[CommandName];
export const INPUT_TYPES_MATCH: [Drifted] extends [never] ? true : Drifted = true;

// The schema map and the name list are one list (also tested at run time in test/common/contract.test.ts).
type SchemaKeysMatch = Same<keyof Commands, CommandName>;
export const SCHEMA_KEYS_MATCH: SchemaKeysMatch = true;

// The parsed types contract-types.ts declares for the engine's side are what the schemas give.
type ParsedDrift =
  | (Same<z.output<typeof importOptionsSchema>, ImportOptions> extends true ? never : 'ImportOptions')
  | (Same<z.output<typeof metricsRunSchema>, MetricsRunInput> extends true ? never : 'MetricsRunInput')
  | (Same<z.output<typeof mosChoiceSchema>, MosChoice> extends true ? never : 'MosChoice')
  | (Same<z.output<typeof analysisOptionsSchema>, AnalysisOptions> extends true ? never : 'AnalysisOptions');
export const PARSED_TYPES_MATCH: [ParsedDrift] extends [never] ? true : ParsedDrift = true;
