/**
 * The quality maps the viewer offers, as data: where each comes from (the engine's viewer.frameMap or
 * the displayed pixels), whether it is signed (diverging colours, a range symmetric around 0), its
 * fixed range and which end is better. And the two difference maps computed here from the 8-bit RGB
 * the panes show. Pure: tested in test/renderer/viewer-maps.test.ts.
 */
import type { FrameMapMetric } from '../../../../src-main/common/contract-names';

export const MAP_KINDS = ['ssim', 'absdiff', 'signed', 'lpips'] as const;
export type MapKind = (typeof MAP_KINDS)[number];

export interface MapKindInfo {
  label: string;
  /** The engine metric whose map this is (viewer.frameMap), or null when computed from the pixels. */
  metric: FrameMapMetric | null;
  signed: boolean;
  /** The fixed range (the scale's ends when "fixed" is chosen). */
  fixed: { lo: number; hi: number };
  unit: string;
  help: string;
}

export const MAP_KINDS_INFO: Record<MapKind, MapKindInfo> = {
  ssim: {
    label: 'SSIM',
    metric: 'ssim-y',
    signed: false,
    fixed: { lo: 0, hi: 1 },
    unit: '',
    help: 'Wang SSIM of the luma (the ssim-y metric), 1 = identical',
  },
  absdiff: {
    label: 'Absolute difference',
    metric: null,
    signed: false,
    fixed: { lo: 0, hi: 255 },
    unit: '8-bit RGB',
    help: '|distorted − reference|, the mean over R, G and B of the 8-bit pixels shown, 0 = identical',
  },
  signed: {
    label: 'Signed difference',
    metric: null,
    signed: true,
    fixed: { lo: -255, hi: 255 },
    unit: '8-bit RGB',
    help: 'distorted − reference, the mean over R, G and B of the 8-bit pixels shown; blue: darker, red: brighter',
  },
  lpips: {
    label: 'LPIPS',
    metric: 'lpips',
    signed: false,
    fixed: { lo: 0, hi: 1 },
    unit: '',
    help: 'LPIPS spatial map (needs the LPIPS model), 0 = identical',
  },
};

/**
 * The difference of two rgb24 frames, per pixel the mean over the three channels of dist − ref
 * (signed) or of |dist − ref|: values on −255..255 or 0..255.
 */
export function differenceMap(ref: Uint8Array, dist: Uint8Array, signed: boolean, out?: Float32Array): Float32Array {
  if (ref.length !== dist.length || ref.length % 3 !== 0) throw new RangeError(`frames of ${ref.length} and ${dist.length} bytes are not two rgb24 frames of one size`);
  const n = ref.length / 3;
  const map = out ?? new Float32Array(n);
  if (map.length !== n) throw new RangeError(`output of ${map.length} values for ${n} pixels`);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const d0 = dist[j]! - ref[j]!;
    const d1 = dist[j + 1]! - ref[j + 1]!;
    const d2 = dist[j + 2]! - ref[j + 2]!;
    map[i] = signed ? (d0 + d1 + d2) / 3 : (Math.abs(d0) + Math.abs(d1) + Math.abs(d2)) / 3;
  }
  return map;
}
