/**
 * Worker thread (run by piscina) that hashes a file: SHA-256 of its bytes, read in 4 MiB chunks. A
 * model file is 10–500 MB; hashed on the engine's thread, even in chunks, it took most of that thread
 * for the first few hundred milliseconds of an LPIPS or FID run. File-system errors come back as data
 * with their code (a thrown error would lose it crossing the thread).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { FileHashReply, FileHashTask } from './file-hash-messages';
import { yieldToEngineThread } from './thread-priority';

yieldToEngineThread();

const CHUNK = 4 * 1024 * 1024;
let buffer: Buffer | undefined;

export default function hashFile(task: FileHashTask): FileHashReply {
  try {
    const fd = openSync(task.path, 'r');
    try {
      const h = createHash('sha256');
      buffer ??= Buffer.allocUnsafe(CHUNK);
      for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) h.update(buffer.subarray(0, n));
      return { ok: true, sha256: h.digest('hex') };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, code: e.code ?? 'EIO', message: e.message };
  }
}
