/**
 * The file a participant's browser plays for a video stimulus, never re-encoded lossily.
 *
 * - A WebM source with VP8, VP9 or AV1 in 8-bit 4:2:0 plays in every Chromium as it is: it is served
 *   unchanged.
 * - Any other video gets a prepared copy: VP9 in WebM with `-lossless 1` (libvpx-vp9), in the source's
 *   own planar YUV format (4:2:0, 4:2:2, 4:4:0 or 4:4:4, 8, 10 or 12 bits), so every sample is kept.
 *   The copy is then decoded by the project's own decoder (media/frame-reader.ts, strict) beside the
 *   source, both to the source's native format (media/decode-format.ts), and must equal it frame for
 *   frame, byte for byte, with the same number of frames; otherwise it is deleted and the stimulus is
 *   E_MEDIA. A source format with no lossless VP9 form (RGB, grey, full-range yuvj) is E_UNSUPPORTED,
 *   with the reason; nothing is ever presented converted.
 * - Prepared once: `<project>/.iqa/playable/<sha256>.webm`, keyed by the source's content hash, with a
 *   `.json` beside it (written last, so its presence means "verified") that records the encoder and the
 *   verification. A re-import of the same content reuses it; a changed file has another hash.
 *
 * The encode and both decodes run in ffmpeg processes (through the process launcher); the engine's
 * thread only compares the frames (memcmp).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { IqaError } from '../../common/errors';
import type { Stimulus } from '../../common/domain';
import { isSha256Hex } from '../../common/sha256';
import { describeFormat } from '../../common/frame-format';
import { decodeFormatFor } from '../media/decode-format';
import { locateFfmpeg } from '../media/ffmpeg-locate';
import { FrameReader } from '../media/frame-reader';
import { inputArgs } from '../media/probe';
import { lastErrorLine, runTool } from '../media/run-tool';
import { PROJECT_CACHE_DIR } from '../store/project-db';

export interface PlayableVideo {
  file: string;
  mime: string;
  size: number;
  /** True for a prepared (lossless, verified) copy; false when the source plays as it is. */
  prepared: boolean;
}

/** What the `.json` beside a prepared copy records. */
export interface PlayableRecord {
  source: string;
  pixFmt: string;
  frames: number;
  encoder: string;
  decoder: string;
  verifiedAt: string;
}

/** The bytes a `sessions.video` reply carries at most (base64 in JSON: a third more on the wire). */
export const VIDEO_CHUNK_BYTES = 4 * 1024 * 1024;

const LOSSLESS_VP9 = /^yuv(420|422|440|444)p(10le|12le)?$/;

/** Whether Chromium plays the source itself (and so it is served unchanged). */
export function playsAsIs(s: Stimulus): boolean {
  return (
    /\.webm$/i.test(s.path) &&
    (s.container ?? '').includes('webm') &&
    ['vp8', 'vp9', 'av1'].includes(s.codec ?? '') &&
    s.pixFmt === 'yuv420p' &&
    s.rawGeometry === null
  );
}

export function playableDir(projectDir: string): string {
  return join(projectDir, PROJECT_CACHE_DIR, 'playable');
}

function copyPath(projectDir: string, sha256: string): string {
  // The hash comes from a project row: anything but hex would let a crafted row name another file.
  if (!isSha256Hex(sha256)) throw new IqaError('E_STORE', `${projectDir}: a stimulus has a malformed content hash (not 64 hex digits): the project database was altered`, { file: projectDir });
  return join(playableDir(projectDir), `${sha256}.webm`);
}

const inFlight = new Map<string, Promise<PlayableVideo>>();

/**
 * The playable file of a video stimulus: the source, or its verified lossless copy (prepared now if
 * there is none yet; concurrent callers share one preparation).
 */
export function playableVideo(projectDir: string, s: Stimulus, sourceFile: string, signal?: AbortSignal): Promise<PlayableVideo> {
  if (s.kind !== 'video') throw new IqaError('E_INPUT', `${s.path} is not a video`);
  if (playsAsIs(s)) return Promise.resolve({ file: sourceFile, mime: 'video/webm', size: statSync(sourceFile).size, prepared: false });
  const out = copyPath(projectDir, s.sha256);
  if (existsSync(`${out}.json`) && existsSync(out)) return Promise.resolve({ file: out, mime: 'video/webm', size: statSync(out).size, prepared: true });
  let p = inFlight.get(out);
  if (!p) {
    p = prepare(s, sourceFile, out, signal).finally(() => inFlight.delete(out));
    inFlight.set(out, p);
  }
  return p;
}

/** The record of a prepared copy (null when there is none, or the source plays as it is). */
export function playableRecord(projectDir: string, s: Stimulus): PlayableRecord | null {
  const out = copyPath(projectDir, s.sha256);
  try {
    return JSON.parse(readFileSync(`${out}.json`, 'utf8')) as PlayableRecord;
  } catch {
    return null;
  }
}

/**
 * Why a video cannot be presented losslessly in the browser (no lossless VP9 form for its pixel format),
 * or null when it plays as it is or can be prepared. Cheap: nothing is decoded (studies.validate asks).
 */
export function unplayableReason(s: Stimulus, sourceFile: string): string | null {
  if (s.kind !== 'video' || playsAsIs(s)) return null;
  const format = decodeFormatFor(s, sourceFile);
  if (format.layout === 'yuv' && LOSSLESS_VP9.test(format.pixFmt)) return null;
  return `${s.path}: no lossless form the browser plays for ${describeFormat(format)} (lossless VP9 keeps limited-range planar YUV 4:2:0/4:2:2/4:4:0/4:4:4 at 8, 10 or 12 bits)`;
}

async function prepare(s: Stimulus, sourceFile: string, out: string, signal?: AbortSignal): Promise<PlayableVideo> {
  const raw = s.rawGeometry ?? undefined;
  const format = decodeFormatFor(s, sourceFile);
  const unplayable = unplayableReason(s, sourceFile);
  if (unplayable) throw new IqaError('E_UNSUPPORTED', `${unplayable}: convert the source to one of those`, { file: sourceFile });
  mkdirSync(dirname(out), { recursive: true });
  // An engine killed while preparing leaves its partial copy behind (named by its pid): those of this
  // content whose process is gone are removed; a live one (another engine on this project) is left alone.
  for (const f of readdirSync(dirname(out))) {
    const m = new RegExp(`^${s.sha256}\\.webm\\.(\\d+)\\.tmp\\.webm$`).exec(f);
    if (m && !processAlive(Number(m[1]))) rmSync(join(dirname(out), f), { force: true });
  }
  const tmp = `${out}.${process.pid}.tmp.webm`;
  const { ffmpeg } = locateFfmpeg();
  const args = [
    '-hide_banner', '-v', 'error', '-nostdin', '-y', '-noautorotate',
    ...inputArgs(sourceFile, raw),
    '-map', '0:v:0', '-an', '-sn', '-dn', '-fps_mode', 'passthrough',
    '-c:v', 'libvpx-vp9', '-lossless', '1', '-pix_fmt', format.pixFmt,
    '-deadline', 'good', '-cpu-used', '8', '-row-mt', '1',
    '-f', 'webm', tmp,
  ];
  try {
    const r = await runTool(ffmpeg, args, { ...(signal ? { signal } : {}) });
    if (r.code !== 0) throw new IqaError('E_MEDIA', `${s.path}: preparing a lossless playable copy failed (${lastErrorLine(r.stderr, sourceFile)})`, { file: sourceFile });
    const { frames, decoder } = await verifyFrameExact(sourceFile, tmp, format, raw, signal);
    renameSync(tmp, out);
    const record: PlayableRecord = { source: s.sha256, pixFmt: format.pixFmt, frames, encoder: ['ffmpeg', ...args.slice(0, -1), '<copy>'].join(' '), decoder, verifiedAt: new Date().toISOString() };
    writeFileSync(`${out}.json`, `${JSON.stringify(record, null, 2)}\n`);
    return { file: out, mime: 'video/webm', size: statSync(out).size, prepared: true };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Decodes the source and the copy side by side to the source's native format (strict, one thread each)
 * and requires every frame to be byte-identical and the frame counts equal. E_MEDIA names the first
 * differing frame.
 */
export async function verifyFrameExact(
  sourceFile: string,
  copyFile: string,
  format: ReturnType<typeof decodeFormatFor>,
  raw: Stimulus['rawGeometry'] | undefined,
  signal?: AbortSignal,
): Promise<{ frames: number; decoder: string }> {
  const opts = { threads: 1, ...(signal ? { signal } : {}) };
  const a = new FrameReader(sourceFile, format, { ...opts, ...(raw ? { raw } : {}) });
  const b = new FrameReader(copyFile, format, opts);
  const fa = new Uint8Array(a.frameSize);
  const fb = new Uint8Array(b.frameSize);
  let frames = 0;
  try {
    for (;;) {
      const [ga, gb] = await Promise.all([a.read(fa), b.read(fb)]);
      if (ga !== gb) throw new IqaError('E_MEDIA', `${sourceFile}: the playable copy has ${ga ? 'fewer' : 'more'} frames than the source (they part at frame ${frames + 1})`, { file: sourceFile });
      if (!ga) break;
      frames += 1;
      if (Buffer.compare(fa, fb) !== 0) throw new IqaError('E_MEDIA', `${sourceFile}: the playable copy differs from the source at frame ${frames}: it is not lossless`, { file: sourceFile });
    }
    await Promise.all([a.finish(), b.finish()]);
  } finally {
    a.close();
    b.close();
  }
  if (frames === 0) throw new IqaError('E_MEDIA', `${sourceFile}: the decoder gave no frame`, { file: sourceFile });
  return { frames, decoder: a.command };
}

/** One chunk of the playable file: `length` bytes from `offset` (fewer at the end). */
export async function readChunk(file: string, offset: number, length = VIDEO_CHUNK_BYTES): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
