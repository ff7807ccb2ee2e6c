/**
 * Probing one media file with ffprobe into a normalised MediaInfo. Errors name the file and say what
 * is wrong (empty, not media, no video stream, unreadable); the importer reports them per file.
 */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { IqaError } from '../../common/errors';
import type { MediaInfo, RawVideoGeometry } from '../../common/domain';
import { bitDepthOfPixFmt, mediaKindOfExtension } from '../../common/media-formats';
import { locateFfmpeg } from './ffmpeg-locate';
import { lastErrorLine, runTool } from './run-tool';

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  color_space?: string;
  color_range?: string;
  color_primaries?: string;
  color_transfer?: string;
}
interface ProbeJson {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string };
}

/** ffmpeg input options for a file: raw .yuv needs its geometry declared before -i. */
export function inputArgs(file: string, raw?: RawVideoGeometry): string[] {
  if (extname(file).toLowerCase() === '.yuv') {
    if (!raw) {
      throw new IqaError(
        'E_UNSUPPORTED',
        `${file}: raw .yuv has no header; declare its geometry (width, height, pixel format, fps), e.g. --yuv 1920x1080:yuv420p@25`,
        { file },
      );
    }
    return ['-f', 'rawvideo', '-pixel_format', raw.pixFmt, '-video_size', `${raw.width}x${raw.height}`, '-framerate', String(raw.fps), '-i', file];
  }
  return ['-i', file];
}

function rate(r: string | undefined): number | null {
  if (!r) return null;
  const [n, d] = r.split('/').map(Number);
  if (!n || !d || !Number.isFinite(n / d)) return null;
  return n / d;
}

function num(s: string | undefined): number | null {
  if (s === undefined || s === 'N/A') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

function clean(s: string | undefined): string | null {
  return s && s !== 'unknown' ? s : null;
}

async function ffprobeJson(file: string, extra: string[], raw: RawVideoGeometry | undefined, signal?: AbortSignal): Promise<ProbeJson> {
  const { ffprobe } = locateFfmpeg();
  const input = inputArgs(file, raw);
  // ffprobe takes the input as a positional argument; keep the -f/-pixel_format options before it.
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-select_streams', 'v:0', ...extra];
  args.push(...input.slice(0, -2), input[input.length - 1]!);
  const res = await runTool(ffprobe, args, { signal, timeoutMs: 120_000 });
  if (res.code !== 0) {
    throw new IqaError('E_MEDIA', `${file}: not readable as media (${lastErrorLine(res.stderr, file)})`, { file });
  }
  try {
    return JSON.parse(res.stdout.toString('utf8')) as ProbeJson;
  } catch {
    throw new IqaError('E_MEDIA', `${file}: ffprobe gave unreadable output`, { file });
  }
}

export async function probeMedia(file: string, options: { raw?: RawVideoGeometry; signal?: AbortSignal } = {}): Promise<MediaInfo> {
  const ext = extname(file).toLowerCase();
  const kind = mediaKindOfExtension(ext);
  if (!kind) throw new IqaError('E_UNSUPPORTED', `${file}: unsupported file type "${ext || '(none)'}"`, { file });
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new IqaError('E_MEDIA', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file });
  }
  if (size === 0) throw new IqaError('E_MEDIA', `${file}: empty file (0 bytes)`, { file });

  let json = await ffprobeJson(file, [], options.raw, options.signal);
  let stream = json.streams?.[0];
  if (!stream || !stream.width || !stream.height) {
    throw new IqaError('E_MEDIA', `${file}: no picture found (no video stream with a size)`, { file });
  }
  const { width, height } = stream;
  let frameCount: number | null = kind === 'image' ? 1 : num(stream.nb_frames);
  if (kind === 'video' && frameCount === null) {
    // Containers such as Matroska carry no frame count: count packets (cheap, no decoding).
    json = await ffprobeJson(file, ['-count_packets'], options.raw, options.signal);
    stream = json.streams?.[0] ?? stream;
    frameCount = num(stream.nb_read_packets);
  }
  const pixFmt = clean(stream.pix_fmt);
  const fps = kind === 'image' ? null : (rate(stream.avg_frame_rate) ?? rate(stream.r_frame_rate));
  return {
    kind,
    container: clean(json.format?.format_name),
    codec: clean(stream.codec_name),
    width,
    height,
    frameCount,
    fps,
    durationS: kind === 'image' ? null : (num(stream.duration) ?? num(json.format?.duration)),
    pixFmt,
    bitDepth: num(stream.bits_per_raw_sample) ?? bitDepthOfPixFmt(pixFmt),
    colorSpace: clean(stream.color_space),
    colorRange: clean(stream.color_range),
    colorPrimaries: clean(stream.color_primaries),
    colorTransfer: clean(stream.color_transfer),
  };
}
