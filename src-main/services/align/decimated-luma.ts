/**
 * The inputs of the temporal alignment check: every frame of a video as a small 8-bit luma picture
 * (ffmpeg's area scaler to a fixed size, then `gray`), decoded strictly by a FrameReader in file
 * order with timestamps ignored (`-fps_mode passthrough`, as the metrics decode), and the stream
 * timing ffprobe reports (time base, start time), which the probe the importer stores does not keep.
 *
 * Memory: width × height bytes per frame (64 × 36 ≈ 2.3 KB for 16:9), so a 10-minute 30 fps video
 * takes about 41 MB.
 */
import type { RawVideoGeometry } from '../../common/domain';
import { IqaError } from '../../common/errors';
import type { FrameFormat } from '../../common/frame-format';
import { locateFfmpeg } from '../media/ffmpeg-locate';
import { FrameReader } from '../media/frame-reader';
import { inputArgs } from '../media/probe';
import { lastErrorLine, runTool } from '../media/run-tool';

export interface DecimatedFrames {
  /** Packed frames, frame k at k·width·height. */
  data: Uint8Array;
  frames: number;
  width: number;
  height: number;
  /** The decoder command (provenance). */
  decoder: string;
}

/** The decimated size for a source of this aspect: `width` wide, an even height of at least 2. */
export function decimatedSize(sourceWidth: number, sourceHeight: number, width: number): { width: number; height: number } {
  const height = Math.max(2, 2 * Math.round((width * sourceHeight) / sourceWidth / 2));
  return { width, height };
}

export async function readDecimatedLuma(
  file: string,
  size: { width: number; height: number },
  options: { raw?: RawVideoGeometry; signal?: AbortSignal; acceptDecodeErrors?: boolean; expectedFrames?: number | null } = {},
): Promise<DecimatedFrames> {
  const format: FrameFormat = { layout: 'gray', width: size.width, height: size.height, bitDepth: 8, chromaShiftX: 0, chromaShiftY: 0, pixFmt: 'gray' };
  const frameSize = size.width * size.height;
  const reader = new FrameReader(file, format, {
    raw: options.raw,
    filters: [`scale=${size.width}:${size.height}:flags=area`],
    signal: options.signal,
    acceptDecodeErrors: options.acceptDecodeErrors,
    threads: 1,
  });
  let data = new Uint8Array(frameSize * Math.max(1, (options.expectedFrames ?? 0) + 1));
  let frames = 0;
  try {
    for (;;) {
      if ((frames + 1) * frameSize > data.length) {
        const grown = new Uint8Array(data.length * 2);
        grown.set(data);
        data = grown;
      }
      if (!(await reader.read(data.subarray(frames * frameSize, (frames + 1) * frameSize)))) break;
      frames += 1;
      if (options.signal?.aborted) throw new IqaError('E_CANCELLED', 'alignment check cancelled');
    }
    await reader.finish();
  } finally {
    reader.close();
  }
  return { data: data.slice(0, frames * frameSize), frames, width: size.width, height: size.height, decoder: reader.provenance };
}

export interface StreamTiming {
  /** The stream's time base, e.g. "1/12800" (null when ffprobe does not say). */
  timeBase: string | null;
  /** The first timestamp in seconds (null when unknown). */
  startTime: number | null;
}

/** Time base and start time of the first video stream (ffprobe; no decoding). */
export async function streamTiming(file: string, options: { raw?: RawVideoGeometry; signal?: AbortSignal } = {}): Promise<StreamTiming> {
  const { ffprobe } = locateFfmpeg();
  const input = inputArgs(file, options.raw);
  const args = ['-v', 'error', '-print_format', 'json', '-select_streams', 'v:0', '-show_entries', 'stream=time_base,start_time', ...input.slice(0, -2), input[input.length - 1]!];
  const res = await runTool(ffprobe, args, { signal: options.signal, timeoutMs: 120_000 });
  if (res.code !== 0) throw new IqaError('E_MEDIA', `${file}: not readable as media (${lastErrorLine(res.stderr, file)})`, { file });
  let stream: { time_base?: string; start_time?: string } | undefined;
  try {
    stream = (JSON.parse(res.stdout.toString('utf8')) as { streams?: { time_base?: string; start_time?: string }[] }).streams?.[0];
  } catch {
    throw new IqaError('E_MEDIA', `${file}: ffprobe gave unreadable output`, { file });
  }
  const start = stream?.start_time === undefined || stream.start_time === 'N/A' ? null : Number(stream.start_time);
  const tb = stream?.time_base && /^\d+\/\d+$/.test(stream.time_base) && !stream.time_base.startsWith('0/') ? stream.time_base : null;
  return { timeBase: tb, startTime: start !== null && Number.isFinite(start) ? start : null };
}
