/**
 * The one decode loop of a pair (or of one file, for no-reference metrics): each side is decoded once
 * (services/media/frame-reader.ts), in every format some requested extractor reads (native planes
 * and 8-bit RGB from the same decoded frames), into a fixed ring of SharedArrayBuffer slots; each
 * frame goes to the frame pool for the kernel extractors and, in order, to the neural extractors,
 * while the decoders go on with the next frames. Memory: the ring, whatever the video's length.
 * Extractors that read reference frame k−1 with frame k (previousReference) get the previous slot's
 * reference, which is then kept until frame k is done; `ordered` extractors (VMAF) return a feature
 * vector per frame, which their per-pair stage takes here in frame order (a frame's value may come
 * later, the last ones at flush). Values an extractor holds back (flush) are stored by frame.
 */
import { IqaError } from '../../common/errors';
import type { MediaInfo, RawVideoGeometry } from '../../common/domain';
import { frameBytes, type FrameFormat } from '../../common/frame-format';
import { kernelExtractor, type FrameInput, type FrameSamples, type OrderedStage } from '../../kernels/extractors';
import type { FrameFormats } from '../../kernels/frame-metrics';
import { rgb24Format } from '../media/decode-format';
import { FrameReader } from '../media/frame-reader';
import type { MetricSummary } from '../../common/metric-summary';
import type { OnnxExtractor, PlannedExtractor } from './extractors';
import type { FrameRunner } from './frame-pool';

/** One file to decode, with its alignment filters. */
export interface DecodeSide {
  file: string;
  info: MediaInfo;
  raw?: RawVideoGeometry;
  filters: string[];
  /** Frames the filters drop at the start (a trim). */
  skipped: number;
}

export interface DecodePlan {
  /** null: one file, no-reference extractors only. */
  ref: DecodeSide | null;
  dist: DecodeSide;
  /** The native format frames come out in (after alignment, the reference's). */
  source: FrameFormat;
  /** Frames both sides should yield (null when a container does not say). */
  expected: number | null;
  /** Compare only the frames both have. */
  truncate: boolean;
}

export interface LoopOptions {
  runner: FrameRunner;
  acceptDecodeErrors?: boolean;
  signal?: AbortSignal;
  onFrame?: (done: number, total: number | null) => void;
}

export interface LoopResult {
  frames: number;
  /** perFrame[i]: extractor `planned[i]` on every frame. */
  perFrame: Float64Array[];
  /** The decoder command of each side: `ref | dist`, or the one file's. */
  decoder: string;
  /** Per planned extractor: the execution provider it ran on ('kernel' for kernels). */
  providers: string[];
  /** Per planned extractor: what it reports beside its values (a class distribution), or null. */
  summaries: (MetricSummary | null)[];
  /** The format of the frames the metrics saw (the native one, or rgb24 when only RGB was decoded). */
  format: FrameFormat;
}

/** Per-frame values of several extractors, growing when a container under-reported its frames. */
class FrameTable {
  perFrame: Float64Array[];
  constructor(count: number, expected: number | null) {
    this.perFrame = Array.from({ length: count }, () => new Float64Array(Math.max(1, expected ?? 64)));
  }
  set(frame: number, m: number, v: number): void {
    if (frame >= this.perFrame[m]!.length) {
      this.perFrame = this.perFrame.map((a) => {
        const b = new Float64Array(Math.max(a.length * 2, frame + 1));
        b.set(a);
        return b;
      });
    }
    this.perFrame[m]![frame] = v;
  }
  slice(frames: number): Float64Array[] {
    return this.perFrame.map((a) => a.slice(0, frames));
  }
}

/**
 * Frames a container may declare beyond what decodes without the file being damaged (an edit list
 * can hide a frame or two at the start, as phone videos with B-frames do).
 */
const DECLARED_FRAMES_SLACK = 2;

/** E_MEDIA naming the file when decoding stopped well before the frame count its container declares. */
function checkDeclaredFrames(side: DecodeSide, decoded: number): void {
  const declared = side.info.kind === 'video' ? side.info.frameCount : null;
  if (declared !== null && declared - decoded > DECLARED_FRAMES_SLACK) {
    throw new IqaError('E_MEDIA', `${side.file}: decoding stopped after ${decoded} of the ${declared} frames its container declares: the file is truncated or damaged`, {
      file: side.file,
      details: { declaredFrames: declared, decodedFrames: decoded },
    });
  }
}

function endsEarly(plan: DecodePlan, refGoesOn: boolean, frames: number): IqaError {
  const [longer, shorter] = refGoesOn ? ['reference', 'distorted'] : ['distorted', 'reference'];
  return new IqaError('E_MISMATCH', `${plan.dist.file} vs reference ${plan.ref!.file}: frame counts differ: the ${shorter} ends after ${frames} frames, the ${longer} goes on (truncate to the shorter: --truncate, or "Truncate to the shorter" in the compute dialog)`, {
    file: plan.dist.file,
    details: { ref: plan.ref!.file, dist: plan.dist.file },
  });
}

/** The decoder outputs: the native format if read, rgb24 if read and not the native format itself. */
function outputsFor(planned: readonly PlannedExtractor[], source: FrameFormat): { formats: FrameFormat[]; index: Partial<Record<FrameInput, number>> } {
  const wants = (i: FrameInput) => planned.some((p) => p.input === i);
  const formats: FrameFormat[] = [];
  const index: Partial<Record<FrameInput, number>> = {};
  if (wants('native')) index.native = formats.push(source) - 1;
  if (wants('rgb24')) index.rgb24 = source.pixFmt === 'rgb24' && index.native !== undefined ? index.native : formats.push(rgb24Format(source.width, source.height)) - 1;
  return { formats, index };
}

/** The frame ring's memory ceiling: past it, huge frames (a 24-megapixel image) take fewer slots. */
export const RING_BUDGET_BYTES = 256 * 1024 * 1024;

/**
 * Frames in flight: two per worker keep every worker busy while the next frame decodes, but never
 * more than the frames there are (an image needs one) nor more than the budget holds (at least one).
 */
export function ringSlots(bytesPerSlot: number, threads: number, expectedFrames: number | null, budget = RING_BUDGET_BYTES): number {
  const busy = Math.max(2, 2 * threads);
  const frames = expectedFrames !== null && expectedFrames > 0 ? expectedFrames : busy;
  return Math.max(1, Math.min(busy, frames, Math.floor(budget / bytesPerSlot)));
}

export async function runDecodeLoop(plan: DecodePlan, planned: readonly PlannedExtractor[], options: LoopOptions): Promise<LoopResult> {
  const { runner, signal } = options;
  const { formats, index } = outputsFor(planned, plan.source);
  const frameFormats: FrameFormats = {};
  for (const key of Object.keys(index) as FrameInput[]) frameFormats[key] = formats[index[key]!]!;
  const withRef = plan.ref !== null && planned.some((p) => p.needsReference);
  const common = { signal, acceptDecodeErrors: options.acceptDecodeErrors };
  const open = (s: DecodeSide) => new FrameReader(s.file, formats, { ...common, raw: s.raw, filters: s.filters, skippedFrames: s.skipped });

  const kernels = planned.map((p, i) => ({ p, i })).filter((x) => x.p.backend === 'kernel');
  const networks = planned.map((p, i) => ({ p, i })).filter((x) => x.p.backend === 'onnx');
  const requests = kernels.map((x) => ({ id: x.p.metric.id, params: x.p.metric.params }));
  const setupFiles = kernels.map((x) => x.p.setupFile ?? null);
  const kernelSpecs = kernels.map((x) => kernelExtractor(x.p.metric.id));
  // Extractors that read reference frame k−1 with frame k (motion): each slot is kept until the next frame is done.
  const wantsPrevious = withRef && kernelSpecs.some((s) => s.previousReference);
  // Per-pair stages of `ordered` extractors (VMAF), fed in frame order with each frame's vector from the pool.
  const stages: { stage: OrderedStage; m: number; i: number }[] = [];
  kernels.forEach((x, m) => {
    const spec = kernelSpecs[m]!;
    if (spec.ordered) stages.push({ stage: spec.ordered(x.p.metric.params, undefined), m, i: x.i });
  });
  const onnx: { ex: OnnxExtractor; i: number; input: FrameInput }[] = [];
  try {
    for (const x of networks) onnx.push({ ex: x.p.onnx!.init(frameFormats[x.p.input]!, x.p.metric.params, { source: plan.source, signal }), i: x.i, input: x.p.input });
  } catch (err) {
    for (const n of onnx) await n.ex.close();
    throw err;
  }

  const sizes = formats.map(frameBytes);
  // Two slots at least when frame k−1 is read with frame k (they cannot share one).
  const slotCount = Math.max(wantsPrevious ? 2 : 1, ringSlots(sizes.reduce((a, b) => a + b, 0) * (withRef ? 2 : 1), runner.threads, plan.expected));
  const buffers = () => sizes.map((n) => new SharedArrayBuffer(n));
  const slots = Array.from({ length: slotCount }, () => ({ ref: withRef ? buffers() : null, dist: buffers(), busy: null as Promise<void> | null }));
  const byInput = (bufs: SharedArrayBuffer[]) => {
    const out: Partial<Record<FrameInput, SharedArrayBuffer>> = {};
    for (const key of Object.keys(index) as FrameInput[]) out[key] = bufs[index[key]!]!;
    return out;
  };
  const samples = (bufs: SharedArrayBuffer[], input: FrameInput): FrameSamples => {
    const f = frameFormats[input]!;
    const b = bufs[index[input]!]!;
    return f.bitDepth > 8 ? new Uint16Array(b) : new Uint8Array(b);
  };
  const table = new FrameTable(planned.length, plan.expected);
  const setHeld = (i: number, held: readonly { frame: number; value: number }[]) => {
    for (const h of held) table.set(h.frame, i, h.value);
  };
  // Vectors that came back from the pool ahead of an earlier frame wait here (at most the ring's frames).
  const early = new Map<number, (Float64Array | null)[]>();
  let nextOrdered = 0;
  const feedStages = (k: number, features: (Float64Array | null)[]) => {
    early.set(k, features);
    for (let f = early.get(nextOrdered); f; f = early.get(nextOrdered)) {
      early.delete(nextOrdered);
      for (const s of stages) setHeld(s.i, s.stage.push(nextOrdered, f[s.m]!));
      nextOrdered += 1;
    }
  };
  const ordered = new Set(stages.map((s) => s.m));
  const providers: string[] = planned.map((p) => (p.backend === 'kernel' ? 'kernel' : 'unknown'));
  const summaries: (MetricSummary | null)[] = planned.map(() => null);
  let frames = 0;
  let done = 0;
  let failure: unknown = null;
  // Networks run one frame after another (their extractors keep scratch tensors between frames).
  let networkTail: Promise<void> = Promise.resolve();
  // The decoders start last, right before the loop whose `finally` stops them: an extractor refused
  // while setting up (an ordered stage's or a network's init) must not leave ffmpeg running, which kept
  // the command line from exiting after its error.
  let refReader: FrameReader | null = null;
  let distReader: FrameReader;
  try {
    refReader = withRef ? open(plan.ref!) : null;
    distReader = open(plan.dist);
  } catch (err) {
    refReader?.close();
    for (const n of onnx) await n.ex.close();
    throw err;
  }
  const readers = [refReader, distReader].filter((r): r is FrameReader => r !== null);
  try {
    for (;;) {
      if (signal?.aborted) throw new IqaError('E_CANCELLED', 'cancelled');
      const slot = slots[frames % slotCount]!;
      if (slot.busy) await slot.busy;
      if (failure) throw failure;
      const [hasDist, hasRefRead] = await Promise.all([
        distReader.read(...(slot.dist.map((b) => new Uint8Array(b)) as [Uint8Array, ...Uint8Array[]])),
        refReader ? refReader.read(...(slot.ref!.map((b) => new Uint8Array(b)) as [Uint8Array, ...Uint8Array[]])) : Promise.resolve(null),
      ]);
      const hasRef = hasRefRead ?? hasDist;
      if (!hasRef || !hasDist) {
        // A side that ran out of frames must have decoded what its container declares, also under
        // truncation: truncating aligns two complete files of different lengths, it does not hide a damaged one.
        if (!hasRef && plan.ref && refReader) checkDeclaredFrames(plan.ref, frames + plan.ref.skipped);
        if (!hasDist) checkDeclaredFrames(plan.dist, frames + plan.dist.skipped);
        if (hasRef !== hasDist && !plan.truncate) throw endsEarly(plan, hasRef, frames);
        break;
      }
      const k = frames;
      const prevSlot = wantsPrevious && k > 0 ? slots[(k - 1) % slotCount]! : null;
      const parts: Promise<void>[] = [];
      if (requests.length) {
        parts.push(
          runner
            .run(
              { k, source: plan.source, formats: frameFormats, ref: slot.ref && byInput(slot.ref), dist: byInput(slot.dist), prevRef: prevSlot?.ref ? byInput(prevSlot.ref) : null, requests, setupFiles },
              signal,
            )
            .then(({ values, features }) => {
              for (let m = 0; m < values.length; m++) if (!ordered.has(m)) table.set(k, kernels[m]!.i, values[m]!);
              if (stages.length) feedStages(k, features);
            }),
        );
      }
      if (onnx.length) {
        networkTail = networkTail.then(async () => {
          for (const n of onnx) {
            table.set(k, n.i, await n.ex.extract(k, slot.ref && samples(slot.ref, n.input), samples(slot.dist, n.input)));
            providers[n.i] = n.ex.provider;
          }
        });
        parts.push(networkTail);
      }
      slot.busy = Promise.all(parts)
        .then(() => {
          done += 1;
          options.onFrame?.(done, plan.expected);
        })
        .catch((err: unknown) => {
          failure ??= err;
        });
      // Frame k−1's slot holds the reference frame k reads: it is not refilled before frame k is done.
      if (prevSlot) prevSlot.busy = Promise.all([prevSlot.busy, slot.busy]).then(() => undefined);
      frames += 1;
    }
    await Promise.all(slots.map((s) => s.busy));
    if (failure) throw failure;
    // After the last compared frame: both decoders must end cleanly (a late error counts), except under
    // truncation, where the longer side is stopped early and only the frames compared must be intact.
    if (plan.truncate) await Promise.all(readers.map((r) => r.settle()));
    else await Promise.all(readers.map((r) => r.finish()));
    // Values an extractor held back until the end of the stream, by frame.
    for (const n of onnx) setHeld(n.i, await n.ex.flush());
    for (const n of onnx) summaries[n.i] = n.ex.summary?.() ?? null;
    for (const s of stages) setHeld(s.i, s.stage.flush());
  } catch (err) {
    // The frames still in the pool must come back before the error leaves: the caller may close the
    // pool next, and piscina throws an uncaught "Unexpected message from Worker" when a worker answers
    // after it was destroyed. The slots never reject (their errors go to `failure`).
    await Promise.all(slots.map((s) => s.busy));
    throw err;
  } finally {
    for (const r of readers) r.close();
    for (const n of onnx) await n.ex.close();
  }
  return {
    frames,
    perFrame: table.slice(frames),
    decoder: readers.map((r) => r.provenance).join(' | '),
    providers,
    summaries,
    format: index.native !== undefined || plan.ref ? plan.source : frameFormats.rgb24!,
  };
}
