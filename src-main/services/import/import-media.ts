/**
 * Importing a folder, a CSV manifest or a single file into a project. Each file is hashed, probed
 * with ffprobe, decoded in full when it is a video (strictly: a decoder error is an issue), decoded
 * once more for its thumbnail (which also proves an image decodes) and stored with its
 * pair in its own transaction. A bad file becomes one issue naming it and the reason; the rest goes
 * on. Re-importing the same files changes nothing but their pairing and attributes.
 */
import { statSync } from 'node:fs';
import { basename, extname, relative, sep } from 'node:path';
import { IqaError, toIqaError } from '../../common/errors';
import type { ImportIssue, ImportReport, MediaInfo, Stimulus } from '../../common/domain';
import type { ImportOptions } from '../../common/contract';
import { mediaKindOfExtension } from '../../common/media-formats';
import { probeMedia } from '../media/probe';
import { makeThumbnail } from '../media/thumbnail';
import { checkFullDecode } from '../media/decode-check';
import type { Db } from '../store/project-db';
import { findReferenceByStem, findStimulusByPath, findStimulusBySha, getStimulus, saveStimulus } from '../store/stimuli-repo';
import { readCsvManifest } from './csv-manifest';
import { sha256File } from './hash';
import { planPairs, type PlannedStimulus } from './pairing';
import { kindOf, scanImportFolder, whyNotRegularFile } from './scan';

export interface ImportProgress {
  done: number;
  total: number;
  file: string;
  outcome: 'added' | 'updated' | 'unchanged' | 'issue';
}

export interface ImportContext {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /**
   * Throws when a file may not be read (a host confines requests to chosen folders: a symbolic link
   * or a manifest row can point anywhere). A refused file is a per-file issue.
   */
  checkFile?: (file: string) => void;
}

/** Project-relative path with '/' separators (what the database stores). */
export function projectRelative(projectDir: string, file: string): string {
  return relative(projectDir, file).split(sep).join('/');
}

/**
 * The files to import and the issues met while listing them. Only regular files (or links to them)
 * are planned, whatever the source (folder, manifest row or single file), so nothing later opens a
 * FIFO or a device; a folder with nothing to import carries one issue on the folder that says why.
 */
function planSource(source: string, options: ImportOptions): { plan: PlannedStimulus[]; issues: ImportIssue[] } {
  let st;
  try {
    st = statSync(source);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new IqaError('E_INPUT', `${source}: symbolic link loop`, { file: source });
    throw new IqaError('E_NOT_FOUND', `${source}: no such file or folder`, { file: source });
  }
  if (st.isDirectory()) {
    const { files, skipped } = scanImportFolder(source, options.recursive);
    const issues: ImportIssue[] = [...skipped];
    const media = [];
    for (const f of files) {
      if (mediaKindOfExtension(extname(f.file))) media.push({ key: f.file, dirs: f.dirs });
      else issues.push({ file: f.file, code: 'E_UNSUPPORTED', reason: `not a supported image or video type ("${extname(f.file) || 'no extension'}")` });
    }
    // Sorted by path, like the plan, so the report reads in the same order as the folder.
    issues.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    if (media.length === 0) issues.push({ file: source, code: 'E_INPUT', reason: nothingToImport(source, issues) });
    return { plan: planPairs(media, options.pattern), issues };
  }
  if (!st.isFile()) {
    return { plan: [], issues: [{ file: source, code: 'E_UNSUPPORTED', reason: `${kindOf(st)}, not a regular file: nothing imported` }] };
  }
  if (extname(source).toLowerCase() === '.csv') {
    const manifest = readCsvManifest(source);
    const issues = [...manifest.issues];
    const plan = manifest.plan.filter((p) => {
      const why = whyNotRegularFile(p.key);
      if (why) issues.push({ file: p.key, ...why });
      return !why;
    });
    return { plan, issues };
  }
  return { plan: planPairs([{ key: source, dirs: [] }], options.pattern), issues: [] };
}

/** Why a folder gave nothing to import: its skipped entries, the first few by name. */
function nothingToImport(dir: string, skipped: readonly ImportIssue[]): string {
  if (skipped.length === 0) return `no files in ${dir} (hidden entries are skipped)`;
  const SHOWN = 5;
  const names = skipped.slice(0, SHOWN).map((i) => basename(i.file));
  const more = skipped.length > SHOWN ? `, and ${skipped.length - SHOWN} more` : '';
  return `no supported media files in ${dir} (${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'} skipped: ${names.join(', ')}${more})`;
}

export async function importMedia(db: Db, projectDir: string, source: string, options: ImportOptions, ctx: ImportContext = {}): Promise<ImportReport> {
  const { plan, issues } = planSource(source, options);
  const report: ImportReport = { source, added: 0, updated: 0, unchanged: 0, unpaired: [], unpairedReasons: [], issues };
  // References first, so that each distorted file finds its reference's id.
  const ordered = [...plan.filter((p) => p.role === 'reference'), ...plan.filter((p) => p.role === 'distorted')];
  const idByKey = new Map<string, number>();
  const shaByKey = new Map<string, string>();
  let done = 0;
  for (const item of ordered) {
    if (ctx.signal?.aborted) throw new IqaError('E_CANCELLED', `import of ${source} cancelled after ${done} of ${ordered.length} files`);
    let outcome: ImportProgress['outcome'] = 'issue';
    try {
      ctx.checkFile?.(item.key);
      outcome = await importOne(db, projectDir, item, options, idByKey, shaByKey, report, ctx.signal);
    } catch (err) {
      const e = toIqaError(err);
      if (e.code === 'E_CANCELLED') throw e;
      report.issues.push({ file: item.key, code: e.code, reason: e.message.startsWith(item.key) ? e.message.slice(item.key.length).replace(/^:\s*/, '') : e.message });
    }
    done += 1;
    ctx.onProgress?.({ done, total: ordered.length, file: item.key, outcome });
  }
  return report;
}

async function importOne(
  db: Db,
  projectDir: string,
  item: PlannedStimulus,
  options: ImportOptions,
  idByKey: Map<string, number>,
  shaByKey: Map<string, string>,
  report: ImportReport,
  signal?: AbortSignal,
): Promise<'added' | 'updated' | 'unchanged'> {
  const path = projectRelative(projectDir, item.key);
  let sha256: string;
  let sizeBytes: number;
  let mtimeMs: number; // taken before hashing: a change during it shows as a newer mtime at the next run
  try {
    ({ size: sizeBytes, mtimeMs } = statSync(item.key));
    sha256 = await sha256File(item.key, signal);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw new IqaError('E_CANCELLED', 'cancelled');
    throw new IqaError('E_MEDIA', `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: item.key });
  }
  if (sizeBytes === 0) throw new IqaError('E_MEDIA', 'empty file (0 bytes)', { file: item.key });

  let referenceId: number | null = null;
  if (item.role === 'distorted') {
    referenceId = item.referenceKey ? (idByKey.get(item.referenceKey) ?? findStimulusByPath(db, projectRelative(projectDir, item.referenceKey))?.id ?? null) : null;
    if (referenceId === null && item.referenceStem) referenceId = findReferenceByStem(db, item.referenceStem)?.id ?? null;
  }

  // The same content twice is a duplicate, except a distorted file equal to its own reference
  // (a legitimate "identity" condition, e.g. a lossless encode or a hidden reference).
  const identicalToOwnRef = item.referenceKey !== null && shaByKey.get(item.referenceKey) === sha256;
  const twin = findStimulusBySha(db, sha256);
  if (twin && twin.path !== path && !identicalToOwnRef) {
    throw new IqaError('E_INPUT', `duplicate of ${twin.path} (same content)`, { file: item.key });
  }

  const existing = findStimulusByPath(db, path);
  const raw = extname(item.key).toLowerCase() === '.yuv' ? options.rawVideo : undefined;
  // Unchanged content: keep the stored probe and thumbnail, refresh only pairing and attributes.
  const known = existing && existing.sha256 === sha256 ? getStimulus(db, existing.id) : undefined;
  const info: MediaInfo = known ?? (await probeMedia(item.key, { raw, signal }));
  if (!known) {
    // A video is decoded in full: the thumbnail sees only its first frame, and damage further in
    // (truncation, corrupt packets) would otherwise surface only when metrics are computed.
    if (info.kind === 'video') await checkFullDecode(item.key, info, { raw, signal });
    await makeThumbnail(item.key, projectDir, sha256, { raw, signal });
  }
  const { id } = saveStimulus(
    db,
    {
      ...pickMediaInfo(info),
      path,
      name: item.stem,
      role: item.role,
      content: item.content,
      sha256,
      sizeBytes,
      mtimeMs,
      attributes: item.attributes,
      rawGeometry: raw ?? null,
    },
    referenceId,
  );
  if (item.role === 'distorted' && referenceId === null) {
    report.unpaired.push(item.key);
    report.unpairedReasons?.push({ file: item.key, reason: item.unpairedReason ?? 'no reference found: the reference it names is in neither this import nor the project' });
  }
  idByKey.set(item.key, id);
  shaByKey.set(item.key, sha256);
  // Same content with a new role, reference, content or attributes is an update too: a re-import
  // that fixes a pairing must say so.
  const outcome = !existing ? 'added' : known && samePairing(known, item, referenceId) ? 'unchanged' : 'updated';
  report[outcome] += 1;
  return outcome;
}

function samePairing(stored: Stimulus, item: PlannedStimulus, referenceId: number | null): boolean {
  const attrs = (a: Record<string, string>) => JSON.stringify(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return stored.role === item.role && stored.referenceId === referenceId && stored.content === item.content && attrs(stored.attributes) === attrs(item.attributes);
}

function pickMediaInfo(m: MediaInfo): MediaInfo {
  return {
    kind: m.kind, container: m.container, codec: m.codec, width: m.width, height: m.height, frameCount: m.frameCount,
    fps: m.fps, durationS: m.durationS, pixFmt: m.pixFmt, bitDepth: m.bitDepth, colorSpace: m.colorSpace,
    colorRange: m.colorRange, colorPrimaries: m.colorPrimaries, colorTransfer: m.colorTransfer,
  };
}
