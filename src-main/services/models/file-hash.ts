/**
 * SHA-256 of model files (and of the images a feature cache keys), computed once per process: cached by
 * path and invalidated when the file's size or mtime changes (a replaced file is hashed again). The
 * bytes are hashed in a worker thread (workers/file-hash.worker.ts), never on the engine's thread.
 */
import { statSync } from 'node:fs';
import type { Piscina } from 'piscina';
import type { FileHashReply } from '../../workers/file-hash-messages';
import { newWorkerPool } from '../worker-pool';

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: Promise<string>;
}

const cache = new Map<string, Entry>();
let pool: Piscina | undefined;

async function hashInWorker(path: string): Promise<string> {
  pool ??= newWorkerPool({ worker: 'file-hash.worker', minThreads: 0, maxThreads: 1, idleTimeout: 5_000 });
  const reply = (await pool.run({ path })) as FileHashReply;
  if (reply.ok) return reply.sha256;
  // The fs error as the caller would have had it reading the file itself (callers read its code).
  const err = new Error(reply.message) as NodeJS.ErrnoException;
  err.code = reply.code;
  throw err;
}

/** Stops the hashing thread (the engine's shutdown; the next hash starts a new one). */
export async function closeFileHashPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}

export interface FileIdentity {
  size: number;
  mtimeMs: number;
}

export function fileIdentity(path: string): FileIdentity {
  const st = statSync(path);
  return { size: st.size, mtimeMs: st.mtimeMs };
}

/** The file's SHA-256 (lower-case hex; the cached promise while the file is unchanged); rejects with the fs error when it cannot be read. */
export function sha256File(path: string): Promise<string> {
  let size: number;
  let mtimeMs: number;
  try {
    ({ size, mtimeMs } = fileIdentity(path));
  } catch (err) {
    return Promise.reject(err);
  }
  const hit = cache.get(path);
  if (hit && hit.size === size && hit.mtimeMs === mtimeMs) return hit.sha256;
  const sha256 = hashInWorker(path);
  const entry = { size, mtimeMs, sha256 };
  cache.set(path, entry);
  sha256.catch(() => {
    if (cache.get(path) === entry) cache.delete(path);
  });
  return sha256;
}

