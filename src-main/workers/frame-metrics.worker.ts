/**
 * Worker thread for per-frame kernel extractors (run by piscina): a thin adapter that views the shared
 * frame buffers the decode loop filled and runs the extractors (kernels/extractors/) through one
 * ExtractorHost per thread, reused across tasks, so the hot loop allocates no pixel buffer after the
 * first frame. Parameter files (BRISQUE, NIQE) are read and parsed once per thread.
 */
import { readFileSync } from 'node:fs';
import { createSetupCache, ExtractorHost, runFrameJob, runFrameMapJob, type FrameJob, type FrameJobResult, type FrameMapJob, type FrameMapResult } from '../kernels/frame-metrics';
import { yieldToEngineThread } from './thread-priority';

yieldToEngineThread();

export type { FrameJob as FrameTask } from '../kernels/frame-metrics';

const host = new ExtractorHost();
const setup = createSetupCache((path) => readFileSync(path, 'utf8'));

export default function frameMetrics(task: FrameJob): FrameJobResult {
  return runFrameJob(host, task, setup);
}

/** The viewer's map of one frame pair (piscina task name 'frameMap'). */
export function frameMap(task: FrameMapJob): FrameMapResult {
  return runFrameMapJob(host, task);
}
