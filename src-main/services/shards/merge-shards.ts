/**
 * `iqa merge` (issue 17): folds the finished shard stores of a project into the project, one
 * transaction per shard. Every finished shard is checked first, and any problem refuses the whole merge
 * before anything is written, as one line naming the shard and the problem:
 *   - a store of another configuration (run key, metric parameters or versions) or another split;
 *   - values made by another engine version than this one;
 *   - values of files that are not the project's: a stimulus whose path or SHA-256 differs from the
 *     project's, or whose file is no longer where the project says (moved media), or changed since.
 * Merging is idempotent: a shard already merged (the same store, finished at the same time) is skipped,
 * and a shard merged again replaces its own values with the same ones. Unfinished and missing shards
 * are reported, not merged.
 */
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { IqaError } from '../../common/errors';
import { paramsKey } from '../../common/metric-registry';
import { APP_VERSION } from '../../common/version';
import { ensureRun } from '../store/metrics-repo';
import type { Db } from '../store/project-db';
import { sha256File } from '../import/hash';
import { statMatches } from '../import/refresh-stimuli';
import { META, readShardDb, plannedRunKeys, readPlan, shardMeta, shardPath, type ShardPlan } from './shard-store';
import { existsSync } from 'node:fs';
import type { ShardMergeReport, ShardRun, ShardState } from '../../common/contract-types';

export type { ShardRun as ShardRunStatus, ShardMergeReport as MergeReport } from '../../common/contract-types';

/** Stimuli of the shard that have values for every metric run of the store. */
function computedCount(db: Db, plan: ShardPlan, index: number): number {
  const runs = (db.prepare('SELECT id FROM metric_runs').all() as { id: number }[]).length;
  if (runs === 0) return 0;
  const ids = new Set(plan.shards[index - 1]);
  const rows = db.prepare('SELECT stimulus_id, COUNT(DISTINCT run_id) AS n FROM metric_values WHERE pooling = ? GROUP BY stimulus_id').all(plan.config.pooling) as { stimulus_id: number; n: number }[];
  return rows.filter((r) => ids.has(r.stimulus_id) && r.n >= 1).length;
}

/** The state of every shard of every planned configuration (reads the stores; writes nothing). */
export function shardStatus(projectDir: string, project: Db | null): ShardRun[] {
  return plannedRunKeys(projectDir).map((runKey) => {
    const plan = readPlan(projectDir, runKey)!;
    const shards: ShardState[] = [];
    for (let index = 1; index <= plan.count; index++) {
      const file = shardPath(projectDir, runKey, index, plan.count);
      const planned = plan.shards[index - 1]!.length;
      if (!existsSync(file)) {
        shards.push({ index, state: 'missing', computed: 0, planned, doneAt: null });
        continue;
      }
      const db = readShardDb(file);
      try {
        const doneAt = shardMeta(db, META.done);
        const computed = computedCount(db, plan, index);
        if (doneAt === null) shards.push({ index, state: 'unfinished', computed, planned, doneAt: null });
        else {
          const failed = JSON.parse(shardMeta(db, META.failed) ?? '[]') as { stimulus: string; metric?: string; message: string }[];
          shards.push({ index, state: project && mergedAt(project, runKey, index, doneAt) ? 'merged' : 'done', doneAt, computed, planned, ...(failed.length ? { failed } : {}) });
        }
      } finally {
        db.close();
      }
    }
    return { runKey, count: plan.count, metrics: plan.config.metrics.map((m) => m.id + (Object.keys(m.params).length ? paramsKey(m.params) : '')), shards };
  });
}

function mergedAt(project: Db, runKey: string, index: number, doneAt: string): boolean {
  return project.prepare('SELECT 1 FROM shard_merges WHERE run_key = ? AND shard_index = ? AND done_at = ?').get(runKey, index, doneAt) !== undefined;
}

/** Checks and merges every finished shard of the project; throws (changing nothing) on the first problem. */
export async function mergeShards(projectDir: string, project: Db): Promise<ShardMergeReport> {
  const status = shardStatus(projectDir, project);
  if (status.length === 0) throw new IqaError('E_NOT_FOUND', `${projectDir} has no sharded runs (no ${projectDir}/shards/<run>/plan.json): run iqa run --shard I/N or iqa slurm submit first`);
  const finished: { plan: ShardPlan; index: number; file: string; doneAt: string }[] = [];
  for (const run of status) {
    const plan = readPlan(projectDir, run.runKey)!;
    for (const s of run.shards) if (s.state === 'done') finished.push({ plan, index: s.index, file: shardPath(projectDir, run.runKey, s.index, plan.count), doneAt: s.doneAt! });
  }
  // Every check before the first write: a refusal leaves the project as it was.
  for (const t of finished) await checkShard(projectDir, project, t.plan, t.index, t.file);
  const merged = new Map<string, number[]>();
  for (const t of finished) {
    foldShard(project, t.plan, t.index, t.file, t.doneAt);
    merged.set(t.plan.runKey, [...(merged.get(t.plan.runKey) ?? []), t.index]);
  }
  const after = shardStatus(projectDir, project);
  return {
    runs: after.map((r) => {
      const now = merged.get(r.runKey) ?? [];
      return { ...r, merged: now, alreadyMerged: r.shards.filter((s) => s.state === 'merged' && !now.includes(s.index)).map((s) => s.index) };
    }),
  };
}

interface RunRow {
  id: number;
  metric_id: string;
  metric_version: string;
  params: string;
  params_key: string;
  engine_version: string;
  model_sha256: string | null;
  provider: string | null;
  decoder: string | null;
}

async function checkShard(projectDir: string, project: Db, plan: ShardPlan, index: number, file: string): Promise<void> {
  const name = `shard ${index} of ${plan.count} (${basename(file)} of run ${plan.runKey})`;
  const refuse = (problem: string) => {
    throw new IqaError('E_MISMATCH', `${name}: ${problem}; nothing was merged`, { file });
  };
  const db = readShardDb(file);
  try {
    if (shardMeta(db, META.runKey) !== plan.runKey || shardMeta(db, META.index) !== String(index) || shardMeta(db, META.count) !== String(plan.count)) {
      refuse(`the store was made for ${shardMeta(db, META.runKey) ? `shard ${shardMeta(db, META.index)} of ${shardMeta(db, META.count)} of run ${shardMeta(db, META.runKey)}` : 'no sharded run'} (other metric parameters, pooling or alignment)`);
    }
    const want = new Set(plan.config.metrics.map((m) => `${m.id}@${m.version} ${paramsKey(m.params)}`));
    for (const r of db.prepare('SELECT * FROM metric_runs').all() as RunRow[]) {
      if (r.engine_version !== APP_VERSION) refuse(`values made by engine ${r.engine_version}, this is ${APP_VERSION}`);
      if (!want.has(`${r.metric_id}@${r.metric_version} ${r.params_key}`)) refuse(`values of ${r.metric_id} ${r.params_key} (version ${r.metric_version}), which this run does not compute (other metric parameters)`);
    }
    const used = db.prepare('SELECT id, path, sha256, size_bytes, mtime_ms FROM stimuli WHERE id IN (SELECT stimulus_id FROM metric_values UNION SELECT reference_id FROM pairs WHERE distorted_id IN (SELECT stimulus_id FROM metric_values))').all() as {
      id: number;
      path: string;
      sha256: string;
      size_bytes: number;
      mtime_ms: number | null;
    }[];
    const inProject = project.prepare('SELECT path, sha256, size_bytes, mtime_ms FROM stimuli WHERE id = ?');
    for (const s of used) {
      const p = inProject.get(s.id) as { path: string; sha256: string; size_bytes: number; mtime_ms: number | null } | undefined;
      if (!p || p.path !== s.path) refuse(`${s.path} is not a stimulus of ${projectDir} (other files)`);
      if (p!.sha256 !== s.sha256) refuse(`${s.path} was computed from content ${s.sha256.slice(0, 12)}…, the project has ${p!.sha256.slice(0, 12)}… (other files)`);
      const abs = resolve(projectDir, s.path);
      let st;
      try {
        st = statSync(abs);
      } catch {
        refuse(`${s.path} is not at ${abs} any more (moved or deleted media)`);
      }
      if (!statMatches({ sizeBytes: p!.size_bytes, mtimeMs: p!.mtime_ms }, st!) && (await sha256File(abs)) !== s.sha256) refuse(`${s.path} has changed since it was computed (other files)`);
    }
  } finally {
    db.close();
  }
}

/** One shard into the project, in one transaction: its runs found or created, its values replacing the project's. */
function foldShard(project: Db, plan: ShardPlan, index: number, file: string, doneAt: string): void {
  const shard = readShardDb(file);
  try {
    const runs = shard.prepare('SELECT * FROM metric_runs').all() as RunRow[];
    const values = shard.prepare('SELECT * FROM metric_values WHERE run_id = ?');
    const frames = shard.prepare('SELECT * FROM frame_values WHERE run_id = ? ORDER BY stimulus_id, channel, frame');
    // A shard store made before schema 9 has no summaries to bring.
    const hasSummaries = shard.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'metric_summaries'").get() !== undefined;
    const summaries = hasSummaries ? shard.prepare('SELECT stimulus_id, summary FROM metric_summaries WHERE run_id = ?') : null;
    project.transaction(() => {
      const delValue = project.prepare('DELETE FROM metric_values WHERE run_id = ? AND stimulus_id = ? AND channel = ? AND pooling = ?');
      const putValue = project.prepare(
        'INSERT INTO metric_values (run_id, stimulus_id, channel, pooling, value, computed_at, elapsed_ms, decoder) VALUES (@run_id, @stimulus_id, @channel, @pooling, @value, @computed_at, @elapsed_ms, @decoder)',
      );
      const delFrames = project.prepare('DELETE FROM frame_values WHERE run_id = ? AND stimulus_id = ?');
      const putFrame = project.prepare('INSERT INTO frame_values (run_id, stimulus_id, channel, frame, value) VALUES (@run_id, @stimulus_id, @channel, @frame, @value)');
      for (const r of runs) {
        const target = ensureRun(project, { metricId: r.metric_id, metricVersion: r.metric_version, params: JSON.parse(r.params) as Record<string, string | number>, engineVersion: r.engine_version });
        const vs = values.all(r.id) as Record<string, unknown>[];
        const stimuli = new Set(vs.map((v) => v.stimulus_id as number));
        for (const v of vs) {
          delValue.run(target, v.stimulus_id, v.channel, v.pooling);
          putValue.run({ ...v, run_id: target });
        }
        for (const id of stimuli) delFrames.run(target, id);
        for (const f of frames.all(r.id) as Record<string, unknown>[]) if (stimuli.has(f.stimulus_id as number)) putFrame.run({ ...f, run_id: target });
        const delSummary = project.prepare('DELETE FROM metric_summaries WHERE run_id = ? AND stimulus_id = ?');
        for (const id of stimuli) delSummary.run(target, id);
        for (const m of (summaries?.all(r.id) ?? []) as { stimulus_id: number; summary: string }[]) {
          if (stimuli.has(m.stimulus_id)) project.prepare('INSERT INTO metric_summaries (run_id, stimulus_id, summary) VALUES (?, ?, ?)').run(target, m.stimulus_id, m.summary);
        }
        project
          .prepare(
            "UPDATE metric_runs SET decoder = COALESCE(?, decoder), model_sha256 = COALESCE(?, model_sha256), provider = COALESCE(?, provider), status = CASE WHEN status IN ('queued', 'interrupted', 'cancelled') THEN 'done' ELSE status END WHERE id = ?",
          )
          .run(r.decoder, r.model_sha256, r.provider, target);
      }
      project.prepare('INSERT OR REPLACE INTO shard_merges (run_key, shard_index, shard_count, done_at, merged_at) VALUES (?, ?, ?, ?, ?)').run(plan.runKey, index, plan.count, doneAt, new Date().toISOString());
    })();
  } finally {
    shard.close();
  }
}
