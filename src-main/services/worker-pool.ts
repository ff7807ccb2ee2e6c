/**
 * Every piscina pool of the engine is made here, so each has an 'error' listener. piscina emits
 * 'error' on the pool for a reply it has no task for (a task cancelled, or its pool being destroyed,
 * while the worker's answer was already on its way); an EventEmitter's 'error' with no listener is
 * thrown as an uncaught exception, which would take the engine (or a CLI run) down for an answer
 * nobody waits for any more. Such a reply is noted on stderr and dropped.
 */
import { Piscina } from 'piscina';
import { workerFile } from './worker-files';

export interface WorkerPoolOptions {
  /** The worker script's name under build/main/workers (worker-files.ts). */
  worker: string;
  minThreads: number;
  maxThreads: number;
  idleTimeout: number;
}

export function newWorkerPool(opts: WorkerPoolOptions): Piscina {
  const pool = new Piscina({
    filename: workerFile(opts.worker),
    // No per-task timing histograms: nothing reads them, and making them costs the engine's thread at the pool's start.
    recordTiming: false,
    minThreads: opts.minThreads,
    maxThreads: opts.maxThreads,
    idleTimeout: opts.idleTimeout,
  });
  pool.on('error', (err: Error) => {
    process.stderr.write(`iqa: ${opts.worker} pool: ${err.message.split('\n')[0]} (dropped)\n`);
  });
  return pool;
}
