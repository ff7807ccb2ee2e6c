/**
 * The viewer's state: which distorted stimulus is open, the frame asked for and the frame shown (its
 * reference and distorted pixels from 'viewer.framePixels', its quality map from 'viewer.frameMap' or
 * computed from the pixels), the per-frame values ('metrics.frames') for the curves and the worst-frame
 * list, and the display choices (map, colours, range, layout, compare mode, zoom). Recent frames and
 * maps are cached (the requests themselves, so a prefetch and a step share one), and the next frame
 * is fetched while one is shown. Views read the getters and call the methods; only this class calls
 * the api for the viewer.
 *
 * A video pair's temporal alignment (`align.check`, or the report of a decision stored before) is shown
 * with it; "Confirm by flicker" applies the detected timing (skipped frames, as the metrics run's policy
 * would) and flickers, and the user accepts it (stored with 'align.decide': a later metrics run from the
 * compute dialog applies it) or rejects it. An accepted alignment is applied whenever the pair is opened.
 */
import type { AlignmentDecision, AlignmentReport, FrameSeries } from '../../../../src-main/common/contract-types';
import type { Stimulus } from '../../../../src-main/common/domain';
import { metricById } from '../../../../src-main/common/metric-registry';
import { api } from '../api';
import { frameCurves, type FrameCurve } from '../frame-curves';
import { colormapTable, finiteRange, paintMap, rgbToRgba, symmetricRange, type ColormapName, type SequentialColormap } from './colormaps';
import { frameForKey, LruCache, worstFrames } from './frames';
import { framesToPrefetch } from './prefetch';
import { mapIndexAt, rgbAt, withZoom, type ViewState, type Zoom } from './geometry';
import { differenceMap, MAP_KINDS_INFO, type MapKind } from './maps';
import { float32View } from '../../../../src-main/common/binary-reply';

export interface ViewerHost {
  projectDir(): string | null;
  stimuli(): readonly Stimulus[];
}

export interface FramePixels {
  frame: number;
  width: number;
  height: number;
  frames: number | null;
  fps: number | null;
  ref: Uint8Array;
  dist: Uint8Array;
  /**
   * The two frames ready to draw, made when the reply arrives (for a prefetched frame, while the
   * person still looks at the one before), so that showing a frame converts nothing: rgb24 to RGBA of
   * two 1080p frames was a third of a step's time in the page. Canvases rather than ImageBitmaps:
   * putImageData took about half of createImageBitmap's time per 1080p frame in Chromium. null where
   * the page has no DOM (the panes then convert at show time).
   */
  refImage: HTMLCanvasElement | null;
  distImage: HTMLCanvasElement | null;
}

/** RGBA bytes that `fill` writes, on a new canvas of that size; null without a DOM (unit tests in Node). */
function canvasFrom(width: number, height: number, fill: (rgba: Uint8ClampedArray) => Uint8ClampedArray): HTMLCanvasElement | null {
  if (typeof document === 'undefined' || typeof ImageData !== 'function') return null;
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d');
  if (!ctx) return null;
  ctx.putImageData(new ImageData(fill(new Uint8ClampedArray(4 * width * height)) as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  return c;
}

/** rgb24 on a canvas the panes draw directly, or null without a DOM. */
export function canvasOf(rgb: Uint8Array, width: number, height: number): HTMLCanvasElement | null {
  return canvasFrom(width, height, (rgba) => rgbToRgba(rgb, rgba));
}

export interface FrameMapData {
  kind: MapKind;
  frame: number;
  width: number;
  height: number;
  map: Float32Array;
  /** The metric's value on this frame (engine maps), null otherwise. */
  value: number | null;
  /**
   * The map coloured as a pane draws it, made when the reply arrives (as the frames' canvases are),
   * with the colours and range in force then; `key` (paintKey) says which, and a pane whose settings
   * differ paints again. null without a DOM.
   */
  painted: { key: string; canvas: HTMLCanvasElement } | null;
}

/** What a painted map depends on besides its values: the colour table and the range. */
export function paintKey(table: ColormapName, range: { lo: number; hi: number }): string {
  return `${table}|${range.lo}|${range.hi}`;
}

/** The colour table a map kind is painted with: the diverging one for signed maps. */
export function mapTableName(kind: MapKind, colormap: SequentialColormap): ColormapName {
  return MAP_KINDS_INFO[kind].signed ? 'rdbu' : colormap;
}

/** A map's values painted through a colour table on a canvas, or null without a DOM. */
export function paintedCanvas(map: Float32Array, width: number, height: number, table: ColormapName, range: { lo: number; hi: number }): HTMLCanvasElement | null {
  return canvasFrom(width, height, (rgba) => paintMap(map, colormapTable(table), range.lo, range.hi, rgba));
}

export interface ShownFrame {
  pixels: FramePixels;
  map: FrameMapData | null;
  /** Why the map could not be made (the frame is shown without it). */
  mapError: string | null;
}

/** The pair's timing as shown: frames skipped at the start of each side (frame k is k + skip of each file). */
export interface ViewerTiming {
  skipRef: number;
  skipDist: number;
  ignoreFps: boolean;
}
export const NO_TIMING: ViewerTiming = { skipRef: 0, skipDist: 0, ignoreFps: false };
const timingKey = (t: ViewerTiming) => `${t.skipRef}:${t.skipDist}:${t.ignoreFps ? 1 : 0}`;
const isNoTiming = (t: ViewerTiming) => t.skipRef === 0 && t.skipDist === 0 && !t.ignoreFps;

/** The alignment of the open pair: none for images, checking, known (a report, maybe a decision), or failed. */
export type AlignmentView =
  | { state: 'none' }
  | { state: 'checking' }
  | { state: 'known'; report: AlignmentReport; decision: AlignmentDecision | null }
  | { state: 'failed'; error: string };

export type Layout = 'side' | 'overlay';
export type Compare = 'panes' | 'wipe' | 'flicker';
export type RangeMode = 'auto' | 'fixed';

/** The frames and maps kept: enough to step back and forth over a short stretch without asking again. */
const CACHE_FRAMES = 12;

export class ViewerState {
  #host: ViewerHost;
  #id = $state<number | null>(null);
  #frame = $state(0);
  #shown = $state.raw<ShownFrame | null>(null);
  #series = $state.raw<FrameSeries[]>([]);
  #lpips = $state(false);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #playing = $state(false);
  #mapKind = $state<MapKind>('ssim');
  #seq = 0;
  #pixels = new LruCache<string, Promise<FramePixels>>(CACHE_FRAMES);
  #alignment = $state.raw<AlignmentView>({ state: 'none' });
  #timing = $state.raw<ViewerTiming>(NO_TIMING);
  #confirming = $state(false);
  #deciding = $state(false);
  #compareBefore: Compare = 'panes';
  #maps = new LruCache<string, Promise<FrameMapData>>(2 * CACHE_FRAMES);

  colormap = $state<SequentialColormap>('viridis');
  rangeMode = $state<RangeMode>('fixed');
  layout = $state<Layout>('side');
  opacity = $state(0.6);
  compare = $state<Compare>('panes');
  /** Where the wipe splits the image, 0..1 of its width: reference left, distorted right. */
  wipe = $state(0.5);
  flickerHz = $state(2);
  view = $state<ViewState>({ zoom: 'fit', cx: 0, cy: 0 });
  /** The source pixel under the pointer in any pane. */
  hover = $state<{ x: number; y: number } | null>(null);
  /** The curve (its key) whose worst frames are listed. */
  worstKey = $state<string | null>(null);
  worstCount = $state(5);

  constructor(host: ViewerHost) {
    this.#host = host;
  }

  get stimulusId() { return this.#id; }
  get stimulus(): Stimulus | null { return this.#host.stimuli().find((s) => s.id === this.#id) ?? null; }
  get reference(): Stimulus | null {
    const s = this.stimulus;
    return s?.referenceId == null ? null : (this.#host.stimuli().find((r) => r.id === s.referenceId) ?? null);
  }
  get frame() { return this.#frame; }
  get shown() { return this.#shown; }
  get loading() { return this.#loading; }
  get error() { return this.#error; }
  get playing() { return this.#playing; }
  get mapKind() { return this.#mapKind; }
  get lpipsAvailable() { return this.#lpips; }
  get series() { return this.#series; }
  get alignment() { return this.#alignment; }
  /** The timing applied to the shown frames (none unless confirming or accepted). */
  get timing() { return this.#timing; }
  get timingApplied(): boolean { return !isNoTiming(this.#timing); }
  /** Flickering with the detected timing, waiting for accept or reject. */
  get confirming() { return this.#confirming; }
  /** An accept or reject being stored. */
  get deciding() { return this.#deciding; }

  /** Frames in the pair: the decoder's count, else the stimulus's, else the longest stored series. */
  get frameCount(): number {
    return this.#shown?.pixels.frames ?? this.stimulus?.frameCount ?? Math.max(1, ...this.#series.map((s) => s.values.length));
  }
  get fps(): number | null { return this.#shown?.pixels.fps ?? this.stimulus?.fps ?? null; }

  get curves(): FrameCurve[] {
    return frameCurves(this.#series, this.stimulus?.name ?? '', null);
  }

  /** The worst frames by the chosen curve (the SSIM-Y curve, else the first, by default). */
  get worst(): { frame: number; value: number }[] {
    const curves = this.curves;
    const curve = curves.find((c) => c.key === this.worstKey) ?? curves.find((c) => c.key.startsWith('ssim-y|')) ?? curves[0];
    if (!curve) return [];
    const d = metricById(curve.key.slice(0, curve.key.indexOf('|')));
    return worstFrames(curve.values, d?.higherIsBetter ?? true, this.worstCount);
  }
  get worstCurveKey(): string | null {
    const curves = this.curves;
    return (curves.find((c) => c.key === this.worstKey) ?? curves.find((c) => c.key.startsWith('ssim-y|')) ?? curves[0])?.key ?? null;
  }

  /** The colour range of the shown map: the map kind's fixed range, or the map's own (symmetric when signed). */
  get range(): { lo: number; hi: number } {
    const map = this.#shown?.map;
    return map ? this.#rangeOf(map.kind, map.map) : MAP_KINDS_INFO[this.#mapKind].fixed;
  }

  /** The colour range of a map of this kind under the range mode: fixed, or its finite values' (symmetric for signed maps). */
  #rangeOf(kind: MapKind, map: Float32Array): { lo: number; hi: number } {
    const info = MAP_KINDS_INFO[kind];
    if (this.rangeMode === 'fixed') return info.fixed;
    return (info.signed ? symmetricRange(map) : finiteRange(map)) ?? info.fixed;
  }

  /** What the hovered pixel holds: reference and distorted RGB, and the map element drawn there. */
  get hoverInfo(): { x: number; y: number; ref: number[]; dist: number[]; map: number | null } | null {
    const h = this.hover;
    const s = this.#shown;
    if (!h || !s) return null;
    const p = s.pixels;
    if (h.x >= p.width || h.y >= p.height) return null;
    const m = s.map;
    return {
      x: h.x,
      y: h.y,
      ref: rgbAt(p.ref, p.width, h.x, h.y),
      dist: rgbAt(p.dist, p.width, h.x, h.y),
      map: m ? m.map[mapIndexAt(h.x, h.y, p.width, p.height, m.width, m.height)]! : null,
    };
  }

  /** Opens the viewer on a distorted stimulus at frame 0. */
  async open(stimulusId: number): Promise<void> {
    this.#id = stimulusId;
    this.#frame = 0;
    this.#shown = null;
    this.#series = [];
    this.#error = null;
    this.#pixels.clear();
    this.#maps.clear();
    this.view = { zoom: 'fit', cx: 0, cy: 0 };
    this.hover = null;
    this.worstKey = null;
    this.#timing = NO_TIMING;
    this.#confirming = false;
    this.#alignment = { state: 'none' };
    if (this.#mapKind === 'lpips') this.#mapKind = 'ssim';
    const dir = this.#host.projectDir();
    if (!dir) return;
    if (this.stimulus?.kind === 'video' && this.reference?.kind === 'video') void this.#loadAlignment(dir, stimulusId);
    void this.#load(0);
    const [series, models] = await Promise.allSettled([api['metrics.frames']({ projectDir: dir, stimulusId }), api['models.list']({})]);
    if (this.#id !== stimulusId) return;
    if (series.status === 'fulfilled') this.#series = series.value;
    this.#lpips = models.status === 'fulfilled' && models.value.models.some((m) => m.id.startsWith('lpips') && m.state === 'installed');
  }

  close(): void {
    this.#playing = false;
    this.#confirming = false;
    this.#id = null;
    this.#shown = null;
    this.#seq++;
  }

  /**
   * The pair's alignment: the report of a decision stored for these files (an accepted one is applied
   * at once), else a fresh check.
   */
  async #loadAlignment(dir: string, stimulusId: number): Promise<void> {
    this.#alignment = { state: 'checking' };
    try {
      const decision = (await api['align.decisions']({ projectDir: dir, stimulusId })).find((d) => !d.stale) ?? null;
      if (this.#id !== stimulusId) return;
      if (decision?.report) {
        this.#alignment = { state: 'known', report: decision.report, decision };
        if (decision.verdict === 'accepted') this.#setTiming(timingOf(decision.policy));
        return;
      }
      const report = await api['align.check']({ projectDir: dir, stimulusId });
      if (this.#id !== stimulusId) return;
      this.#alignment = { state: 'known', report, decision };
      if (decision?.verdict === 'accepted') this.#setTiming(timingOf(decision.policy));
    } catch (err) {
      if (this.#id === stimulusId) this.#alignment = { state: 'failed', error: (err as Error).message };
    }
  }

  /** Whether "Confirm by flicker" can be offered: a report that says something (not "cannot tell"). */
  get canConfirm(): boolean {
    const a = this.#alignment;
    return a.state === 'known' && a.report.aligned !== null && !this.#confirming;
  }

  /** Flicker with the detected timing applied to the pair, for the user to accept or reject. */
  confirmByFlicker(): void {
    const a = this.#alignment;
    if (a.state !== 'known' || a.report.aligned === null) return;
    if (!this.#confirming) this.#compareBefore = this.compare;
    this.#confirming = true;
    this.compare = 'flicker';
    this.#setTiming(timingOf(a.report.policy));
  }

  /** Stores the decision ('accepted': the timing stays applied; 'rejected': the frames as they are). */
  async decide(verdict: 'accepted' | 'rejected'): Promise<void> {
    const a = this.#alignment;
    const dir = this.#host.projectDir();
    const id = this.#id;
    if (a.state !== 'known' || !dir || id === null) return;
    this.#deciding = true;
    try {
      const decision = await api['align.decide']({ projectDir: dir, stimulusId: id, verdict, report: a.report });
      if (this.#id !== id) return;
      this.#alignment = { state: 'known', report: a.report, decision };
      this.#error = null;
      this.#endConfirm(verdict === 'accepted' ? timingOf(a.report.policy) : NO_TIMING);
    } catch (err) {
      if (this.#id === id) this.#error = (err as Error).message;
    } finally {
      this.#deciding = false;
    }
  }

  /** Leaves the flicker check without deciding: the timing stored before (if any) comes back. */
  cancelConfirm(): void {
    const a = this.#alignment;
    this.#endConfirm(a.state === 'known' && a.decision?.verdict === 'accepted' ? timingOf(a.decision.policy) : NO_TIMING);
  }

  /** Forgets a stored decision: the pair is shown as it is again, and the compute dialog proposes the detected fix. */
  async forgetDecision(): Promise<void> {
    const a = this.#alignment;
    const dir = this.#host.projectDir();
    const id = this.#id;
    if (a.state !== 'known' || !a.decision || !dir || id === null) return;
    this.#deciding = true;
    try {
      await api['align.decide']({ projectDir: dir, stimulusId: id, verdict: null });
      if (this.#id !== id) return;
      this.#alignment = { state: 'known', report: a.report, decision: null };
      this.#setTiming(NO_TIMING);
    } catch (err) {
      if (this.#id === id) this.#error = (err as Error).message;
    } finally {
      this.#deciding = false;
    }
  }

  #endConfirm(timing: ViewerTiming): void {
    if (this.#confirming) this.compare = this.#compareBefore;
    this.#confirming = false;
    this.#setTiming(timing);
  }

  /** Shows the pair with another timing: the frame numbers change meaning, so the caches start again. */
  #setTiming(timing: ViewerTiming): void {
    if (timingKey(timing) === timingKey(this.#timing)) return;
    this.#timing = timing;
    // The pair's length with these skips, from the two files' counts (the decoder's comes with the frame).
    const ref = this.reference?.frameCount;
    const dist = this.stimulus?.frameCount;
    const count = ref != null && dist != null ? Math.min(ref - timing.skipRef, dist - timing.skipDist) : null;
    if (count !== null) this.#frame = Math.max(0, Math.min(this.#frame, count - 1));
    void this.#load(this.#frame);
  }

  seek(frame: number): void {
    const k = Math.max(0, Math.min(this.frameCount - 1, Math.round(frame)));
    if (k === this.#frame && this.#shown?.pixels.frame === k) return;
    this.#frame = k;
    void this.#load(k);
  }

  /** Arrow keys, shift, Home/End: true when the key moved the frame. */
  key(key: string, shift: boolean): boolean {
    const next = frameForKey(key, shift, this.#frame, this.frameCount);
    if (next === null) return false;
    this.#playing = false;
    this.seek(next);
    return true;
  }

  setMapKind(kind: MapKind): void {
    if (kind === this.#mapKind) return;
    this.#mapKind = kind;
    void this.#load(this.#frame);
  }

  setZoom(zoom: Zoom): void {
    const p = this.#shown?.pixels;
    this.view = withZoom(this.view, zoom, p?.width ?? 1, p?.height ?? 1);
  }

  /** Plays from the current frame at the video's rate (each frame shown once it has arrived). */
  togglePlay(): void {
    if (this.#playing) {
      this.#playing = false;
      return;
    }
    if (this.#frame >= this.frameCount - 1) this.seek(0);
    this.#playing = true;
    void this.#play();
  }

  async #play(): Promise<void> {
    const period = 1000 / (this.fps && this.fps > 0 ? this.fps : 10);
    while (this.#playing && this.#id !== null) {
      const started = performance.now();
      if (this.#frame >= this.frameCount - 1) break;
      this.#frame += 1;
      await this.#load(this.#frame);
      const rest = period - (performance.now() - started);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    }
    this.#playing = false;
  }

  async #load(k: number): Promise<void> {
    const seq = ++this.#seq;
    const kind = this.#mapKind;
    this.#loading = true;
    try {
      // Both at once: an engine map does not wait for the pixels (a difference map is made from them).
      const pixelsP = this.#pixelsOf(k);
      const mapP = this.#mapOf(k, kind, pixelsP);
      mapP.catch(() => undefined);
      const pixels = await pixelsP;
      let map: FrameMapData | null = null;
      let mapError: string | null = null;
      try {
        map = await mapP;
      } catch (err) {
        mapError = (err as Error).message;
      }
      if (seq !== this.#seq) return;
      this.#shown = { pixels, map, mapError };
      this.#error = null;
      for (const next of framesToPrefetch(k, this.frameCount)) this.#prefetch(next, kind);
    } catch (err) {
      if (seq === this.#seq) this.#error = (err as Error).message;
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }

  #prefetch(k: number, kind: MapKind): void {
    const pixels = this.#pixelsOf(k);
    pixels.catch(() => undefined);
    this.#mapOf(k, kind, pixels).catch(() => undefined);
  }

  #pixelsOf(k: number): Promise<FramePixels> {
    const timing = this.#timing;
    const key = `${timingKey(timing)}|${k}`;
    const cached = this.#pixels.get(key);
    if (cached) return cached;
    const dir = this.#host.projectDir();
    const id = this.#id;
    if (!dir || id === null) return Promise.reject(new Error('no stimulus is open'));
    const p = api['viewer.framePixels']({ projectDir: dir, stimulusId: id, frame: k, ...timingInput(timing) }).then((r) => ({
      frame: r.frame,
      width: r.width,
      height: r.height,
      frames: r.frames,
      fps: r.fps,
      ref: r.ref,
      dist: r.dist,
      refImage: canvasOf(r.ref, r.width, r.height),
      distImage: canvasOf(r.dist, r.width, r.height),
    }));
    this.#pixels.set(key, p);
    // A failed request is not kept: the next step asks again.
    p.catch(() => this.#pixels.delete(key, p));
    return p;
  }

  /** The map with its canvas painted under the settings in force now (see FrameMapData.painted). */
  #withPainted(data: FrameMapData): FrameMapData {
    const table = mapTableName(data.kind, this.colormap);
    const range = this.#rangeOf(data.kind, data.map);
    const canvas = paintedCanvas(data.map, data.width, data.height, table, range);
    return { ...data, painted: canvas ? { key: paintKey(table, range), canvas } : null };
  }

  #mapOf(k: number, kind: MapKind, pixels: Promise<FramePixels>): Promise<FrameMapData> {
    const timing = this.#timing;
    const key = `${kind}|${timingKey(timing)}|${k}`;
    const cached = this.#maps.get(key);
    if (cached) return cached;
    const info = MAP_KINDS_INFO[kind];
    let p: Promise<FrameMapData>;
    if (info.metric === null) {
      p = pixels.then((px) => this.#withPainted({ kind, frame: k, width: px.width, height: px.height, map: differenceMap(px.ref, px.dist, info.signed), value: null, painted: null }));
    } else {
      const dir = this.#host.projectDir();
      const id = this.#id;
      if (!dir || id === null) return Promise.reject(new Error('no stimulus is open'));
      p = api['viewer.frameMap']({ projectDir: dir, stimulusId: id, frame: k, metric: info.metric, ...timingInput(timing) }).then((r) =>
        this.#withPainted({ kind, frame: r.frame, width: r.width, height: r.height, map: float32View(r.map), value: r.value, painted: null }),
      );
    }
    this.#maps.set(key, p);
    p.catch(() => this.#maps.delete(key, p));
    return p;
  }
}

function timingOf(policy: AlignmentReport['policy']): ViewerTiming {
  return { skipRef: policy.skipRef, skipDist: policy.skipDist, ignoreFps: policy.ignoreFps };
}

/** The timing as the viewer's requests take it (nothing when none is applied). */
function timingInput(t: ViewerTiming): { skipRef?: number; skipDist?: number; ignoreFps?: boolean } {
  return { ...(t.skipRef ? { skipRef: t.skipRef } : {}), ...(t.skipDist ? { skipDist: t.skipDist } : {}), ...(t.ignoreFps ? { ignoreFps: true } : {}) };
}
