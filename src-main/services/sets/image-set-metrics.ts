/**
 * FID, KID and Inception Score between two sets of images (IS: set A only), from the FID Inception
 * network's pool3 (2048-d) and logits_unbiased (1008-d) outputs.
 *
 *  - FID: Fréchet distance of the Gaussians fitted to pool3 (float64, Σ with N − 1; kernels/features/
 *    frechet.ts). Set B may be stored statistics (`stats:<file.npz>`, μ and Σ as pytorch-fid saves them).
 *  - KID: unbiased MMD² with k(a, b) = (a·b/d + 1)³. When both sets have at most 1000 images, over the full
 *    sets (one estimate, std 0: clean-fid's subsets of min(n_a, n_b, 1000) are then the full sets for
 *    equal sizes); otherwise (or when a subset size or count is asked for) 100 subsets of
 *    min(1000, n_a, n_b), drawn with a seed that is reported (kid-gram.ts: Gram matrices computed once).
 *  - IS: softmax of logits_unbiased (the original code's pool3·W without the bias), 10 splits in input
 *    order (fewer when set A has fewer than 10 images, with a warning).
 *  - Bootstrap CI of FID (optional): resample each set with replacement B times with a seed, recompute FID,
 *    percentile interval.
 * Guardrails go into `warnings`: random-weight models (comparable: false), sets smaller than the feature
 * dimension (singular covariance, FID biased upwards), an unverified model file.
 */
import type { ImageSetMetricsResult } from '../../common/domain';
import { IqaError } from '../../common/errors';
import { toJsonNumber } from '../../common/json-numbers';
import { featureMatrix } from '../../kernels/features/feature-matrix';
import { INCEPTION_SCORE_DEFAULT_SPLITS } from '../../kernels/features/inception-score';
import type { BootstrapRequest } from '../../kernels/features/frechet-bootstrap';
import { KID_DEFAULT_NUM_SUBSETS, KID_DEFAULT_SUBSET_SIZE } from '../../kernels/features/kid';
import type { SetStatisticsRequest } from '../../kernels/features/set-statistics';
import { manifestEntry, type ModelEntry } from '../models/manifest';
import { requireModel } from '../models/model-store';
import { decodeImageRgb } from './decode';
import { extractFeatures, type ExtractOptions } from './extract';
import { DEFAULT_FID_RESIZE, FID_INPUT_SIZE, FID_RESIZE_DESCRIPTIONS, FID_RESIZE_MODES, FidPreprocessor, type FidResizeMode } from '../../kernels/image/network-inputs';
import { parseSetSpec, resolveSet, describeSpec, type ResolveSetOptions, type ResolvedSet, type SetSpec } from './set-spec';
import { readStatsFile, writeStatsFile, type StoredStats } from './stats-file';
import { withComputePool, type ComputePool } from '../compute/compute-pool';
import { splitShards } from '../shards/shard-plan';

// The bootstrap is a kernel now (the compute worker runs it); callers of the set metrics still find it here.
export { bootstrapFrechet, DEFAULT_BOOTSTRAP_SEED, type BootstrapRequest } from '../../kernels/features/frechet-bootstrap';

export const IMAGE_SET_METRICS = ['fid', 'kid', 'is'] as const;
export type ImageSetMetric = (typeof IMAGE_SET_METRICS)[number];
export const DEFAULT_FID_MODEL = 'fid-inception';
export const FID_FEATURE_DIM = 2048;
export const IS_LOGITS_DIM = 1008;
export const DEFAULT_KID_SEED = 0;

export interface ImageSetMetricsRequest {
  /** A set string (folder, project:<dir>[:k=v,…]) or a parsed spec. */
  a: string | SetSpec;
  /** Needed for FID and KID; may be `stats:<file.npz>` for FID. */
  b?: string | SetSpec;
  aFilter?: Record<string, string>;
  bFilter?: Record<string, string>;
  /** Default ['fid']. */
  metrics?: readonly ImageSetMetric[];
  /** Default 'fid-inception' (the real network; E_MODEL with install instructions when missing). */
  model?: string;
  resize?: FidResizeMode;
  kid?: { subsetSize?: number; subsets?: number; seed?: number };
  isSplits?: number;
  bootstrap?: BootstrapRequest;
  /** Also write set A's μ and Σ to this .npz file. */
  saveStatsA?: string;
  /** false: do not read or write the feature cache. */
  cache?: boolean;
  /** Only cache the features of shard `index` of `count` of the sets' images (see shardItems); no metric. */
  shard?: { index: number; count: number };
}

/**
 * Shard `index` (1-based) of `count` of the sets' images, each file once (a file in both sets is
 * extracted by one shard): the split of services/shards/shard-plan.ts over the images' set-relative
 * names, so every machine that lists the same sets gets the same shards. Images cost about the same
 * (each becomes a 299×299 network input), so each weighs 1.
 */
export function shardItems(sets: readonly ResolvedSet[], index: number, count: number): ResolvedSet[] {
  const unique = new Map<string, { set: number; item: ResolvedSet['items'][number]; key: string }>();
  sets.forEach((s, k) => {
    for (const item of s.items) if (!unique.has(item.file)) unique.set(item.file, { set: k, item, key: `${s.label}/${item.name}` });
  });
  const all = [...unique.values()];
  const mine = new Set(splitShards(all.map((x, i) => ({ stimulusId: i, path: x.key, weight: 1 })), count)[index - 1]);
  return sets.map((s, k) => ({ ...s, items: all.filter((x, i) => mine.has(i) && x.set === k).map((x) => x.item) }));
}

export interface SetMetricsOptions extends Omit<ExtractOptions, 'model'>, ResolveSetOptions {
  /** Where the statistics run (default: a one-thread pool made for the call), never on the caller's thread. */
  compute?: ComputePool;
}




/** E_INPUT unless the model takes [N,3,299,299] `images` and gives pool3 and logits_unbiased. */
export function checkFidModel(id: string): ModelEntry {
  const e = manifestEntry(id);
  const input = e.inputs.find((i) => i.name === 'images');
  const ok =
    e.format === 'onnx' &&
    e.inputs.length === 1 &&
    input !== undefined &&
    input.shape.length === 4 &&
    input.shape[1] === 3 &&
    input.shape[2] === FID_INPUT_SIZE &&
    input.shape[3] === FID_INPUT_SIZE &&
    e.outputs.some((o) => o.name === 'pool3' && o.shape[1] === FID_FEATURE_DIM) &&
    e.outputs.some((o) => o.name === 'logits_unbiased' && o.shape[1] === IS_LOGITS_DIM);
  if (!ok) throw new IqaError('E_INPUT', `model ${id} is not an FID Inception network (it needs input images [N,3,299,299] and outputs pool3 [N,2048], logits_unbiased [N,1008]); use fid-inception or fid-inception-arch`);
  return e;
}

/** Warnings shared by FID and FVD about the model. */
export function modelWarnings(entry: ModelEntry, verified: boolean, what: string): string[] {
  const out: string[] = [];
  if (!entry.comparable) {
    out.push(`model ${entry.id} is not comparable (${entry.comparableNote ?? 'not the reference weights'}): these numbers are NOT ${what} values and must not be compared with published ones; use it for pipeline tests only`);
  }
  if (entry.comparable && !verified) out.push(`model ${entry.id}: the installed file has no known hash (exported locally), so it is unverified; run iqa models verify ${entry.id}`);
  return out;
}

export function smallSetWarning(label: string, n: number, dim: number, unit: string, what: string): string | null {
  if (n >= dim) return null;
  return `set ${label} has ${n} ${unit}, fewer than the feature dimension (${dim}): its covariance is singular and ${what} is biased upwards; use at least ${dim} ${unit} for a usable value`;
}

function toSpec(s: string | SetSpec, filter: Record<string, string> | undefined, label: string): SetSpec {
  if (typeof s === 'string') return parseSetSpec(s, filter ?? {}, `set ${label}`);
  if (filter && Object.keys(filter).length) {
    if (s.type !== 'project') throw new IqaError('E_INPUT', `set ${label}: a filter applies to project groups only`);
    return { ...s, filter: { ...s.filter, ...filter } };
  }
  return s;
}

export async function computeImageSetMetrics(req: ImageSetMetricsRequest, opts: SetMetricsOptions = {}): Promise<ImageSetMetricsResult> {
  const t0 = performance.now();
  const metrics: ImageSetMetric[] = [...new Set<ImageSetMetric>(req.metrics ?? ['fid'])];
  if (metrics.length === 0) throw new IqaError('E_INPUT', 'choose at least one of fid, kid, is');
  for (const m of metrics) if (!(IMAGE_SET_METRICS as readonly string[]).includes(m)) throw new IqaError('E_INPUT', `unknown set metric ${String(m)} (known: ${IMAGE_SET_METRICS.join(', ')})`);
  const resize = req.resize ?? DEFAULT_FID_RESIZE;
  if (!FID_RESIZE_MODES.includes(resize)) throw new IqaError('E_INPUT', `unknown resize mode ${String(resize)} (known: ${FID_RESIZE_MODES.join(', ')})`);
  const modelId = req.model ?? DEFAULT_FID_MODEL;
  const entry = checkFidModel(modelId);
  const needB = metrics.includes('fid') || metrics.includes('kid');
  const specA = toSpec(req.a, req.aFilter, 'A');
  if (specA.type === 'stats') throw new IqaError('E_INPUT', 'set A must be images (a folder or a project group); only set B may be stored statistics');
  let specB: SetSpec | null = null;
  // IS alone uses set A only: a set B is then not even read.
  if (req.b !== undefined && needB) specB = toSpec(req.b, req.bFilter, 'B');
  else if (needB) throw new IqaError('E_INPUT', `${metrics.filter((m) => m !== 'is').join(' and ').toUpperCase()} compare two sets: give set B (--b)`);
  if (specB?.type === 'stats') {
    const other = metrics.filter((m) => m !== 'fid' && m !== 'is');
    if (other.length) throw new IqaError('E_INPUT', `set B is stored statistics (${specB.file}): only FID can use them, not ${other.join(', ').toUpperCase()}`);
    if (req.bootstrap) throw new IqaError('E_INPUT', 'the FID bootstrap resamples both sets, so set B must be images, not stored statistics');
  }
  if (req.bootstrap && !metrics.includes('fid')) throw new IqaError('E_INPUT', 'the bootstrap interval is for FID: add fid to the metrics');

  // The sets and the model before any decoding: a bad folder or a missing model fails at once.
  const setA = resolveSet(specA, 'image', 'A', opts);
  const setB = specB && specB.type !== 'stats' ? resolveSet(specB, 'image', 'B', opts) : null;
  const stored: StoredStats | null = specB?.type === 'stats' ? readStatsFile(specB.file) : null;
  if (stored && stored.stats.dim !== FID_FEATURE_DIM) throw new IqaError('E_INPUT', `${stored.file}: statistics of dimension ${stored.stats.dim}, FID needs ${FID_FEATURE_DIM}`, { file: stored.file });
  const model = await requireModel(modelId, opts.modelDir ? { dir: opts.modelDir } : {});

  const warnings: string[] = [...modelWarnings(entry, model.verified, 'FID/KID/IS'), ...setA.notes, ...(setB?.notes ?? [])];
  const pre = new FidPreprocessor(resize);
  const useCache = req.cache !== false;
  const allSets: ResolvedSet[] = setB ? [setA, setB] : [setA];
  if (req.shard && (!useCache || req.bootstrap || req.saveStatsA)) {
    throw new IqaError('E_INPUT', 'a shard only fills the feature cache: --shard does not go with --no-cache, --bootstrap or --save-stats (give those to the run that computes the metrics)');
  }
  const sets = req.shard ? shardItems(allSets, req.shard.index, req.shard.count).filter((s) => s.items.length > 0) : allSets;
  if (sets.length === 0) {
    return shardOnly(req, modelId, model, entry, resize, warnings, setA, setB, null, t0);
  }
  const ex = await extractFeatures(
    sets,
    {
      modelId,
      input: 'images',
      itemDims: [3, FID_INPUT_SIZE, FID_INPUT_SIZE],
      outputs: [
        { name: 'pool3', dim: FID_FEATURE_DIM, suffix: '' },
        { name: 'logits_unbiased', dim: IS_LOGITS_DIM, suffix: '.logits' },
      ],
      variant: resize,
      // With a compute pool (the engine's), the resize runs in its worker, into the shared batch.
      sharedBatches: opts.compute !== undefined && opts.compute.threads > 0,
      fill: async (item, batch, slot, signal) => {
        const img = await decodeImageRgb(item.file, signal);
        if (opts.compute && opts.compute.threads > 0) await opts.compute.fidInput({ image: img, mode: resize, batch, slot }, signal);
        else pre.toSlot(img, batch, slot);
      },
    },
    { ...opts, model, cache: useCache },
  );
  warnings.push(...ex.warnings);
  if (req.shard) return shardOnly(req, modelId, model, entry, resize, warnings, setA, setB, ex, t0);
  const tStats = performance.now();
  const nA = ex.sets[0]!.n;
  const nB = setB ? ex.sets[1]!.n : stored ? stored.stats.n || null : null;
  const fa = featureMatrix(ex.sets[0]!.features.pool3!, nA, FID_FEATURE_DIM);
  const fb = setB ? featureMatrix(ex.sets[1]!.features.pool3!, ex.sets[1]!.n, FID_FEATURE_DIM) : null;

  // What to compute, checked here; the numbers come from the compute worker in one task.
  const task: SetStatisticsRequest = { a: fa, b: fb };
  if (metrics.includes('fid') || metrics.includes('kid')) {
    const w = smallSetWarning('A', nA, FID_FEATURE_DIM, 'images', 'FID');
    if (w) warnings.push(w);
    if (fb) {
      const wb = smallSetWarning('B', fb.rows, FID_FEATURE_DIM, 'images', 'FID');
      if (wb) warnings.push(wb);
    }
  }
  if (metrics.includes('fid')) {
    if (nA < 2) throw new IqaError('E_INPUT', `set A (${setA.description}) has ${nA} image; FID needs at least 2`);
    if (fb) {
      if (fb.rows < 2) throw new IqaError('E_INPUT', `set B (${setB!.description}) has ${fb.rows} image; FID needs at least 2`);
      task.frechet = req.bootstrap ? { bootstrap: req.bootstrap } : {};
    } else if (stored) {
      const m = stored.meta;
      if (!m) warnings.push(`${stored.file}: statistics from another tool; the model and resize mode they were computed with are not recorded, so make sure they match (${modelId}, ${resize})`);
      else {
        if (m.model_sha256 && m.model_sha256 !== model.sha256) warnings.push(`${stored.file}: statistics computed with model ${m.model ?? '?'} (sha256 ${String(m.model_sha256).slice(0, 12)}…), not ${modelId} (${model.sha256.slice(0, 12)}…): FID is not meaningful`);
        if (m.resize && m.resize !== resize) warnings.push(`${stored.file}: statistics computed with resize ${m.resize}, this run uses ${resize}: FID values differ between resize modes`);
      }
      if (stored.stats.n > 0 && stored.stats.n < FID_FEATURE_DIM) warnings.push(`set B (stored statistics) came from ${stored.stats.n} images, fewer than the feature dimension (${FID_FEATURE_DIM})`);
      task.frechet = { against: stored.stats };
    }
  }
  let kid: Omit<NonNullable<ImageSetMetricsResult['kid']>, 'mean' | 'std'> | undefined;
  if (metrics.includes('kid') && fb) {
    if (nA < 2 || fb.rows < 2) throw new IqaError('E_INPUT', `KID needs at least 2 images per set (A has ${nA}, B has ${fb.rows})`);
    const seed = req.kid?.seed ?? DEFAULT_KID_SEED;
    const explicitSize = req.kid?.subsetSize;
    const numSubsets = req.kid?.subsets ?? KID_DEFAULT_NUM_SUBSETS;
    if (explicitSize === undefined && req.kid?.subsets === undefined && nA <= KID_DEFAULT_SUBSET_SIZE && fb.rows <= KID_DEFAULT_SUBSET_SIZE) {
      task.kid = { mode: 'full-sets' };
      kid = { subsets: 1, subset_size: null, seed: null, mode: 'full-sets' };
      if (nA !== fb.rows) warnings.push(`KID over the full sets (${nA} and ${fb.rows} images); clean-fid would instead average subsets of ${Math.min(nA, fb.rows)} drawn from the larger set`);
    } else {
      const size = explicitSize ?? Math.min(KID_DEFAULT_SUBSET_SIZE, nA, fb.rows);
      if (!Number.isInteger(size) || size < 2 || size > Math.min(nA, fb.rows)) throw new IqaError('E_INPUT', `KID subset size must be 2..${Math.min(nA, fb.rows)}, got ${size}`);
      if (!Number.isInteger(numSubsets) || numSubsets < 1) throw new IqaError('E_INPUT', `KID needs at least 1 subset, got ${numSubsets}`);
      task.kid = { mode: 'subsets', subsetSize: size, subsets: numSubsets, seed };
      kid = { subsets: numSubsets, subset_size: size, seed, mode: 'subsets' };
    }
  }
  let isSplits = 0;
  if (metrics.includes('is')) {
    const wanted = req.isSplits ?? INCEPTION_SCORE_DEFAULT_SPLITS;
    if (!Number.isInteger(wanted) || wanted < 1) throw new IqaError('E_INPUT', `IS splits must be a whole number ≥ 1, got ${wanted}`);
    isSplits = Math.min(wanted, nA);
    if (isSplits < wanted) warnings.push(`IS: set A has ${nA} images, so ${isSplits} split${isSplits === 1 ? '' : 's'} instead of ${wanted}`);
    task.inceptionScore = { logits: featureMatrix(ex.sets[0]!.features.logits_unbiased!, nA, IS_LOGITS_DIM), splits: isSplits };
  }
  if (req.saveStatsA) {
    if (nA < 2) throw new IqaError('E_INPUT', 'saving statistics needs at least 2 images in set A');
    task.statsA = true;
  }
  const stats = await withComputePool(opts.compute, (pool) => pool.setStatistics(task, opts.signal));
  const result: Partial<ImageSetMetricsResult> = {};
  if (stats.frechet !== undefined) result.fid = toJsonNumber(stats.frechet);
  if (stats.frechetCi) result.fid_ci = stats.frechetCi;
  if (stats.kid && kid) result.kid = { mean: toJsonNumber(stats.kid.mean), std: kid.mode === 'full-sets' ? 0 : toJsonNumber(stats.kid.std), ...kid };
  if (stats.inceptionScore) result.is = { mean: toJsonNumber(stats.inceptionScore.mean), std: toJsonNumber(stats.inceptionScore.std), splits: isSplits, set: 'a', n: nA };
  let statsSaved: string | undefined;
  if (req.saveStatsA && stats.statsA) {
    writeStatsFile(req.saveStatsA, stats.statsA, { model: modelId, model_sha256: model.sha256, resize, n: nA, feature: 'pool3', comparable: entry.comparable, source: describeSpec(specA) });
    statsSaved = req.saveStatsA;
  }
  const statsMs = performance.now() - tStats;
  const featuresMs = ex.timing.totalMs;
  return {
    ...result,
    n_a: nA,
    n_b: nB,
    feature_dim: FID_FEATURE_DIM,
    model: modelId,
    model_sha256: model.sha256,
    model_verified: model.verified,
    comparable: entry.comparable,
    provider: ex.provider,
    resize,
    resize_method: FID_RESIZE_DESCRIPTIONS[resize],
    warnings,
    sets: {
      a: { source: setA.description, count: nA, cache_dir: useCache ? setA.cacheDir : null },
      ...(setB ? { b: { source: setB.description, count: setB.items.length, cache_dir: useCache ? setB.cacheDir : null } } : stored ? { b: { source: describeSpec(specB!), count: stored.stats.n, cache_dir: null } } : {}),
    },
    cache: { enabled: useCache, hits: ex.stats.hits, misses: ex.stats.misses, corrupt: ex.stats.corrupt, computed: ex.stats.computed },
    timing_ms: { total: performance.now() - t0, features: featuresMs, decode: ex.timing.decodeMs, inference: ex.timing.inferenceMs, session: ex.timing.sessionMs, statistics: statsMs },
    images_per_s: ex.stats.computed > 0 ? ex.stats.computed / ((featuresMs - ex.timing.hashMs) / 1000) : null,
    batch_size: ex.batchSize,
    ...(statsSaved ? { stats_saved: statsSaved } : {}),
  };
}

/** The report of a shard's extraction: the images it cached, the cache's counts, no metric. */
function shardOnly(
  req: ImageSetMetricsRequest,
  modelId: string,
  model: { sha256: string; verified: boolean },
  entry: ModelEntry,
  resize: FidResizeMode,
  warnings: string[],
  setA: ResolvedSet,
  setB: ResolvedSet | null,
  ex: Awaited<ReturnType<typeof extractFeatures>> | null,
  t0: number,
): ImageSetMetricsResult {
  const mine = shardItems(setB ? [setA, setB] : [setA], req.shard!.index, req.shard!.count);
  const nA = mine[0]!.items.length;
  const nB = setB ? mine[1]!.items.length : null;
  const featuresMs = ex?.timing.totalMs ?? 0;
  return {
    n_a: nA,
    n_b: nB,
    feature_dim: FID_FEATURE_DIM,
    model: modelId,
    model_sha256: model.sha256,
    model_verified: model.verified,
    comparable: entry.comparable,
    provider: ex?.provider ?? null,
    resize,
    resize_method: FID_RESIZE_DESCRIPTIONS[resize],
    warnings,
    sets: {
      a: { source: setA.description, count: nA, cache_dir: setA.cacheDir },
      ...(setB ? { b: { source: setB.description, count: nB!, cache_dir: setB.cacheDir } } : {}),
    },
    cache: { enabled: true, hits: ex?.stats.hits ?? 0, misses: ex?.stats.misses ?? 0, corrupt: ex?.stats.corrupt ?? 0, computed: ex?.stats.computed ?? 0 },
    timing_ms: { total: performance.now() - t0, features: featuresMs, decode: ex?.timing.decodeMs ?? 0, inference: ex?.timing.inferenceMs ?? 0, session: ex?.timing.sessionMs ?? 0, statistics: 0 },
    images_per_s: ex && ex.stats.computed > 0 ? ex.stats.computed / ((featuresMs - ex.timing.hashMs) / 1000) : null,
    batch_size: ex?.batchSize ?? 0,
    shard: { index: req.shard!.index, count: req.shard!.count, images: nA + (nB ?? 0) },
  };
}
