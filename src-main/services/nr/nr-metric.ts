/**
 * The metric nr:<name> of a trained predictor (`metrics.run`, `iqa run --metrics nr:<name>`): each
 * stimulus's level features (the predictor's backbone, from the project's feature cache when there),
 * then the predictor in the NR worker pool; values stored like any no-reference metric's, pooling 'mean'
 * (a video's features are the mean over its frames), with the predictor's SHA-256 as the model hash and
 * libsvm as the provider. A file that cannot be read fails that stimulus only.
 */
import { IqaError, toIqaError } from '../../common/errors';
import type { MetricRunReport, Stimulus } from '../../common/domain';
import { NR_METRIC_PREFIX, nrPredictorName } from '../../common/nr-predictor';
import { APP_VERSION } from '../../common/version';
import type { LevelMatrix } from '../../kernels/nr/blinder-train';
import type { Db } from '../store/project-db';
import { ensureRun, hasResult, saveResults } from '../store/metrics-repo';
import { listStimuli } from '../store/stimuli-repo';
import { extractLevelFeatures, projectLevelCacheDir } from './level-features';
import { runNrTask } from './nr-pool';
import { getNrPredictor } from './predictor-repo';
import { SVM_LIBRARY } from './train-predictor';

/** The metric's version, stored with its values (metric-registry.ts's nr entry says the same). */
const NR_METRIC_VERSION = '1';

/** The predictors named by nr:<name> ids, checked to exist before any work starts (E_NOT_FOUND). */
export function checkNrMetrics(db: Db, metricIds: readonly string[]): string[] {
  return metricIds.map((id) => {
    const name = nrPredictorName(id);
    if (name === null) throw new IqaError('E_INPUT', `${id} is not a predictor metric (nr:<name>)`);
    getNrPredictor(db, name);
    return name;
  });
}

export interface NrMetricsContext {
  signal?: AbortSignal;
  progress?: (done: number, total: number, message?: string) => void;
  mediaPath: (s: Stimulus) => string;
  modelDir?: string;
}

/** Computes and stores nr:<name> for the stimuli (all of them, or `stimulusIds`), skipping stored ones unless `force`. */
export async function runNrMetrics(db: Db, projectDir: string, names: readonly string[], opts: { stimulusIds?: number[]; force?: boolean }, ctx: NrMetricsContext): Promise<MetricRunReport> {
  const all = listStimuli(db);
  const wanted = opts.stimulusIds ? new Set(opts.stimulusIds) : null;
  const stimuli = wanted ? all.filter((s) => wanted.has(s.id)) : all;
  const report: MetricRunReport = { pairs: stimuli.length, computed: 0, skipped: 0, failed: [] };
  const total = stimuli.length * names.length;
  let done = 0;
  for (const name of names) {
    const record = getNrPredictor(db, name);
    const metricId = `${NR_METRIC_PREFIX}${name}`;
    const runId = ensureRun(db, { metricId, metricVersion: NR_METRIC_VERSION, params: {}, engineVersion: APP_VERSION });
    for (const s of stimuli) {
      if (ctx.signal?.aborted) throw new IqaError('E_CANCELLED', 'metric run cancelled');
      ctx.progress?.(done, total, `${metricId} ${s.name}`);
      done++;
      if (!opts.force && hasResult(db, runId, s.id)) {
        report.skipped++;
        continue;
      }
      const started = Date.now();
      try {
        const features = await extractLevelFeatures({
          backbone: record.backbone,
          sources: [{ id: s.id, path: ctx.mediaPath(s), kind: s.kind === 'video' ? 'video' : 'image', sha256: s.sha256 }],
          cacheDir: projectLevelCacheDir(projectDir),
          ...(ctx.modelDir ? { modelDir: ctx.modelDir } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        const f = features.get(s.id);
        if (!f) throw new IqaError('E_INTERNAL', `no ${record.backbone} features came back for ${s.name}`);
        if (f.backboneSha256 !== record.backboneSha256) {
          throw new IqaError('E_MODEL', `${metricId} was trained on ${record.backbone} features of graph ${record.backboneSha256.slice(0, 12)}…, the installed one is ${f.backboneSha256.slice(0, 12)}…: install the model it was trained with, or train again`);
        }
        const matrices: LevelMatrix[] = f.levels.map((lv) => ({ name: lv.name, dims: lv.values.length, values: Float64Array.from(lv.values) }));
        const r = await runNrTask({ kind: 'predict', predictor: record.predictor, matrices }, ctx.signal);
        const value = r.predictions[0]!;
        saveResults(db, [
          {
            runId,
            stimulusId: s.id,
            pooling: 'mean',
            pooled: value,
            perFrame: new Float64Array(0),
            decoder: `${record.backbone} level features`,
            elapsedMs: Date.now() - started,
            model: { modelId: metricId, modelSha256: record.sha256, provider: SVM_LIBRARY },
          },
        ]);
        report.computed++;
      } catch (err) {
        const e = toIqaError(err);
        if (e.code === 'E_CANCELLED') throw e;
        // A missing or changed backbone fails every stimulus alike: one error for the run.
        if (e.code === 'E_MODEL') throw e;
        report.failed.push({ stimulus: s.name, metric: metricId, error: e.toWire() });
      }
    }
  }
  ctx.progress?.(total, total);
  return report;
}
