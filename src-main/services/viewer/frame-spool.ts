/**
 * The viewer's frame spool: every frame of one side of a video pair, as the viewer's decoders deliver
 * it (the native planes and rgb24, after the side's filters), written once to a raw file in the user
 * data cache, so that a jump to any frame is a read at an offset instead of a decode from the keyframe
 * before it (on a file with one keyframe, frames 0…k: seconds at 1080p).
 *
 * Identical by construction: the spool pass reads the file through the same FrameReader as the viewer
 * (the same formats, the same filters, strict decoding), from frame 0 without a seek, and stores its
 * output bytes as they are. Any decoder error, a stream that ends early or late, or a file that changed
 * while it was read leaves no spool (the viewer's decoders then report the error as before).
 *
 * Layout, in `<user data>/cache/viewer-spool/`: `<key>.frames` (frame k's record, the formats one after
 * another, at k × record bytes) and `<key>.json` (what it holds). The key hashes the file's identity
 * (absolute path, size, mtime, inode), the raw geometry, the filters, the formats and the ffmpeg used.
 * Written atomically: the frames go to a temporary name, are flushed and counted, then renamed; the
 * description is written last the same way. A spool is used only when its description exists and the
 * frames file has exactly frames × record bytes, so a spool left half-written by a killed engine is never
 * read (and is removed by the next build's sweep).
 *
 * Bounded: all spools together stay under maxBytes (IQA_VIEWER_SPOOL_MAX_BYTES, default 8 GiB); one
 * side is spooled only when it needs at most half of that and the disk keeps 1 GiB free; the least
 * recently used spools are removed to make room, and so are those of files that are gone or changed.
 * Raw 1080p yuv420p + rgb24 is 9.3 MB a frame a side (the bench's 120-frame pair: 2.24 GB). Memory is
 * constant in the video's length (one frame at a time).
 *
 * Why raw: an all-intra lossless copy (FFV1 -g 1) of the bench's reference is 66 MB instead of 1.12 GB,
 * but costs ~35 ms of CPU per 1080p frame to decode plus an ffmpeg start per seek; a raw frame is a read
 * at an offset (milliseconds from the page cache). bench/README.md row 10 has the numbers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, statfs, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RawVideoGeometry } from '../../common/domain';
import { frameBytes, type FrameFormat } from '../../common/frame-format';
import { locateFfmpeg } from '../media/ffmpeg-locate';
import { FrameReader } from '../media/frame-reader';
import { defaultUserDataDir } from '../user-data';

const SPOOL_VERSION = 1;
const GIB = 1024 ** 3;
/** Temporary files and orphaned frame files untouched this long belong to no running build. */
const STALE_MS = 10 * 60_000;

/** One side of a pair as the viewer decodes it. */
export interface SpoolSpec {
  file: string;
  raw?: RawVideoGeometry;
  filters: readonly string[];
  /** The reader's output formats (the viewer's: native, rgb24). */
  formats: readonly FrameFormat[];
  /** The frames the probe counted (null: unknown). */
  frames: number | null;
}

interface SpoolMeta {
  version: number;
  file: string;
  size: number;
  mtimeMs: number;
  frames: number;
  recordBytes: number;
  formats: string[];
  command: string;
}

/** The spool folder: IQA_VIEWER_SPOOL_DIR, else `<user data>/cache/viewer-spool`. */
export function defaultSpoolDir(): string {
  return process.env.IQA_VIEWER_SPOOL_DIR ?? join(defaultUserDataDir(), 'cache', 'viewer-spool');
}

function defaultMaxBytes(): number {
  const env = Number(process.env.IQA_VIEWER_SPOOL_MAX_BYTES);
  return Number.isFinite(env) && env >= 0 ? env : 8 * GIB;
}

const formatName = (f: FrameFormat) => `${f.pixFmt}:${f.width}x${f.height}`;

/** A complete spool, open for reading. */
export class FrameSpool {
  readonly frames: number;
  readonly sizes: readonly number[];
  readonly recordBytes: number;
  /** The decoder command the frames came from. */
  readonly command: string;
  readonly path: string;
  #fh: FileHandle | null;

  constructor(fh: FileHandle, path: string, meta: SpoolMeta, sizes: number[]) {
    this.#fh = fh;
    this.path = path;
    this.frames = meta.frames;
    this.sizes = sizes;
    this.recordBytes = meta.recordBytes;
    this.command = meta.command;
  }

  /** Frame k into one buffer per format; false past the last frame. */
  async read(k: number, ...into: Uint8Array[]): Promise<boolean> {
    if (k < 0 || k >= this.frames) return false;
    if (!this.#fh) throw new Error('the frame spool is closed');
    let pos = k * this.recordBytes;
    for (let i = 0; i < this.sizes.length; i++) {
      const size = this.sizes[i]!;
      let done = 0;
      while (done < size) {
        const { bytesRead } = await this.#fh.read(into[i]!, done, size - done, pos + done);
        if (bytesRead === 0) throw new Error(`${this.path}: the frame spool is shorter than its description`);
        done += bytesRead;
      }
      pos += size;
    }
    return true;
  }

  close(): void {
    const fh = this.#fh;
    this.#fh = null;
    void fh?.close().catch(() => {});
  }
}

/** Builds in progress in this process, by key (two sessions showing the same file share one). */
const building = new Map<string, Promise<FrameSpool | null>>();

/** Spool work in progress in this process (builds, and sessions taking a finished spool into use). */
const pending = new Set<Promise<unknown>>();

/** Counts `work` as spool work until it settles (spoolsSettled waits for it). */
export function trackSpoolWork<T>(work: Promise<T>): Promise<T> {
  pending.add(work);
  const done = () => pending.delete(work);
  work.then(done, done);
  return work;
}

/** Resolves once no spool is being built or taken into use in this process (the bench and tests wait for it). */
export async function spoolsSettled(): Promise<void> {
  while (pending.size || building.size) await Promise.allSettled([...pending, ...building.values()]);
}

export class SpoolStore {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #abort = new AbortController();
  /** Bytes of the spools this store is writing now. */
  #reserved = 0;

  constructor(dir = defaultSpoolDir(), maxBytes = defaultMaxBytes()) {
    this.dir = dir;
    this.maxBytes = maxBytes;
  }

  async #key(spec: SpoolSpec): Promise<{ key: string; size: number; mtimeMs: number; ino: number }> {
    const st = await stat(spec.file);
    const id = [SPOOL_VERSION, resolve(spec.file), st.size, st.mtimeMs, st.ino, spec.raw ?? null, spec.filters, spec.formats.map(formatName), locateFfmpeg().ffmpeg];
    return { key: createHash('sha256').update(JSON.stringify(id)).digest('hex').slice(0, 32), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  }

  /** The side's complete spool, or null (none, or not usable). Marks it used. */
  async find(spec: SpoolSpec): Promise<FrameSpool | null> {
    try {
      const { key } = await this.#key(spec);
      return await this.#openComplete(key, spec);
    } catch {
      return null;
    }
  }

  async #openComplete(key: string, spec: SpoolSpec): Promise<FrameSpool | null> {
    const metaPath = join(this.dir, `${key}.json`);
    const framesPath = join(this.dir, `${key}.frames`);
    let meta: SpoolMeta;
    try {
      meta = JSON.parse(await readFile(metaPath, 'utf8')) as SpoolMeta;
    } catch {
      return null;
    }
    const sizes = spec.formats.map(frameBytes);
    const record = sizes.reduce((a, b) => a + b, 0);
    if (meta.version !== SPOOL_VERSION || meta.recordBytes !== record || JSON.stringify(meta.formats) !== JSON.stringify(spec.formats.map(formatName))) return null;
    const fh = await open(framesPath, 'r').catch(() => null);
    if (!fh) return null;
    const st = await fh.stat();
    if (st.size !== meta.frames * record) {
      await fh.close();
      return null;
    }
    const now = new Date();
    await utimes(metaPath, now, now).catch(() => {});
    return new FrameSpool(fh, framesPath, meta, sizes);
  }

  /**
   * The side's spool: the complete one, else one built now (a full strict decode, in the background of
   * the caller). Null when it cannot or must not be built (damage, no room, an unknown length); never throws.
   */
  obtain(spec: SpoolSpec): Promise<FrameSpool | null> {
    return this.#obtain(spec).catch(() => null);
  }

  async #obtain(spec: SpoolSpec): Promise<FrameSpool | null> {
    const id = await this.#key(spec);
    const found = await this.#openComplete(id.key, spec);
    if (found) return found;
    const at = join(this.dir, id.key);
    let b = building.get(at);
    if (!b) {
      b = this.#build(spec, id).catch(() => null).finally(() => building.delete(at));
      building.set(at, b);
    }
    const built = await b;
    built?.close();
    // Each caller gets its own handle.
    return built ? this.#openComplete(id.key, spec) : null;
  }

  async #build(spec: SpoolSpec, id: { key: string; size: number; mtimeMs: number; ino: number }): Promise<FrameSpool | null> {
    if (spec.frames === null || spec.frames < 1 || this.#abort.signal.aborted) return null;
    const frames = spec.frames;
    const sizes = spec.formats.map(frameBytes);
    const record = sizes.reduce((a, b) => a + b, 0);
    const needed = spec.frames * record;
    if (needed > this.maxBytes / 2) return null;
    await mkdir(this.dir, { recursive: true });
    // Room for this one and the others being written now.
    await this.#makeRoom(needed + this.#reserved);
    const fs = await statfs(this.dir).catch(() => null);
    if (fs && fs.bavail * fs.bsize < needed + this.#reserved + GIB) return null;
    this.#reserved += needed;
    try {
      return await this.#write({ ...spec, frames }, id, sizes, record);
    } finally {
      this.#reserved -= needed;
    }
  }

  async #write(spec: SpoolSpec & { frames: number }, id: { key: string; size: number; mtimeMs: number; ino: number }, sizes: number[], record: number): Promise<FrameSpool | null> {
    const framesPath = join(this.dir, `${id.key}.frames`);
    const metaPath = join(this.dir, `${id.key}.json`);
    const tmp = `${framesPath}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const signal = this.#abort.signal;
    // Strict (the default), from frame 0, one decoder thread: the viewer's own decoders keep the rest.
    const reader = new FrameReader(spec.file, spec.formats, { raw: spec.raw, filters: [...spec.filters], threads: 1, signal });
    const fh = await open(tmp, 'w');
    let ok = false;
    try {
      const bufs = sizes.map((s) => new Uint8Array(s));
      let n = 0;
      while (await reader.read(bufs[0]!, ...bufs.slice(1))) {
        if (signal.aborted) return null;
        n += 1;
        if (n > spec.frames) return null;
        for (const b of bufs) await fh.write(b, 0, b.length);
      }
      await reader.finish();
      if (signal.aborted || n !== spec.frames) return null;
      await fh.sync();
      const st = await fh.stat();
      if (st.size !== n * record) return null;
      // The file must be the one the key names (not changed while it was read).
      const after = await stat(spec.file);
      if (after.size !== id.size || after.mtimeMs !== id.mtimeMs || after.ino !== id.ino) return null;
      await fh.close();
      await rename(tmp, framesPath);
      const meta: SpoolMeta = { version: SPOOL_VERSION, file: resolve(spec.file), size: id.size, mtimeMs: id.mtimeMs, frames: n, recordBytes: record, formats: spec.formats.map(formatName), command: reader.command };
      const metaTmp = `${metaPath}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      await writeFile(metaTmp, JSON.stringify(meta));
      await rename(metaTmp, metaPath);
      ok = true;
      return this.#openComplete(id.key, spec);
    } finally {
      reader.close();
      if (!ok) {
        await fh.close().catch(() => {});
        await rm(tmp, { force: true }).catch(() => {});
      }
    }
  }

  /**
   * Removes what no running build writes (temporary and orphaned files not touched for STALE_MS), then
   * the least recently used complete spools until `needed` more bytes fit under maxBytes.
   */
  async #makeRoom(needed: number): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const now = Date.now();
    const complete: { key: string; used: number; bytes: number }[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      const st = await stat(path).catch(() => null);
      if (!st) continue;
      const m = /^([0-9a-f]{32})\.(frames|json)$/.exec(name);
      if (!m) {
        if (now - st.mtimeMs > STALE_MS) await rm(path, { force: true }).catch(() => {});
        continue;
      }
      if (m[2] === 'json') {
        const frames = await stat(join(this.dir, `${m[1]}.frames`)).catch(() => null);
        // The spool of a file that is gone or has changed is never used again.
        const meta = await readFile(path, 'utf8').then((t) => JSON.parse(t) as SpoolMeta, () => null);
        const source = meta ? await stat(meta.file).catch(() => null) : null;
        if (!source || source.size !== meta!.size || source.mtimeMs !== meta!.mtimeMs) {
          await rm(path, { force: true }).catch(() => {});
          await rm(join(this.dir, `${m[1]}.frames`), { force: true }).catch(() => {});
          continue;
        }
        complete.push({ key: m[1]!, used: st.mtimeMs, bytes: frames?.size ?? 0 });
      } else if (!names.includes(`${m[1]}.json`) && now - st.mtimeMs > STALE_MS) {
        await rm(path, { force: true }).catch(() => {});
      }
    }
    let total = complete.reduce((a, c) => a + c.bytes, 0);
    complete.sort((a, b) => a.used - b.used);
    for (const c of complete) {
      if (total + needed <= this.maxBytes) break;
      // The description first: from then on the frames file is not used.
      await rm(join(this.dir, `${c.key}.json`), { force: true }).catch(() => {});
      await rm(join(this.dir, `${c.key}.frames`), { force: true }).catch(() => {});
      total -= c.bytes;
    }
  }

  /** Stops this store's builds (their temporary files are removed). */
  close(): void {
    this.#abort.abort();
  }
}
