/**
 * Leases that let several processes compute one project's metrics at once, and let the next open
 * tell a crashed run from a live one.
 *
 * A worker is one runProjectMetrics call: a row with its pid, host and a heartbeat refreshed every
 * HEARTBEAT_MS. It is alive while its heartbeat is younger than LEASE_MS and, on this host, its pid
 * exists (so a SIGKILLed process is noticed at once; a process on another host sharing the folder, or
 * a reused pid, only once its heartbeat is stale). Dead workers are deleted, which cascades to their
 * run memberships and pair claims.
 *
 * A claim holds one (metric run, stimulus) for one worker until its values are stored (released in
 * the same transaction) or its lease expires. Claims are taken in short IMMEDIATE transactions, so two
 * processes never both see a pair as free.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
// The handle's type straight from the driver: project-db.ts imports this module (recovery at open).
import type { Database as Db } from 'better-sqlite3';

/** How often a live worker refreshes its heartbeat and its claims. */
export const HEARTBEAT_MS = 5_000;
/** A worker unheard of for this long is presumed dead, and its claims may be taken over. */
export const LEASE_MS = 60_000;

export interface Worker {
  id: string;
  pid: number;
  host: string;
  runIds: readonly number[];
}

interface WorkerRow {
  id: string;
  pid: number;
  host: string;
  heartbeat_ms: number;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isAlive(w: WorkerRow, now: number, host: string): boolean {
  if (now - w.heartbeat_ms > LEASE_MS) return false;
  return w.host !== host || pidExists(w.pid);
}

/** Deletes the dead workers (their memberships and claims go with them) and returns them with their runs. */
export function pruneDeadWorkers(db: Db, now = Date.now()): { worker: WorkerRow; runIds: number[] }[] {
  const host = hostname();
  const runsOf = db.prepare('SELECT run_id FROM run_workers WHERE worker_id = ?');
  const dead = (db.prepare('SELECT id, pid, host, heartbeat_ms FROM workers').all() as WorkerRow[])
    .filter((w) => !isAlive(w, now, host))
    .map((w) => ({ worker: w, runIds: (runsOf.all(w.id) as { run_id: number }[]).map((r) => r.run_id) }));
  const del = db.prepare('DELETE FROM workers WHERE id = ?');
  for (const d of dead) del.run(d.worker.id);
  return dead;
}

/**
 * Marks 'interrupted' (with the time it was noticed) every run left 'running' by no live worker: its
 * process crashed or was killed. Runs of live processes, here or elsewhere, are left alone.
 */
export function recoverInterruptedRuns(db: Db, now = Date.now()): number {
  // Most opens find nothing running: they take no write lock.
  if (db.prepare("SELECT 1 FROM metric_runs WHERE status = 'running' LIMIT 1").get() === undefined) return 0;
  return db
    .transaction(() => {
      const deadRuns = new Map<number, WorkerRow>();
      for (const d of pruneDeadWorkers(db, now)) for (const r of d.runIds) deadRuns.set(r, d.worker);
      const orphans = db
        .prepare("SELECT id FROM metric_runs WHERE status = 'running' AND NOT EXISTS (SELECT 1 FROM run_workers w WHERE w.run_id = metric_runs.id)")
        .all() as { id: number }[];
      const mark = db.prepare("UPDATE metric_runs SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ?");
      const at = new Date(now).toISOString();
      for (const { id } of orphans) {
        const w = deadRuns.get(id);
        const why = w
          ? `interrupted: process ${w.pid} on ${w.host} stopped without finishing (last heard of ${new Date(w.heartbeat_ms).toISOString()})`
          : 'interrupted: the process computing it stopped without finishing';
        mark.run(at, why, id);
      }
      return orphans.length;
    })
    .immediate();
}

/** Registers this process as a worker of these runs and marks them running. */
export function startWorker(db: Db, runIds: readonly number[], now = Date.now()): Worker {
  const worker: Worker = { id: randomUUID(), pid: process.pid, host: hostname(), runIds: [...runIds] };
  const at = new Date(now).toISOString();
  db.transaction(() => {
    pruneDeadWorkers(db, now);
    insertWorker(db, worker, at, now);
    // A run another live process is already executing keeps its start time.
    const running = db.prepare(
      "UPDATE metric_runs SET status = 'running', error = NULL, finished_at = NULL, elapsed_ms = NULL, started_at = ? WHERE id = ? AND status <> 'running'",
    );
    for (const id of runIds) running.run(at, id);
  }).immediate();
  return worker;
}

function insertWorker(db: Db, w: Worker, startedAt: string, now: number): void {
  db.prepare('INSERT OR REPLACE INTO workers (id, pid, host, started_at, heartbeat_ms) VALUES (?, ?, ?, ?, ?)').run(w.id, w.pid, w.host, startedAt, now);
  const member = db.prepare('INSERT OR IGNORE INTO run_workers (run_id, worker_id) VALUES (?, ?)');
  for (const id of w.runIds) member.run(id, w.id);
}

/**
 * Refreshes the worker's heartbeat and extends its claims. A worker presumed dead meanwhile (its
 * process was stalled past the lease) registers again; claims taken over by others stay theirs.
 */
export function heartbeat(db: Db, w: Worker, now = Date.now()): void {
  db.transaction(() => {
    const seen = db.prepare('UPDATE workers SET heartbeat_ms = ? WHERE id = ?').run(now, w.id).changes;
    if (seen === 0) insertWorker(db, w, new Date(now).toISOString(), now);
    db.prepare('UPDATE pair_claims SET expires_ms = ? WHERE worker_id = ?').run(now + LEASE_MS, w.id);
  }).immediate();
}

/**
 * Claims the stimulus for every one of these runs, or for none when a live worker holds one of them.
 * Call inside an IMMEDIATE transaction together with the "is it still to compute" check, so that the
 * check and the claim see the same state.
 */
export function claimPair(db: Db, w: Worker, runIds: readonly number[], stimulusId: number, now = Date.now()): boolean {
  if (runIds.length === 0) return true;
  const heldElsewhere = () =>
    db
      .prepare(`SELECT 1 FROM pair_claims WHERE stimulus_id = ? AND worker_id <> ? AND expires_ms >= ? AND run_id IN (${runIds.map(() => '?').join(', ')}) LIMIT 1`)
      .get(stimulusId, w.id, now, ...runIds) !== undefined;
  // Pruning costs a signal-0 per worker: done only when a claim is in the way.
  if (heldElsewhere() && (pruneDeadWorkers(db, now), heldElsewhere())) return false;
  const put = db.prepare('INSERT OR REPLACE INTO pair_claims (run_id, stimulus_id, worker_id, expires_ms) VALUES (?, ?, ?, ?)');
  for (const id of runIds) put.run(id, stimulusId, w.id, now + LEASE_MS);
  return true;
}

/** Releases the worker's claims on a stimulus (after its values are stored, or it failed). */
export function releasePair(db: Db, w: Worker, stimulusId: number): void {
  db.prepare('DELETE FROM pair_claims WHERE worker_id = ? AND stimulus_id = ?').run(w.id, stimulusId);
}

export type FinalStatus = { status: 'done' | 'failed' | 'cancelled'; error?: string };

/**
 * Unregisters the worker (its claims go with it). Each of its runs takes its final status unless
 * another live worker is still executing it (that worker will set it when it finishes).
 */
export function finishWorker(db: Db, w: Worker, finalStatus: (runId: number) => FinalStatus, now = Date.now()): void {
  const at = new Date(now).toISOString();
  db.transaction(() => {
    db.prepare('DELETE FROM workers WHERE id = ?').run(w.id);
    pruneDeadWorkers(db, now);
    const others = db.prepare('SELECT 1 FROM run_workers WHERE run_id = ? LIMIT 1');
    const set = db.prepare(
      'UPDATE metric_runs SET status = ?, error = ?, finished_at = ?, elapsed_ms = (julianday(?) - julianday(started_at)) * 86400000.0 WHERE id = ?',
    );
    for (const id of w.runIds) {
      if (others.get(id) !== undefined) continue;
      const f = finalStatus(id);
      set.run(f.status, f.error ?? null, at, at, id);
    }
  }).immediate();
}
