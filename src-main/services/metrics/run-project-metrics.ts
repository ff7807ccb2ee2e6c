/**
 * "Compute these metrics for these pairs" over a project: the background job behind the compute
 * dialog and `iqa run`. Full-reference metrics run on every selected distorted stimulus that has a
 * reference; no-reference metrics on every selected stimulus. Pairs whose values are already stored for the same metric configuration are
 * skipped unless forced (so a cancelled or crashed run resumes where it stopped); a pair that fails
 * is reported with its typed error and the others go on. Every pair's values are committed together.
 *
 * Files are checked for changes first (import/refresh-stimuli): values of changed content are dropped
 * and recomputed under the new hash. Several runs on one project share the work: each pair is claimed
 * before it is computed (store/run-leases) and a pair another live run holds is waited for, not
 * computed twice; a run whose process dies is marked 'interrupted' at the next open.
 */
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { IqaError, toIqaError } from '../../common/errors';
import type { MetricRunReport, Stimulus } from '../../common/domain';
import { metricById, type Pooling } from '../../common/metric-registry';
import { APP_VERSION } from '../../common/version';
import type { Db } from '../store/project-db';
import { addPooling, ensureRun, frameValues, hasResult, saveResults, storedPoolings } from '../store/metrics-repo';
import { claimPair, finishWorker, heartbeat, HEARTBEAT_MS, releasePair, startWorker } from '../store/run-leases';
import { listStimuli } from '../store/stimuli-repo';
import { refreshStimuli, type RefreshReport } from '../import/refresh-stimuli';
import { computeMetrics, needsReference, poolMetric, type AlignPolicy, type ResolvedMetric } from './compute-pair';
import type { FrameRunner } from './frame-pool';

export interface RunProjectOptions {
  metrics: readonly ResolvedMetric[];
  stimulusIds?: readonly number[];
  force?: boolean;
  policy?: AlignPolicy;
  pooling?: Pooling;
  /** Compute damaged files anyway (see ComputeOptions.acceptDecodeErrors). */
  acceptDecodeErrors?: boolean;
}

export interface RunProjectContext {
  runner: FrameRunner;
  signal?: AbortSignal;
  /** done/total in frames, with the pair being computed. */
  onProgress?: (done: number, total: number, message: string) => void;
  /** The files found changed since they were hashed (their old values were dropped). */
  onRefresh?: (report: RefreshReport) => void;
}

export function pairsToCompute(stimuli: readonly Stimulus[], ids?: readonly number[]): { dist: Stimulus; ref: Stimulus }[] {
  const byId = new Map(stimuli.map((s) => [s.id, s]));
  const wanted = ids ? new Set(ids) : null;
  return stimuli
    .filter((s) => s.role === 'distorted' && s.referenceId !== null && (!wanted || wanted.has(s.id)))
    .map((s) => ({ dist: s, ref: byId.get(s.referenceId!)! }));
}

export async function runProjectMetrics(db: Db, projectDir: string, options: RunProjectOptions, ctx: RunProjectContext): Promise<MetricRunReport> {
  // A forced run recomputes what was stored before it began, not what a concurrent forced run stores.
  const startedAt = new Date().toISOString();
  // The extractor says whether a metric needs a reference (compute-pair's one split).
  const fr = options.metrics.map((m, k) => ({ m, k })).filter((x) => needsReference(x.m.id));
  const nr = options.metrics.map((m, k) => ({ m, k })).filter((x) => !needsReference(x.m.id));
  // No-reference metrics apply to every selected stimulus, references included (ACR studies rate them).
  const wanted = options.stimulusIds ? new Set(options.stimulusIds) : null;
  const select = (stimuli: readonly Stimulus[]) => ({
    pairs: fr.length ? pairsToCompute(stimuli, options.stimulusIds) : [],
    singles: nr.length ? stimuli.filter((s) => !wanted || wanted.has(s.id)) : [],
  });
  // Files changed since they were hashed get their new hash (and lose their old values) before
  // anything is skipped as stored; the stimuli are read again for their new media properties.
  const first = select(listStimuli(db));
  const involved = new Set([...first.pairs.flatMap((p) => [p.ref.id, p.dist.id]), ...first.singles.map((s) => s.id)]);
  ctx.onRefresh?.(await refreshStimuli(db, projectDir, [...involved], ctx.signal));
  const { pairs, singles } = select(listStimuli(db));
  const runIds = options.metrics.map((m) =>
    ensureRun(db, { metricId: m.id, metricVersion: metricById(m.id)!.version, params: m.params, engineVersion: APP_VERSION }),
  );
  const tasks: { dist: Stimulus; ref: Stimulus | null; metrics: { m: ResolvedMetric; k: number }[] }[] = [
    ...pairs.map((p) => ({ dist: p.dist, ref: p.ref as Stimulus | null, metrics: fr })),
    ...singles.map((s) => ({ dist: s, ref: null, metrics: nr })),
  ];
  if (tasks.length === 0) throw new IqaError('E_INPUT', nothingToCompute(listStimuli(db), fr.map((x) => x.m.id), options.stimulusIds));
  const report: MetricRunReport = { pairs: tasks.length, computed: 0, skipped: 0, failed: [] };
  const totalFrames = tasks.reduce((n, t) => n + (t.dist.frameCount ?? 1), 0);
  let doneFrames = 0;
  const worker = startWorker(db, runIds);
  const beat = setInterval(() => {
    try {
      heartbeat(db, worker);
    } catch {
      // A busy or closing database: one missed beat is harmless, the lease outlasts several.
    }
  }, HEARTBEAT_MS);
  beat.unref();
  const runFailures = runIds.map(() => 0);
  const runErrors: (string | undefined)[] = runIds.map(() => undefined);
  let cancelled = false;
  const pooling = options.pooling ?? 'mean';
  // Decides, in one IMMEDIATE transaction, what of a task is still to compute and claims it; null when
  // another live process holds it (the task is retried once that process has stored or dropped it).
  const claim = db.transaction((task: (typeof tasks)[number]) => {
    const toCompute: { m: ResolvedMetric; runId: number; k: number }[] = [];
    for (const x of task.metrics) {
      const runId = runIds[x.k]!;
      if (!hasResult(db, runId, task.dist.id, options.force ? startedAt : undefined)) toCompute.push({ m: x.m, runId, k: x.k });
      // Stored per-frame values give a new pooling without decoding again (pooled here, stored there).
      else if (!storedPoolings(db, runId, task.dist.id).includes(pooling)) {
        const frames = frameValues(db, runId, task.dist.id);
        if (frames.length > 0) addPooling(db, runId, task.dist.id, pooling, poolMetric(frames, x.m.id, pooling));
      }
    }
    return claimPair(db, worker, toCompute.map((x) => x.runId), task.dist.id) ? toCompute : null;
  });
  try {
    let queue = [...tasks.entries()];
    while (queue.length > 0) {
      const busy: typeof queue = [];
      for (const [i, task] of queue) {
        const { dist, ref } = task;
        const toCompute = claim.immediate(task);
        if (toCompute === null) {
          busy.push([i, task]);
          continue;
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
          acceptDecodeErrors: options.acceptDecodeErrors,
          signal: ctx.signal,
          onFrame: (d: number) => ctx.onProgress?.(before + d, totalFrames, label),
        };
        try {
          const result = await computeMetrics(
            {
              dist: resolve(projectDir, dist.path),
              distInfo: dist,
              distRaw: dist.rawGeometry ?? undefined,
              ...(ref ? { ref: resolve(projectDir, ref.path), refInfo: ref, refRaw: ref.rawGeometry ?? undefined } : {}),
            },
            { ...common, runner: ctx.runner, policy: options.policy },
          );
          // A metric whose model could not run is reported for this stimulus; the others are stored.
          toCompute.forEach((x, k) => {
            const e = result.errors[k];
            if (e) {
              report.failed.push({ stimulus: dist.path, metric: x.m.id, error: e.toWire() });
              runFailures[x.k]! += 1;
              runErrors[x.k] ??= e.message;
            }
          });
          // The values and the end of the claim commit together: no other process can see the pair
          // neither stored nor claimed in between.
          db.transaction(() => {
            saveResults(
              db,
              toCompute
                .map((x, k) => ({
                  runId: x.runId,
                  stimulusId: dist.id,
                  pooling: result.pooling,
                  pooled: result.pooled[k]!,
                  // The other poolings stored before are recomputed from the new frames, here: the store only stores.
                  otherPoolings: storedPoolings(db, x.runId, dist.id)
                    .filter((p) => p !== result.pooling)
                    .map((p) => ({ pooling: p, value: poolMetric(result.perFrame[k]!, x.m.id, p as Pooling) })),
                  perFrame: result.perFrame[k]!,
                  decoder: result.decoder,
                  elapsedMs: result.elapsedMs,
                  model: result.models[k] ?? null,
                  summary: result.summaries[k] ?? null,
                }))
                .filter((_, k) => result.errors[k] === null),
            );
            releasePair(db, worker, dist.id);
          })();
          report.computed += 1;
        } catch (err) {
          const e = toIqaError(err);
          if (e.code === 'E_CANCELLED' || ctx.signal?.aborted) {
            cancelled = true;
            throw e;
          }
          releasePair(db, worker, dist.id);
          report.failed.push({ stimulus: dist.path, error: e.toWire() });
          for (const x of toCompute) {
            runFailures[x.k]! += 1;
            runErrors[x.k] ??= e.message;
          }
        }
        doneFrames = before + (dist.frameCount ?? 1);
        ctx.onProgress?.(doneFrames, totalFrames, label);
      }
      if (busy.length > 0) await waitForOthers(ctx.signal);
      queue = busy;
    }
  } catch (err) {
    if (toIqaError(err).code === 'E_CANCELLED') cancelled = true;
    throw err;
  } finally {
    clearInterval(beat);
    // A run failed when none of its stimuli could be computed (e.g. its model is missing). Its status
    // is left to a concurrent process still executing it (finishWorker).
    finishWorker(db, worker, (runId) => {
      const r = runIds.indexOf(runId);
      const attempted = tasks.filter((t) => t.metrics.some((x) => x.k === r)).length;
      const failed = !cancelled && attempted > 0 && runFailures[r]! >= attempted;
      return { status: cancelled ? 'cancelled' : failed ? 'failed' : 'done', error: failed ? runErrors[r] : undefined };
    });
  }
  return report;
}

/** Why a run found nothing to compute, and what to do about it (only full-reference metrics get here). */
function nothingToCompute(stimuli: readonly Stimulus[], frIds: readonly string[], ids?: readonly number[]): string {
  const metrics = `${frIds.join(', ')} compare${frIds.length === 1 ? 's' : ''} a distorted stimulus with its reference`;
  if (stimuli.length === 0) return `nothing to compute: the project has no stimuli; import a folder first (iqa import <project> <folder>)`;
  if (frIds.length === 0) return 'nothing to compute: none of the selected stimuli is in the project';
  if (ids) return `nothing to compute: ${metrics}, and none of the ${ids.length} selected stimuli is a distorted stimulus with a reference`;
  const distorted = stimuli.filter((s) => s.role === 'distorted').length;
  const refs = stimuli.length - distorted;
  return (
    `nothing to compute: ${metrics}, and none of the project's ${distorted} distorted stimuli has one (${refs} reference${refs === 1 ? '' : 's'} imported). ` +
    `Import the references (into a ref/ folder beside the distorted files, or named so that each is the start of its distorted files' names, e.g. img01.png for img01_blur.png), ` +
    `or name the pairing with iqa import --pattern '^(?<ref>[^_]+)_' and import again; no-reference metrics (e.g. niqe, brisque) need no pair`
  );
}

/** How long a run waits before looking again at pairs another process is computing. */
const CLAIM_RETRY_MS = 500;

async function waitForOthers(signal?: AbortSignal): Promise<void> {
  try {
    await delay(CLAIM_RETRY_MS, undefined, { signal });
  } catch {
    throw new IqaError('E_CANCELLED', 'cancelled while waiting for pairs another run is computing');
  }
}
