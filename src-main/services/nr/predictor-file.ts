/**
 * The export file of a trained predictor (`iqa nr export` / `import`, `nr.export` / `nr.import`): one
 * JSON document { format, version, predictor } with the whole record of common/nr-predictor.ts. Read
 * back through a zod schema: a file from a newer app, a damaged one or a hand-edited one with a wrong
 * shape is one E_INPUT line, and nothing is stored.
 */
import { z } from 'zod';
import { IqaError } from '../../common/errors';
import {
  NR_COMBINES,
  NR_FILE_FORMAT,
  NR_FILE_VERSION,
  NR_GROUPINGS,
  NR_NAME_PATTERN,
  NR_SVR_TYPES,
  NR_TARGETS,
  type NrPredictorFile,
  type NrPredictorRecord,
} from '../../common/nr-predictor';

const finite = z.number().finite();
const stat = finite.nullable();
const pair = z.tuple([stat, stat]);
const params = z.strictObject({
  type: z.enum(NR_SVR_TYPES),
  C: finite.positive(),
  gamma: finite.positive(),
  epsilon: finite.min(0).optional(),
  nu: finite.gt(0).max(1).optional(),
  tolerance: finite.positive().optional(),
});
const combination = z.strictObject({ kind: z.enum(NR_COMBINES), weights: z.array(finite), intercept: finite });
const sha = z.string().regex(/^[0-9a-f]{64}$/);

const recordSchema = z.strictObject({
  name: z.string().regex(NR_NAME_PATTERN),
  backbone: z.string().min(1).max(100),
  backboneSha256: sha,
  target: z.enum(NR_TARGETS),
  study: z.string().max(200),
  stimuli: z.number().int().min(0),
  contents: z.number().int().min(0),
  options: z.strictObject({
    folds: z.number().int().min(2),
    innerFolds: z.number().int().min(2),
    group: z.enum(NR_GROUPINGS),
    combine: z.enum(NR_COMBINES),
    svr: z.enum(NR_SVR_TYPES),
    seed: z.number().int().min(0),
    resamples: z.number().int().min(0),
    grid: z.strictObject({ C: z.array(finite), gammaScale: z.array(finite), epsilon: z.array(finite), nu: z.array(finite) }),
  }),
  cv: z.strictObject({
    n: z.number().int().min(0),
    srocc: stat,
    krocc: stat,
    plcc: stat,
    rmse: stat,
    ci95: z
      .strictObject({ srocc: pair, krocc: pair, plcc: pair, rmse: pair, seed: z.number().int(), resamples: z.number().int(), clusters: z.number().int().nullable(), method: z.string() })
      .nullable(),
  }),
  createdAt: z.string().min(1).max(64),
  engineVersion: z.string().max(100),
  svmLibrary: z.string().max(200),
  levels: z.array(z.string().min(1).max(100)).min(1),
  training: z.strictObject({
    stimuli: z.array(
      z.strictObject({ id: z.number().int(), name: z.string(), sha256: z.string(), content: z.string(), target: finite, fold: z.number().int().min(0), cvPrediction: stat.transform((v) => v ?? NaN) }),
    ),
    mosChoice: z.record(z.string(), z.unknown()),
  }),
  folds: z.array(
    z.strictObject({
      index: z.number().int().min(0),
      testContents: z.array(z.string()),
      train: z.number().int().min(0),
      test: z.number().int().min(0),
      levels: z.array(z.strictObject({ name: z.string(), params, innerMse: finite })),
      combination,
      stats: z.strictObject({ srocc: stat, plcc: stat, rmse: stat }),
    }),
  ),
  predictor: z.strictObject({
    levels: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(100),
          dims: z.number().int().min(1),
          params,
          innerMse: finite,
          features: z.strictObject({ mean: z.array(finite), std: z.array(finite.positive()) }),
          model: z.string().min(1).startsWith('svm_type '),
        }),
      )
      .min(1),
    combination,
    target: z.strictObject({ mean: finite, std: finite.positive() }),
  }),
});

const fileSchema = z.strictObject({ format: z.literal(NR_FILE_FORMAT), version: z.number().int().min(1), predictor: z.unknown() });

/** NaN (an undefined statistic) travels as null, as everywhere in the app's JSON. */
const nanToNull = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

export function predictorFileText(record: NrPredictorRecord): string {
  const file: NrPredictorFile = { format: NR_FILE_FORMAT, version: NR_FILE_VERSION, predictor: record };
  return `${JSON.stringify(file, nanToNull, 2)}\n`;
}

/** The record in an export file's text; E_INPUT with the first problem otherwise. */
export function parsePredictorFile(text: string, file: string): NrPredictorRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new IqaError('E_INPUT', `${file}: not JSON (${(err as Error).message})`, { file });
  }
  const head = fileSchema.safeParse(json);
  if (!head.success) throw new IqaError('E_INPUT', `${file}: not an IQA Studio predictor file (expected format "${NR_FILE_FORMAT}")`, { file });
  if (head.data.version > NR_FILE_VERSION) throw new IqaError('E_UNSUPPORTED', `${file}: predictor file version ${head.data.version} is newer than this app reads (${NR_FILE_VERSION}): update IQA Studio`, { file });
  const body = recordSchema.safeParse(head.data.predictor);
  if (!body.success) {
    const issue = body.error.issues[0]!;
    throw new IqaError('E_INPUT', `${file}: predictor.${issue.path.join('.')}: ${issue.message}`, { file });
  }
  const r = body.data as NrPredictorRecord;
  for (const lv of r.predictor.levels) {
    if (lv.features.mean.length !== lv.dims || lv.features.std.length !== lv.dims) throw new IqaError('E_INPUT', `${file}: level ${lv.name}'s standardisation has ${lv.features.mean.length} values for ${lv.dims} features`, { file });
  }
  if (r.predictor.combination.weights.length !== r.predictor.levels.length) throw new IqaError('E_INPUT', `${file}: ${r.predictor.combination.weights.length} combination weights for ${r.predictor.levels.length} levels`, { file });
  return r;
}
