/** The messages between services/models/file-hash.ts and workers/file-hash.worker.ts (types only). */
export interface FileHashTask {
  path: string;
}

export type FileHashReply = { ok: true; sha256: string } | { ok: false; code: string; message: string };
