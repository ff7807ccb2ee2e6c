/**
 * Streaming decode: ffmpeg writes raw frames to a pipe, and `read(into)` copies exactly one frame
 * into a buffer the caller owns (a reusable plane buffer, or a SharedArrayBuffer slot a worker will
 * read). Only a couple of frames are ever buffered (the pipe is paused beyond that), so memory is
 * constant in the video's length.
 *
 * Damage: ffmpeg conceals most decoding errors and exits 0, so the reader watches the decoder's log
 * (decoder-log.ts). By default the decoder runs strict and any decoding error fails the read with
 * E_MEDIA naming the file and the frame where it showed up; `acceptDecodeErrors` decodes as ffmpeg
 * always did (concealing) and only counts the errors, which `provenance` then records.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { IqaError } from '../../common/errors';
import type { RawVideoGeometry } from '../../common/domain';
import { frameBytes, type FrameFormat } from '../../common/frame-format';
import { locateFfmpeg } from './ffmpeg-locate';
import { inputArgs } from './probe';
import { lastErrorLine } from './run-tool';
import { DECODER_LOG_ARGS, DecoderLog, STRICT_DECODE_ARGS, damageMessage } from './decoder-log';

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
}

export class FrameReader {
  readonly file: string;
  readonly format: FrameFormat;
  readonly frameSize: number;
  /** The decoder command line, stored with results as provenance. */
  readonly command: string;
  #child: ChildProcessByStdio<null, Readable, Readable>;
  #chunks: Buffer[] = [];
  #queued = 0;
  #ended = false;
  #exit: Promise<void>;
  #log = new DecoderLog();
  #logClosed = false;
  readonly #accept: boolean;
  readonly #skipped: number;
  #failure: IqaError | null = null;
  #wake: (() => void) | null = null;
  framesRead = 0;

  constructor(file: string, format: FrameFormat, options: FrameReaderOptions = {}) {
    this.file = file;
    this.format = format;
    this.frameSize = frameBytes(format);
    const { ffmpeg } = locateFfmpeg();
    const filters = [...(options.filters ?? [])];
    this.#accept = options.acceptDecodeErrors ?? false;
    this.#skipped = options.skippedFrames ?? 0;
    const args = [
      // -noautorotate: frames come out as coded, the size ffprobe reports (a rotation tag would
      // otherwise swap width and height without changing the byte count).
      ...DECODER_LOG_ARGS, '-nostdin', '-threads', '1', '-noautorotate',
      ...(this.#accept ? [] : STRICT_DECODE_ARGS),
      ...inputArgs(file, options.raw),
      '-map', '0:v:0',
      ...(filters.length ? ['-vf', filters.join(',')] : []),
      '-fps_mode', 'passthrough',
      '-f', 'rawvideo', '-pix_fmt', format.pixFmt, '-',
    ];
    this.command = ['ffmpeg', ...args].join(' ');
    this.#child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const child = this.#child;
    child.stdout.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued > 2 * this.frameSize) child.stdout.pause();
      this.#notify();
    });
    child.stdout.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => {
      this.#log.push(c);
      this.#notify();
    });
    child.stderr.on('close', () => {
      this.#log.end();
      this.#logClosed = true;
      this.#notify();
    });
    this.#exit = new Promise((resolve) => {
      child.on('error', (err) => {
        this.#failure = new IqaError('E_FFMPEG_MISSING', `cannot run ffmpeg for ${file}: ${err.message}`, { file });
        this.#ended = true;
        this.#logClosed = true;
        this.#notify();
        resolve();
      });
      child.on('close', (code, signal) => {
        if (code !== 0 && !this.#failure && signal !== 'SIGKILL' && (this.#accept || this.#log.firstErrorFrame === null)) {
          this.#failure = new IqaError('E_MEDIA', `${file}: decoding failed (${lastErrorLine(this.#log.tail, file)})`, { file });
        }
        this.#ended = true;
        this.#notify();
        resolve();
      });
    });
    const onAbort = () => this.close();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /**
   * Fills `into` (at least frameSize bytes) with the next frame. Resolves false at the clean end of
   * the stream; rejects with E_MEDIA when ffmpeg fails, the stream ends inside a frame, or (strict)
   * the decoder reported an error at or before this frame.
   */
  async read(into: Uint8Array): Promise<boolean> {
    let filled = 0;
    while (filled < this.frameSize) {
      const damage = this.#damageBefore(this.framesRead + 1);
      if (damage) throw damage;
      if (this.#chunks.length === 0) {
        if (this.#ended) {
          await this.#exit;
          const late = this.#damageBefore(Infinity) ?? this.#failure;
          if (late) throw late;
          if (filled === 0) return false;
          throw new IqaError('E_MEDIA', `${this.file}: the stream ends inside frame ${this.framesRead + 1} (truncated or wrong geometry)`, { file: this.file });
        }
        await new Promise<void>((r) => (this.#wake = r));
        continue;
      }
      const head = this.#chunks[0]!;
      const take = Math.min(head.length, this.frameSize - filled);
      into.set(take === head.length ? head : head.subarray(0, take), filled);
      filled += take;
      this.#queued -= take;
      if (take === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(take);
    }
    if (this.#queued <= 2 * this.frameSize && this.#child.stdout.isPaused()) this.#child.stdout.resume();
    this.framesRead += 1;
    return true;
  }

  /**
   * Strict mode: E_MEDIA when the decoder reported an error in one of the first `delivered` frames
   * (counted after the skipped ones), i.e. one of them is damaged or concealed.
   */
  #damageBefore(delivered: number): IqaError | null {
    const at = this.#log.firstErrorFrame;
    if (this.#accept || at === null || at >= this.#skipped + delivered) return null;
    return new IqaError(
      'E_MEDIA',
      `${damageMessage(this.file, this.#log)}; accept decode errors to compute from its concealed frames anyway`,
      { file: this.file, details: { firstBadFrame: at + 1, decoderError: this.#log.firstError } },
    );
  }

  /**
   * Waits until the decoder's log has accounted for every frame read so far (the log and the frames
   * come through different pipes), then rejects (strict) if one of them was damaged. For a reader
   * that is closed before the end of its stream (a pair truncated to the shorter side).
   */
  async settle(): Promise<void> {
    while (!this.#logClosed && this.#log.framesDecoded < this.#skipped + this.framesRead) {
      await new Promise<void>((r) => (this.#wake = r));
    }
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
    if (this.#child.exitCode === null && !this.#child.killed) this.#child.kill('SIGKILL');
    this.#chunks = [];
    this.#queued = 0;
  }

  /** Waits for ffmpeg to exit after the last frame, and reports a late decoding error. */
  async finish(): Promise<void> {
    await this.#exit;
    const late = this.#damageBefore(Infinity) ?? this.#failure;
    if (late) throw late;
  }
}
