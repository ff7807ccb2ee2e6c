/**
 * ONNX inference over a piscina pool running workers/onnx.worker.ts. `run(modelId, feeds)` checks
 * the model (installed, right hash: else E_MODEL), checks the feeds against the manifest's tensor
 * specs (else E_INPUT), runs it in a worker and returns the outputs with the execution provider
 * actually used and the model's SHA-256 (provenance). `runBatched` splits inputs along N so one
 * call stays inside a memory budget.
 *
 * Threads: onnxruntime already uses every core inside one session, so the pool defaults to one
 * worker; more workers only help small models on many cores (set intraOpThreads to share them).
 */
import { freemem } from 'node:os';
import type { Piscina } from 'piscina';
import { IqaError } from '../../common/errors';
import type { ExecutionProvider, GraphIo, TensorData } from '../../common/inference';
import type { OnnxRunReply, OnnxRunTask } from '../../workers/onnx-messages';
import { newWorkerPool } from '../worker-pool';
import { fileIdentity } from './file-hash';
import type { ModelEntry } from './manifest';
import { requireModel, type ModelDirOptions } from './model-store';

export type { ExecutionProvider, GraphIo, TensorData } from '../../common/inference';

export interface InferenceOptions extends ModelDirOptions {
  /** Worker threads (default 1). */
  threads?: number;
  /** onnxruntime intra-op threads per session (default: onnxruntime's choice, all cores). */
  intraOpThreads?: number;
  /** Providers to try in order (default: IQA_ONNX_PROVIDERS, else cuda when installed, then cpu). */
  providers?: ExecutionProvider[];
  /** Idle workers (and their sessions) are dropped after this many ms (default 60 s). */
  idleTimeoutMs?: number;
}

export interface RunOptions {
  /** Output names to fetch (default: all). */
  outputs?: string[];
  signal?: AbortSignal;
  /**
   * The feeds' whole buffers are the caller's to give away: transferred to the worker, not cloned (the
   * caller's arrays are detached afterwards). For tensors made for this one call.
   */
  transfer?: boolean;
}

export interface InferenceResult {
  modelId: string;
  modelSha256: string;
  /** false when the manifest has no hash for the installed file (a locally exported model). */
  modelVerified: boolean;
  comparable: boolean;
  provider: ExecutionProvider;
  outputs: Record<string, TensorData>;
  /** Time inside session.run (summed over batches), ms. */
  runMs: number;
  /** Session creation time paid by this call (0 when reused), ms. */
  sessionMs: number;
}

const MiB = 1024 * 1024;

/**
 * The memory one batch may use when the caller sets none: a quarter of the memory free now, between
 * 256 MiB and 2 GiB (IQA_INFERENCE_MEMORY_MB overrides it). Inference runs beside decoders and the
 * app; a quarter leaves them room on a small machine and still gives large batches on a big one.
 */
export function defaultMemoryBudget(freeBytes = freemem()): number {
  const env = Number(process.env.IQA_INFERENCE_MEMORY_MB);
  if (Number.isFinite(env) && env > 0) return env * MiB;
  return Math.min(2048 * MiB, Math.max(256 * MiB, Math.floor(freeBytes / 4)));
}

/**
 * How many items of one batch fit a memory budget: each item costs its input bytes times the
 * model's activation factor (manifest; a conservative estimate of working memory per input byte).
 */
export function batchSizeFor(itemInputBytes: number, activationFactor: number, budgetBytes = defaultMemoryBudget(), max = 64): number {
  if (!(itemInputBytes > 0)) throw new RangeError('itemInputBytes must be positive');
  return Math.max(1, Math.min(max, Math.floor(budgetBytes / (itemInputBytes * Math.max(1, activationFactor)))));
}

function checkAgainstSpec(entry: ModelEntry, feeds: Record<string, TensorData>): void {
  if (entry.format !== 'onnx') throw new IqaError('E_INPUT', `model ${entry.id} is a ${entry.format} parameter file, not an ONNX graph`);
  const names = Object.keys(feeds);
  const expected = entry.inputs.map((i) => i.name);
  if (names.length !== expected.length || !expected.every((n) => names.includes(n))) {
    throw new IqaError('E_INPUT', `model ${entry.id} takes inputs ${expected.join(', ')}; got ${names.join(', ') || 'none'}`);
  }
  for (const spec of entry.inputs) {
    const t = feeds[spec.name]!;
    const shapeText = `[${spec.shape.join(', ')}]`;
    if (t.dims.length !== spec.shape.length || spec.shape.some((d, i) => typeof d === 'number' && d !== t.dims[i])) {
      throw new IqaError('E_INPUT', `model ${entry.id}: input ${spec.name} must be ${shapeText}, got [${t.dims.join(', ')}]`);
    }
    if (t.dims.some((d) => !Number.isInteger(d) || d <= 0)) throw new IqaError('E_INPUT', `model ${entry.id}: input ${spec.name} has bad dims [${t.dims.join(', ')}]`);
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new IqaError('E_INPUT', `model ${entry.id}: input ${spec.name} has ${t.data.length} values, dims [${t.dims.join(', ')}] need ${n}`);
  }
}

export class OnnxInference {
  readonly #opts: InferenceOptions;
  #pool: Piscina | undefined;
  #seq = 0;

  constructor(opts: InferenceOptions = {}) {
    this.#opts = opts;
  }

  #getPool(): Piscina {
    this.#pool ??= newWorkerPool({ worker: 'onnx.worker', minThreads: 0, maxThreads: Math.max(1, this.#opts.threads ?? 1), idleTimeout: this.#opts.idleTimeoutMs ?? 60_000 });
    return this.#pool;
  }

  /** Runs an ONNX file directly (no manifest or hash check); `label` names it in errors. */
  async runFile(path: string, feeds: Record<string, TensorData>, opts: RunOptions & { label?: string } = {}): Promise<{ outputs: Record<string, TensorData>; provider: ExecutionProvider; runMs: number; sessionMs: number }> {
    let key: string;
    try {
      const id = fileIdentity(path);
      key = `${id.size}:${id.mtimeMs}`;
    } catch (err) {
      throw new IqaError('E_MODEL', `model ${opts.label ?? path}: ${path} cannot be read (${(err as Error).message})`, { file: path });
    }
    // What crosses to the worker without a copy on this (the engine's) thread: views of shared memory are
    // shared as they are; a view of part of an ordinary buffer is copied once and that copy transferred
    // (posting the view would clone its whole buffer); a whole ordinary buffer is cloned, since the caller
    // keeps it, unless the caller gives it away (`transfer`). A batch of FID images is tens of MB: a copy
    // plus a clone of it held the thread ~300 ms.
    const transferList: ArrayBuffer[] = [];
    const toWorker = (data: Float32Array): Float32Array => {
      if (typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer) return data;
      if (data.byteLength === data.buffer.byteLength) {
        if (opts.transfer) transferList.push(data.buffer as ArrayBuffer);
        return data;
      }
      const copy = data.slice();
      transferList.push(copy.buffer);
      return copy;
    };
    const task: OnnxRunTask = {
      seq: ++this.#seq,
      label: opts.label ?? path,
      modelPath: path,
      fileKey: key,
      feeds: Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { data: toWorker(v.data), dims: [...v.dims] }])),
    };
    if (opts.outputs) task.outputs = opts.outputs;
    if (this.#opts.providers) task.providers = this.#opts.providers;
    if (this.#opts.intraOpThreads) task.intraOpThreads = this.#opts.intraOpThreads;
    const reply = await this.#post(task, opts.signal, transferList);
    return { outputs: reply.outputs, provider: reply.provider, runMs: reply.runMs, sessionMs: reply.sessionMs };
  }

  /**
   * Loads an ONNX file in a worker (CPU provider, no session kept) and returns its input and output
   * names: E_MODEL when onnxruntime cannot load it. For checking a file before it is installed.
   */
  async describeFile(path: string, label = path): Promise<GraphIo> {
    let key: string;
    try {
      const id = fileIdentity(path);
      key = `${id.size}:${id.mtimeMs}`;
    } catch (err) {
      throw new IqaError('E_MODEL', `model ${label}: ${path} cannot be read (${(err as Error).message})`, { file: path });
    }
    const reply = await this.#post({ seq: ++this.#seq, label, modelPath: path, fileKey: key, feeds: {}, describeOnly: true });
    if (!reply.io) throw new IqaError('E_INTERNAL', `onnx worker did not describe ${path}`);
    return reply.io;
  }

  async #post(task: OnnxRunTask, signal?: AbortSignal, transferList: ArrayBuffer[] = []): Promise<Extract<OnnxRunReply, { ok: true }>> {
    let reply: OnnxRunReply;
    try {
      reply = (await this.#getPool().run(task, { signal, transferList })) as OnnxRunReply;
    } catch (err) {
      if (signal?.aborted) throw new IqaError('E_CANCELLED', `model ${task.label}: cancelled`);
      throw err;
    }
    if (reply.seq !== task.seq) throw new IqaError('E_INTERNAL', `onnx worker answered task ${reply.seq} for task ${task.seq}`);
    if (!reply.ok) throw IqaError.fromWire(reply.error);
    return reply;
  }

  /** Runs a manifest model: E_MODEL when it is missing, has the wrong hash or cannot be loaded. */
  async run(modelId: string, feeds: Record<string, TensorData>, opts: RunOptions = {}): Promise<InferenceResult> {
    const model = await requireModel(modelId, this.#opts);
    checkAgainstSpec(model.entry, feeds);
    const r = await this.runFile(model.path, feeds, { ...opts, label: modelId });
    return { modelId, modelSha256: model.sha256, modelVerified: model.verified, comparable: model.entry.comparable, ...r };
  }

  /**
   * Runs inputs that share their first (N) axis in batches sized by the memory budget and the
   * model's activation factor, and concatenates the outputs along N. Every output must have N first.
   */
  async runBatched(modelId: string, feeds: Record<string, TensorData>, opts: RunOptions & { memoryBudgetBytes?: number; maxBatch?: number } = {}): Promise<InferenceResult & { batches: number; batchSize: number }> {
    const model = await requireModel(modelId, this.#opts);
    checkAgainstSpec(model.entry, feeds);
    const entries = Object.entries(feeds);
    const n = entries[0]![1].dims[0]!;
    if (entries.some(([, t]) => t.dims[0] !== n)) throw new IqaError('E_INPUT', `model ${modelId}: batched inputs must share their first dimension`);
    const itemBytes = entries.reduce((s, [, t]) => s + (t.data.length / n) * 4, 0);
    const b = batchSizeFor(itemBytes, model.entry.activationFactor, opts.memoryBudgetBytes, opts.maxBatch);
    if (b >= n) {
      const r = await this.runFile(model.path, feeds, { ...opts, label: modelId });
      return { modelId, modelSha256: model.sha256, modelVerified: model.verified, comparable: model.entry.comparable, ...r, batches: 1, batchSize: n };
    }
    const parts: Awaited<ReturnType<OnnxInference['runFile']>>[] = [];
    for (let start = 0; start < n; start += b) {
      const m = Math.min(b, n - start);
      const chunk: Record<string, TensorData> = {};
      for (const [name, t] of entries) {
        const per = t.data.length / n;
        chunk[name] = { data: t.data.subarray(start * per, (start + m) * per), dims: [m, ...t.dims.slice(1)] };
      }
      parts.push(await this.runFile(model.path, chunk, { ...opts, label: modelId }));
    }
    const outputs: Record<string, TensorData> = {};
    for (const name of Object.keys(parts[0]!.outputs)) {
      const first = parts[0]!.outputs[name]!;
      const total = parts.reduce((s, p) => s + p.outputs[name]!.data.length, 0);
      const data = new Float32Array(total);
      let off = 0;
      for (const p of parts) {
        data.set(p.outputs[name]!.data, off);
        off += p.outputs[name]!.data.length;
      }
      outputs[name] = { data, dims: [n, ...first.dims.slice(1)] };
    }
    return {
      modelId,
      modelSha256: model.sha256,
      modelVerified: model.verified,
      comparable: model.entry.comparable,
      provider: parts[0]!.provider,
      outputs,
      runMs: parts.reduce((s, p) => s + p.runMs, 0),
      sessionMs: parts.reduce((s, p) => s + p.sessionMs, 0),
      batches: parts.length,
      batchSize: b,
    };
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }
}

let shared: OnnxInference | undefined;

/** The process-wide runner (created on first use; its idle workers exit on their own). */
export function sharedInference(): OnnxInference {
  shared ??= new OnnxInference();
  return shared;
}

export async function closeSharedInference(): Promise<void> {
  const s = shared;
  shared = undefined;
  await s?.close();
}
