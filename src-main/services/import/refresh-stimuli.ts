/**
 * Before metrics are computed (or skipped as stored), each file involved is checked against what the
 * store recorded when it was hashed: same size and modification time means same content (the rule
 * rsync and git use), anything else is re-hashed. A file whose content changed gets its new hash and
 * media properties recorded, its thumbnail remade, and the values computed from its old content
 * deleted (stimuli-repo, recordFileContent), so the run recomputes them under the new hash.
 *
 * A file that cannot be read or probed any more is left to the computation, which reports it for the
 * pairs that use it; its hash is still updated when it could be read, since the old values are wrong.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MediaInfo } from '../../common/domain';
import { IqaError } from '../../common/errors';
import { probeMedia } from '../media/probe';
import { makeThumbnail } from '../media/thumbnail';
import type { Db } from '../store/project-db';
import { fileStates, recordFileContent, type FileState } from '../store/stimuli-repo';
import { sha256File } from './hash';

export interface RefreshReport {
  /** Project-relative paths hashed again because their size or mtime differed (or were unknown). */
  rehashed: string[];
  /** Of those, the ones whose content changed: their stored values were deleted. */
  changed: string[];
}

/** Whether a stat of the file can stand for its recorded hash. */
export function statMatches(state: Pick<FileState, 'sizeBytes' | 'mtimeMs'>, stat: { size: number; mtimeMs: number }): boolean {
  return state.mtimeMs !== null && state.sizeBytes === stat.size && state.mtimeMs === stat.mtimeMs;
}

export async function refreshStimuli(db: Db, projectDir: string, ids: readonly number[], signal?: AbortSignal): Promise<RefreshReport> {
  const report: RefreshReport = { rehashed: [], changed: [] };
  for (const state of fileStates(db, ids)) {
    if (signal?.aborted) throw new IqaError('E_CANCELLED', 'cancelled while checking files for changes');
    const file = resolve(projectDir, state.path);
    let stat;
    try {
      stat = statSync(file);
    } catch {
      continue; // a missing file is reported by the computation that needs it
    }
    if (statMatches(state, stat)) continue;
    let sha256: string;
    try {
      sha256 = await sha256File(file, signal);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw new IqaError('E_CANCELLED', 'cancelled while checking files for changes');
      continue;
    }
    report.rehashed.push(state.path);
    const info = sha256 === state.sha256 ? null : await probeOrNull(file, state, sha256, projectDir, signal);
    if (recordFileContent(db, state.id, state.sha256, { sha256, sizeBytes: stat.size, mtimeMs: stat.mtimeMs, info })) report.changed.push(state.path);
  }
  return report;
}

async function probeOrNull(file: string, state: FileState, sha256: string, projectDir: string, signal?: AbortSignal): Promise<MediaInfo | null> {
  const raw = state.rawGeometry ?? undefined;
  try {
    const info = await probeMedia(file, { raw, signal });
    await makeThumbnail(file, projectDir, sha256, { raw, signal });
    return info;
  } catch {
    if (signal?.aborted) throw new IqaError('E_CANCELLED', 'cancelled while checking files for changes');
    return null;
  }
}
