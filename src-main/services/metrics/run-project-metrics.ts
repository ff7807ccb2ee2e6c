/**
 * "Compute these metrics for these pairs" over a project: the background job behind the compute
 * dialog and `iqa run`. Full-reference metrics run on every selected distorted stimulus that has a
 * reference; no-reference metrics on every selected stimulus. Pairs whose values are already stored for the same metric configuration are
 * skipped unless forced (so a cancelled or crashed run resumes where it stopped); a pair that fails
 * is reported with its typed error and the others go on. Every pair's values are committed together.
 */
import { resolve } from 'node:path';
import { toIqaError } from '../../common/errors';
import type { MetricRunReport, Stimulus } from '../../common/domain';
import { metricById, type Pooling } from '../../common/metric-registry';
import { APP_VERSION } from '../../common/version';
import type { Db } from '../store/project-db';
import { addPooling, ensureRun, hasResult, saveResults, setRunStatus, storedPoolings } from '../store/metrics-repo';
import { listStimuli } from '../store/stimuli-repo';
import { computeNoReference, computePair, type AlignPolicy, type ResolvedMetric } from './compute-pair';
import type { FrameRunner } from './frame-pool';

export interface RunProjectOptions {
  metrics: readonly ResolvedMetric[];
  stimulusIds?: readonly number[];
  force?: boolean;
  policy?: AlignPolicy;
  pooling?: Pooling;
}

export interface RunProjectContext {
  runner: FrameRunner;
  signal?: AbortSignal;
  /** done/total in frames, with the pair being computed. */
  onProgress?: (done: number, total: number, message: string) => void;
}

export function pairsToCompute(stimuli: readonly Stimulus[], ids?: readonly number[]): { dist: Stimulus; ref: Stimulus }[] {
  const byId = new Map(stimuli.map((s) => [s.id, s]));
  const wanted = ids ? new Set(ids) : null;
  return stimuli
    .filter((s) => s.role === 'distorted' && s.referenceId !== null && (!wanted || wanted.has(s.id)))
    .map((s) => ({ dist: s, ref: byId.get(s.referenceId!)! }));
}

export async function runProjectMetrics(db: Db, projectDir: string, options: RunProjectOptions, ctx: RunProjectContext): Promise<MetricRunReport> {
  const stimuli = listStimuli(db);
  const fr = options.metrics.map((m, k) => ({ m, k })).filter((x) => metricById(x.m.id)!.kind !== 'NR');
  const nr = options.metrics.map((m, k) => ({ m, k })).filter((x) => metricById(x.m.id)!.kind === 'NR');
  const pairs = fr.length ? pairsToCompute(stimuli, options.stimulusIds) : [];
  // No-reference metrics apply to every selected stimulus, references included (ACR studies rate them).
  const wanted = options.stimulusIds ? new Set(options.stimulusIds) : null;
  const singles = nr.length ? stimuli.filter((s) => !wanted || wanted.has(s.id)) : [];
  const runIds = options.metrics.map((m) =>
    ensureRun(db, { metricId: m.id, metricVersion: metricById(m.id)!.version, params: m.params, engineVersion: APP_VERSION }),
  );
  const tasks: { dist: Stimulus; ref: Stimulus | null; metrics: { m: ResolvedMetric; k: number }[] }[] = [
    ...pairs.map((p) => ({ dist: p.dist, ref: p.ref as Stimulus | null, metrics: fr })),
    ...singles.map((s) => ({ dist: s, ref: null, metrics: nr })),
  ];
  const report: MetricRunReport = { pairs: tasks.length, computed: 0, skipped: 0, failed: [] };
  const totalFrames = tasks.reduce((n, t) => n + (t.dist.frameCount ?? 1), 0);
  let doneFrames = 0;
  for (const id of runIds) setRunStatus(db, id, 'running');
  const runFailures = runIds.map(() => 0);
  const runErrors: (string | undefined)[] = runIds.map(() => undefined);
  let cancelled = false;
  try {
    const pooling = options.pooling ?? 'mean';
    for (const [i, task] of tasks.entries()) {
      const { dist, ref } = task;
      const toCompute: { m: ResolvedMetric; runId: number; k: number }[] = [];
      for (const x of task.metrics) {
        const runId = runIds[x.k]!;
        if (options.force || !hasResult(db, runId, dist.id)) toCompute.push({ m: x.m, runId, k: x.k });
        // Stored per-frame values give a new pooling without decoding again.
        else if (!storedPoolings(db, runId, dist.id).includes(pooling)) addPooling(db, runId, dist.id, pooling);
      }
      const label = `${i + 1}/${tasks.length}: ${dist.name}`;
      if (toCompute.length === 0) {
        report.skipped += 1;
        doneFrames += dist.frameCount ?? 1;
        ctx.onProgress?.(doneFrames, totalFrames, label);
        continue;
      }
      const before = doneFrames;
      const common = {
        metrics: toCompute.map((x) => x.m),
        pooling: options.pooling,
        signal: ctx.signal,
        onFrame: (d: number) => ctx.onProgress?.(before + d, totalFrames, label),
      };
      try {
        const result = ref
          ? await computePair(
              {
                ref: resolve(projectDir, ref.path),
                dist: resolve(projectDir, dist.path),
                refInfo: ref,
                distInfo: dist,
                refRaw: ref.rawGeometry ?? undefined,
                distRaw: dist.rawGeometry ?? undefined,
              },
              { ...common, runner: ctx.runner, policy: options.policy },
            )
          : await computeNoReference({ file: resolve(projectDir, dist.path), info: dist, raw: dist.rawGeometry ?? undefined }, common);
        // A metric whose model could not run is reported for this stimulus; the others are stored.
        toCompute.forEach((x, k) => {
          const e = result.errors[k];
          if (e) {
            report.failed.push({ stimulus: dist.path, metric: x.m.id, error: e.toWire() });
            runFailures[x.k]! += 1;
            runErrors[x.k] ??= e.message;
          }
        });
        saveResults(
          db,
          toCompute
            .map((x, k) => ({
              runId: x.runId,
              stimulusId: dist.id,
              pooling: result.pooling,
              pooled: result.pooled[k]!,
              perFrame: result.perFrame[k]!,
              decoder: result.decoder,
              elapsedMs: result.elapsedMs,
              model: result.models[k] ?? null,
            }))
            .filter((_, k) => result.errors[k] === null),
        );
        report.computed += 1;
      } catch (err) {
        const e = toIqaError(err);
        if (e.code === 'E_CANCELLED' || ctx.signal?.aborted) {
          cancelled = true;
          throw e;
        }
        report.failed.push({ stimulus: dist.path, error: e.toWire() });
        for (const x of toCompute) {
          runFailures[x.k]! += 1;
          runErrors[x.k] ??= e.message;
        }
      }
      doneFrames = before + (dist.frameCount ?? 1);
      ctx.onProgress?.(doneFrames, totalFrames, label);
    }
  } finally {
    // A run failed when none of its stimuli could be computed (e.g. its model is missing).
    runIds.forEach((id, r) => {
      const attempted = tasks.filter((t) => t.metrics.some((x) => x.k === r)).length;
      const failed = !cancelled && attempted > 0 && runFailures[r]! >= attempted;
      setRunStatus(db, id, cancelled ? 'cancelled' : failed ? 'failed' : 'done', failed ? runErrors[r] : undefined);
    });
  }
  return report;
}
