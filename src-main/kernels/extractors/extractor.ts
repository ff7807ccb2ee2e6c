/**
 * The per-frame feature-extractor interface, in the manner of libvmaf's `VmafFeatureExtractor`
 * (libvmaf/src/feature/feature_extractor.h): a metric, a viewer map or a future VMAF feature is one
 * file exporting one ExtractorSpec, and the decode loop (services/metrics/decode-loop.ts) feeds every
 * requested extractor of a pair from the same decoded frames.
 *
 * Life cycle: `init(format, params, context)` once per decode (per worker thread for kernel
 * extractors), `extract(k, ref, dist)` for frame k in the format the spec declares (`input`),
 * `flush()` after the last frame (for extractors that hold frames back; per-frame ones have nothing
 * to flush), `close()` to free what init took. An extractor that does not need the reference
 * (`needsReference: false`, the no-reference metrics) is given `ref = null` when run on one file and
 * ignores it when run on a pair.
 *
 * Kernel extractors (this folder) are pure and synchronous and run in the frame worker pool; the
 * neural ones (services/metrics/extractors/) return promises and run their networks in the ONNX
 * worker. Which table an id is looked up in is the registry's `backend` (common/metric-registry.ts).
 */
import type { FrameFormat } from '../../common/frame-format';
import type { MetricParams } from '../../common/metric-registry';
import type { FrameSamples, FrameWorkspace } from './frame-pair';

/**
 * The frame formats the decode loop can hand an extractor, both from one decode:
 * 'native' = the file's own planes (videos: YUV at their bit depth; images: RGB or grey, 8 or 16 bits),
 * 'rgb24' = 8-bit interleaved RGB as ffmpeg converts the same decoded frame.
 */
export type FrameInput = 'native' | 'rgb24';

export type { FrameSamples } from './frame-pair';

export interface ExtractorContext<Setup> {
  /** The decoded (native) format of the source: tells, e.g., a grey source from an RGB one. */
  source: FrameFormat;
  /** The parsed parameter file of the extractor's model (see ExtractorSpec.parseSetup). */
  setup: Setup;
  /** Scratch buffers shared by the extractors of one thread. */
  workspace: FrameWorkspace;
}

export interface FrameExtractor<Out = number> {
  /**
   * Frame k (0-based, after alignment) of the reference (null without one) and the distorted; for a
   * spec with `previousReference`, also reference frame k−1 (null at frame 0).
   */
  extract(k: number, ref: FrameSamples | null, dist: FrameSamples, prevRef?: FrameSamples | null): Out | Promise<Out>;
  /** Values held back until the end of the stream, by frame; per-frame extractors return none. */
  flush(): readonly { frame: number; value: Out }[] | Promise<readonly { frame: number; value: Out }[]>;
  close(): void | Promise<void>;
}

export interface ExtractorSpec<Setup = undefined, Out = number> {
  readonly id: string;
  readonly input: FrameInput;
  /** False for no-reference metrics: they run on one file, or ignore the reference of a pair. */
  readonly needsReference: boolean;
  /**
   * Extractors with a parameter file (BRISQUE's SVR, NIQE's pristine model): validates the file's JSON
   * into what init gets as `context.setup`. Absent when there is none.
   */
  parseSetup?(json: unknown): Setup;
  /**
   * The extractor also reads reference frame k−1 with frame k (motion): the decode loop keeps that
   * frame's slot until frame k is done and passes it as `prevRef`. Frames still run in any order.
   */
  readonly previousReference?: boolean;
  /**
   * For metrics whose frame k needs later frames (VMAF's motion2): `extract` returns a feature vector
   * (a Float64Array) in the pool, in any order, and this per-pair stage, run by the decode loop in
   * frame order, turns the vectors into the metric's values, by frame (held-back ones at flush).
   */
  ordered?(params: MetricParams, setup: Setup): OrderedStage;
  /**
   * A model shipped with the app (VMAF's JSON files, bundled into the code): its name and the SHA-256
   * of its file, for the provenance. Models installed in the model directory are the registry's `models`.
   */
  shippedModel?(params: MetricParams): { id: string; sha256: string };
  /** `format` is the format of the declared input (e.g. rgb24 of the source's size). */
  init(format: FrameFormat, params: MetricParams, context: ExtractorContext<Setup>): FrameExtractor<Out>;
}

/** The per-pair, in-order stage of an `ordered` extractor: frame k's vector in, values by frame out. */
export interface OrderedStage {
  /** Frame k's vector (k = 0, 1, 2… in order); returns the values now known, by frame. */
  push(k: number, vector: Float64Array): readonly { frame: number; value: number }[];
  /** After the last frame: the values held back. */
  flush(): readonly { frame: number; value: number }[];
}

/** A FrameExtractor whose extract is a pure per-frame function (nothing to flush or free). */
export function perFrame<Out>(extract: (k: number, ref: FrameSamples | null, dist: FrameSamples) => Out): FrameExtractor<Out> {
  return { extract, flush: () => [], close: () => {} };
}
