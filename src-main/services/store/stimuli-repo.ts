/**
 * Reading and writing stimuli, contents and pairs of one project database. A stimulus's sha256 is the
 * content its metric values were computed from: whenever it changes, those values are deleted in the
 * same transaction (metrics-repo, dropValuesOfChangedStimulus).
 */
import type { MediaInfo, RawVideoGeometry, Stimulus, StimulusRole } from '../../common/domain';
import { dropValuesOfChangedStimulus } from './metrics-repo';
import type { Db } from './project-db';

export interface StimulusRecord extends MediaInfo {
  path: string;
  name: string;
  role: StimulusRole;
  content: string | null;
  sha256: string;
  sizeBytes: number;
  attributes: Record<string, string>;
  rawGeometry: RawVideoGeometry | null;
  /** The file's modification time (ms) when sha256 was computed; unknown leaves it to the next run. */
  mtimeMs?: number | null;
}

interface StimulusRow {
  id: number;
  path: string;
  name: string;
  role: StimulusRole;
  content: string | null;
  sha256: string;
  size_bytes: number;
  kind: 'image' | 'video';
  container: string | null;
  codec: string | null;
  width: number;
  height: number;
  frame_count: number | null;
  fps: number | null;
  duration_s: number | null;
  pix_fmt: string | null;
  bit_depth: number | null;
  color_space: string | null;
  color_range: string | null;
  color_primaries: string | null;
  color_transfer: string | null;
  attributes: string;
  raw_geometry: string | null;
  imported_at: string;
  reference_id: number | null;
  reference_name: string | null;
}

function contentId(db: Db, name: string | null): number | null {
  if (!name) return null;
  db.prepare('INSERT OR IGNORE INTO contents (name) VALUES (?)').run(name);
  return (db.prepare('SELECT id FROM contents WHERE name = ?').get(name) as { id: number }).id;
}

export function findStimulusByPath(db: Db, path: string): { id: number; sha256: string } | undefined {
  return db.prepare('SELECT id, sha256 FROM stimuli WHERE path = ?').get(path) as { id: number; sha256: string } | undefined;
}

export function findStimulusBySha(db: Db, sha256: string): { id: number; path: string } | undefined {
  return db.prepare('SELECT id, path FROM stimuli WHERE sha256 = ? ORDER BY id LIMIT 1').get(sha256) as
    | { id: number; path: string }
    | undefined;
}

export function findReferenceByStem(db: Db, stem: string): { id: number; path: string } | undefined {
  return db
    .prepare("SELECT id, path FROM stimuli WHERE role = 'reference' AND name = ? ORDER BY id LIMIT 1")
    .get(stem) as { id: number; path: string } | undefined;
}

/**
 * Inserts or updates (by path) one stimulus and its pair in a single transaction, so a killed import
 * leaves every file either fully stored or absent.
 */
export function saveStimulus(db: Db, rec: StimulusRecord, referenceId: number | null): { id: number; change: 'added' | 'updated' } {
  return db.transaction(() => {
    const cid = contentId(db, rec.content);
    const values = {
      path: rec.path,
      name: rec.name,
      role: rec.role,
      content_id: cid,
      sha256: rec.sha256,
      size_bytes: rec.sizeBytes,
      kind: rec.kind,
      container: rec.container,
      codec: rec.codec,
      width: rec.width,
      height: rec.height,
      frame_count: rec.frameCount,
      fps: rec.fps,
      duration_s: rec.durationS,
      pix_fmt: rec.pixFmt,
      bit_depth: rec.bitDepth,
      color_space: rec.colorSpace,
      color_range: rec.colorRange,
      color_primaries: rec.colorPrimaries,
      color_transfer: rec.colorTransfer,
      raw_geometry: rec.rawGeometry ? JSON.stringify(rec.rawGeometry) : null,
      attributes: JSON.stringify(sortedObject(rec.attributes)),
      imported_at: new Date().toISOString(),
      mtime_ms: rec.mtimeMs ?? null,
    };
    const existing = findStimulusByPath(db, rec.path);
    let id: number;
    if (existing) {
      if (existing.sha256 !== rec.sha256) dropValuesOfChangedStimulus(db, existing.id);
      const sets = Object.keys(values).filter((k) => k !== 'path').map((k) => `${k} = @${k}`).join(', ');
      db.prepare(`UPDATE stimuli SET ${sets} WHERE id = @id`).run({ ...values, id: existing.id });
      id = existing.id;
    } else {
      const cols = Object.keys(values);
      const info = db.prepare(`INSERT INTO stimuli (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`).run(values);
      id = Number(info.lastInsertRowid);
    }
    db.prepare('DELETE FROM pairs WHERE distorted_id = ?').run(id);
    if (rec.role === 'distorted' && referenceId !== null) {
      db.prepare('INSERT INTO pairs (distorted_id, reference_id) VALUES (?, ?)').run(id, referenceId);
    }
    return { id, change: existing ? ('updated' as const) : ('added' as const) };
  })();
}

function sortedObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const LIST_SQL = `
SELECT s.*, c.name AS content, p.reference_id AS reference_id, r.name AS reference_name
FROM stimuli s
LEFT JOIN contents c ON c.id = s.content_id
LEFT JOIN pairs p ON p.distorted_id = s.id
LEFT JOIN stimuli r ON r.id = p.reference_id`;

function toStimulus(row: StimulusRow): Stimulus {
  return {
    id: row.id,
    path: row.path,
    name: row.name,
    role: row.role,
    referenceId: row.reference_id,
    referenceName: row.reference_name,
    content: row.content,
    sha256: row.sha256,
    sizeBytes: row.size_bytes,
    kind: row.kind,
    container: row.container,
    codec: row.codec,
    width: row.width,
    height: row.height,
    frameCount: row.frame_count,
    fps: row.fps,
    durationS: row.duration_s,
    pixFmt: row.pix_fmt,
    bitDepth: row.bit_depth,
    colorSpace: row.color_space,
    colorRange: row.color_range,
    colorPrimaries: row.color_primaries,
    colorTransfer: row.color_transfer,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    rawGeometry: row.raw_geometry ? (JSON.parse(row.raw_geometry) as RawVideoGeometry) : null,
    importedAt: row.imported_at,
  };
}

export function listStimuli(db: Db): Stimulus[] {
  return (db.prepare(`${LIST_SQL} ORDER BY s.role DESC, s.path`).all() as StimulusRow[]).map(toStimulus);
}

export function getStimulus(db: Db, id: number): Stimulus | undefined {
  const row = db.prepare(`${LIST_SQL} WHERE s.id = ?`).get(id) as StimulusRow | undefined;
  return row ? toStimulus(row) : undefined;
}

export function countStimuli(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM stimuli').get() as { n: number }).n;
}

/** What a run checks to tell whether a stimulus's file changed since it was hashed. */
export interface FileState {
  id: number;
  path: string;
  sha256: string;
  sizeBytes: number;
  /** NULL for stimuli imported before modification times were recorded. */
  mtimeMs: number | null;
  rawGeometry: RawVideoGeometry | null;
}

export function fileStates(db: Db, ids: readonly number[]): FileState[] {
  const get = db.prepare('SELECT id, path, sha256, size_bytes, mtime_ms, raw_geometry FROM stimuli WHERE id = ?');
  return ids.flatMap((id) => {
    const r = get.get(id) as { id: number; path: string; sha256: string; size_bytes: number; mtime_ms: number | null; raw_geometry: string | null } | undefined;
    if (!r) return [];
    return [{ id: r.id, path: r.path, sha256: r.sha256, sizeBytes: r.size_bytes, mtimeMs: r.mtime_ms, rawGeometry: r.raw_geometry ? (JSON.parse(r.raw_geometry) as RawVideoGeometry) : null }];
  });
}

/**
 * Records what hashing the file found: its size and mtime, and when its content is not `knownSha256`
 * any more, the new hash (and media properties, when they could be probed) with the values computed
 * from the old content deleted. Compare-and-set on the hash: of two processes noticing the same
 * change, only the first deletes anything. Returns whether the content changed here.
 */
export function recordFileContent(
  db: Db,
  id: number,
  knownSha256: string,
  file: { sha256: string; sizeBytes: number; mtimeMs: number; info?: MediaInfo | null },
): boolean {
  return db.transaction(() => {
    if (file.sha256 === knownSha256) {
      db.prepare('UPDATE stimuli SET size_bytes = ?, mtime_ms = ? WHERE id = ? AND sha256 = ?').run(file.sizeBytes, file.mtimeMs, id, knownSha256);
      return false;
    }
    const changed = db.prepare('UPDATE stimuli SET sha256 = ?, size_bytes = ?, mtime_ms = ? WHERE id = ? AND sha256 = ?').run(file.sha256, file.sizeBytes, file.mtimeMs, id, knownSha256).changes;
    if (changed === 0) return false;
    if (file.info) {
      const m = file.info;
      db.prepare(
        `UPDATE stimuli SET kind = ?, container = ?, codec = ?, width = ?, height = ?, frame_count = ?, fps = ?, duration_s = ?, pix_fmt = ?,
           bit_depth = ?, color_space = ?, color_range = ?, color_primaries = ?, color_transfer = ? WHERE id = ?`,
      ).run(m.kind, m.container, m.codec, m.width, m.height, m.frameCount, m.fps, m.durationS, m.pixFmt, m.bitDepth, m.colorSpace, m.colorRange, m.colorPrimaries, m.colorTransfer, id);
    }
    dropValuesOfChangedStimulus(db, id);
    return true;
  })();
}
