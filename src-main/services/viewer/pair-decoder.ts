/**
 * The viewer's decoder of one pair, kept open while the user looks at it: both sides decode once, in
 * the reference's native format (what the SSIM map reads) and as 8-bit RGB (what the panes show), into
 * shared buffers, through one FrameReader per side (one ffmpeg each, a split inside it).
 *
 * Stepping forward reads the next frame from the running decoders (one frame's decode, tens of
 * milliseconds at 1080p); a jump backwards or far ahead restarts them at the frame, seeking on the
 * input as viewer/frame-pixels.ts explains (`-ss` half a frame before frame k, constant frame rate),
 * so no request decodes from frame 0. The last few frames are kept, so the renderer's prefetch and a
 * step back cost nothing; a session closes when it has been idle for a while, and the engine keeps
 * only the most recent pairs open.
 *
 * Requests to one session run one after another (they share the decoders).
 *
 * The frame spool (viewer/frame-spool.ts): when a video pair is opened, each side's frames are written
 * once, in the background, to a raw file in the user data cache (the same reader, formats and filters,
 * from frame 0, strict). Once both sides' spools are complete, every frame not kept is read from them
 * at an offset (a far seek costs what a step costs); until then, and when no spool can be made (damage,
 * no room), the decoders above serve it.
 */
import { IqaError } from '../../common/errors';
import { frameBytes, type FrameFormat } from '../../common/frame-format';
import type { RawVideoGeometry } from '../../common/domain';
import { rgb24Format } from '../media/decode-format';
import { FrameReader } from '../media/frame-reader';
import { planPair, type PairInput, type PairPlan } from '../metrics/compute-pair';
import { SpoolStore, trackSpoolWork, type FrameSpool } from './frame-spool';

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

/** One decoded frame of the pair: native planes (shared, for the map kernels) and rgb24 (for the panes). */
export interface PairFrame {
  frame: number;
  native: { ref: SharedArrayBuffer; dist: SharedArrayBuffer; format: FrameFormat };
  rgb: { ref: Uint8Array; dist: Uint8Array; width: number; height: number };
  /** The two decoder command lines. */
  decoder: string;
}

/** Frames past the current position still read forward rather than restarting (restarting costs a seek from the keyframe). */
const READ_FORWARD_LIMIT = 24;
/** Frames kept after they were read (a step back, the map after the pixels, the renderer's prefetch). */
const KEPT_FRAMES = 4;

interface Side {
  file: string;
  raw?: RawVideoGeometry;
  filters: string[];
  fps: number | null;
  skip: number;
  /** Frames the probe counted (null: unknown). */
  frames: number | null;
}

/**
 * How a decoder starts at frame `target` of a file: with a frame rate, a seek on the input to half a
 * frame before it (the first frame at or after that time is frame `target`, at a constant rate);
 * without one (an image, a container that does not say), `select` drops the frames before it.
 */
export function seekFor(target: number, fps: number | null): { inputSeekS: number | null; select: number } {
  const seek = target > 0 && fps !== null && fps > 0;
  return { inputSeekS: seek ? (target - 0.5) / fps : null, select: seek ? 0 : target };
}

/** One pair frame's buffers: native planes (shared, for the map kernels) and rgb24, per side. */
interface FrameBuffers {
  refNative: SharedArrayBuffer;
  distNative: SharedArrayBuffer;
  refRgb: Uint8Array;
  distRgb: Uint8Array;
}

export class PairDecoder {
  readonly key: string;
  readonly expected: number | null;
  readonly fps: number | null;
  readonly format: FrameFormat;
  readonly #rgb: FrameFormat;
  readonly #sides: [Side, Side];
  #readers: [FrameReader, FrameReader] | null = null;
  /** The frame the running decoders deliver next. */
  #next = 0;
  #kept: PairFrame[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  /** Both sides' complete frame spools, once they are (then every frame not kept is read from them). */
  #spools: [FrameSpool, FrameSpool] | null = null;
  #spooling: Promise<boolean> | null = null;
  #closedForGood = false;
  #afterFirstUse: (() => unknown) | null = null;
  lastUsed = Date.now();

  private constructor(key: string, plan: PairPlan, input: PairInput, timing: ViewerTiming, expected: number | null) {
    this.key = key;
    this.expected = expected;
    this.format = plan.refFormat;
    this.#rgb = rgb24Format(plan.refFormat.width, plan.refFormat.height);
    const fpsOf = (info: PairPlan['refInfo']) => (info.kind === 'video' ? info.fps : null);
    this.fps = fpsOf(plan.refInfo) ?? fpsOf(plan.distInfo);
    this.#sides = [
      { file: input.ref, raw: input.refRaw, filters: plan.refFilters, fps: fpsOf(plan.refInfo), skip: timing.skipRef ?? 0, frames: plan.refInfo.frameCount },
      { file: input.dist, raw: input.distRaw, filters: plan.distFilters, fps: fpsOf(plan.distInfo), skip: timing.skipDist ?? 0, frames: plan.distInfo.frameCount },
    ];
  }

  /** The pair's plan (sizes, filters, frame counts) and a decoder for it; nothing is decoded yet. */
  static async open(key: string, input: PairInput, timing: ViewerTiming, signal?: AbortSignal): Promise<PairDecoder> {
    const skipRef = timing.skipRef ?? 0;
    const skipDist = timing.skipDist ?? 0;
    const skipping = skipRef > 0 || skipDist > 0;
    // The skips are applied by seeking each side further, not by planPair's trim filters.
    const plan = await planPair(input, { ...(skipping ? { truncate: true } : {}), ...(timing.ignoreFps ? { ignoreFps: true } : {}) }, signal);
    const left = (n: number | null, skip: number) => (n === null ? null : Math.max(0, n - skip));
    const expected = skipping ? minKnown(left(plan.refInfo.frameCount, skipRef), left(plan.distInfo.frameCount, skipDist)) : plan.expected;
    return new PairDecoder(key, plan, input, timing, expected);
  }

  /**
   * Runs `use` on frame `frame` of the pair (E_INPUT past the end). The frame's buffers are valid only
   * until `use` settles (a later read reuses them), so `use` copies what it keeps; the session's other
   * requests wait meanwhile.
   */
  use<T>(frame: number, use: (f: PairFrame) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    if (!Number.isInteger(frame) || frame < 0) return Promise.reject(new IqaError('E_INPUT', `frame must be a whole number from 0, got ${frame}`));
    const run = this.#queue.then(async () => use(await this.#frame(frame, signal)));
    this.#queue = run.catch(() => {});
    const after = this.#afterFirstUse;
    if (after) {
      this.#afterFirstUse = null;
      // After the reply has gone (a one-off decoder is closed by then), never under the first frame's decode.
      void trackSpoolWork(run.then(() => {}, () => {}).then(() => new Promise<void>((r) => setImmediate(r))).then(after));
    }
    return run;
  }

  async #frame(frame: number, signal?: AbortSignal): Promise<PairFrame> {
    this.lastUsed = Date.now();
    if (this.expected !== null && frame >= this.expected) {
      throw new IqaError('E_INPUT', `${this.#sides[1].file}: frame ${frame} is past the end (the pair has ${this.expected} frame${this.expected === 1 ? '' : 's'}, numbered from 0)`, { file: this.#sides[1].file });
    }
    const kept = this.#kept.find((f) => f.frame === frame);
    if (kept) return kept;
    if (this.#spools) return this.#readSpooled(frame);
    if (!this.#readers || frame < this.#next || frame - this.#next > READ_FORWARD_LIMIT) this.#restart(frame, signal);
    let got: PairFrame | null = null;
    try {
      while (this.#next <= frame) got = await this.#readNext();
    } catch (err) {
      this.#closeReaders();
      throw err;
    }
    return got!;
  }

  /**
   * Starts building both sides' frame spools in the background (video pairs only; once per session),
   * and uses them once both are complete. Resolves true when the session reads from spools.
   */
  spool(store: SpoolStore): Promise<boolean> {
    if (this.#spooling) return this.#spooling;
    const video = this.#sides.every((s) => s.fps !== null && s.frames !== null && s.frames > 1);
    if (!video) return (this.#spooling = Promise.resolve(false));
    const spec = (side: Side, format: FrameFormat) => ({ file: side.file, raw: side.raw, filters: side.filters, formats: [format, this.#rgb], frames: side.frames });
    const work = (async () => {
      // One side after the other: the viewer's own decoders need the other core.
      const ref = await store.obtain(spec(this.#sides[0], this.format));
      const dist = ref ? await store.obtain(spec(this.#sides[1], this.format)) : null;
      if (!ref || !dist || this.#closedForGood) {
        ref?.close();
        dist?.close();
        return false;
      }
      // Taken into use between two requests (the queue), never under a running one.
      const swap = this.#queue.then(() => {
        if (this.#closedForGood) {
          ref.close();
          dist.close();
          return false;
        }
        this.#spools = [ref, dist];
        this.#closeReaders();
        return true;
      });
      this.#queue = swap.catch(() => {});
      return swap;
    })().catch(() => false);
    return (this.#spooling = trackSpoolWork(work));
  }

  /** Runs `f` once, after this session's first request has settled. */
  afterFirstUse(f: () => unknown): void {
    this.#afterFirstUse = f;
  }

  /** Whether frames not kept are read from the frame spools. */
  get spooled(): boolean {
    return this.#spools !== null;
  }

  /** A frame read into the buffers, or E_INPUT naming the side that ended before it. */
  #frameOf(frame: number, hasRef: boolean, hasDist: boolean, b: FrameBuffers, decoder: string): PairFrame {
    if (!hasRef || !hasDist) {
      const file = hasRef ? this.#sides[1].file : this.#sides[0].file;
      throw new IqaError('E_INPUT', `${file}: frame ${frame} is past the end`, { file });
    }
    return {
      frame,
      native: { ref: b.refNative, dist: b.distNative, format: this.format },
      rgb: { ref: b.refRgb, dist: b.distRgb, width: this.format.width, height: this.format.height },
      decoder,
    };
  }

  /** Frame `frame` from the spools (the same bytes the decoders give). */
  async #readSpooled(frame: number): Promise<PairFrame> {
    const [refSpool, distSpool] = this.#spools!;
    const { refNative, distNative, refRgb, distRgb } = this.#buffers();
    const [hasRef, hasDist] = await Promise.all([
      refSpool.read(frame + this.#sides[0].skip, new Uint8Array(refNative), refRgb),
      distSpool.read(frame + this.#sides[1].skip, new Uint8Array(distNative), distRgb),
    ]);
    const got = this.#frameOf(frame, hasRef, hasDist, { refNative, distNative, refRgb, distRgb }, `${refSpool.command} | ${distSpool.command} (frame ${frame} from the viewer's frame spool)`);
    this.#kept.push(got);
    return got;
  }

  /** Buffers for the next frame: those of a frame that leaves the kept list, else new ones. */
  #buffers(): FrameBuffers {
    const reuse = this.#kept.length >= KEPT_FRAMES ? this.#kept.shift()! : null;
    const nativeBytes = frameBytes(this.format);
    const rgbBytes = frameBytes(this.#rgb);
    return {
      refNative: reuse?.native.ref ?? new SharedArrayBuffer(nativeBytes),
      distNative: reuse?.native.dist ?? new SharedArrayBuffer(nativeBytes),
      refRgb: reuse?.rgb.ref ?? new Uint8Array(rgbBytes),
      distRgb: reuse?.rgb.dist ?? new Uint8Array(rgbBytes),
    };
  }

  #restart(frame: number, signal?: AbortSignal): void {
    this.#closeReaders();
    const open = (side: Side) => {
      const s = seekFor(frame + side.skip, side.fps);
      const select = s.select > 0 ? [`select=gte(n\\,${s.select})`] : [];
      return new FrameReader(side.file, [this.format, this.#rgb], {
        raw: side.raw,
        filters: [...side.filters, ...select],
        inputSeekS: s.inputSeekS ?? undefined,
        // A seek decodes from the keyframe before it: the frames before the seek point are not this reader's.
        skippedFrames: 0,
        signal,
      });
    };
    this.#readers = [open(this.#sides[0]), open(this.#sides[1])];
    this.#next = frame;
  }

  async #readNext(): Promise<PairFrame> {
    const [refReader, distReader] = this.#readers!;
    const frame = this.#next;
    // Buffers of a frame that leaves the kept list are reused for the next one.
    const { refNative, distNative, refRgb, distRgb } = this.#buffers();
    const [hasRef, hasDist] = await Promise.all([refReader.read(new Uint8Array(refNative), refRgb), distReader.read(new Uint8Array(distNative), distRgb)]);
    const got = this.#frameOf(frame, hasRef, hasDist, { refNative, distNative, refRgb, distRgb }, `${refReader.command} | ${distReader.command}`);
    this.#kept.push(got);
    this.#next = frame + 1;
    return got;
  }

  #closeReaders(): void {
    for (const r of this.#readers ?? []) r.close();
    this.#readers = null;
  }

  get closed(): boolean {
    return this.#closedForGood;
  }

  /** Stops the decoders and closes the spools (the kept frames stay readable). */
  close(): void {
    this.#closeReaders();
    this.#closedForGood = true;
    for (const s of this.#spools ?? []) s.close();
    this.#spools = null;
  }
}

function minKnown(a: number | null, b: number | null): number | null {
  return a !== null && b !== null ? Math.min(a, b) : (a ?? b);
}

/** Sessions kept open at once (the pair on screen and the one before it). */
const MAX_SESSIONS = 2;
/** A session idle this long stops its decoders and is forgotten. */
const IDLE_MS = 60_000;

export interface PairDecodersOptions {
  /**
   * Frame spools (viewer/frame-spool.ts): a folder (default: `<user data>/cache/viewer-spool`, or
   * IQA_VIEWER_SPOOL_DIR), or null for none (one-off decoders; IQA_VIEWER_SPOOL=0 turns them off).
   */
  spoolDir?: string | null;
  /** The spools' total size bound (default IQA_VIEWER_SPOOL_MAX_BYTES, else 8 GiB). */
  spoolMaxBytes?: number;
}

/** The engine's open pair decoders, by pair and timing. */
export class PairDecoders {
  #sessions = new Map<string, Promise<PairDecoder>>();
  #timer: NodeJS.Timeout | null = null;
  readonly #store: SpoolStore | null;
  #closed = false;

  constructor(options: PairDecodersOptions = {}) {
    const off = options.spoolDir === null || process.env.IQA_VIEWER_SPOOL === '0';
    this.#store = off ? null : new SpoolStore(options.spoolDir ?? undefined, options.spoolMaxBytes);
  }

  async get(input: PairInput, timing: ViewerTiming, signal?: AbortSignal): Promise<PairDecoder> {
    const key = JSON.stringify([input.ref, input.dist, timing.skipRef ?? 0, timing.skipDist ?? 0, Boolean(timing.ignoreFps)]);
    let s = this.#sessions.get(key);
    if (s) {
      // Most recent last.
      this.#sessions.delete(key);
      this.#sessions.set(key, s);
    } else {
      s = PairDecoder.open(key, input, timing, signal);
      this.#sessions.set(key, s);
      s.catch(() => this.#sessions.delete(key));
      // The first time a video pair is opened: its frame spools, built in the background.
      const store = this.#store;
      if (store) s.then((d) => d.afterFirstUse(() => !this.#closed && !d.closed && d.spool(store)), () => {});
      while (this.#sessions.size > MAX_SESSIONS) {
        const [oldKey, old] = this.#sessions.entries().next().value!;
        this.#sessions.delete(oldKey);
        old.then((d) => d.close(), () => {});
      }
    }
    this.#sweepLater();
    return s;
  }

  #sweepLater(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const now = Date.now();
      for (const [key, s] of this.#sessions) {
        s.then((d) => {
          if (now - d.lastUsed >= IDLE_MS && this.#sessions.get(key) === s) {
            this.#sessions.delete(key);
            d.close();
          }
        }, () => {});
      }
      if (this.#sessions.size) this.#sweepLater();
    }, IDLE_MS);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const s of this.#sessions.values()) s.then((d) => d.close(), () => {});
    this.#sessions.clear();
    this.#store?.close();
    this.#closed = true;
  }
}
