/**
 * The worker threads of the learned NR predictor (piscina running workers/nr-train.worker.ts): SVR
 * fits, combinations, predictions, the training targets and the cross-validated statistics, all off the
 * engine's thread. Started on first use, one per process like the file-hash pool; `closeNrPool` stops it
 * (the engine's shutdown calls it).
 */
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { IqaError } from '../../common/errors';
import type { NrReply, NrResult, NrTask } from '../../workers/nr-train-messages';
import { newWorkerPool } from '../worker-pool';

let pool: Piscina | undefined;
let seq = 0;

/** Threads: one per core but one (the engine's), at least one, at most 8 (a level task holds its features). */
export function nrThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}

type Without<T> = T extends unknown ? Omit<T, 'seq'> : never;

export async function runNrTask<K extends NrResult['kind']>(task: Without<NrTask> & { kind: K }, signal?: AbortSignal): Promise<Extract<NrResult, { kind: K }>> {
  pool ??= newWorkerPool({ worker: 'nr-train.worker', minThreads: 0, maxThreads: nrThreads(), idleTimeout: 10_000 });
  let reply: NrReply;
  try {
    reply = (await pool.run({ ...task, seq: ++seq }, signal ? { signal } : {})) as NrReply;
  } catch (err) {
    if (signal?.aborted) throw new IqaError('E_CANCELLED', 'training cancelled');
    throw err;
  }
  if (!reply.ok) throw IqaError.fromWire(reply.error);
  if (reply.result.kind !== task.kind) throw new IqaError('E_INTERNAL', `nr worker answered ${task.kind} with ${reply.result.kind}`);
  return reply.result as Extract<NrResult, { kind: K }>;
}

export async function closeNrPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}
