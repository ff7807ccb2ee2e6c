/**
 * Where a sharded run keeps its files, beside the project (paths relative to the project folder, so a
 * folder shared by a cluster's nodes works from any mount point):
 *
 *   <project>/shards/<runKey>/plan.json                 the configuration and the split, written once
 *   <project>/shards/<runKey>/shard-<I>-of-<N>.sqlite   shard I's own store: one writer per file
 *   <project>/shards/<runKey>/slurm/                    the sbatch scripts and their logs
 *
 * The project's own SQLite file is only ever read by a shard, through a read-only connection: SQLite's
 * locking is not safe for several writers on a network filesystem. A shard store has the project's
 * schema and holds copies of the rows it needs (its stimuli with their references, contents and pairs,
 * under the project's ids), so the one project run (services/metrics/run-project-metrics.ts) computes a
 * shard too, with the same provenance per value, and resumes where a killed shard stopped. It is kept in
 * rollback-journal mode (no shared-memory WAL index on a network filesystem).
 */
import Database from 'better-sqlite3';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IqaError } from '../../common/errors';
import { LATEST_SCHEMA_VERSION } from '../store/migrations';
import { migrate, projectDbPath, schemaVersion, type Db } from '../store/project-db';
import { recoverInterruptedRuns } from '../store/run-leases';
import type { ShardRunConfig } from './shard-plan';

export const SHARDS_DIR = 'shards';
export const PLAN_FILE = 'plan.json';
const PLAN_FORMAT = 'iqa-shard-plan/1';

export interface ShardPlan {
  format: typeof PLAN_FORMAT;
  runKey: string;
  count: number;
  config: ShardRunConfig;
  createdAt: string;
  /** shards[I-1]: the stimulus ids of shard I. */
  shards: number[][];
  /** Estimated work (decoded pixels) per shard. */
  weights: number[];
  /** Every planned stimulus (and reference) with the content it was planned with. */
  stimuli: Record<string, { path: string; sha256: string }>;
}

export const runDir = (projectDir: string, runKey: string): string => join(projectDir, SHARDS_DIR, runKey);
export const shardFileName = (index: number, count: number): string => `shard-${index}-of-${count}.sqlite`;
export const shardPath = (projectDir: string, runKey: string, index: number, count: number): string => join(runDir(projectDir, runKey), shardFileName(index, count));

/** The run keys that have a plan in this project, in name order. */
export function plannedRunKeys(projectDir: string): string[] {
  const dir = join(projectDir, SHARDS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((k) => /^[0-9a-f]{16}$/.test(k) && existsSync(join(dir, k, PLAN_FILE)))
    .sort();
}

export function readPlan(projectDir: string, runKey: string): ShardPlan | null {
  const file = join(runDir(projectDir, runKey), PLAN_FILE);
  if (!existsSync(file)) return null;
  let plan: ShardPlan;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as ShardPlan;
  } catch (err) {
    throw new IqaError('E_STORE', `${file} cannot be read as a shard plan (${(err as Error).message}); delete the folder to plan again`, { file });
  }
  if (plan.format !== PLAN_FORMAT || plan.runKey !== runKey || !Array.isArray(plan.shards) || plan.shards.length !== plan.count) {
    throw new IqaError('E_STORE', `${file} is not a shard plan of this app (format ${String(plan.format)}); delete the folder to plan again`, { file });
  }
  return plan;
}

/**
 * Writes the plan unless one is there already, and returns the one that is: several shards starting at
 * once may each plan (from the same project state, so the same split); the first link wins.
 */
export function writePlanOnce(projectDir: string, plan: ShardPlan): ShardPlan {
  const dir = runDir(projectDir, plan.runKey);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.plan-${process.pid}-${Date.now()}.json`);
  writeFileSync(tmp, JSON.stringify(plan, null, 1));
  try {
    linkSync(tmp, join(dir, PLAN_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new IqaError('E_STORE', `cannot write ${join(dir, PLAN_FILE)}: ${(err as Error).message}`, { file: dir });
  } finally {
    rmSync(tmp, { force: true });
  }
  return readPlan(projectDir, plan.runKey)!;
}

/** The project's database, read-only (a shard never writes it). */
export function openProjectReadOnly(projectDir: string): Db {
  const file = projectDbPath(projectDir);
  if (!existsSync(file)) throw new IqaError('E_NOT_PROJECT', `${projectDir} is not an IQA Studio project (no iqa-project.sqlite in it)`, { file: projectDir });
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 30000');
  } catch (err) {
    throw new IqaError('E_STORE', `${file} cannot be read as a project (${(err as Error).message})`, { file });
  }
  const version = schemaVersion(db);
  if (version !== LATEST_SCHEMA_VERSION) {
    db.close();
    throw new IqaError('E_STORE', `${file} has schema ${version}, this IQA Studio ${LATEST_SCHEMA_VERSION}: open the project once with this version (e.g. iqa stimuli ${projectDir}) before running shards`, { file });
  }
  return db;
}

/** A shard store for its one writer (the shard's own run), created with the project's schema when missing. */
export function openShardDb(file: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(file);
    db.pragma('busy_timeout = 30000');
    db.pragma('journal_mode = DELETE');
    db.pragma('foreign_keys = ON');
    migrate(db);
    recoverInterruptedRuns(db);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof IqaError) throw err;
    throw new IqaError('E_STORE', `${file} cannot be read as a shard store (${(err as Error).message})`, { file, cause: err });
  }
}

/**
 * A shard store for reading (status, merge): read-only, so that looking at a shard another node is still
 * computing never writes its file.
 */
export function readShardDb(file: string): Db {
  if (!existsSync(file)) throw new IqaError('E_NOT_FOUND', `no shard store ${file}`, { file });
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 30000');
    return db;
  } catch (err) {
    throw new IqaError('E_STORE', `${file} cannot be read as a shard store (${(err as Error).message})`, { file, cause: err });
  }
}

export function shardMeta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setShardMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
}

/** Meta keys of a shard store. */
export const META = { runKey: 'shard_run_key', index: 'shard_index', count: 'shard_count', ready: 'shard_ready_at', done: 'shard_done_at', failed: 'shard_failed' } as const;

/**
 * Copies into an empty shard store the rows its stimuli need from the project (the stimuli, their
 * references, their contents and pairs), under the project's ids, in one transaction.
 */
export function seedShardStore(shard: Db, project: Db, stimulusIds: readonly number[], meta: { runKey: string; index: number; count: number }): void {
  const ids = new Set(stimulusIds);
  const pairRows = project.prepare('SELECT * FROM pairs').all() as { distorted_id: number; reference_id: number }[];
  for (const p of pairRows) if (ids.has(p.distorted_id)) ids.add(p.reference_id);
  const idList = [...ids];
  const stimuli = selectIn(project, 'stimuli', 'id', idList);
  const contentIds = [...new Set(stimuli.map((s) => s.content_id).filter((c): c is number => typeof c === 'number'))];
  const contents = selectIn(project, 'contents', 'id', contentIds);
  const pairs = pairRows.filter((p) => ids.has(p.distorted_id) && ids.has(p.reference_id));
  shard.transaction(() => {
    insertRows(shard, 'contents', contents);
    insertRows(shard, 'stimuli', stimuli);
    insertRows(shard, 'pairs', pairs as unknown as Record<string, unknown>[]);
    setShardMeta(shard, 'name', `shard ${meta.index} of ${meta.count} of run ${meta.runKey}`);
    setShardMeta(shard, META.runKey, meta.runKey);
    setShardMeta(shard, META.index, String(meta.index));
    setShardMeta(shard, META.count, String(meta.count));
    setShardMeta(shard, META.ready, new Date().toISOString());
  })();
}

function selectIn(db: Db, table: string, column: string, values: readonly number[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  // SQLite's default limit on bound variables is 32766; stay well below it.
  for (let i = 0; i < values.length; i += 500) {
    const chunk = values.slice(i, i + 500);
    out.push(...(db.prepare(`SELECT * FROM ${table} WHERE ${column} IN (${chunk.map(() => '?').join(', ')})`).all(...chunk) as Record<string, unknown>[]));
  }
  return out;
}

function insertRows(db: Db, table: string, rows: readonly Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const put = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`);
  for (const r of rows) put.run(r);
}
