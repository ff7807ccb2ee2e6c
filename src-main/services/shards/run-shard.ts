/**
 * `iqa run --shard I/N` (issue 17): computes shard I of N of a project's pairs still to compute, into
 * the shard's own store (shard-store.ts), never writing the project's file. The split is planned once
 * per configuration (plan.json, from the project's state when the first shard or `iqa slurm submit`
 * planned it), so a shard run again after others were merged still computes the same pairs. The
 * computation is the project run itself (run-project-metrics.ts) on the shard store: same extractors,
 * same provenance per value, and a killed shard resumes where it stopped (stored pairs are skipped).
 */
import { existsSync } from 'node:fs';
import { IqaError } from '../../common/errors';
import type { MetricRunReport, Stimulus } from '../../common/domain';
import { metricById, paramsKey, type Pooling } from '../../common/metric-registry';
import { APP_VERSION } from '../../common/version';
import type { Db } from '../store/project-db';
import { listStimuli } from '../store/stimuli-repo';
import { needsReference, type AlignPolicy, type ResolvedMetric } from '../metrics/compute-pair';
import { runProjectMetrics, type RunProjectContext } from '../metrics/run-project-metrics';
import { runKeyOf, splitShards, type ShardRunConfig, type ShardTask } from './shard-plan';
import { META, openProjectReadOnly, openShardDb, readPlan, seedShardStore, setShardMeta, shardMeta, shardPath, writePlanOnce, type ShardPlan } from './shard-store';

export interface ShardRunOptions {
  metrics: readonly ResolvedMetric[];
  pooling: Pooling;
  policy: AlignPolicy;
  acceptDecodeErrors?: boolean;
  /** Plan every pair, stored or not (only when the plan is made). */
  force?: boolean;
}

export function shardConfig(o: ShardRunOptions): ShardRunConfig {
  return {
    metrics: o.metrics.map((m) => ({ id: m.id, version: metricById(m.id)!.version, params: m.params })),
    pooling: o.pooling,
    policy: { ...o.policy },
    acceptDecodeErrors: o.acceptDecodeErrors ?? false,
    engineVersion: APP_VERSION,
  };
}

/** The project's run id of a metric configuration, without creating it (a shard only reads the project). */
function findRun(db: Db, m: ShardRunConfig['metrics'][number], engineVersion: string): number | null {
  const row = db
    .prepare('SELECT id FROM metric_runs WHERE metric_id = ? AND params_key = ? AND metric_version = ? AND engine_version = ? ORDER BY id DESC LIMIT 1')
    .get(m.id, paramsKey(m.params), m.version, engineVersion) as { id: number } | undefined;
  return row?.id ?? null;
}

/**
 * The stimuli a configuration still has to compute in the project, each weighted by its decoded
 * pixels: full-reference metrics on every paired distorted stimulus (both sides decoded), no-reference
 * metrics on every stimulus. A stimulus is done when every metric has its value in the pooling asked for.
 */
export function tasksToCompute(project: Db, config: ShardRunConfig, force: boolean): { tasks: ShardTask[]; stimuli: Stimulus[] } {
  const stimuli = listStimuli(project);
  const byId = new Map(stimuli.map((s) => [s.id, s]));
  const fr = config.metrics.some((m) => needsReference(m.id));
  const nr = config.metrics.some((m) => !needsReference(m.id));
  const runIds = config.metrics.map((m) => findRun(project, m, config.engineVersion));
  const stored = project.prepare('SELECT 1 FROM metric_values WHERE run_id = ? AND stimulus_id = ? AND pooling = ? LIMIT 1');
  const pixels = (s: Stimulus) => (s.frameCount ?? 1) * s.width * s.height;
  const tasks: ShardTask[] = [];
  for (const s of stimuli) {
    const ref = s.role === 'distorted' && s.referenceId !== null ? byId.get(s.referenceId) : undefined;
    let weight = 0;
    const wanted: number[] = [];
    config.metrics.forEach((m, k) => {
      if (needsReference(m.id) ? ref !== undefined : true) wanted.push(k);
    });
    if (fr && ref) weight += pixels(s) + pixels(ref);
    if (nr) weight += pixels(s);
    if (wanted.length === 0 || weight === 0) continue;
    const done = !force && wanted.every((k) => runIds[k] !== null && stored.get(runIds[k], s.id, config.pooling) !== undefined);
    if (!done) tasks.push({ stimulusId: s.id, path: s.path, weight });
  }
  return { tasks, stimuli };
}

/** The plan of a configuration over `count` shards: the one on disk, or a new one from the project's state. */
export function planShards(projectDir: string, project: Db, config: ShardRunConfig, count: number, force: boolean): ShardPlan {
  const runKey = runKeyOf(config);
  const existing = readPlan(projectDir, runKey);
  if (existing) {
    if (existing.count !== count) {
      throw new IqaError(
        'E_INPUT',
        `the shards of this configuration were planned as ${existing.count} (${projectDir}/shards/${runKey}/plan.json): use --shard I/${existing.count}, or merge and delete that folder to split it again`,
      );
    }
    return existing;
  }
  const { tasks, stimuli } = tasksToCompute(project, config, force);
  if (tasks.length === 0) throw new IqaError('E_INPUT', `nothing to compute: every stimulus of ${projectDir} already has these metrics' values (--force plans them all again)`);
  const shards = splitShards(tasks, count);
  const weightOf = new Map(tasks.map((t) => [t.stimulusId, t.weight]));
  const byId = new Map(stimuli.map((s) => [s.id, s]));
  const planned: ShardPlan['stimuli'] = {};
  for (const t of tasks) {
    const s = byId.get(t.stimulusId)!;
    planned[s.id] = { path: s.path, sha256: s.sha256 };
    const ref = s.referenceId !== null ? byId.get(s.referenceId) : undefined;
    if (ref) planned[ref.id] = { path: ref.path, sha256: ref.sha256 };
  }
  return writePlanOnce(projectDir, {
    format: 'iqa-shard-plan/1',
    runKey,
    count,
    config,
    createdAt: new Date().toISOString(),
    shards,
    weights: shards.map((ids) => ids.reduce((w, id) => w + weightOf.get(id)!, 0)),
    stimuli: planned,
  });
}

export interface ShardRunReport extends MetricRunReport {
  runKey: string;
  shard: number;
  count: number;
  store: string;
}

/** Plans (if needed) and computes shard `index` of `count`; the store is marked done when the run ends (not when killed or cancelled). */
export async function runShard(projectDir: string, options: ShardRunOptions, shard: { index: number; count: number }, ctx: RunProjectContext): Promise<ShardRunReport> {
  const config = shardConfig(options);
  let plan: ShardPlan;
  const project = openProjectReadOnly(projectDir);
  try {
    plan = planShards(projectDir, project, config, shard.count, options.force ?? false);
    const ids = plan.shards[shard.index - 1]!;
    refuseConfirmedAlignments(project, ids);
    const file = shardPath(projectDir, plan.runKey, shard.index, shard.count);
    const fresh = !existsSync(file);
    const db = openShardDb(file);
    try {
      if (fresh || shardMeta(db, META.ready) === null) seedShardStore(db, project, ids, { runKey: plan.runKey, index: shard.index, count: shard.count });
      else if (shardMeta(db, META.runKey) !== plan.runKey) throw new IqaError('E_MISMATCH', `${file} belongs to run ${shardMeta(db, META.runKey)}, not ${plan.runKey}: move it away`, { file });
      project.close();
      const base = { runKey: plan.runKey, shard: shard.index, count: shard.count, store: file };
      if (ids.length === 0) {
        setShardMeta(db, META.done, shardMeta(db, META.done) ?? new Date().toISOString());
        return { ...base, pairs: 0, computed: 0, skipped: 0, failed: [] };
      }
      const report = await runProjectMetrics(
        db,
        projectDir,
        { metrics: options.metrics, stimulusIds: ids, force: false, policy: options.policy, pooling: options.pooling, acceptDecodeErrors: options.acceptDecodeErrors },
        ctx,
      );
      // Finished, failures included (a file a metric cannot compute fails the same way in a plain run, whose
      // other values are stored): the shard can be merged, its failures are reported, and running it again
      // retries them (a new finish time, so the next merge takes what it added).
      if (report.computed > 0 || shardMeta(db, META.done) === null) {
        db.transaction(() => {
          setShardMeta(db, META.failed, JSON.stringify(report.failed.map((f) => ({ stimulus: f.stimulus, ...(f.metric ? { metric: f.metric } : {}), message: f.error.message }))));
          setShardMeta(db, META.done, new Date().toISOString());
        })();
      }
      return { ...base, ...report };
    } finally {
      db.close();
    }
  } finally {
    if (project.open) project.close();
  }
}

/**
 * A pair whose alignment was confirmed in the viewer is computed with it by `iqa run`; a shard does not
 * apply such decisions, so it refuses rather than store values a plain run would not.
 */
function refuseConfirmedAlignments(project: Db, ids: readonly number[]): void {
  if (ids.length === 0) return;
  const wanted = new Set(ids);
  const accepted = (project.prepare("SELECT d.distorted_id, s.path FROM alignment_decisions d JOIN stimuli s ON s.id = d.distorted_id WHERE d.verdict = 'accepted'").all() as { distorted_id: number; path: string }[]).filter(
    (r) => wanted.has(r.distorted_id),
  );
  if (accepted.length > 0) {
    throw new IqaError(
      'E_UNSUPPORTED',
      `${accepted[0]!.path}${accepted.length > 1 ? ` and ${accepted.length - 1} more` : ''} have an alignment confirmed in the viewer, which sharded runs do not apply: compute them with iqa run (without --shard)`,
    );
  }
}
