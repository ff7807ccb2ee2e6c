/**
 * Worker thread for per-frame kernel extractors (run by piscina): a thin adapter that views the shared
 * frame buffers the decode loop filled and runs the extractors (kernels/extractors/) through one
 * ExtractorHost per thread, reused across tasks, so the hot loop allocates no pixel buffer after the
 * first frame. Parameter files (BRISQUE, NIQE) are read and parsed once per thread.
 */
import { readFileSync } from 'node:fs';
import { createSetupCache, ExtractorHost, runFrameJob, runFrameMapJob, type FrameJob, type FrameJobResult, type FrameMapJob, type FrameMapResult } from '../kernels/frame-metrics';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { yieldToEngineThread } from './thread-priority';

yieldToEngineThread();

export type { FrameJob as FrameTask } from '../kernels/frame-metrics';

const host = new ExtractorHost();
const setup = createSetupCache((path) => readFileSync(path, 'utf8'));

export default function frameMetrics(task: FrameJob): FrameJobResult {
  return runFrameJob(host, task, setup);
}

/**
 * The viewer's map of one frame pair (piscina task name 'frameMap'). The map (a fresh array per call, 8 MB
 * at 1080p) is transferred, not cloned: a clone is copied again where the reply arrives, the engine's thread.
 */
export function frameMap(task: FrameMapJob): FrameMapResult {
  const r = runFrameMapJob(host, task);
  // Only a map that is its own whole buffer (never a view of an extractor's reusable scratch).
  if (r.map.byteLength !== r.map.buffer.byteLength) return r;
  return move({ [transferableSymbol]: [r.map.buffer], [valueSymbol]: r }) as unknown as FrameMapResult;
}
