/**
 * The message contract between services/compute/compute-pool.ts and workers/compute.worker.ts, and the
 * pure dispatch both sides share (the pool runs it on the calling thread when it has no threads). A task
 * is plain data with a sequence number; the reply is a discriminated union, errors travel as WireErrors,
 * and the large float buffers of both (feature matrices, μ and Σ) are transferred, never copied.
 */
import type { AnalysisReport } from '../common/domain';
import type { WireError } from '../common/errors';
import { computeAnalysis, type AnalysisInput } from './analysis/compute-analysis';
import { setStatistics, type SetStatisticsRequest, type SetStatisticsResult } from './features/set-statistics';
import { alignFrames, type AlignFramesInput, type FrameAlignment } from './align/align-frames';
import { FidPreprocessor, type FidResizeMode, type RgbImage } from './image/network-inputs';

/**
 * One image's FID Inception input, written into slot `slot` of a batch the caller shares (a Float32Array
 * over a SharedArrayBuffer): the resize runs here, not on the engine's thread.
 */
export interface FidInputRequest {
  image: RgbImage;
  mode: FidResizeMode;
  batch: Float32Array;
  slot: number;
}

export type ComputeTask =
  | { kind: 'analysis'; seq: number; input: AnalysisInput }
  | { kind: 'set-statistics'; seq: number; input: SetStatisticsRequest }
  | { kind: 'alignment'; seq: number; input: AlignFramesInput }
  | { kind: 'fid-input'; seq: number; input: FidInputRequest };

export type ComputeResult =
  | { ok: true; kind: 'analysis'; seq: number; report: AnalysisReport }
  | { ok: true; kind: 'set-statistics'; seq: number; result: SetStatisticsResult }
  | { ok: true; kind: 'alignment'; seq: number; alignment: FrameAlignment }
  | { ok: true; kind: 'fid-input'; seq: number };

export type ComputeReply = ComputeResult | { ok: false; seq: number; error: WireError };

/** Preprocessors by resize mode, kept for the thread's life: their plans (and scratch) serve every image of a size. */
const fidPreprocessors = new Map<FidResizeMode, FidPreprocessor>();

function fidInput(r: FidInputRequest): void {
  let pre = fidPreprocessors.get(r.mode);
  if (!pre) fidPreprocessors.set(r.mode, (pre = new FidPreprocessor(r.mode)));
  pre.toSlot(r.image, r.batch, r.slot);
}

/** Runs one task; throws what the computation throws. */
export function runComputeTask(task: ComputeTask): ComputeResult {
  switch (task.kind) {
    case 'analysis':
      return { ok: true, kind: 'analysis', seq: task.seq, report: computeAnalysis(task.input) };
    case 'set-statistics':
      return { ok: true, kind: 'set-statistics', seq: task.seq, result: setStatistics(task.input) };
    case 'alignment':
      return { ok: true, kind: 'alignment', seq: task.seq, alignment: alignFrames(task.input) };
    case 'fid-input':
      fidInput(task.input);
      return { ok: true, kind: 'fid-input', seq: task.seq };
  }
}

/** The buffers a result hands over with it: set A's μ and Σ (Σ is 32 MB at the FID dimension). */
export function resultBuffers(result: ComputeResult): ArrayBuffer[] {
  if (result.kind !== 'set-statistics' || !result.result.statsA) return [];
  const { mean, covariance } = result.result.statsA;
  return [mean.buffer as ArrayBuffer, covariance.buffer as ArrayBuffer];
}
