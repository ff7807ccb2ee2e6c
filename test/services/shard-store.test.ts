/** Migration 7 (sharded runs' tables) and the shard store's rules (services/shards/shard-store.ts). */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src-main/services/store/migrations';
import { migrate, openProjectDb, schemaVersion } from '../../src-main/services/store/project-db';
import { openProjectReadOnly, openShardDb, seedShardStore, shardMeta, META } from '../../src-main/services/shards/shard-store';
import { tempDir } from '../helpers/media';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = tempDir('shard-store');
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('migration 7', () => {
  it('adds shard_merges and slurm_jobs and keeps what was stored before it', () => {
    const db = new Database(join(dir(), 'm7.sqlite'));
    migrate(db, MIGRATIONS.filter((m) => m.version <= 6));
    db.prepare("INSERT INTO stimuli (id, path, name, role, sha256, size_bytes, kind, width, height, imported_at) VALUES (1, 'a.png', 'a', 'distorted', 'h', 1, 'image', 8, 8, 'now')").run();
    migrate(db, MIGRATIONS.filter((m) => m.version <= 7));
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare('SELECT path FROM stimuli').all()).toEqual([{ path: 'a.png' }]);
    db.prepare("INSERT INTO shard_merges (run_key, shard_index, shard_count, done_at, merged_at) VALUES ('k', 1, 2, 't', 't')").run();
    expect(() => db.prepare("INSERT INTO shard_merges (run_key, shard_index, shard_count, done_at, merged_at) VALUES ('k', 3, 2, 't', 't')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO slurm_jobs (run_key, kind, job_id, shards, script, submitted_at) VALUES ('k', 'array', '12', '[1,2]', '/s', 't')").run();
    expect(() => db.prepare("INSERT INTO slurm_jobs (run_key, kind, job_id, shards, script, submitted_at) VALUES ('k', 'other', '13', '[]', '/s', 't')").run()).toThrow(/CHECK/);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});

describe('shard store', () => {
  it('copies the stimuli a shard needs (with their references) under the project ids, and reads the project without writing it', () => {
    const p = dir();
    const project = openProjectDb(p, { create: true });
    const put = project.prepare("INSERT INTO stimuli (id, path, name, role, sha256, size_bytes, kind, width, height, imported_at) VALUES (?, ?, ?, ?, 'h', 1, 'image', 8, 8, 'now')");
    put.run(10, 'ref/a.png', 'a', 'reference');
    put.run(11, 'dist/a_x.png', 'a_x', 'distorted');
    put.run(12, 'dist/a_y.png', 'a_y', 'distorted');
    project.prepare('INSERT INTO pairs (distorted_id, reference_id) VALUES (11, 10), (12, 10)').run();
    project.close();
    const ro = openProjectReadOnly(p);
    expect(() => ro.prepare("UPDATE meta SET value = 'x'").run()).toThrow(/readonly/);
    const shard = openShardDb(join(p, 'shard.sqlite'));
    seedShardStore(shard, ro, [12], { runKey: '0123456789abcdef', index: 2, count: 3 });
    ro.close();
    expect(shard.prepare('SELECT id, path FROM stimuli ORDER BY id').all()).toEqual([
      { id: 10, path: 'ref/a.png' },
      { id: 12, path: 'dist/a_y.png' },
    ]);
    expect(shard.prepare('SELECT distorted_id, reference_id FROM pairs').all()).toEqual([{ distorted_id: 12, reference_id: 10 }]);
    expect([shardMeta(shard, META.runKey), shardMeta(shard, META.index), shardMeta(shard, META.count)]).toEqual(['0123456789abcdef', '2', '3']);
    expect(shard.pragma('journal_mode', { simple: true })).toBe('delete');
    shard.close();
  });
});
