/**
 * The pixels the viewer shows: frame k of a distorted/reference pair as 8-bit RGB (rgb24, ffmpeg's
 * default conversion from the native format), after the pair's alignment filters, so that the panes
 * show the frames the metrics and the quality maps were computed on.
 *
 * Seeking, not reading from frame 0: for a video frame k > 0 with a known frame rate, ffmpeg seeks on
 * the input (`-ss` before `-i`, at the middle of the gap between frames k-1 and k, so rounding of the
 * frame's timestamp cannot select a neighbour) and decodes from the keyframe before it; its accurate
 * seek drops the frames before the seek point, and `select=eq(n\,0)` with `-frames:v 1` keeps the
 * first one left, which is frame k. This assumes a constant frame rate (the metrics' frame-by-frame
 * pairing assumes the same); test/services/viewer-frame-pixels.test.ts checks it against a full
 * sequential decode. Without a frame rate (images, a container that does not say) frame k is picked by
 * `select=eq(n\,k)` from the start. One short ffmpeg per side, nothing computed on the caller's thread.
 */
import { IqaError } from '../../common/errors';
import type { RawVideoGeometry } from '../../common/domain';
import { frameBytes } from '../../common/frame-format';
import { rgb24Format } from '../media/decode-format';
import { decodeOneFrame } from '../media/decode-one-frame';
import { inputArgs } from '../media/probe';
import { planPair, type PairInput } from '../metrics/compute-pair';

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

/** The ffmpeg arguments that write frame `frame` of `file` as one rgb24 frame on stdout. */
export function seekArgs(file: string, raw: RawVideoGeometry | undefined, filters: readonly string[], frame: number, fps: number | null): string[] {
  const seek = frame > 0 && fps !== null && fps > 0;
  // Half a frame before frame k: the first frame at or after this time is frame k (constant rate).
  const at = seek ? ((frame - 0.5) / fps).toFixed(6) : null;
  const select = `select=eq(n\\,${seek ? 0 : frame})`;
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-threads', '1', '-noautorotate',
    ...(at !== null ? ['-ss', at] : []),
    ...inputArgs(file, raw),
    '-map', '0:v:0',
    '-vf', [...filters, select].join(','),
    '-frames:v', '1', '-fps_mode', 'passthrough',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-',
  ];
}


/**
 * The pair's timing as the viewer applies it (an offset the user looks at, e.g. the alignment check's):
 * `skipRef` / `skipDist` frames skipped at the start of each side, so that frame k of the pair is frame
 * k + skipRef of the reference and k + skipDist of the distorted (as the metrics run's policy skips
 * them); with a skip, the longer side is cut to the shorter. `ignoreFps` compares two frame rates frame
 * by frame.
 */
export interface ViewerTiming {
  skipRef?: number;
  skipDist?: number;
  ignoreFps?: boolean;
}

export async function framePixels(input: PairInput, frame: number, timing: ViewerTiming = {}, signal?: AbortSignal): Promise<FramePixels> {
  if (!Number.isInteger(frame) || frame < 0) throw new IqaError('E_INPUT', `frame must be a whole number from 0, got ${frame}`);
  const skipRef = timing.skipRef ?? 0;
  const skipDist = timing.skipDist ?? 0;
  const skipping = skipRef > 0 || skipDist > 0;
  // The skips are applied by seeking each side further (below), not by planPair's trim filters.
  const plan = await planPair(input, { ...(skipping ? { truncate: true } : {}), ...(timing.ignoreFps ? { ignoreFps: true } : {}) }, signal);
  const left = (n: number | null, skip: number) => (n === null ? null : Math.max(0, n - skip));
  const expected = skipping ? minKnown(left(plan.refInfo.frameCount, skipRef), left(plan.distInfo.frameCount, skipDist)) : plan.expected;
  if (expected !== null && frame >= expected) {
    throw new IqaError('E_INPUT', `${input.dist}: frame ${frame} is past the end (the pair has ${expected} frame${expected === 1 ? '' : 's'}, numbered from 0)`, { file: input.dist });
  }
  const { width, height } = plan.refFormat;
  const size = frameBytes(rgb24Format(width, height));
  const isVideo = (info: typeof plan.refInfo) => info.kind === 'video';
  const refFps = isVideo(plan.refInfo) ? plan.refInfo.fps : null;
  const distFps = isVideo(plan.distInfo) ? plan.distInfo.fps : null;
  const refArgs = seekArgs(input.ref, input.refRaw, plan.refFilters, frame + skipRef, refFps);
  const distArgs = seekArgs(input.dist, input.distRaw, plan.distFilters, frame + skipDist, distFps);
  const [ref, dist] = await Promise.all([decodeOneFrame(input.ref, refArgs, size, signal), decodeOneFrame(input.dist, distArgs, size, signal)]);
  if (!ref || !dist) {
    const file = ref ? input.dist : input.ref;
    throw new IqaError('E_INPUT', `${file}: frame ${frame + (ref ? skipDist : skipRef)} is past the end`, { file });
  }
  return {
    frame,
    width,
    height,
    frames: expected,
    fps: refFps ?? distFps,
    ref,
    dist,
    decoder: [refArgs, distArgs].map((a) => ['ffmpeg', ...a].join(' ')).join(' | '),
  };
}

function minKnown(a: number | null, b: number | null): number | null {
  return a !== null && b !== null ? Math.min(a, b) : (a ?? b);
}
