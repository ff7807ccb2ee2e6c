/**
 * The import's check that a video decodes from its first frame to its last: a full, strict decode to
 * ffmpeg's null muxer (streamed: nothing is kept but the log's counters). A first-frame thumbnail
 * cannot see a file that is truncated or damaged further in, and ffmpeg conceals such damage unless
 * asked not to (decoder-log.ts).
 */
import { IqaError } from '../../common/errors';
import type { MediaInfo, RawVideoGeometry } from '../../common/domain';
import { DECODER_LOG_ARGS, DecoderLog, STRICT_DECODE_ARGS, damageMessage } from './decoder-log';
import { locateFfmpeg } from './ffmpeg-locate';
import { inputArgs } from './probe';
import { launchProcess } from './process-launcher';
import { lastErrorLine } from './run-tool';

/**
 * Time allowed: a floor for start-up and short clips, then ten times the duration (the decoder uses
 * every core and runs far faster than real time on the footage a study uses; a slow codec at 4K on
 * two cores still fits).
 */
export function decodeCheckTimeoutMs(durationS: number | null): number {
  return Math.max(120_000, 10_000 * (durationS ?? 0));
}

/** Resolves when every frame of the file's first video stream decodes without a decoder error; E_MEDIA otherwise. */
export function checkFullDecode(file: string, info: Pick<MediaInfo, 'durationS'>, options: { raw?: RawVideoGeometry; signal?: AbortSignal } = {}): Promise<void> {
  const { ffmpeg } = locateFfmpeg();
  const args = [...DECODER_LOG_ARGS, '-nostdin', ...STRICT_DECODE_ARGS, ...inputArgs(file, options.raw), '-map', '0:v:0', '-f', 'null', '-'];
  const timeoutMs = decodeCheckTimeoutMs(info.durationS);
  return launchProcess(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'], signal: options.signal, timeoutMs, killSignal: 'SIGKILL' }).then((child) => new Promise((resolve, reject) => {
    const log = new DecoderLog();
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => log.push(c));
    child.on('error', (err) => {
      if (err.name === 'AbortError') reject(new IqaError('E_CANCELLED', 'cancelled'));
      else reject(new IqaError('E_FFMPEG_MISSING', `cannot run ffmpeg for ${file}: ${err.message}`, { file, cause: err }));
    });
    child.on('close', (code, signal) => {
      log.end();
      if (options.signal?.aborted) return reject(new IqaError('E_CANCELLED', 'cancelled'));
      if (log.firstErrorFrame !== null) {
        return reject(new IqaError('E_MEDIA', damageMessage(file, log, true), { file, details: { firstBadFrame: log.firstErrorFrame + 1, decoderErrors: log.errors, decoderError: log.firstError } }));
      }
      if (signal === 'SIGKILL') return reject(new IqaError('E_MEDIA', `${file}: decoding did not finish within ${Math.round(timeoutMs / 1000)} s`, { file }));
      if (code !== 0) return reject(new IqaError('E_MEDIA', `${file}: decoding failed (${lastErrorLine(log.tail, file)})`, { file }));
      resolve();
    });
  }));
}
