/**
 * The contract commands of sharded runs (issue 17), given the engine's project databases, path checks,
 * jobs and frame pool: `metrics.run` with a shard (a job, like every run), `shards.status`,
 * `shards.merge`, `slurm.submit` and `slurm.status`. A shard never opens the project through the
 * engine's writable connection: it reads the project file read-only (run-shard.ts).
 */
import { resolve } from 'node:path';
import type { Handlers, ParsedInput } from '../../common/contract';
import { IqaError } from '../../common/errors';
import { resolveMetricRequest } from '../../common/metric-params';
import type { PathAccess } from '../access/path-access';
import type { JobManager } from '../jobs/job-manager';
import type { FrameRunner } from '../metrics/frame-pool';
import type { ResolvedMetric } from '../metrics/compute-pair';
import type { Db } from '../store/project-db';
import { mergeShards, shardStatus } from './merge-shards';
import { runShard } from './run-shard';
import { slurmStatus, submitToSlurm } from './slurm';

export interface ShardEngine {
  db(dir: string): Db;
  readonly access: PathAccess;
  readonly jobs: JobManager;
  frameRunner(): FrameRunner;
}

function resolved(metrics: readonly { id: string; params?: Record<string, string | number> }[]): ResolvedMetric[] {
  return metrics.map((m) => {
    try {
      return { id: m.id, params: resolveMetricRequest(m).params };
    } catch (err) {
      throw new IqaError('E_INPUT', (err as Error).message);
    }
  });
}

/** `metrics.run` with `shard`: the shard as a background job; resolves with its id. */
export function startShardJob(engine: ShardEngine, input: ParsedInput<'metrics.run'>): string {
  const dir = engine.access.check(resolve(input.projectDir), 'project folder');
  if (input.stimulusIds || input.stimulusNames) throw new IqaError('E_INPUT', 'a sharded run computes the whole project: --only and --shard do not go together');
  const metrics = resolved(input.metrics);
  const shard = input.shard!;
  const runner = engine.frameRunner();
  return engine.jobs.start({
    kind: 'metrics',
    label: `Compute ${metrics.map((m) => m.id).join(', ')}, shard ${shard.index} of ${shard.count}`,
    projectDir: dir,
    unit: 'frames',
    run: (ctx) =>
      runShard(
        dir,
        { metrics, pooling: input.pooling, policy: input.policy, acceptDecodeErrors: input.acceptDecodeErrors, force: input.force },
        shard,
        { runner, signal: ctx.signal, onProgress: (d, t, msg) => ctx.progress(d, t, msg) },
      ),
  });
}

export function shardHandlers(engine: ShardEngine): Pick<Handlers, 'shards.status' | 'shards.merge' | 'slurm.submit' | 'slurm.status'> {
  return {
    'shards.status': async ({ projectDir }) => {
      const dir = resolve(projectDir);
      return shardStatus(dir, engine.db(dir));
    },
    'shards.merge': async ({ projectDir }) => {
      const dir = resolve(projectDir);
      return mergeShards(dir, engine.db(dir));
    },
    'slurm.submit': async (input) => {
      const dir = resolve(input.projectDir);
      const db = engine.db(dir);
      return submitToSlurm(dir, db, {
        metrics: resolved(input.metrics),
        shards: input.shards,
        pooling: input.pooling ?? 'mean',
        policy: input.policy ?? {},
        ...(input.acceptDecodeErrors ? { acceptDecodeErrors: true } : {}),
        ...(input.force ? { force: true } : {}),
        ...(input.partition ? { partition: input.partition } : {}),
        ...(input.time ? { time: input.time } : {}),
        ...(input.cpusPerTask ? { cpusPerTask: input.cpusPerTask } : {}),
        ...(input.gres ? { gres: input.gres } : {}),
        ...(input.dryRun ? { dryRun: true } : {}),
      });
    },
    'slurm.status': async ({ projectDir }) => {
      const dir = resolve(projectDir);
      return slurmStatus(dir, engine.db(dir));
    },
  };
}
