/**
 * The pool of worker threads that run the kernel extractors of each frame (piscina), sized to the
 * cores. Frames are handed over in SharedArrayBuffer slots, so pixels are never copied between
 * threads. With `threads: 0` the same code runs on the calling thread (tiny jobs, tests).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { createSetupCache, ExtractorHost, runFrameJob, runFrameMapJob, type FrameJob, type FrameJobResult, type FrameMapJob, type FrameMapResult } from '../../kernels/frame-metrics';
import { newWorkerPool } from '../worker-pool';

export type { FrameJob, FrameJobResult, FrameMapJob, FrameMapResult } from '../../kernels/frame-metrics';

export interface FrameRunner {
  readonly threads: number;
  run(job: FrameJob, signal?: AbortSignal): Promise<FrameJobResult>;
  /** One frame pair's map for the viewer (kernels/extractors MAP_EXTRACTORS). */
  map(job: FrameMapJob, signal?: AbortSignal): Promise<FrameMapResult>;
  close(): Promise<void>;
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

class InlineRunner implements FrameRunner {
  readonly threads = 0;
  readonly #host = new ExtractorHost();
  readonly #setup = createSetupCache((path) => readFileSync(path, 'utf8'));
  async run(job: FrameJob): Promise<FrameJobResult> {
    return runFrameJob(this.#host, job, this.#setup);
  }
  async map(job: FrameMapJob): Promise<FrameMapResult> {
    return runFrameMapJob(this.#host, job);
  }
  async close(): Promise<void> {
    this.#host.clear();
  }
}

class PoolRunner implements FrameRunner {
  readonly threads: number;
  readonly #pool: Piscina;
  constructor(threads: number) {
    this.threads = threads;
    this.#pool = newWorkerPool({ worker: 'frame-metrics.worker', minThreads: 1, maxThreads: threads, idleTimeout: 30_000 });
  }
  run(job: FrameJob, signal?: AbortSignal): Promise<FrameJobResult> {
    return this.#pool.run(job, { signal });
  }
  map(job: FrameMapJob, signal?: AbortSignal): Promise<FrameMapResult> {
    return this.#pool.run(job, { name: 'frameMap', signal });
  }
  close(): Promise<void> {
    return this.#pool.destroy();
  }
}

export function createFrameRunner(threads = defaultThreads()): FrameRunner {
  return threads <= 0 ? new InlineRunner() : new PoolRunner(threads);
}
