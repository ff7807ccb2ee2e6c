/**
 * Feature extraction for sets of files through an ONNX feature network, with the per-file cache.
 *
 * For every file: its SHA-256 → the cache (`<cacheDir>/<model sha256>/<variant>/<sha>[suffix].f32`, one
 * file per output); a hit skips decoding and inference. Files with the same content are computed once
 * per call. The misses are decoded (a few ffmpeg processes at a time), preprocessed in this thread
 * straight into a batch tensor, and run through OnnxInference.runBatched in batches sized by the memory
 * budget and the model's activation factor; while one batch runs in the inference worker the next one
 * is decoded (two batch buffers). Results are written to the cache of each set the file belongs to.
 */
import { cpus } from 'node:os';
import { IqaError } from '../../common/errors';
import type { ExecutionProvider } from '../../common/inference';
import { sha256File } from '../models/file-hash';
import { batchSizeFor, defaultMemoryBudget, sharedInference, type OnnxInference } from '../models/inference';
import { requireModel, type ResolvedModel } from '../models/model-store';
import { FeatureCache } from './feature-cache';
import type { ResolvedSet, SetItem } from './set-spec';

export interface FeatureOutput {
  /** Graph output name. */
  readonly name: string;
  /** Values per item. */
  readonly dim: number;
  /** Cache file suffix ('' for the main feature). */
  readonly suffix: string;
}

export interface ExtractSpec {
  readonly modelId: string;
  /** Graph input name. */
  readonly input: string;
  /** Input dims of one item (without N). */
  readonly itemDims: readonly number[];
  readonly outputs: readonly FeatureOutput[];
  /** Cache folder below the model hash (resize mode, FVD protocol). */
  readonly variant: string;
  /** Decodes `item` and writes its network input into slot `slot` of `batch`. */
  readonly fill: (item: SetItem, batch: Float32Array, slot: number, signal?: AbortSignal) => Promise<void>;
  /** Batches over SharedArrayBuffers, for a `fill` that writes them from a worker. */
  readonly sharedBatches?: boolean;
}

export interface ExtractOptions {
  inference?: OnnxInference;
  /** Overrides IQA_MODEL_DIR / <user data>/models. */
  modelDir?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, label: string) => void;
  /** false: neither read nor write the cache. Default true. */
  cache?: boolean;
  /** Decodes in flight at once (default min(4, cores)). */
  decodeConcurrency?: number;
  memoryBudgetBytes?: number;
  /** Upper bound on the batch size (default 64). */
  maxBatch?: number;
  /** The model already resolved by the caller (skips a second requireModel). */
  model?: ResolvedModel;
}

export interface ExtractedSet {
  readonly n: number;
  /** Output name → n × dim row-major float32. */
  readonly features: Readonly<Record<string, Float32Array>>;
}

export interface ExtractStats {
  hits: number;
  misses: number;
  /** Cache entries that were unreadable or malformed and were recomputed. */
  corrupt: number;
  /** Distinct files run through the network. */
  computed: number;
  /** Items whose content repeats another item of this call (computed once). */
  duplicates: number;
}

export interface ExtractResult {
  readonly sets: ExtractedSet[];
  readonly model: ResolvedModel;
  /** null when every feature came from the cache. */
  readonly provider: ExecutionProvider | null;
  readonly stats: ExtractStats;
  readonly batchSize: number;
  /** Wall time of hashing, decoding + preprocessing (overlapping inference), inference (in session.run), all, ms. */
  readonly timing: { hashMs: number; decodeMs: number; inferenceMs: number; sessionMs: number; totalMs: number };
  readonly warnings: string[];
}

/** Runs `fn` over `items` with at most `limit` calls in flight; resolves when all are done (first error rejects). */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  await Promise.all(workers);
}

interface Pending {
  sha: string;
  item: SetItem;
  caches: FeatureCache[];
}

export async function extractFeatures(sets: readonly ResolvedSet[], spec: ExtractSpec, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const t0 = performance.now();
  const signal = opts.signal;
  const useCache = opts.cache !== false;
  const model = opts.model ?? (await requireModel(spec.modelId, opts.modelDir ? { dir: opts.modelDir } : {}));
  const inference = opts.inference ?? sharedInference();
  const warnings: string[] = [];
  const cancelled = () => new IqaError('E_CANCELLED', 'feature extraction cancelled');

  // 1. Content hashes.
  const shas: string[][] = sets.map((s) => new Array<string>(s.items.length));
  const flat = sets.flatMap((s, si) => s.items.map((item, ii) => ({ item, si, ii })));
  await mapLimit(flat, 8, async ({ item, si, ii }) => {
    if (signal?.aborted) throw cancelled();
    let sha: string;
    try {
      sha = await sha256File(item.file);
    } catch (err) {
      throw new IqaError('E_MEDIA', `${item.file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: item.file });
    }
    if (item.importedSha256 && item.importedSha256 !== sha) warnings.push(`${item.file} changed since it was imported (its content hash differs); the current file was used`);
    shas[si]![ii] = sha;
  });
  const hashMs = performance.now() - t0;

  // 2. Cache lookups; what is left to compute, once per content.
  const caches = new Map<string, FeatureCache>();
  const cacheOf = (dir: string) => {
    let c = caches.get(dir);
    if (!c) caches.set(dir, (c = new FeatureCache(dir, model.sha256, spec.variant)));
    return c;
  };
  const memory = new Map<string, Float32Array[]>();
  const pending = new Map<string, Pending>();
  const stats: ExtractStats = { hits: 0, misses: 0, corrupt: 0, computed: 0, duplicates: 0 };
  const seen = new Set<string>();
  const total = flat.length;
  for (const { item, si, ii } of flat) {
    const sha = shas[si]![ii]!;
    if (seen.has(sha)) stats.duplicates++;
    seen.add(sha);
    const cache = cacheOf(sets[si]!.cacheDir);
    const p = pending.get(sha);
    if (p) {
      if (!p.caches.includes(cache)) p.caches.push(cache);
      continue;
    }
    if (memory.has(sha)) continue;
    if (useCache) {
      const got: Float32Array[] = [];
      let state: 'hit' | 'miss' | 'corrupt' = 'hit';
      for (const o of spec.outputs) {
        const r = cache.read(sha, o.suffix, o.dim);
        if (r.state === 'hit') got.push(r.data);
        else {
          if (r.state === 'corrupt') state = 'corrupt';
          else if (state === 'hit') state = 'miss';
        }
      }
      if (state === 'hit') {
        memory.set(sha, got);
        stats.hits++;
        continue;
      }
      if (state === 'corrupt') stats.corrupt++;
    }
    stats.misses++;
    pending.set(sha, { sha, item, caches: [cache] });
  }
  // Items that repeat a cached or pending content count as done once their content is.
  const countFor = new Map<string, number>();
  for (const { si, ii } of flat) {
    const sha = shas[si]![ii]!;
    countFor.set(sha, (countFor.get(sha) ?? 0) + 1);
  }
  let done = 0;
  for (const [sha, c] of countFor) if (memory.has(sha)) done += c;
  opts.onProgress?.(done, total, 'cache');

  // 3. Compute the misses in batches.
  const itemSize = spec.itemDims.reduce((a, b) => a * b, 1);
  const batchSize = batchSizeFor(itemSize * 4, model.entry.activationFactor, opts.memoryBudgetBytes ?? defaultMemoryBudget(), opts.maxBatch ?? 64);
  const toCompute = [...pending.values()];
  let provider: ExecutionProvider | null = null;
  let decodeMs = 0;
  let inferenceMs = 0;
  let sessionMs = 0;
  const concurrency = Math.max(1, opts.decodeConcurrency ?? Math.min(4, cpus().length));
  const buffers: Float32Array[] = [];
  let inFlight: Promise<void> | null = null;
  for (let start = 0, k = 0; start < toCompute.length; start += batchSize, k++) {
    if (signal?.aborted) throw cancelled();
    const chunk = toCompute.slice(start, start + batchSize);
    const m = chunk.length;
    const length = Math.min(batchSize, toCompute.length) * itemSize;
    const buf = (buffers[k % 2] ??= spec.sharedBatches ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length));
    const td = performance.now();
    await mapLimit(chunk, concurrency, async (p, slot) => {
      if (signal?.aborted) throw cancelled();
      await spec.fill(p.item, buf, slot, signal);
    });
    decodeMs += performance.now() - td;
    if (inFlight) await inFlight;
    if (signal?.aborted) throw cancelled();
    const data = m * itemSize === buf.length ? buf : buf.subarray(0, m * itemSize);
    const run = inference.runBatched(spec.modelId, { [spec.input]: { data, dims: [m, ...spec.itemDims] } }, { outputs: spec.outputs.map((o) => o.name), signal, maxBatch: batchSize, memoryBudgetBytes: opts.memoryBudgetBytes });
    inFlight = run.then((r) => {
      provider = r.provider;
      inferenceMs += r.runMs;
      sessionMs += r.sessionMs;
      if (r.modelSha256 !== model.sha256) throw new IqaError('E_MODEL', `model ${spec.modelId} changed while features were computed (sha256 ${model.sha256} → ${r.modelSha256})`);
      chunk.forEach((p, slot) => {
        const rows = spec.outputs.map((o) => {
          const out = r.outputs[o.name];
          if (!out || out.data.length !== m * o.dim) throw new IqaError('E_MODEL', `model ${spec.modelId}: output ${o.name} has ${out?.data.length ?? 0} values, expected ${m} × ${o.dim}`);
          return out.data.slice(slot * o.dim, (slot + 1) * o.dim);
        });
        rows.forEach((row, oi) => {
          for (let i = 0; i < row.length; i++) {
            if (!Number.isFinite(row[i])) throw new IqaError('E_MODEL', `model ${spec.modelId}: non-finite ${spec.outputs[oi]!.name} for ${p.item.file}`, { file: p.item.file });
          }
        });
        memory.set(p.sha, rows);
        stats.computed++;
        if (useCache) for (const c of p.caches) spec.outputs.forEach((o, oi) => c.write(p.sha, o.suffix, rows[oi]!));
        done += countFor.get(p.sha) ?? 1;
        opts.onProgress?.(done, total, p.item.name);
      });
    });
    // Keep an early rejection from being reported as unhandled while the next batch decodes.
    inFlight.catch(() => undefined);
  }
  if (inFlight) await inFlight;
  if (useCache) {
    for (const c of caches.values()) if (c.writeError) warnings.push(`feature cache not written: ${c.writeError}`);
  }

  // 4. Matrices in item order.
  const out: ExtractedSet[] = sets.map((s, si) => {
    const n = s.items.length;
    const features: Record<string, Float32Array> = {};
    spec.outputs.forEach((o, oi) => {
      const mat = new Float32Array(n * o.dim);
      for (let i = 0; i < n; i++) mat.set(memory.get(shas[si]![i]!)![oi]!, i * o.dim);
      features[o.name] = mat;
    });
    return { n, features };
  });
  return {
    sets: out,
    model,
    provider,
    stats,
    batchSize,
    timing: { hashMs, decodeMs, inferenceMs, sessionMs, totalMs: performance.now() - t0 },
    warnings,
  };
}
