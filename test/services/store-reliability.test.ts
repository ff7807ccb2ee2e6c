import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src-main/services/store/migrations';
import { migrate, openProjectDb, projectDbPath, schemaVersion } from '../../src-main/services/store/project-db';
import { IqaError } from '../../src-main/common/errors';
import { iqa } from '../helpers/cli';
import { tempDir } from '../helpers/media';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = tempDir('store-rel');
  cleanups.push(t.cleanup);
  return t.dir;
}

function thrown(f: () => unknown): IqaError {
  try {
    f();
  } catch (err) {
    return err as IqaError;
  }
  throw new Error('expected an error');
}

/** A real project file, checkpointed so the whole database is in the main file. */
function realProjectFile(): Buffer {
  const d = dir();
  const db = openProjectDb(d, { create: true });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return readFileSync(projectDbPath(d));
}

const damaged: [string, () => Buffer][] = [
  ['an empty (0-byte) file', () => Buffer.alloc(0)],
  ['garbage bytes', () => Buffer.from('this is not a database, just some text that happens to be here\n'.repeat(80))],
  ['a truncated database', () => realProjectFile().subarray(0, 4096 * 3)],
];

describe('opening a damaged project file', () => {
  it('refuses an empty project file with one line saying what it is and what to do, and leaves it empty', () => {
    const d = dir();
    writeFileSync(projectDbPath(d), '');
    for (const create of [false, true]) {
      const err = thrown(() => openProjectDb(d, { create }));
      expect(err).toBeInstanceOf(IqaError);
      expect(err.code).toBe('E_STORE');
      expect(err.message).toBe(`${projectDbPath(d)} is empty (0 bytes): not a project; delete it to create a new project here`);
    }
    expect(statSync(projectDbPath(d)).size).toBe(0);
  });

  it.each(damaged.slice(1))('gives one E_STORE line naming the file for %s', (_, bytes) => {
    const d = dir();
    writeFileSync(projectDbPath(d), bytes());
    const err = thrown(() => openProjectDb(d));
    expect(err).toBeInstanceOf(IqaError);
    expect(err.code).toBe('E_STORE');
    expect(err.message).toContain(projectDbPath(d));
    expect(err.message).not.toContain('\n');
  });

  it.each(damaged)('makes the built CLI fail with exactly one stderr line for %s', (_, bytes) => {
    const d = dir();
    writeFileSync(projectDbPath(d), bytes());
    const r = iqa(['stimuli', d]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^iqa: ${projectDbPath(d).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (is empty|cannot be read|is damaged)`));
  });
});

describe('migration 3', () => {
  it("rebuilds metric_runs to allow 'interrupted' and keeps every run, value and frame with their references", () => {
    const file = join(dir(), 'm3.sqlite');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.filter((x) => x.version <= 2));
    db.prepare("INSERT INTO stimuli (id, path, name, role, sha256, size_bytes, kind, width, height, imported_at) VALUES (1, 'a.png', 'a', 'distorted', 'h', 7, 'image', 8, 8, 'now')").run();
    db.prepare("INSERT INTO metric_runs (id, metric_id, metric_version, params, params_key, engine_version, status, created_at, started_at) VALUES (4, 'psnr', '1', '{}', '{}', '0', 'running', 'then', 'then')").run();
    db.prepare("INSERT INTO metric_values (run_id, stimulus_id, pooling, value, computed_at, decoder) VALUES (4, 1, 'mean', 31.5, 'now', 'ffmpeg')").run();
    db.prepare("INSERT INTO frame_values (run_id, stimulus_id, frame, value) VALUES (4, 1, 0, 31.5)").run();
    expect(() => db.prepare("UPDATE metric_runs SET status = 'interrupted'").run()).toThrow(/CHECK/);

    migrate(db, MIGRATIONS.filter((x) => x.version <= 3));
    expect(schemaVersion(db)).toBe(3);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1); // switched off for the rebuild only
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT id, status, started_at FROM metric_runs').all()).toEqual([{ id: 4, status: 'running', started_at: 'then' }]);
    expect(db.prepare('SELECT value, decoder FROM metric_values').get()).toEqual({ value: 31.5, decoder: 'ffmpeg' });
    expect(db.prepare('SELECT mtime_ms FROM stimuli').get()).toEqual({ mtime_ms: null });
    db.prepare("UPDATE metric_runs SET status = 'interrupted' WHERE id = 4").run();
    // The values still reference the rebuilt table: deleting the run deletes them.
    db.prepare('DELETE FROM metric_runs WHERE id = 4').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM metric_values').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM frame_values').get()).toEqual({ n: 0 });
    db.close();
  });

  it("marks a run left 'running' before the migration interrupted when the project is next opened", () => {
    const d = dir();
    mkdirSync(d, { recursive: true });
    const db = new Database(projectDbPath(d));
    migrate(db, MIGRATIONS.filter((x) => x.version <= 2));
    db.prepare("INSERT INTO metric_runs (id, metric_id, metric_version, params, params_key, engine_version, status, created_at) VALUES (1, 'psnr', '1', '{}', '{}', '0', 'running', 'then')").run();
    db.close();
    const opened = openProjectDb(d);
    expect(opened.prepare('SELECT status, finished_at, error FROM metric_runs').get()).toEqual({
      status: 'interrupted',
      finished_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      error: expect.stringMatching(/^interrupted: /),
    });
    opened.close();
  });
});

describe('a copied project file', () => {
  it('opens when it is a whole database (the truncated case above is not a false alarm)', () => {
    const d = dir();
    const src = dir();
    openProjectDb(src, { create: true, name: 'x' }).close();
    const db = openProjectDb(src);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    copyFileSync(projectDbPath(src), projectDbPath(d));
    openProjectDb(d).close();
  });
});
