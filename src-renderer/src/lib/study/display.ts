/**
 * The participant's display as the page measures it (stored with the session, docs/studies.md), and the
 * canvas size that shows an image at 1:1 device pixels. Pure over what it is given
 * (test/renderer/study-display.test.ts); the page passes `window`, `screen` and `matchMedia`.
 */
import type { SessionDisplay } from '../../../../src-main/common/study';

export interface DisplayProbe {
  screen: { width: number; height: number };
  devicePixelRatio: number;
  matchMedia(query: string): { matches: boolean };
  userAgent: string;
}

/** The widest colour gamut the browser reports (CSS Media Queries 4 `color-gamut`), or 'unknown'. */
export function colorGamut(probe: Pick<DisplayProbe, 'matchMedia'>): string {
  for (const g of ['rec2020', 'p3', 'srgb']) if (probe.matchMedia(`(color-gamut: ${g})`).matches) return g;
  return 'unknown';
}

/** Screen size in device pixels (CSS px × devicePixelRatio, rounded), the ratio, the gamut and the user agent. */
export function measureDisplay(probe: DisplayProbe): SessionDisplay {
  const dpr = probe.devicePixelRatio > 0 ? probe.devicePixelRatio : 1;
  return {
    screenWidth: Math.max(1, Math.round(probe.screen.width * dpr)),
    screenHeight: Math.max(1, Math.round(probe.screen.height * dpr)),
    devicePixelRatio: dpr,
    colorGamut: colorGamut(probe),
    userAgent: probe.userAgent.slice(0, 1000),
  };
}

/**
 * The CSS size of a canvas whose backing store is `width × height` device pixels: width / dpr CSS px, so
 * one image pixel is one device pixel. Never rounded (rounding would rescale by a fraction of a pixel).
 */
export function cssSizeForDevicePixels(width: number, height: number, dpr: number): { width: number; height: number } {
  const r = dpr > 0 ? dpr : 1;
  return { width: width / r, height: height / r };
}

/** Whether an image fits the viewport at 1:1 (viewport in CSS px). */
export function fitsAtOneToOne(width: number, height: number, viewport: { width: number; height: number }, dpr: number): boolean {
  const css = cssSizeForDevicePixels(width, height, dpr);
  return css.width <= viewport.width + 1e-9 && css.height <= viewport.height + 1e-9;
}

/** rgb24 bytes (from base64) to the RGBA an ImageData takes, opaque. */
export function rgbToRgba(rgb: Uint8Array, width: number, height: number): Uint8ClampedArray {
  const n = width * height;
  if (rgb.length !== n * 3) throw new Error(`expected ${n * 3} bytes of RGB for ${width}×${height}, got ${rgb.length}`);
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const k = i * 4;
    out[k] = rgb[j]!;
    out[k + 1] = rgb[j + 1]!;
    out[k + 2] = rgb[j + 2]!;
    out[k + 3] = 255;
  }
  return out;
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Where a `width × height` device-pixel canvas goes to be centred in the viewport (CSS px) with its
 * top-left corner on a whole device pixel: a fractional position would make the compositor resample it.
 */
export function centredOffset(width: number, height: number, viewport: { width: number; height: number }, dpr: number): { left: number; top: number } {
  const r = dpr > 0 ? dpr : 1;
  const left = Math.max(0, Math.floor((viewport.width * r - width) / 2)) / r;
  const top = Math.max(0, Math.floor((viewport.height * r - height) / 2)) / r;
  return { left, top };
}
