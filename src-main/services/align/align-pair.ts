/**
 * The temporal alignment check of one pair (docs/alignment.md): decodes both videos as 64-px luma
 * (decimated-luma.ts, two ffmpeg processes at once, one thread each), hands the frames to the pure
 * analysis (kernels/align/align-frames.ts), and turns its frame map into the report the contract's
 * `align.check` and `iqa align` return: offset, dropped and duplicated reference frames, frame rates,
 * time bases and start times, a confidence, notes, and the metrics run's alignment policy filled in.
 *
 * Threads: the analysis is O(frames · lags · 64·h): about 3 G operations for 10 minutes at 30 fps,
 * so it is not run here: the caller passes `analyze` (the engine: its compute pool's worker thread;
 * the command line, which has no other work on its thread: the kernel inline).
 */
import { ALIGN_DEFAULT_MAX_OFFSET } from '../../common/contract-names';
import type { AlignmentReport } from '../../common/contract-types';
import type { MediaInfo, RawVideoGeometry } from '../../common/domain';
import { IqaError } from '../../common/errors';
import { alignFrames, type AlignFramesInput, type FrameAlignment } from '../../kernels/align/align-frames';
import { probeMedia } from '../media/probe';
import { decimatedSize, readDecimatedLuma, streamTiming } from './decimated-luma';

/** Width of the decimated frames: enough to tell moving frames apart, small enough to hold a long video. */
export const ALIGN_WIDTH = 64;
/** Below this confidence the check says it cannot tell (`aligned: null`, no exact policy). */
export const LOW_CONFIDENCE = 0.3;
/** Frame rates that differ by less than this fraction are the same rate. */
const FPS_TOLERANCE = 1e-3;

export interface AlignPairInput {
  ref: string;
  dist: string;
  refInfo?: MediaInfo;
  distInfo?: MediaInfo;
  refRaw?: RawVideoGeometry;
  distRaw?: RawVideoGeometry;
}

export interface AlignPairOptions {
  maxOffset?: number;
  /** Runs the pure analysis (default: inline, on this thread). */
  analyze?: (input: AlignFramesInput, signal?: AbortSignal) => Promise<FrameAlignment>;
  signal?: AbortSignal;
  acceptDecodeErrors?: boolean;
}

const sameFps = (a: number | null, b: number | null) => a === null || b === null || Math.abs(a - b) <= FPS_TOLERANCE * Math.max(a, b);
const fmtFps = (f: number | null) => (f === null ? 'unknown' : `${+f.toFixed(3)}`);
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Frame numbers as ranges: 3, 7-9, 12. */
function ranges(frames: readonly number[]): string {
  const out: string[] = [];
  for (let k = 0; k < frames.length; ) {
    let e = k;
    while (e + 1 < frames.length && frames[e + 1]! - frames[e]! <= 1) e++;
    out.push(e === k ? `${frames[k]}` : `${frames[k]}-${frames[e]}`);
    k = e + 1;
  }
  return out.length > 12 ? `${out.slice(0, 12).join(', ')}, …` : out.join(', ');
}

/** The alignment of `dist` to `ref` (two videos; see the header). */
export async function alignmentOfPair(input: AlignPairInput, options: AlignPairOptions = {}): Promise<AlignmentReport> {
  const maxOffset = options.maxOffset ?? ALIGN_DEFAULT_MAX_OFFSET;
  const { signal } = options;
  const [refInfo, distInfo, refTiming, distTiming] = await Promise.all([
    input.refInfo ?? probeMedia(input.ref, { raw: input.refRaw, signal }),
    input.distInfo ?? probeMedia(input.dist, { raw: input.distRaw, signal }),
    streamTiming(input.ref, { raw: input.refRaw, signal }),
    streamTiming(input.dist, { raw: input.distRaw, signal }),
  ]);
  for (const [file, info] of [[input.ref, refInfo], [input.dist, distInfo]] as const) {
    if (info.kind !== 'video') throw new IqaError('E_INPUT', `${file} is an image: the alignment check compares two videos`, { file });
  }
  const size = decimatedSize(refInfo.width, refInfo.height, ALIGN_WIDTH);
  const decode = { signal, acceptDecodeErrors: options.acceptDecodeErrors };
  const [ref, dist] = await Promise.all([
    readDecimatedLuma(input.ref, size, { ...decode, raw: input.refRaw, expectedFrames: refInfo.frameCount }),
    readDecimatedLuma(input.dist, size, { ...decode, raw: input.distRaw, expectedFrames: distInfo.frameCount }),
  ]);
  const fpsDiffer = !sameFps(refInfo.fps, distInfo.fps);
  const analysisInput: AlignFramesInput = {
    ref: ref.data,
    refFrames: ref.frames,
    dist: dist.data,
    distFrames: dist.frames,
    frameSize: size.width * size.height,
    maxOffset,
    ...(fpsDiffer && refInfo.fps && distInfo.fps ? { rates: [refInfo.fps / distInfo.fps] } : {}),
  };
  const a = await (options.analyze ?? (async (i: AlignFramesInput) => alignFrames(i)))(analysisInput, signal);
  return report(a, { refInfo, distInfo, refFrames: ref.frames, distFrames: dist.frames, refTiming, distTiming, maxOffset, fpsDiffer });
}

function report(
  found: FrameAlignment,
  c: {
    refInfo: MediaInfo;
    distInfo: MediaInfo;
    refFrames: number;
    distFrames: number;
    refTiming: { timeBase: string | null; startTime: number | null };
    distTiming: { timeBase: string | null; startTime: number | null };
    maxOffset: number;
    fpsDiffer: boolean;
  },
): AlignmentReport {
  const notes: string[] = [];
  let a = found;
  const confident = a.confidence >= LOW_CONFIDENCE && a.matched > 0;
  // Below the confidence bound the path's offset and faults are guesses among look-alike frames: withheld.
  if (!confident) a = { ...a, offset: 0, dropped: [], duplicated: [] };
  const matchedBy = a.rate === 1 ? 'frames' : 'timestamps';
  const fps = { ref: c.refInfo.fps, dist: c.distInfo.fps };
  if (!confident) {
    notes.push(
      a.matched === 0
        ? 'no distorted frame matches a reference frame within the offsets searched: a different content, or an offset beyond --max-offset'
        : `low confidence (${a.confidence.toFixed(2)}): the frames are too similar to tell apart (still or nearly still content), so no offset, drops or duplicates are reported`,
    );
  }
  if (a.offset > 0) notes.push(`the distorted starts ${plural(a.offset, 'frame')} into the reference (its frame 0 shows reference frame ${a.offset})`);
  if (a.offset < 0) notes.push(`the distorted shows ${plural(-a.offset, 'frame')} before the reference's first frame`);
  if (a.dropped.length) notes.push(`${plural(a.dropped.length, 'reference frame')} missing from the distorted: ${ranges(a.dropped)}`);
  if (a.duplicated.length) notes.push(`${plural(a.duplicated.length, 'reference frame')} shown more than once: ${ranges(a.duplicated)}`);
  if (c.fpsDiffer) {
    notes.push(
      matchedBy === 'timestamps'
        ? `frame rates differ (reference ${fmtFps(fps.ref)} fps, distorted ${fmtFps(fps.dist)} fps) and the distorted follows the reference in time: a frame-rate conversion, whose skipped or repeated frames are listed`
        : `frame rates differ (reference ${fmtFps(fps.ref)} fps, distorted ${fmtFps(fps.dist)} fps) but the frames match one for one: the rate tag differs, compare frame by frame (ignoreFps)`,
    );
  }
  if (c.refTiming.timeBase && c.distTiming.timeBase && c.refTiming.timeBase !== c.distTiming.timeBase) {
    notes.push(`time bases differ (reference ${c.refTiming.timeBase}, distorted ${c.distTiming.timeBase}): frames are compared in decoding order, timestamps are not`);
  }
  const st = { ref: c.refTiming.startTime, dist: c.distTiming.startTime };
  if (st.ref !== null && st.dist !== null && Math.abs(st.ref - st.dist) > 1e-6) {
    const frames = fps.ref ? Math.round((st.dist - st.ref) * fps.ref) : null;
    notes.push(
      `start times differ (reference ${+st.ref.toFixed(6)} s, distorted ${+st.dist.toFixed(6)} s${frames !== null ? `, ${frames} reference frame${Math.abs(frames) === 1 ? '' : 's'}` : ''}): ` +
        'the metrics compare frames in decoding order and ignore it',
    );
  }
  // The tail: reference frames after the last one shown (a truncation, not drops).
  let last = -1;
  for (let j = a.mapping.length - 1; j >= 0 && last < 0; j--) last = a.mapping[j]!;
  if (confident && last >= 0 && last < c.refFrames - 1) notes.push(`the distorted ends ${plural(c.refFrames - 1 - last, 'frame')} before the reference's end`);
  let unmatchedTail = 0;
  for (let j = a.mapping.length - 1; j >= 0 && a.mapping[j]! < 0; j--) unmatchedTail++;
  if (confident && unmatchedTail > 0 && a.matched > 0) notes.push(`the distorted goes on ${plural(unmatchedTail, 'frame')} after the reference's last frame`);

  const skipRef = Math.max(0, a.offset);
  const skipDist = Math.max(0, -a.offset);
  const policy = { skipRef, skipDist, truncate: c.refFrames - skipRef !== c.distFrames - skipDist, ignoreFps: c.fpsDiffer };
  const clean = a.dropped.length === 0 && a.duplicated.length === 0 && matchedBy === 'frames';
  const aligned = confident ? clean && a.offset === 0 && !c.fpsDiffer && c.refFrames === c.distFrames : null;
  return {
    offset: a.offset,
    dropped: a.dropped,
    duplicated: a.duplicated,
    fps,
    confidence: Math.round(a.confidence * 1000) / 1000,
    aligned,
    frames: { ref: c.refFrames, dist: c.distFrames, matched: a.matched },
    matchedBy,
    startTime: st,
    timeBase: { ref: c.refTiming.timeBase, dist: c.distTiming.timeBase },
    maxOffset: c.maxOffset,
    policy,
    policyExact: confident && clean,
    notes,
  };
}
