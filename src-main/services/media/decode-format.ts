/**
 * Which rawvideo format to ask ffmpeg for, given what ffprobe said. Videos keep their planar YUV
 * planes at their own bit depth (no RGB round trip, 10-bit stays 10-bit); images become RGB or grey
 * (the convention of the reference libraries, which read images as RGB). Full-range "yuvj" formats
 * are requested as themselves, because converting them to yuv420p would make swscale rescale the
 * sample values.
 */
import { IqaError } from '../../common/errors';
import type { MediaInfo } from '../../common/domain';
import type { FrameFormat } from '../../common/frame-format';

const YUV = /^yuv(j?)(420|422|444|440|411|410)p(\d+)?(le|be)?$/;
const SHIFT: Record<string, [number, number]> = { '420': [1, 1], '422': [1, 0], '444': [0, 0], '440': [0, 1], '411': [2, 0], '410': [2, 2] };
const SEMI_PLANAR: Record<string, string> = { nv12: 'yuv420p', nv21: 'yuv420p', p010le: 'yuv420p10le', p010be: 'yuv420p10le', p016le: 'yuv420p16le', nv16: 'yuv422p', nv24: 'yuv444p' };

function isGray(pixFmt: string): boolean {
  return /^(gray|ya|monob|monow)/.test(pixFmt);
}

export function decodeFormatFor(info: MediaInfo, file: string): FrameFormat {
  const pixFmt = info.pixFmt ?? '';
  const depth = info.bitDepth ?? 8;
  const base = { width: info.width, height: info.height, chromaShiftX: 0, chromaShiftY: 0 };
  if (isGray(pixFmt)) {
    return depth > 8 ? { ...base, layout: 'gray', bitDepth: depth, pixFmt: 'gray16le' } : { ...base, layout: 'gray', bitDepth: 8, pixFmt: 'gray' };
  }
  if (info.kind === 'video') {
    const yuvName = SEMI_PLANAR[pixFmt] ?? pixFmt;
    const m = YUV.exec(yuvName);
    if (m) {
      const [sx, sy] = SHIFT[m[2]!]!;
      const bits = m[3] ? Number(m[3]) : 8;
      const out = bits > 8 ? `yuv${m[2]}p${bits}le` : `yuv${m[1]}${m[2]}p`;
      return { ...base, layout: 'yuv', bitDepth: bits, chromaShiftX: sx, chromaShiftY: sy, pixFmt: out };
    }
  }
  if (pixFmt === '' && info.kind === 'video') {
    throw new IqaError('E_UNSUPPORTED', `${file}: unknown pixel format`, { file });
  }
  // Images (any colour format) and RGB videos: interleaved RGB, 8 or 16 bits.
  return depth > 8 ? { ...base, layout: 'rgb', bitDepth: 16, pixFmt: 'rgb48le' } : { ...base, layout: 'rgb', bitDepth: 8, pixFmt: 'rgb24' };
}

/** 8-bit interleaved RGB of a given size: what the RGB extractors (networks, BRISQUE, NIQE) read. */
export function rgb24Format(width: number, height: number): FrameFormat {
  return { layout: 'rgb', width, height, bitDepth: 8, chromaShiftX: 0, chromaShiftY: 0, pixFmt: 'rgb24' };
}
