import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS, LATEST_SCHEMA_VERSION } from '../../src-main/services/store/migrations';
import { migrate, openProjectDb, projectDbPath, readMeta, schemaVersion } from '../../src-main/services/store/project-db';
import { listStimuli, saveStimulus, type StimulusRecord } from '../../src-main/services/store/stimuli-repo';
import { IqaError } from '../../src-main/common/errors';
import { tempDir } from '../helpers/media';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = tempDir('store');
  cleanups.push(t.cleanup);
  return t.dir;
}

const record = (path: string, role: 'reference' | 'distorted', content: string): StimulusRecord => ({
  path, name: path.replace(/\..*$/, ''), role, content, sha256: path.padEnd(64, '0'), sizeBytes: 10, kind: 'image',
  container: 'png_pipe', codec: 'png', width: 64, height: 48, frameCount: 1, fps: null, durationS: null, pixFmt: 'rgb24',
  bitDepth: 8, colorSpace: null, colorRange: null, colorPrimaries: null, colorTransfer: null, attributes: { b: '2', a: '1' }, rawGeometry: null,
});

describe('project database', () => {
  it('is created as one SQLite file in the project folder, in WAL mode with foreign keys on', () => {
    const d = dir();
    const db = openProjectDb(d, { create: true, name: 'study' });
    expect(existsSync(projectDbPath(d))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(readMeta(db, 'name')).toBe('study');
    db.close();
  });

  it('refuses to open a folder that is not a project', () => {
    expect(() => openProjectDb(dir())).toThrow(IqaError);
  });

  it('applies every migration in order on a real file and records the schema version', () => {
    const file = join(dir(), 'm.sqlite');
    const db = new Database(file);
    for (const m of MIGRATIONS) {
      migrate(db, MIGRATIONS.filter((x) => x.version <= m.version));
      expect(schemaVersion(db)).toBe(m.version);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    }
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('migration 2 adds a decoder command per value and keeps the values stored before it', () => {
    const file = join(dir(), 'm2.sqlite');
    const db = new Database(file);
    migrate(db, MIGRATIONS.filter((x) => x.version <= 1));
    db.prepare("INSERT INTO stimuli (id, path, name, role, sha256, size_bytes, kind, width, height, imported_at) VALUES (1, 'a.png', 'a', 'distorted', 'h', 1, 'image', 8, 8, 'now')").run();
    db.prepare("INSERT INTO metric_runs (id, metric_id, metric_version, params, params_key, engine_version, status, created_at) VALUES (1, 'psnr', '1', '{}', '{}', '0', 'done', 'now')").run();
    db.prepare("INSERT INTO metric_values (run_id, stimulus_id, pooling, value, computed_at) VALUES (1, 1, 'mean', 31.5, 'now')").run();
    migrate(db, MIGRATIONS.filter((x) => x.version <= 2));
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT value, decoder FROM metric_values').get()).toEqual({ value: 31.5, decoder: null });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('migration 1 creates every table the product needs', () => {
    const db = new Database(join(dir(), 'm1.sqlite'));
    migrate(db, MIGRATIONS.filter((x) => x.version <= 1));
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(
      ['contents', 'frame_values', 'meta', 'metric_runs', 'metric_values', 'pairs', 'participants', 'ratings', 'sessions', 'stimuli', 'studies', 'trials'],
    );
    db.close();
  });

  it('re-opening an up-to-date database changes nothing', () => {
    const d = dir();
    openProjectDb(d, { create: true }).close();
    const db = openProjectDb(d);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('refuses a database from a newer app', () => {
    const d = dir();
    const db = openProjectDb(d, { create: true });
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openProjectDb(d)).toThrow(/newer than this IQA Studio/);
  });

  it('stores stimuli with their pair, content and sorted attributes, and updates by path', () => {
    const db = openProjectDb(dir(), { create: true });
    const ref = saveStimulus(db, record('a.png', 'reference', 'a'), null);
    const dist = saveStimulus(db, record('a_q1.png', 'distorted', 'a'), ref.id);
    expect(dist.change).toBe('added');
    const again = saveStimulus(db, { ...record('a_q1.png', 'distorted', 'a'), width: 32 }, ref.id);
    expect(again).toEqual({ id: dist.id, change: 'updated' });
    const list = listStimuli(db);
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ name: 'a', role: 'reference', referenceId: null, content: 'a' });
    expect(list[1]).toMatchObject({ name: 'a_q1', referenceId: ref.id, referenceName: 'a', width: 32, attributes: { a: '1', b: '2' } });
    expect(Object.keys(list[1]!.attributes)).toEqual(['a', 'b']);
    db.close();
  });

  it('rejects a pair pointing at a stimulus that does not exist (foreign keys are enforced)', () => {
    const db = openProjectDb(dir(), { create: true });
    expect(() => saveStimulus(db, record('x.png', 'distorted', 'x'), 999)).toThrow();
    expect(listStimuli(db)).toHaveLength(0); // the failed transaction left nothing behind
    db.close();
  });

  it('keeps +Infinity and turns NaN into NULL in metric values', () => {
    const db = openProjectDb(dir(), { create: true });
    const s = saveStimulus(db, record('a.png', 'reference', 'a'), null);
    const run = db.prepare("INSERT INTO metric_runs (metric_id, metric_version, params, params_key, engine_version, status, created_at) VALUES ('psnr', '1', '{}', '{}', '0', 'done', 'now')").run();
    const put = db.prepare("INSERT INTO metric_values (run_id, stimulus_id, channel, value, computed_at) VALUES (?, ?, ?, ?, 'now')");
    put.run(run.lastInsertRowid, s.id, 'y', Number.POSITIVE_INFINITY);
    put.run(run.lastInsertRowid, s.id, 'u', Number.NaN);
    const values = db.prepare('SELECT channel, value FROM metric_values ORDER BY channel').all();
    expect(values).toEqual([{ channel: 'u', value: null }, { channel: 'y', value: Number.POSITIVE_INFINITY }]);
    db.close();
  });
});
