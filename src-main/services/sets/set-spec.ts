/**
 * How a set of the distribution metrics (FID, KID, IS, FVD) becomes a list of files. What a set is
 * (the SetSpec structure, the CLI's one-string syntax and its parser, the project-group filter) lives
 * in common/set-spec.ts, shared with the contract and the renderer:
 *  - a folder: every image (png, jpg, jpeg, bmp, webp, tif, tiff) or, for FVD, every video under it,
 *    recursively, skipping hidden entries and a project's own files; sorted by path;
 *  - a project group: the stimuli of a project that match every key = value pair of the filter;
 *  - stored statistics (`stats:<file.npz>`): only FID can use them (see stats-file.ts).
 * Features are cached per file content in `<project>/.iqa/features` for project stimuli and in
 * `<user data>/feature-cache` for folders.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { IqaError } from '../../common/errors';
import { IMAGE_EXTENSIONS, RAW_VIDEO_EXTENSIONS, VIDEO_EXTENSIONS } from '../../common/media-formats';
import type { Stimulus } from '../../common/domain';
import { describeSpec, matchesFilter, parseFilter, parseSetSpecText, type SetSpec } from '../../common/set-spec';
import { scanFolder } from '../import/scan';
import { openProjectDb, PROJECT_CACHE_DIR, type Db } from '../store/project-db';
import { listStimuli } from '../store/stimuli-repo';
import { defaultUserDataDir } from '../user-data';

export { describeSpec, parseFilter, type SetSpec };

export type SetMediaKind = 'image' | 'video';

export interface SetItem {
  /** Absolute path of the file. */
  readonly file: string;
  /** Path relative to the folder or project, '/'-separated (for messages and reports). */
  readonly name: string;
  /** The SHA-256 the project recorded at import (checked against the file before use), when known. */
  readonly importedSha256?: string;
}

export interface ResolvedSet {
  readonly spec: SetSpec;
  /** "A" or "B": names the set in messages. */
  readonly label: string;
  /** One line describing the set ("folder /x", "project /p (role=distorted)"). */
  readonly description: string;
  readonly items: readonly SetItem[];
  /** Where this set's features are cached (before the model hash and resize folders). */
  readonly cacheDir: string;
  /** Notes about stimuli left out (wrong media kind). */
  readonly notes: readonly string[];
}

export const SET_IMAGE_EXTENSIONS: readonly string[] = IMAGE_EXTENSIONS;
export const SET_VIDEO_EXTENSIONS: readonly string[] = VIDEO_EXTENSIONS.filter((e) => !(RAW_VIDEO_EXTENSIONS as readonly string[]).includes(e));

/** A spec with its folder or file made absolute (against the working directory). */
export function resolveSpecPaths(spec: SetSpec): SetSpec {
  if (spec.type === 'stats') return { type: 'stats', file: resolve(spec.file) };
  if (spec.type === 'folder') return { type: 'folder', dir: resolve(spec.dir) };
  return { type: 'project', dir: resolve(spec.dir), filter: spec.filter };
}

/**
 * Parses a set string (common/set-spec.ts, parseSetSpecText) and resolves its paths. `extraFilter`
 * adds key=value pairs to a project set; given for a folder or stats file it is an E_INPUT error.
 */
export function parseSetSpec(text: string, extraFilter: Readonly<Record<string, string>> = {}, label = 'set'): SetSpec {
  return resolveSpecPaths(parseSetSpecText(text, extraFilter, label));
}

function extensionsOf(kind: SetMediaKind): readonly string[] {
  return kind === 'image' ? SET_IMAGE_EXTENSIONS : SET_VIDEO_EXTENSIONS;
}

function listOf(kind: SetMediaKind): string {
  return extensionsOf(kind)
    .map((e) => e.slice(1))
    .join(', ');
}

const posix = (p: string) => p.split(sep).join('/');

export interface ResolveSetOptions {
  /** Overrides <user data>/feature-cache for folder sets (tests). */
  folderCacheDir?: string;
  /** Opens a project's database (the engine passes its open handle); default: open, read, close. */
  openDb?: (dir: string) => { db: Db; close: boolean };
}

/** The folder cache of the user (`<user data>/feature-cache`). */
export function defaultFolderCacheDir(): string {
  return join(defaultUserDataDir(), 'feature-cache');
}

/**
 * The files of a set of `kind` media. Errors: a missing folder or project (E_NOT_FOUND / E_NOT_PROJECT),
 * a stats spec (E_INPUT: not a set of files), or a set with no matching files (E_INPUT, naming the folder
 * and the extensions looked for).
 */
export function resolveSet(spec: SetSpec, kind: SetMediaKind, label: string, opts: ResolveSetOptions = {}): ResolvedSet {
  const what = kind === 'image' ? 'images' : 'videos';
  if (spec.type === 'stats') throw new IqaError('E_INPUT', `set ${label}: ${spec.file} holds statistics, not ${what}`);
  if (spec.type === 'folder') {
    const dir = spec.dir;
    if (!existsSync(dir)) throw new IqaError('E_NOT_FOUND', `set ${label}: folder ${dir} does not exist`, { file: dir });
    if (!statSync(dir).isDirectory()) throw new IqaError('E_INPUT', `set ${label}: ${dir} is not a folder`, { file: dir });
    const exts = extensionsOf(kind);
    const items = scanFolder(dir, true)
      .filter((f) => exts.includes(extname(f.file).toLowerCase()))
      .map((f) => ({ file: f.file, name: posix(relative(dir, f.file)) }));
    if (items.length === 0) {
      throw new IqaError('E_INPUT', `set ${label}: no ${what} in folder ${dir} (looked recursively for ${listOf(kind)})`, { file: dir });
    }
    return { spec, label, description: describeSpec(spec), items, cacheDir: opts.folderCacheDir ?? defaultFolderCacheDir(), notes: [] };
  }
  const dir = spec.dir;
  const handle = opts.openDb ? opts.openDb(dir) : { db: openProjectDb(dir), close: true };
  let stimuli: Stimulus[];
  try {
    stimuli = listStimuli(handle.db);
  } finally {
    if (handle.close) handle.db.close();
  }
  const matching = stimuli.filter((s) => matchesFilter(s, spec.filter));
  const items = matching
    .filter((s) => s.kind === kind && !s.rawGeometry)
    .map((s) => ({ file: join(dir, ...s.path.split('/')), name: s.path, importedSha256: s.sha256 }))
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const notes: string[] = [];
  const skipped = matching.length - items.length;
  if (skipped > 0) notes.push(`set ${label}: ${skipped} matching stimul${skipped === 1 ? 'us is' : 'i are'} not ${what} (or raw .yuv) and ${skipped === 1 ? 'was' : 'were'} left out`);
  if (items.length === 0) {
    const f = describeSpec(spec);
    throw new IqaError('E_INPUT', `set ${label}: no ${what} in ${f} (${stimuli.length} stimuli, ${matching.length} matching the filter)`, { file: dir });
  }
  return { spec, label, description: describeSpec(spec), items, cacheDir: join(dir, PROJECT_CACHE_DIR, 'features'), notes };
}
