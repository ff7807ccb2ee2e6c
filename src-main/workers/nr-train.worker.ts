/**
 * Worker thread of the learned NR predictor (run by piscina, services/nr/nr-pool.ts): fits one level's
 * SVR, combines levels and predicts, computes the training targets with the analysis's MOS code and
 * the cross-validated statistics with its P.1401 kernels. A thin adapter over kernels; libsvm is loaded
 * here (workers/libsvm-svr.ts), never on the engine's thread. Errors come back as WireErrors.
 */
import { toIqaError } from '../common/errors';
import { computePointAnalysis } from '../kernels/analysis/compute-analysis';
import { fitCombination, fitLevel, predictRows } from '../kernels/nr/blinder-train';
import { metricVsMos } from '../kernels/stats/metric-vs-mos';
import { libsvmBackend } from './libsvm-svr';
import type { NrReply, NrResult, NrTask } from './nr-train-messages';
import { yieldToEngineThread } from './thread-priority';

yieldToEngineThread();

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);

async function run(task: NrTask): Promise<NrResult> {
  switch (task.kind) {
    case 'level': {
      const svr = await libsvmBackend();
      const fit = fitLevel(svr, task.level, task.targets, task.groups, task.train, task.scale, { svr: task.svr, innerFolds: task.innerFolds, seed: task.seed, grid: task.grid });
      return { kind: 'level', level: fit.level, innerPredictions: fit.innerPredictions };
    }
    case 'assemble': {
      const svr = await libsvmBackend();
      const predictor = { levels: task.levels, combination: fitCombination(task.combine, task.innerPredictions, task.y), target: task.scale };
      const predictions = task.test.length ? predictRows(svr, predictor, task.matrices, task.test) : new Float64Array(0);
      return { kind: 'assemble', predictor, predictions };
    }
    case 'predict': {
      const svr = await libsvmBackend();
      const rows = task.matrices.length ? task.matrices[0]!.values.length / task.matrices[0]!.dims : 0;
      return { kind: 'predict', predictions: predictRows(svr, task.predictor, task.matrices, Array.from({ length: rows }, (_, i) => i)) };
    }
    case 'mos': {
      const report = computePointAnalysis(task.input);
      return { kind: 'mos', rows: report.mos.map((r) => ({ stimulusId: r.stimulusId, mos: num(r.mos) })), scores: report.provenance.scores?.kind ?? (report.provenance.differential ? 'difference' : 'absolute') };
    }
    case 'stats': {
      // Predictions are on the target's scale: no mapping, the raw PLCC and RMSE are the predictor's.
      const r = metricVsMos(task.predictions, task.targets, {
        mapping: 'none',
        ...(task.resamples > 0 ? { bootstrap: { seed: task.seed, resamples: task.resamples }, clusters: task.clusters } : {}),
      });
      const ci = r.ci95;
      return {
        kind: 'stats',
        stats: {
          n: r.n,
          srocc: r.srocc,
          krocc: r.krocc,
          plcc: r.plcc,
          rmse: r.rmse,
          ci95: ci ? { srocc: ci.srocc, krocc: ci.krocc, plcc: ci.plcc, rmse: ci.rmse, seed: ci.seed, resamples: ci.resamples, clusters: ci.clusters, method: ci.method } : null,
        },
      };
    }
  }
}

export default async function nrTrain(task: NrTask): Promise<NrReply> {
  try {
    return { ok: true, seq: task.seq, result: await run(task) };
  } catch (err) {
    return { ok: false, seq: task.seq, error: toIqaError(err).toWire() };
  }
}
