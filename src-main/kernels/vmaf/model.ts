/**
 * VMAF model files (libvmaf's JSON `model_dict`) and the per-frame score prediction, as libvmaf 3.2.0
 * does it (predict.c, its bundled libsvm):
 *
 * 1. feature i is normalised with `slopes[i+1]·x + intercepts[i+1]` (linear_rescale; no clipping);
 * 2. libsvm ν-SVR with an RBF kernel: y = Σ_j coef_j·exp(−γ·‖x − SV_j‖²) − ρ, the squared distance
 *    summed over feature indices in order (an index a support vector omits counts as 0);
 * 3. the output is denormalised: (y − intercepts[0]) / slopes[0];
 *    v1 models (`chroma_correction_parameter` P): when the speed_chroma feature, denormalised back,
 *    is exactly 0, it is replaced by P·(1 − adm3) (adm3 denormalised back) and normalised again;
 * 4. the score transform (polynomial p0 + p1·s + p2·s², then out_lte_in / out_gte_in) only when the
 *    file says `"enabled": true` or the caller asks for it (the CLI's `enable_transform`);
 * 5. clipped to `score_clip` unless the caller disables clipping.
 *
 * Parsing is pure (text in, model out); reading the file is the caller's business. A file that is
 * not a VMAF model fails with a one-line E_MODEL error naming it.
 */
import { IqaError } from '../../common/errors';

export interface VmafScoreTransform {
  /** Applied without being asked ("enabled": true in the file). */
  readonly enabled: boolean;
  readonly p0: number | null;
  readonly p1: number | null;
  readonly p2: number | null;
  readonly outLteIn: boolean;
  readonly outGteIn: boolean;
}

export interface VmafModel {
  /** Where the model came from (a file name), for messages. */
  readonly source: string;
  /** libvmaf's feature names in SVM index order (index 1 = featureNames[0]). */
  readonly featureNames: readonly string[];
  readonly slopes: Float64Array;
  readonly intercepts: Float64Array;
  readonly gamma: number;
  readonly rho: number;
  /** Support vectors, dense, row-major: supportVectors[j·n + k] for feature k of vector j. */
  readonly supportVectors: Float64Array;
  readonly coefficients: Float64Array;
  readonly transform: VmafScoreTransform | null;
  /** score_clip as [min, max], or null when the file has none. */
  readonly clip: readonly [number, number] | null;
  /** Extractor options per feature (`feature_opts_dicts`; {} where the defaults apply). */
  readonly featureOptions: readonly Readonly<Record<string, number | boolean | string>>[];
  /** v1 chroma correction: the parameter and the indices of the speed_chroma and adm3 features. */
  readonly chromaCorrection: { readonly parameter: number; readonly guided: number; readonly guiding: number } | null;
}

export interface VmafPredictOptions {
  /** Apply the score transform even when the file does not enable it (CLI `enable_transform=true`). */
  readonly enableTransform?: boolean;
  /** Skip score_clip (CLI `disable_clip`). */
  readonly disableClip?: boolean;
}

function fail(source: string, why: string): never {
  throw new IqaError('E_MODEL', `${source} is not a usable VMAF model: ${why}`, { file: source });
}

function numberList(value: unknown, source: string, key: string, length: number): Float64Array {
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    fail(source, `model_dict.${key} must be a list of ${length} finite numbers`);
  }
  return Float64Array.from(value as number[]);
}

function optionalTerm(raw: Record<string, unknown>, key: string, source: string): number | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(source, `score_transform.${key} must be a number`);
  return v;
}

function parseTransform(raw: unknown, source: string): VmafScoreTransform | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(source, 'model_dict.score_transform must be an object');
  const t = raw as Record<string, unknown>;
  if (t.knots !== undefined && t.knots !== null) fail(source, 'piecewise-linear score_transform knots are not supported');
  return {
    enabled: t.enabled === true,
    p0: optionalTerm(t, 'p0', source),
    p1: optionalTerm(t, 'p1', source),
    p2: optionalTerm(t, 'p2', source),
    outLteIn: t.out_lte_in === 'true',
    outGteIn: t.out_gte_in === 'true',
  };
}

/** Parses libsvm's text model (ν-SVR, RBF) into dense support vectors over n features. */
function parseLibsvm(text: string, n: number, source: string): { gamma: number; rho: number; sv: Float64Array; coef: Float64Array } {
  const lines = text.split('\n');
  const header = new Map<string, string>();
  let at = 0;
  for (; at < lines.length; at++) {
    const line = lines[at]!.trim();
    if (line === 'SV') break;
    if (line === '') continue;
    const space = line.indexOf(' ');
    if (space < 0) fail(source, `unexpected line "${line.slice(0, 40)}" in the libsvm model`);
    header.set(line.slice(0, space), line.slice(space + 1).trim());
  }
  if (at >= lines.length) fail(source, 'the libsvm model has no SV section');
  if (header.get('svm_type') !== 'nu_svr') fail(source, `svm_type ${header.get('svm_type') ?? '(none)'} is not nu_svr`);
  if (header.get('kernel_type') !== 'rbf') fail(source, `kernel_type ${header.get('kernel_type') ?? '(none)'} is not rbf`);
  const gamma = Number(header.get('gamma'));
  const rho = Number(header.get('rho'));
  const total = Number(header.get('total_sv'));
  if (!Number.isFinite(gamma) || !Number.isFinite(rho) || !Number.isInteger(total) || total <= 0) {
    fail(source, 'the libsvm header lacks gamma, rho or total_sv');
  }
  const sv = new Float64Array(total * n);
  const coef = new Float64Array(total);
  let j = 0;
  for (at++; at < lines.length; at++) {
    const line = lines[at]!.trim();
    if (line === '') continue;
    if (j >= total) fail(source, `the libsvm model has more than total_sv = ${total} support vectors`);
    const parts = line.split(/\s+/);
    const c = Number(parts[0]);
    if (!Number.isFinite(c)) fail(source, `support vector ${j + 1} has no coefficient`);
    coef[j] = c;
    for (let p = 1; p < parts.length; p++) {
      const colon = parts[p]!.indexOf(':');
      const index = Number(parts[p]!.slice(0, colon));
      const value = Number(parts[p]!.slice(colon + 1));
      if (colon < 0 || !Number.isInteger(index) || index < 1 || index > n || !Number.isFinite(value)) {
        fail(source, `support vector ${j + 1} has a bad entry "${parts[p]}" (features 1..${n})`);
      }
      sv[j * n + index - 1] = value;
    }
    j++;
  }
  if (j !== total) fail(source, `the libsvm model lists ${j} support vectors, total_sv says ${total}`);
  return { gamma, rho, sv, coef };
}

/** Parses a VMAF model JSON text (libvmaf's format; only `model_dict` is read). */
export function parseVmafModel(text: string, source: string): VmafModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(source, 'it is not JSON');
  }
  const dict = (json as { model_dict?: unknown } | null)?.model_dict;
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) fail(source, 'it has no model_dict object');
  const m = dict as Record<string, unknown>;
  if (m.model_type !== 'LIBSVMNUSVR') fail(source, `model_type ${JSON.stringify(m.model_type ?? null)} is not LIBSVMNUSVR`);
  if (m.norm_type !== 'linear_rescale') fail(source, `norm_type ${JSON.stringify(m.norm_type ?? null)} is not linear_rescale`);
  const names = m.feature_names;
  if (!Array.isArray(names) || names.length === 0 || !names.every((s) => typeof s === 'string' && s.length > 0)) {
    fail(source, 'model_dict.feature_names must be a non-empty list of names');
  }
  const featureNames = names as string[];
  const n = featureNames.length;
  const slopes = numberList(m.slopes, source, 'slopes', n + 1);
  const intercepts = numberList(m.intercepts, source, 'intercepts', n + 1);
  if (slopes[0] === 0) fail(source, 'slopes[0] is 0');
  if (typeof m.model !== 'string') fail(source, 'model_dict.model (the libsvm text) is missing');
  const { gamma, rho, sv, coef } = parseLibsvm(m.model, n, source);
  const featureOptions: Record<string, number | boolean | string>[] = featureNames.map(() => ({}));
  if (m.feature_opts_dicts !== undefined && m.feature_opts_dicts !== null) {
    const opts = m.feature_opts_dicts;
    if (!Array.isArray(opts) || opts.length > n) fail(source, `model_dict.feature_opts_dicts must be a list of at most ${n} objects`);
    opts.forEach((o: unknown, i) => {
      if (o === null || typeof o !== 'object' || Array.isArray(o)) fail(source, `feature_opts_dicts[${i}] must be an object`);
      for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
        if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string') fail(source, `feature_opts_dicts[${i}].${k} must be a number, boolean or string`);
        featureOptions[i]![k] = v;
      }
    });
  }
  let chromaCorrection: VmafModel['chromaCorrection'] = null;
  if (m.chroma_correction_parameter !== undefined && m.chroma_correction_parameter !== null && m.chroma_correction_parameter !== 0) {
    const parameter = m.chroma_correction_parameter;
    if (typeof parameter !== 'number' || !Number.isFinite(parameter)) fail(source, 'chroma_correction_parameter must be a number');
    const only = (part: string): number => {
      const hits = featureNames.flatMap((name, i) => (name.includes(part) ? [i] : []));
      if (hits.length !== 1) fail(source, `chroma correction needs exactly one feature named with "${part}", found ${hits.length}`);
      return hits[0]!;
    };
    chromaCorrection = { parameter, guided: only('speed_chroma'), guiding: only('adm3') };
  }
  let clip: [number, number] | null = null;
  if (m.score_clip !== undefined && m.score_clip !== null) {
    const c = numberList(m.score_clip, source, 'score_clip', 2);
    clip = [c[0]!, c[1]!];
  }
  return {
    source,
    featureNames,
    slopes,
    intercepts,
    gamma,
    rho,
    supportVectors: sv,
    coefficients: coef,
    transform: parseTransform(m.score_transform, source),
    clip,
    featureOptions,
    chromaCorrection,
  };
}

/**
 * The model's score for one frame from its features, given in `featureNames` order (raw, not
 * normalised). `scratch`, when given, holds the normalised features (length ≥ n) and avoids an
 * allocation per frame.
 */
export function predictVmaf(model: VmafModel, features: ArrayLike<number>, options: VmafPredictOptions = {}, scratch?: Float64Array): number {
  const n = model.featureNames.length;
  if (features.length !== n) {
    throw new IqaError('E_INPUT', `${model.source} takes ${n} features, got ${features.length}`);
  }
  const x = scratch ?? new Float64Array(n);
  for (let k = 0; k < n; k++) x[k] = model.slopes[k + 1]! * features[k]! + model.intercepts[k + 1]!;
  const cc = model.chromaCorrection;
  if (cc) {
    // libvmaf tests and corrects the values it gets back from the normalised ones.
    const gs = model.slopes[cc.guided + 1]!;
    const gi = model.intercepts[cc.guided + 1]!;
    if ((x[cc.guided]! - gi) / gs === 0.0) {
      const adm3 = (x[cc.guiding]! - model.intercepts[cc.guiding + 1]!) / model.slopes[cc.guiding + 1]!;
      x[cc.guided] = gs * (-cc.parameter * adm3 + cc.parameter) + gi;
    }
  }
  const sv = model.supportVectors;
  const coef = model.coefficients;
  let sum = 0;
  for (let j = 0, base = 0; j < coef.length; j++, base += n) {
    let dist = 0;
    for (let k = 0; k < n; k++) {
      const d = x[k]! - sv[base + k]!;
      dist += d * d;
    }
    sum += coef[j]! * Math.exp(-model.gamma * dist);
  }
  sum -= model.rho;
  let score = (sum - model.intercepts[0]!) / model.slopes[0]!;
  const t = model.transform;
  if (t && (t.enabled || options.enableTransform === true)) {
    const input = score;
    let out = input;
    if (t.p0 !== null || t.p1 !== null || t.p2 !== null) {
      out = 0;
      if (t.p0 !== null) out += t.p0;
      if (t.p1 !== null) out += t.p1 * input;
      if (t.p2 !== null) out += t.p2 * input * input;
    }
    if (t.outLteIn && out > input) out = input;
    if (t.outGteIn && out < input) out = input;
    score = out;
  }
  if (model.clip && options.disableClip !== true) {
    if (score < model.clip[0]) score = model.clip[0];
    if (score > model.clip[1]) score = model.clip[1];
  }
  return score;
}

/** The features a model needs, by libvmaf name, from a map of what was computed; E_MODEL naming the first missing one. */
export function modelFeatures(model: VmafModel, available: ReadonlyMap<string, number>, out?: Float64Array): Float64Array {
  const n = model.featureNames.length;
  const f = out ?? new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const name = model.featureNames[k]!;
    const v = available.get(name);
    if (v === undefined) {
      throw new IqaError('E_MODEL', `${model.source} needs the feature ${name}, which this engine does not compute`, { file: model.source });
    }
    f[k] = v;
  }
  return f;
}
