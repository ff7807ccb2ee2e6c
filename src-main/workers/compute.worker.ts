/**
 * Worker thread for the engine's heavy statistics (run by piscina): the analysis (MOS, P.1401
 * statistics, bootstrap, significance) and the set metrics' FID/KID/IS/FVD statistics. A thin adapter
 * over kernels/compute-task.ts: errors come back as WireErrors (a thrown Error would lose its code),
 * result buffers are moved to the caller.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { toIqaError } from '../common/errors';
import { resultBuffers, runComputeTask, type ComputeReply, type ComputeTask } from '../kernels/compute-task';
import { yieldToEngineThread } from './thread-priority';

yieldToEngineThread();

export default function compute(task: ComputeTask): ComputeReply | ReturnType<typeof move> {
  try {
    const result = runComputeTask(task);
    return move({ [transferableSymbol]: resultBuffers(result), [valueSymbol]: result });
  } catch (err) {
    return { ok: false, seq: task.seq, error: toIqaError(err).toWire() };
  }
}
