/**
 * Streaming decode: ffmpeg writes raw frames to a pipe, and `read(into)` copies exactly one frame
 * into a buffer the caller owns (a reusable plane buffer, or a SharedArrayBuffer slot a worker will
 * read). Only a couple of frames are ever buffered (the pipe is paused beyond that), so memory is
 * constant in the video's length.
 *
 * One decode, several formats: given a list of formats, one ffmpeg process decodes the file once and
 * writes each format to its own pipe (stdout, then fd 3, 4, …), the alignment filters applied on each
 * branch after a `split`, so every output is byte for byte what a decode to that format alone gives.
 * `read` fills one buffer per format with the same frame.
 *
 * Damage: ffmpeg conceals most decoding errors and exits 0, so the reader watches the decoder's log
 * (decoder-log.ts). By default the decoder runs strict and any decoding error fails the read with
 * E_MEDIA naming the file and the frame where it showed up; `acceptDecodeErrors` decodes as ffmpeg
 * always did (concealing) and only counts the errors, which `provenance` then records.
 *
 * Threads: each decoder gets half the cores (decodeThreads; the other half computes the metrics and
 * the other side decodes). A frame-threaded decoder reports an error a few frames before it outputs
 * the damaged frame, so when a strict, threaded decode reports damage, the file is decoded once more
 * with one thread (up to the damage only: -xerror stops there) to name the exact frame, as a
 * one-thread decode would have.
 */
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { IqaError } from '../../common/errors';
import type { RawVideoGeometry } from '../../common/domain';
import { frameBytes, type FrameFormat } from '../../common/frame-format';
import { locateFfmpeg } from './ffmpeg-locate';
import { inputArgs } from './probe';
import { lastErrorLine } from './run-tool';
import { DECODER_LOG_ARGS, DecoderLog, STRICT_DECODE_ARGS, damageMessage } from './decoder-log';
import { launchProcess, type LaunchedProcess } from './process-launcher';

export interface FrameReaderOptions {
  raw?: RawVideoGeometry;
  /** Extra filters before the format conversion (scaling to the reference size, trimming). */
  filters?: string[];
  signal?: AbortSignal;
  /** Decode damaged streams anyway (concealed frames), counting the errors instead of failing. */
  acceptDecodeErrors?: boolean;
  /**
   * Frames the filters drop before the first delivered one (a trim), so that the decoder's frame
   * numbers line up with the frames read.
   */
  skippedFrames?: number;
  /** Decoder threads (default decodeThreads()). */
  threads?: number;
  /** Seek on the input (`-ss` before `-i`, seconds): decoding starts at the keyframe before, frames before this time are dropped. */
  inputSeekS?: number;
}

/** One rawvideo output of the decoder, read from its own pipe. */
interface Output {
  format: FrameFormat;
  size: number;
  stream: Readable;
  chunks: Buffer[];
  queued: number;
  ended: boolean;
}

/** The ffmpeg arguments after the input: one output as before, several through a split. */
function outputArgs(formats: readonly FrameFormat[], filters: readonly string[]): string[] {
  if (formats.length === 1) {
    return ['-map', '0:v:0', ...(filters.length ? ['-vf', filters.join(',')] : []), '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', formats[0]!.pixFmt, '-'];
  }
  const n = formats.length;
  const outs = formats.map((_, i) => `[o${i}]`).join('');
  // The filters run on each branch (not once before the split): lavfi would otherwise negotiate one
  // format for both branches and the native output would go through an extra conversion.
  const graph = filters.length
    ? `[0:v:0]split=${n}${formats.map((_, i) => `[s${i}]`).join('')};${formats.map((_, i) => `[s${i}]${filters.join(',')}[o${i}]`).join(';')}`
    : `[0:v:0]split=${n}${outs}`;
  return [
    '-filter_complex', graph,
    ...formats.flatMap((f, i) => ['-map', `[o${i}]`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', f.pixFmt, i === 0 ? 'pipe:1' : `pipe:${2 + i}`]),
  ];
}

let decodesStarted = 0;

/** Decoder threads per file: half the cores, at least one (two files decode at once, metrics run beside). */
export function decodeThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

/** The exact first damaged frame of a file: a strict, one-thread decode to the null muxer, up to its first error. */
function exactDamage(file: string, raw: RawVideoGeometry | undefined): Promise<DecoderLog> {
  const { ffmpeg } = locateFfmpeg();
  const args = [...DECODER_LOG_ARGS, '-nostdin', '-threads', '1', '-noautorotate', ...STRICT_DECODE_ARGS, ...inputArgs(file, raw), '-map', '0:v:0', '-f', 'null', '-'];
  return launchProcess(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] }).then((child) => new Promise((resolve) => {
    const log = new DecoderLog();
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => log.push(c));
    child.on('error', () => resolve(log));
    child.on('close', () => {
      log.end();
      resolve(log);
    });
  }));
}

/** How many decoder processes FrameReaders have started in this process (tests count decodes with it). */
export function decodeCount(): number {
  return decodesStarted;
}

export class FrameReader {
  readonly file: string;
  /** The first output's format (the only one for a single-format reader). */
  readonly format: FrameFormat;
  readonly formats: readonly FrameFormat[];
  readonly frameSize: number;
  /** The decoder command line, stored with results as provenance. */
  readonly command: string;
  #child: LaunchedProcess | null = null;
  #outputs: Output[] = [];
  #exit: Promise<void> = Promise.resolve();
  /** The decoder started (through the process launcher) and its outputs connected. */
  #ready: Promise<void>;
  #closed = false;
  #log = new DecoderLog();
  #logClosed = false;
  /** Strict and threaded: the one-thread decode that located the first damage exactly (once damage showed). */
  #exact: Promise<DecoderLog> | null = null;
  #exactLog: DecoderLog | null = null;
  readonly #threads: number;
  readonly #raw: RawVideoGeometry | undefined;
  readonly #accept: boolean;
  readonly #skipped: number;
  #failure: IqaError | null = null;
  #wake: (() => void) | null = null;
  framesRead = 0;

  constructor(file: string, format: FrameFormat | readonly FrameFormat[], options: FrameReaderOptions = {}) {
    this.file = file;
    this.formats = Array.isArray(format) ? [...(format as readonly FrameFormat[])] : [format as FrameFormat];
    if (this.formats.length === 0) throw new RangeError('FrameReader needs at least one output format');
    this.format = this.formats[0]!;
    this.frameSize = frameBytes(this.format);
    const { ffmpeg } = locateFfmpeg();
    const filters = [...(options.filters ?? [])];
    this.#accept = options.acceptDecodeErrors ?? false;
    this.#skipped = options.skippedFrames ?? 0;
    this.#threads = options.threads ?? decodeThreads();
    this.#raw = options.raw;
    const args = [
      // -noautorotate: frames come out as coded, the size ffprobe reports (a rotation tag would
      // otherwise swap width and height without changing the byte count).
      ...DECODER_LOG_ARGS, '-nostdin', '-threads', String(this.#threads), '-noautorotate',
      ...(this.#accept ? [] : STRICT_DECODE_ARGS),
      ...(options.inputSeekS !== undefined && options.inputSeekS > 0 ? ['-ss', options.inputSeekS.toFixed(6)] : []),
      ...inputArgs(file, options.raw),
      ...outputArgs(this.formats, filters),
    ];
    this.command = ['ffmpeg', ...args].join(' ');
    decodesStarted += 1;
    // The caller's signal outlives this reader (one per pair of a whole run): its listener goes with
    // the process, or a run of more than ten pairs leaks listeners (MaxListenersExceededWarning).
    const onAbort = () => this.close();
    const signal = options.signal;
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#ready = this.#start(ffmpeg, args, () => signal?.removeEventListener('abort', onAbort));
    this.#ready.catch(() => {}); // reads see the failure; a reader never read must not leave an unhandled rejection
  }

  /** Starts the decoder and wires its outputs and log; `done` runs when it has exited. */
  async #start(ffmpeg: string, args: string[], done: () => void): Promise<void> {
    const file = this.file;
    const extraPipes = this.formats.slice(1).map(() => 'pipe' as const);
    const child = await launchProcess(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe', ...extraPipes] });
    this.#child = child;
    this.#outputs = this.formats.map((f, i) => ({
      format: f,
      size: frameBytes(f),
      stream: (i === 0 ? child.stdout : child.stdio[2 + i]) as Readable,
      chunks: [],
      queued: 0,
      ended: false,
    }));
    for (const out of this.#outputs) {
      out.stream.on('data', (chunk: Buffer) => {
        out.chunks.push(chunk);
        out.queued += chunk.length;
        this.#balance();
        this.#notify();
      });
      out.stream.on('end', () => {
        out.ended = true;
        this.#balance();
        this.#notify();
      });
    }
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => {
      this.#log.push(c);
      this.#notify();
    });
    child.stderr!.on('close', () => {
      this.#log.end();
      this.#logClosed = true;
      this.#notify();
    });
    this.#exit = new Promise<void>((resolve) => {
      child.on('error', (err) => {
        this.#failure = new IqaError('E_FFMPEG_MISSING', `cannot run ffmpeg for ${file}: ${err.message}`, { file });
        for (const out of this.#outputs) out.ended = true;
        this.#logClosed = true;
        this.#notify();
        resolve();
      });
      child.on('close', (code, signal) => {
        if (code !== 0 && !this.#failure && signal !== 'SIGKILL' && (this.#accept || this.#log.firstErrorFrame === null)) {
          this.#failure = new IqaError('E_MEDIA', `${file}: decoding failed (${lastErrorLine(this.#log.tail, file)})`, { file });
        }
        for (const out of this.#outputs) out.ended = true;
        this.#notify();
        resolve();
      });
    }).finally(done);
    // Closed while it started: it stops at once.
    if (this.#closed) this.close();
  }

  /**
   * Back-pressure: a pipe more than two frames ahead is paused, unless another output still lacks a
   * whole frame (ffmpeg writes the outputs in turn and would block on the paused pipe before it
   * writes the frame the reader waits for).
   */
  #balance(): void {
    const starving = this.#outputs.some((o) => !o.ended && o.queued < o.size);
    for (const o of this.#outputs) {
      if (o.queued > 2 * o.size && !starving) {
        if (!o.stream.isPaused()) o.stream.pause();
      } else if (o.stream.isPaused()) o.stream.resume();
    }
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /**
   * Fills `into` (at least frameSize bytes), and each of `more` with the same frame in the further
   * formats, with the next frame. Resolves false at the clean end of the stream; rejects with E_MEDIA
   * when ffmpeg fails, the stream ends inside a frame, or (strict) the decoder reported an error at or
   * before this frame.
   */
  async read(into: Uint8Array, ...more: Uint8Array[]): Promise<boolean> {
    await this.#ready;
    if (more.length !== this.#outputs.length - 1) throw new RangeError(`read needs ${this.#outputs.length} buffers, one per output format`);
    let got = 0;
    for (let i = 0; i < this.#outputs.length; i++) if (await this.#fill(this.#outputs[i]!, i === 0 ? into : more[i - 1]!)) got += 1;
    if (got === 0) return false;
    if (got < this.#outputs.length) throw new IqaError('E_MEDIA', `${this.file}: the decoder's outputs end at different frames (frame ${this.framesRead + 1})`, { file: this.file });
    this.#balance();
    this.framesRead += 1;
    return true;
  }

  /** One output's next frame into `into`; false at its clean end. */
  async #fill(out: Output, into: Uint8Array): Promise<boolean> {
    let filled = 0;
    while (filled < out.size) {
      await this.#pinDamage();
      const damage = this.#damageBefore(this.framesRead + 1);
      if (damage) throw damage;
      if (out.chunks.length === 0) {
        if (out.ended) {
          await this.#exit;
          await this.#pinDamage();
          const late = this.#damageBefore(Infinity) ?? this.#failure;
          if (late) throw late;
          if (filled === 0) return false;
          throw new IqaError('E_MEDIA', `${this.file}: the stream ends inside frame ${this.framesRead + 1} (truncated or wrong geometry)`, { file: this.file });
        }
        await new Promise<void>((r) => (this.#wake = r));
        continue;
      }
      const head = out.chunks[0]!;
      const take = Math.min(head.length, out.size - filled);
      into.set(take === head.length ? head : head.subarray(0, take), filled);
      filled += take;
      out.queued -= take;
      if (take === head.length) out.chunks.shift();
      else out.chunks[0] = head.subarray(take);
    }
    return true;
  }

  /**
   * Strict mode: E_MEDIA when the decoder reported an error in one of the first `delivered` frames
   * (counted after the skipped ones), i.e. one of them is damaged or concealed.
   */
  #damageBefore(delivered: number): IqaError | null {
    const log = this.#exactLog?.firstErrorFrame != null ? this.#exactLog : this.#log;
    const at = log.firstErrorFrame;
    if (this.#accept || at === null || at >= this.#skipped + delivered) return null;
    return new IqaError(
      'E_MEDIA',
      `${damageMessage(this.file, log)}; accept decode errors to compute from its concealed frames anyway`,
      { file: this.file, details: { firstBadFrame: at + 1, decoderError: log.firstError } },
    );
  }

  /** Strict and threaded, once the decoder reported damage: locates it exactly (see the header). */
  async #pinDamage(): Promise<void> {
    if (this.#accept || this.#threads <= 1 || this.#log.firstErrorFrame === null || this.#exactLog) return;
    this.#exact ??= exactDamage(this.file, this.#raw);
    this.#exactLog = await this.#exact;
  }

  /**
   * Waits until the decoder's log has accounted for every frame read so far (the log and the frames
   * come through different pipes), then rejects (strict) if one of them was damaged. For a reader
   * that is closed before the end of its stream (a pair truncated to the shorter side).
   */
  async settle(): Promise<void> {
    await this.#ready;
    while (!this.#logClosed && this.#log.framesDecoded < this.#skipped + this.framesRead) {
      await new Promise<void>((r) => (this.#wake = r));
    }
    await this.#pinDamage();
    const damage = this.#damageBefore(this.framesRead);
    if (damage) throw damage;
  }

  /** Decoder errors reported so far (concealed when accepted). */
  get decodeErrors(): number {
    return this.#log.errors;
  }

  /**
   * The decoder command, stored with results as provenance; with accepted decode errors it says so,
   * with the number of error lines the decoder printed (read it after the stream ended or settled).
   */
  get provenance(): string {
    return this.#accept ? `${this.command} [accept-decode-errors: ${this.#log.errors} decoder errors]` : this.command;
  }

  /** Stops the decoder (safe to call more than once). */
  close(): void {
    this.#closed = true;
    if (this.#child && this.#child.exitCode === null && !this.#child.killed) this.#child.kill('SIGKILL');
    for (const out of this.#outputs) {
      out.chunks = [];
      out.queued = 0;
    }
  }

  /** Waits for ffmpeg to exit after the last frame, and reports a late decoding error. */
  async finish(): Promise<void> {
    await this.#ready;
    await this.#exit;
    await this.#pinDamage();
    const late = this.#damageBefore(Infinity) ?? this.#failure;
    if (late) throw late;
  }
}
