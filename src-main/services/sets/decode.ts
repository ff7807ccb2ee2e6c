/**
 * Decoding for the distribution metrics: ffmpeg writes 8-bit interleaved RGB (rgb24), the input the
 * reference pipelines get from PIL's `convert('RGB')` (grey is replicated, alpha dropped, palettes
 * expanded). PNG, BMP and TIFF decode to the same values as PIL; JPEG can differ by a code value or so
 * (ffmpeg's IDCT and chroma upsampling are not libjpeg's), which moves FID slightly.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { IqaError } from '../../common/errors';
import type { FrameFormat } from '../../common/frame-format';
import type { MediaInfo } from '../../common/domain';
import { FrameReader } from '../media/frame-reader';
import { probeMedia } from '../media/probe';
import type { RgbImage } from '../../kernels/image/network-inputs';

export function rgb24Format(width: number, height: number): FrameFormat {
  return { layout: 'rgb', width, height, bitDepth: 8, chromaShiftX: 0, chromaShiftY: 0, pixFmt: 'rgb24' };
}

/**
 * Width and height from a PNG (IHDR) or baseline/progressive JPEG (SOFn) header, or null for other
 * files and anything unexpected (the caller then asks ffprobe). Saves one process per image.
 */
export async function sniffImageSize(file: string): Promise<{ width: number; height: number } | null> {
  const ext = extname(file).toLowerCase();
  if (ext !== '.png' && ext !== '.jpg' && ext !== '.jpeg') return null;
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(24);
    const { bytesRead } = await fh.read(head, 0, 24, 0);
    if (bytesRead >= 24 && head.readUInt32BE(0) === 0x89504e47 && head.readUInt32BE(4) === 0x0d0a1a0a && head.toString('latin1', 12, 16) === 'IHDR') {
      const width = head.readUInt32BE(16);
      const height = head.readUInt32BE(20);
      return width > 0 && height > 0 ? { width, height } : null;
    }
    if (bytesRead < 4 || head[0] !== 0xff || head[1] !== 0xd8) return null;
    const seg = Buffer.alloc(9);
    let pos = 2;
    for (let guard = 0; guard < 512; guard++) {
      const r = await fh.read(seg, 0, 9, pos);
      if (r.bytesRead < 4 || seg[0] !== 0xff) return null;
      const marker = seg[1]!;
      if (marker === 0xff) {
        pos += 1; // fill byte
        continue;
      }
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
        pos += 2;
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) return null; // end of image / start of scan before any frame header
      const len = seg.readUInt16BE(2);
      if (len < 2) return null;
      const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (sof) {
        if (r.bytesRead < 9) return null;
        const height = seg.readUInt16BE(5);
        const width = seg.readUInt16BE(7);
        return width > 0 && height > 0 ? { width, height } : null;
      }
      pos += 2 + len;
    }
    return null;
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

async function decodeFirstFrame(file: string, width: number, height: number, checkSingle: boolean, signal?: AbortSignal): Promise<Uint8Array | null> {
  const reader = new FrameReader(file, rgb24Format(width, height), { signal });
  const data = new Uint8Array(reader.frameSize);
  try {
    if (!(await reader.read(data))) throw new IqaError('E_MEDIA', `${file}: no picture could be decoded`, { file });
    if (checkSingle) {
      // A header-derived size is confirmed when the stream holds exactly one frame of that size.
      try {
        if (await reader.read(new Uint8Array(reader.frameSize))) return null;
      } catch (err) {
        if (err instanceof IqaError && err.code === 'E_MEDIA' && /ends inside frame/.test(err.message)) return null;
        throw err;
      }
    }
  } finally {
    reader.close();
  }
  if (signal?.aborted) throw new IqaError('E_CANCELLED', `${file}: cancelled`, { file });
  return data;
}

/** The first picture of an image file as RGB (grey replicated, alpha dropped). */
export async function decodeImageRgb(file: string, signal?: AbortSignal): Promise<RgbImage> {
  const sniffed = await sniffImageSize(file);
  if (sniffed) {
    const data = await decodeFirstFrame(file, sniffed.width, sniffed.height, true, signal);
    if (data) return { data, width: sniffed.width, height: sniffed.height };
  }
  const info = await probeMedia(file, { signal });
  if (info.kind !== 'image') throw new IqaError('E_UNSUPPORTED', `${file}: a ${info.kind}, not an image`, { file });
  const data = (await decodeFirstFrame(file, info.width, info.height, false, signal))!;
  return { data, width: info.width, height: info.height };
}

export interface ClipSampling {
  /** Frames per clip (T). */
  readonly length: number;
  /** First decoded frame used (0-based). */
  readonly start: number;
  /** Take every `stride`-th decoded frame (1 = consecutive). */
  readonly stride: number;
}

/** Decoded frames a clip needs: start + (length − 1)·stride + 1. */
export function framesNeeded(s: ClipSampling): number {
  return s.start + (s.length - 1) * s.stride + 1;
}

/**
 * Decodes a video and hands the sampled frames to `onFrame(frame, t)` in order (t = 0..length − 1),
 * stopping the decoder after the last one. A video with too few frames is an E_INPUT error naming the
 * file and the count.
 */
export async function readClip(
  file: string,
  info: MediaInfo,
  sampling: ClipSampling,
  onFrame: (frame: RgbImage, t: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const format = rgb24Format(info.width, info.height);
  const reader = new FrameReader(file, format, { signal });
  const buf = new Uint8Array(reader.frameSize);
  const frame: RgbImage = { data: buf, width: info.width, height: info.height };
  const needed = framesNeeded(sampling);
  let index = 0;
  let taken = 0;
  try {
    while (taken < sampling.length) {
      if (!(await reader.read(buf))) {
        throw new IqaError(
          'E_INPUT',
          `${file}: ${index} decoded frame${index === 1 ? '' : 's'}, the FVD protocol needs ${needed} (clip of ${sampling.length} frames, start ${sampling.start}, stride ${sampling.stride})`,
          { file, details: { frames: index, needed } },
        );
      }
      if (index >= sampling.start && (index - sampling.start) % sampling.stride === 0) {
        onFrame(frame, taken);
        taken++;
      }
      index++;
      if (signal?.aborted) throw new IqaError('E_CANCELLED', `${file}: cancelled`, { file });
    }
  } finally {
    reader.close();
  }
}
