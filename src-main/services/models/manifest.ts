/**
 * The model manifest (models/manifest.json): what each supported model is, as data. It is bundled
 * into the build (so the CLI and the app carry it) and validated on first use; a malformed manifest
 * is a bug in the release, reported as E_INTERNAL naming the bad field.
 */
import { z } from 'zod';
import { IqaError } from '../../common/errors';
import manifestJson from '../../../models/manifest.json';
import { levelBackboneSchema } from './level-backbone-spec';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');
const dimSchema = z.union([z.number().int().positive(), z.string().min(1)]);

const tensorSpecSchema = z.strictObject({
  name: z.string().min(1),
  dtype: z.literal('float32'),
  /** Fixed sizes as numbers, dynamic axes as names (N, H, W, T). */
  shape: z.array(dimSchema),
});

const resizeMethodSchema = z.strictObject({
  id: z.string().min(1),
  method: z.string().min(1),
  antialias: z.boolean(),
  valueFed: z.string().min(1),
});

const preprocessingSchema = z.strictObject({
  colour: z.enum(['RGB', 'grey']),
  layout: z.enum(['NCHW', 'NCTHW', 'N1HW', 'n/a']),
  valueRange: z.tuple([z.number(), z.number()]),
  scaling: z.string().min(1),
  resize: z
    .strictObject({
      size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
      default: z.string().min(1),
      aspect: z.string().min(1),
      methods: z.array(resizeMethodSchema).min(1),
    })
    .nullable(),
  /** Smallest [height, width] the model accepts (null: no limit). */
  minSize: z.tuple([z.number().int().positive(), z.number().int().positive()]).nullable(),
  minFrames: z.number().int().positive().optional(),
  inGraph: z.string().min(1),
  outsideGraph: z.string().min(1),
});

const toleranceSchema = z.strictObject({
  maxAbs: z.number().positive(),
  /** Also require maxAbs / max|reference| <= relToMax (null: absolute only). */
  relToMax: z.number().positive().nullable(),
  reason: z.string().min(1),
});

const modelFileSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a plain file name'),
  bytes: z.number().int().positive().nullable(),
  /** null: not known in advance (a file the user exports); accepted by name, reported unverified. */
  sha256: sha256Schema.nullable(),
  note: z.string().optional(),
});

const modelEntrySchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    name: z.string().min(1),
    kind: z.enum(['fr', 'nr', 'features', 'params']),
    format: z.enum(['onnx', 'json']),
    /** The per-model folder: the layout of shared/models and where `iqa models install` puts files. */
    folder: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    files: z.array(modelFileSchema).min(1),
    comparable: z.boolean(),
    comparableNote: z.string().optional(),
    archOf: z.string().optional(),
    inputs: z.array(tensorSpecSchema),
    outputs: z.array(tensorSpecSchema),
    /** Class names of classification outputs, by output name, in the order of the output's last axis. */
    classLabels: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
    preprocessing: preprocessingSchema,
    direction: z.string().min(1),
    licence: z.strictObject({
      spdx: z.string().min(1),
      redistributable: z.boolean(),
      files: z.array(z.string()),
      note: z.string().min(1),
    }),
    source: z.strictObject({
      description: z.string().min(1),
      repository: z.string().optional(),
      commit: z.string().optional(),
      checkpoint: z
        .strictObject({
          file: z.string().min(1),
          sha256: sha256Schema.nullable(),
          url: z.string().optional(),
          bytes: z.number().int().positive().nullable().optional(),
          note: z.string().optional(),
        })
        .optional(),
      export: z.string().min(1),
    }),
    probes: z.strictObject({ folder: z.string().min(1), tolerance: toleranceSchema }).nullable(),
    probesNote: z.string().optional(),
    /** Working memory per batch item ≈ activationFactor × input bytes per item (a conservative estimate, for batching). */
    activationFactor: z.number().positive(),
  })
  .refine((m) => m.comparable || (m.comparableNote !== undefined && m.comparableNote.length > 0), {
    error: 'a model with comparable: false needs a comparableNote',
  })
  .refine((m) => m.format !== 'onnx' || (m.inputs.length > 0 && m.outputs.length > 0), {
    error: 'an ONNX model lists its inputs and outputs',
  })
  .refine((m) => Object.entries(m.classLabels ?? {}).every(([name, labels]) => m.outputs.find((o) => o.name === name)?.shape.at(-1) === labels.length), {
    error: 'classLabels must name an output whose last axis has one entry per label',
  });

export const manifestSchema = z
  .strictObject({
    $comment: z.string().optional(),
    version: z.literal(1),
    models: z.array(modelEntrySchema),
    /** Feature backbones derived from installed models by graph surgery (level-backbone-spec.ts). */
    levelBackbones: z.array(levelBackboneSchema).optional(),
  })
  .refine((m) => new Set(m.models.map((e) => e.id)).size === m.models.length, { error: 'model ids must be unique' })
  .refine((m) => m.models.every((e) => e.archOf === undefined || m.models.some((o) => o.id === e.archOf)), {
    error: 'archOf must name another model',
  })
  .refine((m) => (m.levelBackbones ?? []).every((b) => m.models.some((o) => o.id === b.from && o.format === 'onnx')), {
    error: 'a level backbone must name an ONNX model of the manifest in from',
  });

export type ModelManifest = z.output<typeof manifestSchema>;
export type ModelEntry = ModelManifest['models'][number];
export type ModelFileSpec = ModelEntry['files'][number];
export type ModelTolerance = z.output<typeof toleranceSchema>;

/** Validates a manifest document; throws E_INTERNAL naming the first bad field. */
export function parseManifest(doc: unknown): ModelManifest {
  // Validated once: the interpreted check is cheaper than compiling a fast path for one use.
  const r = manifestSchema.safeParse(doc, { jitless: true });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new IqaError('E_INTERNAL', `models/manifest.json is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`, { details: r.error.issues });
  }
  return r.data;
}

let cached: ModelManifest | undefined;

/** The bundled manifest, validated once per process. */
export function loadManifest(): ModelManifest {
  cached ??= parseManifest(manifestJson);
  return cached;
}

export function manifestEntry(id: string): ModelEntry {
  const manifest = loadManifest();
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) throw new IqaError('E_INPUT', `unknown model "${id}" (known: ${manifest.models.map((m) => m.id).join(', ')})`);
  return entry;
}
