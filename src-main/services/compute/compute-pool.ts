/**
 * The pool of worker threads (piscina running workers/compute.worker.ts) that runs the engine's heavy
 * statistics off its thread: the analysis compute and the set metrics' statistics. Threads start on
 * the first task and exit when idle. With `threads: 0` the same kernels run on the calling thread
 * (the engine's test setting, as for the frame pool).
 */
import type { Piscina } from 'piscina';
import type { AnalysisReport } from '../../common/domain';
import { IqaError } from '../../common/errors';
import { withRowIntervals, type AnalysisInput, type RowIntervals } from '../../kernels/analysis/compute-analysis';
import { runComputeTask, type ComputeReply, type ComputeResult, type FidInputRequest } from '../../kernels/compute-task';
import type { FeatureMatrix } from '../../kernels/features/feature-matrix';
import type { SetStatisticsRequest, SetStatisticsResult } from '../../kernels/features/set-statistics';
import type { AlignFramesInput, FrameAlignment } from '../../kernels/align/align-frames';
import type { ComputeWorkerReply, ComputeWorkerResult, ComputeWorkerTask } from '../../workers/compute-messages';
import { analyzeProject, type AnalysisStep, type AnalysisStepResult, type AnalyzeOptions } from '../analysis/analyze-project';
import type { Db } from '../store/project-db';
import { newWorkerPool } from '../worker-pool';

export interface ComputePoolOptions {
  /** Tasks run at once (default 1; 0 = on the calling thread). */
  threads?: number;
  idleTimeoutMs?: number;
}

/** A view that owns its whole buffer, so the buffer can be transferred (views into larger or already listed buffers are copied). */
function owned<T extends Float32Array | Float64Array | Uint8Array>(v: T, buffers: Set<ArrayBuffer>): T {
  const whole = v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && !buffers.has(v.buffer);
  const out = whole ? v : (v.slice() as T);
  buffers.add(out.buffer as ArrayBuffer);
  return out;
}

const ownedMatrix = (m: FeatureMatrix, buffers: Set<ArrayBuffer>): FeatureMatrix => ({ data: owned(m.data, buffers), rows: m.rows, cols: m.cols });

export class ComputePool {
  readonly threads: number;
  readonly #idleTimeoutMs: number;
  #pool: Piscina | undefined;
  #seq = 0;
  /** Cache writes not awaited by their analysis (the report is returned first); close() waits for them. */
  readonly #storing = new Set<Promise<unknown>>();

  constructor(opts: ComputePoolOptions = {}) {
    this.threads = Math.max(0, opts.threads ?? 1);
    this.#idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  }

  /** The analysis report of data gathered from a project (services/analysis/analyze-project.ts). */
  async analyze(input: AnalysisInput, signal?: AbortSignal): Promise<AnalysisReport> {
    const r = await this.#run({ kind: 'analysis', seq: ++this.#seq, input }, [], signal);
    if (r.kind !== 'analysis') throw new IqaError('E_INTERNAL', `compute worker answered an analysis with ${r.kind}`);
    return r.report;
  }

  /**
   * The analysis of a project, read and computed in the worker (workers/compute-messages.ts), so the
   * engine's thread neither reads nor clones the ratings. `db`: the caller's connection, used instead
   * when the pool has no threads.
   */
  async analyzeProject(projectDir: string, options: AnalyzeOptions, db: () => Db, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<AnalysisReport> {
    if (this.threads === 0) return analyzeProject(db(), projectDir, options);
    // Steps (analyze-project.ts analyzeProjectStep): the point estimates (or the cached report) first, then
    // the rows' bootstrap intervals spread over every thread, then the merged report stored in the cache.
    const local = new AbortController();
    const abort = () => local.abort();
    signal?.addEventListener('abort', abort, { once: true });
    const step = async (s: AnalysisStep): Promise<AnalysisStepResult> => {
      const r = await this.#run({ kind: 'project-analysis', seq: ++this.#seq, projectDir, options, step: s }, [], local.signal);
      if (r.kind !== 'analysis-step') throw new IqaError('E_INTERNAL', `compute worker answered an analysis step with ${r.kind}`);
      return r.result;
    };
    try {
      const first = await step({ step: 'point' });
      if (first.step !== 'point') throw new IqaError('E_INTERNAL', `compute worker answered the point step with ${first.step}`);
      if (first.complete) return first.report;
      const total = first.rows.length;
      let done = 0;
      onProgress?.(0, total);
      // Rows dealt round-robin (a slow metric's rows are spread), several chunks per thread (progress, balance).
      const chunkCount = Math.min(total, this.threads * 4);
      const chunks = Array.from({ length: chunkCount }, (_, c) => first.rows.filter((_, i) => i % chunkCount === c));
      const parts = await Promise.all(
        chunks.map(async (rows) => {
          try {
            const r = await step({ step: 'intervals', key: first.key, rows });
            if (r.step !== 'intervals') throw new IqaError('E_INTERNAL', `compute worker answered an interval step with ${r.step}`);
            done += rows.length;
            onProgress?.(done, total);
            return r.intervals;
          } catch (err) {
            local.abort(); // the other chunks are of no use now
            throw err;
          }
        }),
      );
      const report = withRowIntervals(first.report, Object.assign({}, ...parts) as RowIntervals);
      const storing = step({ step: 'store', key: first.key, report }).catch(() => undefined);
      this.#storing.add(storing);
      void storing.finally(() => this.#storing.delete(storing));
      return report;
    } catch (err) {
      if (signal?.aborted) throw new IqaError('E_CANCELLED', 'analysis cancelled');
      throw err;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  /**
   * FID/KID/IS/FVD statistics of feature matrices. Their buffers are transferred to the worker: the
   * caller's matrices (and stored statistics) are unusable afterwards.
   */
  async setStatistics(input: SetStatisticsRequest, signal?: AbortSignal): Promise<SetStatisticsResult> {
    const buffers = new Set<ArrayBuffer>();
    const moved: SetStatisticsRequest = this.threads === 0 ? input : {
      ...input,
      a: ownedMatrix(input.a, buffers),
      b: input.b && ownedMatrix(input.b, buffers),
      ...(input.inceptionScore ? { inceptionScore: { ...input.inceptionScore, logits: ownedMatrix(input.inceptionScore.logits, buffers) } } : {}),
      ...(input.frechet?.against ? { frechet: { ...input.frechet, against: { ...input.frechet.against, mean: owned(input.frechet.against.mean, buffers), covariance: owned(input.frechet.against.covariance, buffers) } } } : {}),
    };
    const r = await this.#run({ kind: 'set-statistics', seq: ++this.#seq, input: moved }, [...buffers], signal);
    if (r.kind !== 'set-statistics') throw new IqaError('E_INTERNAL', `compute worker answered set statistics with ${r.kind}`);
    return r.result;
  }

  /** The temporal alignment of two decimated videos (kernels/align); their frame buffers are transferred. */
  async align(input: AlignFramesInput, signal?: AbortSignal): Promise<FrameAlignment> {
    const buffers = new Set<ArrayBuffer>();
    const moved: AlignFramesInput = this.threads === 0 ? input : { ...input, ref: owned(input.ref, buffers), dist: owned(input.dist, buffers) };
    const r = await this.#run({ kind: 'alignment', seq: ++this.#seq, input: moved }, [...buffers], signal);
    if (r.kind !== 'alignment') throw new IqaError('E_INTERNAL', `compute worker answered an alignment with ${r.kind}`);
    return r.alignment;
  }

  /**
   * Writes one image's FID Inception input into slot `slot` of `batch`, in a worker: the batch must be a
   * view of a SharedArrayBuffer (the worker writes into it); the image's pixels are transferred.
   */
  async fidInput(input: FidInputRequest, signal?: AbortSignal): Promise<void> {
    const buffers = new Set<ArrayBuffer>();
    if (this.threads > 0 && !(input.batch.buffer instanceof SharedArrayBuffer)) throw new IqaError('E_INTERNAL', 'fidInput needs a batch over a SharedArrayBuffer');
    const moved: FidInputRequest = this.threads === 0 ? input : { ...input, image: { ...input.image, data: owned(input.image.data, buffers) } };
    await this.#run({ kind: 'fid-input', seq: ++this.#seq, input: moved }, [...buffers], signal);
  }

  async #run(task: ComputeWorkerTask, transferList: ArrayBuffer[], signal?: AbortSignal): Promise<ComputeWorkerResult> {
    const what = { analysis: 'analysis', 'project-analysis': 'analysis', alignment: 'alignment check', 'set-statistics': 'set statistics', 'fid-input': 'FID input' }[task.kind];
    if (signal?.aborted) throw new IqaError('E_CANCELLED', `${what} cancelled`);
    if (this.threads === 0 && task.kind !== 'project-analysis') return runComputeTask(task);
    const pool = (this.#pool ??= newWorkerPool({ worker: 'compute.worker', minThreads: 0, maxThreads: this.threads, idleTimeout: this.#idleTimeoutMs }));
    let reply: ComputeWorkerReply;
    try {
      reply = (await pool.run(task, { transferList, signal })) as ComputeWorkerReply;
    } catch (err) {
      if (signal?.aborted) throw new IqaError('E_CANCELLED', `${what} cancelled`);
      // close() terminates the threads: a task still running then was not the computation's fault.
      if (this.#pool !== pool) throw new IqaError('E_CANCELLED', `${what} cancelled: the engine closed`);
      throw err;
    }
    if (reply.seq !== task.seq) throw new IqaError('E_INTERNAL', `compute worker answered task ${reply.seq} for task ${task.seq}`);
    if (!reply.ok) throw IqaError.fromWire(reply.error);
    return reply;
  }

  async close(): Promise<void> {
    await Promise.all(this.#storing);
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }
}

/** Runs `fn` with the given pool, or with a one-thread pool made for it and closed afterwards. */
export async function withComputePool<T>(given: ComputePool | undefined, fn: (pool: ComputePool) => Promise<T>): Promise<T> {
  if (given) return fn(given);
  const pool = new ComputePool({ threads: 1 });
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}
