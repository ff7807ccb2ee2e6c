/**
 * Listing the candidate files of an import folder. Only regular files are ever read: a device, FIFO
 * or socket would block or never end when hashed. A symbolic link is followed when it points to a
 * regular file (wherever that file is; the link's own path and name are used), never into a folder
 * (that could loop), and every other entry that is not imported is reported, never dropped silently.
 * Hidden entries and the project's own database and cache are the only entries left out without a line.
 */
import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ImportIssue } from '../../common/domain';
import { PROJECT_CACHE_DIR, PROJECT_DB_FILE } from '../store/project-db';

export interface ScannedFile {
  file: string;
  /** Folder names between the root and the file. */
  dirs: string[];
}

/** What a non-regular file system entry is, in words (for issues). */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

/**
 * Why `file` cannot be read as media, or null when it is (or links to) a regular file. Never opens
 * the file, so it is safe on a FIFO or a device.
 */
export function whyNotRegularFile(file: string): { code: ImportIssue['code']; reason: string } | null {
  let link: Stats;
  try {
    link = lstatSync(file);
  } catch (err) {
    return { code: 'E_NOT_FOUND', reason: `cannot read (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})` };
  }
  if (link.isFile()) return null;
  if (!link.isSymbolicLink()) return { code: 'E_UNSUPPORTED', reason: `${kindOf(link)}, not a regular file; skipped` };
  let target: Stats;
  try {
    target = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { code: 'E_INPUT', reason: 'symbolic link loop; skipped' };
    if (code === 'ENOENT') return { code: 'E_NOT_FOUND', reason: 'broken symbolic link (its target does not exist); skipped' };
    return { code: 'E_INPUT', reason: `symbolic link whose target cannot be read (${code ?? 'unknown error'}); skipped` };
  }
  if (target.isFile()) return null;
  if (target.isDirectory()) return { code: 'E_UNSUPPORTED', reason: 'symbolic link to a folder (not followed); skipped' };
  return { code: 'E_UNSUPPORTED', reason: `symbolic link to ${kindOf(target)}, not a regular file; skipped` };
}

/**
 * Regular files (and links to them) under `root`, recursively when asked, in name order; `skipped`
 * holds one issue for every other entry met.
 */
export function scanImportFolder(root: string, recursive: boolean): { files: ScannedFile[]; skipped: ImportIssue[] } {
  const files: ScannedFile[] = [];
  const skipped: ImportIssue[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === PROJECT_CACHE_DIR || e.name.startsWith(PROJECT_DB_FILE)) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (recursive) walk(full);
        continue;
      }
      const why = whyNotRegularFile(full);
      if (why) {
        skipped.push({ file: full, ...why });
        continue;
      }
      const rel = relative(root, dir);
      files.push({ file: full, dirs: rel ? rel.split(sep) : [] });
    }
  };
  walk(root);
  return { files, skipped };
}

/** The regular files of `scanImportFolder`, for callers that only need the list. */
export function scanFolder(root: string, recursive: boolean): ScannedFile[] {
  return scanImportFolder(root, recursive).files;
}
