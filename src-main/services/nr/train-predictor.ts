/**
 * Training a learned NR predictor on a project's own ratings (`nr.train`, `iqa nr train`): the targets
 * are the analysis's MOS (or DMOS, its difference scores) per stimulus, computed by the analysis's own
 * code under the project's MOS choice; the features are the backbone's level features
 * (services/nr/level-features.ts); the training is kernels/nr/blinder-train.ts in the NR worker pool,
 * one level of one outer fold per task (the outer folds' models and the final model on all stimuli are
 * independent, so they run at once); the cross-validated statistics are the analysis's P.1401 kernels
 * with a cluster bootstrap over contents. Everything is checked before any feature is computed, and the
 * record is stored only when all of it succeeded: a failed or cancelled training stores nothing.
 */
import { resolve } from 'node:path';
import { IqaError } from '../../common/errors';
import {
  type NrCombine,
  type NrCvStatistics,
  type NrFoldRecord,
  type NrGrouping,
  type NrPredictorRecord,
  type NrSvrType,
  type NrTarget,
  type NrTrainingStimulus,
  type TrainedPredictorRecord,
} from '../../common/nr-predictor';
import type { Stimulus } from '../../common/domain';
import { APP_VERSION } from '../../common/version';
import { assignFolds, DEFAULT_GRID, innerSeed, targetScale, type LevelMatrix } from '../../kernels/nr/blinder-train';
import type { CvStatistics } from '../../workers/nr-train-messages';
import { gatherAnalysisInput } from '../analysis/analyze-project';
import type { Db } from '../store/project-db';
import { listStimuli } from '../store/stimuli-repo';
import { extractLevelFeatures, LEVEL_BACKBONES, projectLevelCacheDir, type LevelFeatures } from './level-features';
import { runNrTask } from './nr-pool';
import { hasNrPredictor, saveNrPredictor } from './predictor-repo';

/** Fewest rated stimuli a predictor is trained on: below this no fold has a meaningful test set. */
export const MIN_TRAINING_STIMULI = 10;

/** The library the SVR runs in, stored with every predictor. */
export const SVM_LIBRARY = 'libsvm-js 0.2.1 (libsvm 3.22, WebAssembly)';

export interface NrTrainOptions {
  name: string;
  backbone: string;
  target: NrTarget;
  study?: string;
  folds: number;
  innerFolds: number;
  group: NrGrouping;
  combine: NrCombine;
  svr: NrSvrType;
  seed: number;
  resamples: number;
}

export interface NrTrainContext {
  signal?: AbortSignal;
  progress?: (done: number, total: number, message?: string) => void;
  /** The absolute, access-checked path of a stimulus's file. */
  mediaPath: (s: Stimulus) => string;
  modelDir?: string;
  cacheDir?: string;
}

const nul = (v: number): number | null => (Number.isFinite(v) ? v : null);

function cvRecord(s: CvStatistics): NrCvStatistics {
  const p = (x: [number, number]): [number | null, number | null] => [nul(x[0]), nul(x[1])];
  return {
    n: s.n,
    srocc: nul(s.srocc),
    krocc: nul(s.krocc),
    plcc: nul(s.plcc),
    rmse: nul(s.rmse),
    ci95: s.ci95 ? { srocc: p(s.ci95.srocc), krocc: p(s.ci95.krocc), plcc: p(s.ci95.plcc), rmse: p(s.ci95.rmse), seed: s.ci95.seed, resamples: s.ci95.resamples, clusters: s.ci95.clusters, method: s.ci95.method } : null,
  };
}

/** The targets of the study's stimuli: MOS (absolute scores) or DMOS (difference scores), finite only. */
async function trainingTargets(db: Db, dir: string, o: NrTrainOptions, signal?: AbortSignal): Promise<{ study: string; choice: Record<string, unknown>; byId: Map<number, number> }> {
  const input = gatherAnalysisInput(db, dir, { study: o.study, scores: o.target === 'dmos' ? 'difference' : 'absolute', mapping: 'none', seed: 0, resamples: 0 });
  const r = await runNrTask({ kind: 'mos', input: { ...input, values: [] } }, signal);
  if (o.target === 'dmos' && r.scores !== 'difference') {
    throw new IqaError('E_INPUT', `study "${input.study.name}" (${input.study.method}) has no difference scores: DMOS needs an ACR-HR or DSCQS study; use --target mos`);
  }
  const byId = new Map<number, number>();
  for (const row of r.rows) if (Number.isFinite(row.mos)) byId.set(row.stimulusId, row.mos);
  return { study: input.study.name, choice: { ...input.choice }, byId };
}

/** Level matrices (n × d per level, in the backbone's level order) of the stimuli, in their order. */
function levelMatrices(features: Map<number, LevelFeatures>, stimuli: readonly Stimulus[], backbone: string): LevelMatrix[] {
  const missing = stimuli.filter((s) => !features.has(s.id));
  if (missing.length) throw new IqaError('E_INPUT', `missing ${backbone} features for ${missing.length} stimuli (first: ${missing[0]!.name})`);
  const first = features.get(stimuli[0]!.id)!;
  return first.levels.map((lv, l) => {
    const d = lv.values.length;
    const values = new Float64Array(stimuli.length * d);
    stimuli.forEach((s, i) => {
      const v = features.get(s.id)!.levels[l];
      if (!v || v.name !== lv.name || v.values.length !== d) throw new IqaError('E_INPUT', `${backbone} features of ${s.name} do not have level ${lv.name} with ${d} values`);
      for (let j = 0; j < d; j++) {
        const x = v.values[j]!;
        if (!Number.isFinite(x)) throw new IqaError('E_INPUT', `${backbone} features of ${s.name} are not finite at level ${lv.name}`);
        values[i * d + j] = x;
      }
    });
    return { name: lv.name, dims: d, values };
  });
}

/**
 * Checks, trains, cross-validates and stores. E_INPUT (nothing stored): a name in use (E_EXISTS), an
 * unknown backbone, fewer than MIN_TRAINING_STIMULI rated stimuli, one content only, missing features;
 * E_MODEL: the backbone's model is not installed; E_CANCELLED through the signal.
 */
export async function trainNrPredictor(db: Db, projectDir: string, o: NrTrainOptions, ctx: NrTrainContext): Promise<NrPredictorRecord> {
  const dir = resolve(projectDir);
  if (hasNrPredictor(db, o.name)) throw new IqaError('E_EXISTS', `a predictor named "${o.name}" already exists in this project: choose another name or delete it (iqa nr delete ${o.name})`);
  if (!LEVEL_BACKBONES.includes(o.backbone)) throw new IqaError('E_INPUT', `unknown feature backbone "${o.backbone}": choose one of ${LEVEL_BACKBONES.join(', ')}`);
  const { study, choice, byId } = await trainingTargets(db, dir, o, ctx.signal);
  const rated = listStimuli(db).filter((s) => byId.has(s.id));
  if (rated.length < MIN_TRAINING_STIMULI) {
    throw new IqaError('E_INPUT', `training needs at least ${MIN_TRAINING_STIMULI} rated stimuli; study "${study}" has ${rated.length} with a ${o.target.toUpperCase()}`);
  }
  const contentOf = (s: Stimulus) => s.content ?? s.name;
  const contents = new Set(rated.map(contentOf));
  if (contents.size < 2) throw new IqaError('E_INPUT', `training needs stimuli of at least 2 source contents (all ${rated.length} rated stimuli are of "${[...contents][0]}"): cross-validation by content is impossible`);
  const groups = rated.map((s) => (o.group === 'content' ? contentOf(s) : `stimulus-${s.id}`));
  const targets = Float64Array.from(rated, (s) => byId.get(s.id)!);

  // Features first (the slow part when not cached), with their own share of the progress.
  const extractSteps = rated.length;
  const foldOf = assignFolds(groups, o.folds, o.seed);
  const k = Math.max(...foldOf) + 1;
  let levelCount = 0;
  let done = 0;
  const total = () => extractSteps + (k + 1) * Math.max(levelCount, 1);
  ctx.progress?.(0, total(), `features (${o.backbone})`);
  const features = await extractLevelFeatures({
    backbone: o.backbone,
    sources: rated.map((s) => ({ id: s.id, path: ctx.mediaPath(s), kind: s.kind === 'video' ? 'video' : 'image', sha256: s.sha256 })),
    ...(ctx.modelDir ? { modelDir: ctx.modelDir } : {}),
    // The project's own feature cache unless told (a project's stimuli, as its FID features).
    cacheDir: ctx.cacheDir ?? projectLevelCacheDir(dir),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (d) => ctx.progress?.(d, total(), `features (${o.backbone})`),
  });
  const matrices = levelMatrices(features, rated, o.backbone);
  const backboneSha256 = features.get(rated[0]!.id)!.backboneSha256;
  levelCount = matrices.length;
  done = extractSteps;
  ctx.progress?.(done, total(), 'training');

  // Outer folds 0..k-1, then the final model (index k) on every rated stimulus.
  const sets = Array.from({ length: k + 1 }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < rated.length; i++) (f < k && foldOf[i] === f ? test : train).push(i);
    return { f, train, test, scale: targetScale(targets, train), seed: innerSeed(o.seed, f < k ? f : -1) };
  });
  const groupList = groups.slice();
  const assembled = await Promise.all(
    sets.map(async (set) => {
      const fits = await Promise.all(
        matrices.map(async (m) => {
          const r = await runNrTask(
            { kind: 'level', level: m, targets, groups: groupList, train: set.train, scale: set.scale, svr: o.svr, innerFolds: o.innerFolds, seed: set.seed, grid: DEFAULT_GRID },
            ctx.signal,
          );
          done++;
          ctx.progress?.(done, total(), set.f < k ? `fold ${set.f + 1} of ${k}: level ${m.name}` : `final model: level ${m.name}`);
          return r;
        }),
      );
      const y = Float64Array.from(set.train, (i) => (targets[i]! - set.scale.mean) / set.scale.std);
      const a = await runNrTask(
        {
          kind: 'assemble',
          combine: o.combine,
          levels: fits.map((x) => x.level),
          innerPredictions: fits.map((x) => x.innerPredictions),
          y,
          scale: set.scale,
          matrices: set.test.length ? matrices : [],
          test: set.test,
        },
        ctx.signal,
      );
      return { set, predictor: a.predictor, predictions: a.predictions };
    }),
  );
  const cvPredictions = new Float64Array(rated.length).fill(NaN);
  for (const a of assembled.slice(0, k)) a.set.test.forEach((i, j) => (cvPredictions[i] = a.predictions[j]!));
  const contentList = rated.map(contentOf);
  const overall = await runNrTask({ kind: 'stats', predictions: cvPredictions, targets, clusters: contentList, seed: o.seed, resamples: o.resamples }, ctx.signal);
  const folds: NrFoldRecord[] = await Promise.all(
    assembled.slice(0, k).map(async (a) => {
      const t = a.set.test;
      const s = await runNrTask(
        { kind: 'stats', predictions: Float64Array.from(t, (i) => cvPredictions[i]!), targets: Float64Array.from(t, (i) => targets[i]!), clusters: t.map((i) => contentList[i]!), seed: o.seed, resamples: 0 },
        ctx.signal,
      );
      return {
        index: a.set.f,
        testContents: [...new Set(t.map((i) => contentList[i]!))].sort(),
        train: a.set.train.length,
        test: t.length,
        levels: a.predictor.levels.map((l) => ({ name: l.name, params: { ...l.params }, innerMse: l.innerMse })),
        combination: a.predictor.combination,
        stats: { srocc: nul(s.stats.srocc), plcc: nul(s.stats.plcc), rmse: nul(s.stats.rmse) },
      };
    }),
  );
  if (ctx.signal?.aborted) throw new IqaError('E_CANCELLED', 'training cancelled');
  const final = assembled[k]!.predictor as TrainedPredictorRecord;
  const stimuli: NrTrainingStimulus[] = rated.map((s, i) => ({ id: s.id, name: s.name, sha256: s.sha256, content: contentList[i]!, target: targets[i]!, fold: foldOf[i]!, cvPrediction: cvPredictions[i]! }));
  const record: NrPredictorRecord = {
    name: o.name,
    backbone: o.backbone,
    backboneSha256,
    target: o.target,
    study,
    stimuli: rated.length,
    contents: contents.size,
    options: { folds: k, innerFolds: o.innerFolds, group: o.group, combine: o.combine, svr: o.svr, seed: o.seed, resamples: o.resamples, grid: { C: [...DEFAULT_GRID.C], gammaScale: [...DEFAULT_GRID.gammaScale], epsilon: [...DEFAULT_GRID.epsilon], nu: [...DEFAULT_GRID.nu] } },
    cv: cvRecord(overall.stats),
    createdAt: new Date().toISOString(),
    engineVersion: APP_VERSION,
    svmLibrary: SVM_LIBRARY,
    levels: matrices.map((m) => m.name),
    training: { stimuli, mosChoice: choice },
    folds,
    predictor: final,
  };
  saveNrPredictor(db, record);
  ctx.progress?.(total(), total(), 'stored');
  return record;
}
