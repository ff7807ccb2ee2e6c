/**
 * Zoom, pan and hover geometry of the viewer's panes. Every pane shows the same view: a zoom ('fit' or
 * a whole number of screen pixels per source pixel, 1 to 32) and the source point at the pane's centre.
 * Layout is computed in device pixels (CSS pixels × devicePixelRatio) and the image's corner is rounded
 * to a whole device pixel, so at an integer zoom on an integer-ratio screen every source pixel is an
 * exact square block of device pixels. Pure: tested in test/renderer/viewer-geometry.test.ts.
 */

export const ZOOM_LEVELS = [1, 2, 4, 8, 16, 32] as const;
export type Zoom = 'fit' | (typeof ZOOM_LEVELS)[number];

export interface ViewState {
  zoom: Zoom;
  /** The source point (in source pixels, may be fractional) at the pane's centre. */
  cx: number;
  cy: number;
}

export interface PaneLayout {
  /** Device pixels per source pixel. */
  scale: number;
  /** The source image's top-left corner in the pane, in device pixels (whole numbers). */
  x0: number;
  y0: number;
  /** The canvas size in device pixels. */
  width: number;
  height: number;
  dpr: number;
}

/** The canvas backing size for a pane of cssW × cssH CSS pixels (what canvas.width/height get). */
export function canvasSize(cssW: number, cssH: number, dpr: number): { width: number; height: number } {
  return { width: Math.max(1, Math.round(cssW * dpr)), height: Math.max(1, Math.round(cssH * dpr)) };
}

/** CSS pixels per source pixel: the zoom, or for 'fit' the largest scale at which the image fits the pane. */
export function cssScale(zoom: Zoom, imgW: number, imgH: number, cssW: number, cssH: number): number {
  if (zoom !== 'fit') return zoom;
  return Math.max(1e-6, Math.min(cssW / imgW, cssH / imgH));
}

export function paneLayout(view: ViewState, imgW: number, imgH: number, cssW: number, cssH: number, dpr: number): PaneLayout {
  const { width, height } = canvasSize(cssW, cssH, dpr);
  const scale = cssScale(view.zoom, imgW, imgH, cssW, cssH) * dpr;
  const cx = view.zoom === 'fit' ? imgW / 2 : view.cx;
  const cy = view.zoom === 'fit' ? imgH / 2 : view.cy;
  return { scale, x0: Math.round(width / 2 - cx * scale), y0: Math.round(height / 2 - cy * scale), width, height, dpr };
}

/** The source pixel under a point given in CSS pixels from the pane's top-left corner, or null outside the image. */
export function sourcePixelAt(layout: PaneLayout, cssX: number, cssY: number, imgW: number, imgH: number): { x: number; y: number } | null {
  const x = Math.floor((cssX * layout.dpr - layout.x0) / layout.scale);
  const y = Math.floor((cssY * layout.dpr - layout.y0) / layout.scale);
  return x >= 0 && y >= 0 && x < imgW && y < imgH ? { x, y } : null;
}

/** The view after dragging by (dx, dy) CSS pixels: the centre moves the other way, kept on the image. */
export function panBy(view: ViewState, dx: number, dy: number, imgW: number, imgH: number, cssW: number, cssH: number): ViewState {
  if (view.zoom === 'fit') return view;
  const s = cssScale(view.zoom, imgW, imgH, cssW, cssH);
  return { zoom: view.zoom, cx: clamp(view.cx - dx / s, 0, imgW), cy: clamp(view.cy - dy / s, 0, imgH) };
}

/** A new zoom that keeps the centre where it was ('fit' recentres). */
export function withZoom(view: ViewState, zoom: Zoom, imgW: number, imgH: number): ViewState {
  if (view.zoom === 'fit' || zoom === 'fit') return { zoom, cx: imgW / 2, cy: imgH / 2 };
  return { zoom, cx: view.cx, cy: view.cy };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** The element of a map of mapW × mapH drawn over a frame of imgW × imgH at source pixel (x, y). */
export function mapIndexAt(x: number, y: number, imgW: number, imgH: number, mapW: number, mapH: number): number {
  const mx = Math.min(mapW - 1, Math.floor((x * mapW) / imgW));
  const my = Math.min(mapH - 1, Math.floor((y * mapH) / imgH));
  return my * mapW + mx;
}

/** The RGB values of an rgb24 frame at (x, y). */
export function rgbAt(rgb: Uint8Array, width: number, x: number, y: number): [number, number, number] {
  const i = 3 * (y * width + x);
  return [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
}
