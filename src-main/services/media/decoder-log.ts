/**
 * Reading ffmpeg's log while it decodes, to tell a damaged stream from an intact one. ffmpeg conceals
 * most decoding errors (it exits 0 and outputs the patched-up frames), so the exit code proves
 * nothing: the log does. The decoder is run with `-v repeat+level+info -debug_ts`, which tags every
 * line with its level and prints one `decoder -> …` line per decoded frame, in the same stream as the
 * errors: the number of such lines before the first error is the frame the error showed up in.
 *
 * Precision of that frame number: exact for streams decoded in display order (intra-only, no
 * B-frames); with B-frames it is the number of frames the decoder had output in display order, so the
 * damaged frame is that one or one within the reorder depth (a few frames) after it. Damage that still
 * parses as valid syntax produces no error and cannot be seen here at all.
 */

/** The log flags the readers below expect (each line tagged `[level]`; repeats not folded). */
export const DECODER_LOG_ARGS: readonly string[] = ['-hide_banner', '-v', 'repeat+level+info', '-debug_ts'];

/**
 * How strictly the decoder treats damage. Strict: error detection on, and ffmpeg exits at the first
 * decoding error (`-xerror`) instead of concealing it. Tolerant: ffmpeg conceals as it always did; the
 * errors are only counted.
 */
export const STRICT_DECODE_ARGS: readonly string[] = ['-err_detect', '+crccheck+bitstream+buffer+explode', '-xerror'];

export type DecoderLogLine =
  | { kind: 'frame' }
  | { kind: 'error'; text: string }
  | null;

const LEVEL_TAG = /\[(panic|fatal|error|warning|info|verbose|debug|trace)\] /;

/** One log line: a decoded video frame, a decoding problem (with its text, context prefix removed), or nothing of interest. */
export function classifyLogLine(line: string): DecoderLogLine {
  const m = LEVEL_TAG.exec(line);
  if (!m) return null;
  const level = m[1]!;
  const text = line.slice(m.index + m[0].length).trim();
  if (level === 'info') {
    // ffmpeg 5/6 say "decoder -> ist_index:0 type:video …"; 7 drops the type (and only maps our one video stream).
    return /^decoder -> /.test(text) && !/ type:(audio|subtitle)/.test(text) ? { kind: 'frame' } : null;
  }
  if (level === 'panic' || level === 'fatal' || level === 'error') return { kind: 'error', text: withContext(line.slice(0, m.index), text) };
  // A frame the decoder itself flags as corrupt (AV_FRAME_FLAG_CORRUPT) is only a warning in ffmpeg's log.
  if (level === 'warning' && /corrupt decoded frame/.test(text)) return { kind: 'error', text };
  return null;
}

/**
 * "[h264 @ 0x55…] " becomes "h264: " (the address means nothing to a user); "[NULL @ …]", a context
 * not yet bound to a codec, is dropped.
 */
function withContext(prefix: string, text: string): string {
  const ctx = /^\[([^\]@]+?)\s*@\s*0x[0-9a-f]+\]\s*$/i.exec(prefix);
  return ctx && ctx[1] !== 'NULL' ? `${ctx[1]}: ${text}` : text;
}

/** What the log has said so far; fed chunk by chunk, constant memory. */
export class DecoderLog {
  /** Frames the decoder has output. */
  framesDecoded = 0;
  /** Lines that reported a decoding problem. */
  errors = 0;
  /** 0-based index of the frame being decoded when the first problem was reported, or null. */
  firstErrorFrame: number | null = null;
  firstError = '';
  /** The last problem lines (for an ffmpeg that fails outright), bounded. */
  tail = '';
  #partial = '';

  push(chunk: string): void {
    const lines = (this.#partial + chunk).split(/\r?\n/);
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  /** Parses a last line that had no newline (call once the stream closed). */
  end(): void {
    if (this.#partial) this.#line(this.#partial);
    this.#partial = '';
  }

  #line(line: string): void {
    const c = classifyLogLine(line);
    if (c === null) {
      // Untagged lines come from a tool that failed before it could set up logging: keep them.
      if (line.trim() && !LEVEL_TAG.test(line)) this.#keep(line.trim());
      return;
    }
    if (c.kind === 'frame') {
      this.framesDecoded += 1;
      return;
    }
    this.errors += 1;
    if (this.firstErrorFrame === null) {
      this.firstErrorFrame = this.framesDecoded;
      this.firstError = c.text;
    }
    this.#keep(c.text);
  }

  #keep(text: string): void {
    this.tail = (this.tail + text + '\n').slice(-4096);
  }
}

/**
 * The one-line E_MEDIA message for a damaged stream. `near`: the decoder ran with several threads,
 * so the frame number is only close (within the thread count) to the damaged one.
 */
export function damageMessage(file: string, log: DecoderLog, near = false): string {
  return `${file}: damaged: the decoder reported an error ${near ? 'near' : 'at'} frame ${(log.firstErrorFrame ?? 0) + 1} (${log.firstError})`;
}
