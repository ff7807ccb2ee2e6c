/**
 * The pixels the viewer shows: frame k of a distorted/reference pair as 8-bit RGB (rgb24, ffmpeg's
 * default conversion from the native format), after the pair's alignment filters, so that the panes
 * show the frames the metrics and the quality maps were computed on.
 *
 * Seeking, not reading from frame 0: for a video frame k > 0 with a known frame rate, ffmpeg seeks on
 * the input (`-ss` before `-i`, at the middle of the gap between frames k-1 and k, so rounding of the
 * frame's timestamp cannot select a neighbour) and decodes from the keyframe before it; its accurate
 * seek drops the frames before the seek point, so the first frame out is frame k. This assumes a
 * constant frame rate (the metrics' frame-by-frame pairing assumes the same);
 * test/services/viewer-frame-pixels.test.ts checks it against a full sequential decode. Without a
 * frame rate (images, a container that does not say) frame k is picked by `select` from the start.
 * The decoders stay open between requests (viewer/pair-decoder.ts), so the next frame is one frame's
 * decode; nothing is computed on the caller's thread.
 */
import type { PairInput } from '../metrics/compute-pair';
import { PairDecoders, type ViewerTiming } from './pair-decoder';

export interface FramePixels {
  frame: number;
  width: number;
  height: number;
  /** Frames both sides yield (null when a container does not say). */
  frames: number | null;
  fps: number | null;
  /** rgb24, row-major, width × height × 3. */
  ref: Uint8Array;
  dist: Uint8Array;
  /** The two ffmpeg command lines, for provenance. */
  decoder: string;
}

export type { ViewerTiming } from './pair-decoder';

/**
 * Frame `frame` of the pair as the panes show it. Through the engine's open pair decoders (`decoders`,
 * viewer/pair-decoder.ts) stepping reads on from the running decoders; without them one is opened
 * for this call and closed after it.
 */
export async function framePixels(input: PairInput, frame: number, timing: ViewerTiming = {}, signal?: AbortSignal, decoders?: PairDecoders): Promise<FramePixels> {
  const own = decoders ? null : new PairDecoders({ spoolDir: null });
  try {
    const d = await (decoders ?? own!).get(input, timing, signal);
    return await d.use(
      frame,
      (f) => ({ frame, width: f.rgb.width, height: f.rgb.height, frames: d.expected, fps: d.fps, ref: f.rgb.ref.slice(), dist: f.rgb.dist.slice(), decoder: f.decoder }),
      signal,
    );
  } finally {
    own?.close();
  }
}
