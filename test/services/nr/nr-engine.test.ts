/**
 * Learned NR through the engine's contract (dispatch, as both transports call it): training on a
 * generated project with real PNG media and ratings whose MOS follows the blur strength, the stored
 * predictor, export and import, the metric nr:<name> in a metrics run and in the analysis, and the
 * one-line typed errors that store nothing. Real SQLite files, real onnxruntime (the LPIPS-AlexNet
 * graph of ../shared/models, from which the alexnet-levels backbone is derived), libsvm in the NR workers
 * (`npm run build:main` first).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisReport, JobSnapshot, MetricRunReport } from '../../../src-main/common/domain';
import type { NrPredictorRecord, NrPredictorSummary } from '../../../src-main/common/nr-predictor';
import { Engine } from '../../../src-main/services/engine';
import { dispatch } from '../../../src-main/host/dispatch';
import { makePng, tempDir } from '../../helpers/media';
import { sharedData, sharedModel } from '../../helpers/shared-data';
import { writeSyntheticAnalysisProject } from '../../helpers/synthetic-analysis-project';
import { openProjectDb } from '../../../src-main/services/store/project-db';
import { extractLevelFeatures, projectLevelCacheDir } from '../../../src-main/services/nr/level-features';
import { crossValidate } from '../../../src-main/kernels/nr/blinder-train';
import { libsvmBackend } from '../../../src-main/workers/libsvm-svr';
import { srocc } from '../../../src-main/kernels/stats/correlation';

const haveModels = sharedData('models');

/** Blur strengths of the distorted versions and the MOS each is rated around (a reference: 4.8). */
const LEVELS = [
  { name: 'blur1', sigma: 0.8, mos: 4.2 },
  { name: 'blur2', sigma: 2, mos: 3.3 },
  { name: 'blur4', sigma: 4, mos: 2.2 },
];
const CONTENTS = 5;
/** Per-participant offsets: ratings scatter around each stimulus's MOS. */
const OFFSETS = [-0.4, 0, 0.3, 0.1];

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
const saved = { model: process.env.IQA_MODEL_DIR, user: process.env.IQA_USER_DATA };

async function call<T>(name: string, input: unknown): Promise<T> {
  const r = await dispatch(engine.handlers, name, input);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

async function failure(name: string, input: unknown): Promise<{ code: string; message: string }> {
  const r = await dispatch(engine.handlers, name, input);
  if (r.ok) throw new Error(`${name} succeeded`);
  return r.error;
}

/** The level features of a stored predictor's training stimuli, as the trainer's per-level tables (from the project's cache). */
async function trainingLevels(project: string, rows: NrPredictorRecord['training']['stimuli']) {
  const stimuli = await call<{ id: number; path: string; sha256: string }[]>('stimuli.list', { projectDir: project });
  const byId = new Map(stimuli.map((s) => [s.id, s]));
  const features = await extractLevelFeatures({
    backbone: 'alexnet-levels',
    sources: rows.map((r) => ({ id: r.id, path: join(project, byId.get(r.id)!.path), kind: 'image' as const, sha256: r.sha256 })),
    cacheDir: projectLevelCacheDir(project),
  });
  return features.get(rows[0]!.id)!.levels.map((lv, l) => {
    const d = lv.values.length;
    const values = new Float64Array(rows.length * d);
    rows.forEach((r, i) => values.set(features.get(r.id)!.levels[l]!.values, i * d));
    return { name: lv.name, dims: d, values };
  });
}

/** A job's end: its result, or its typed error. */
async function job<T>(name: string, input: unknown): Promise<{ state: string; result: T; error: JobSnapshot['error'] }> {
  const { jobId } = await call<{ jobId: string }>(name, input);
  await engine.jobs.wait(jobId).catch(() => undefined);
  const s = engine.jobs.get(jobId)!;
  return { state: s.state, result: s.result as T, error: s.error };
}

beforeAll(() => {
  tmp = tempDir('nr-engine');
  process.env.IQA_MODEL_DIR = join(tmp.dir, 'models');
  process.env.IQA_USER_DATA = join(tmp.dir, 'user');
  mkdirSync(join(tmp.dir, 'models'), { recursive: true });
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
});
afterAll(async () => {
  await engine?.shutdown();
  process.env.IQA_MODEL_DIR = saved.model;
  process.env.IQA_USER_DATA = saved.user;
  tmp?.cleanup();
});

describe('nr.train refuses bad input with one typed line and stores nothing', () => {
  const train = (projectDir: string, extra: Record<string, unknown> = {}) => ({ projectDir, name: 'p', features: 'alexnet-levels', target: 'mos', resamples: 0, ...extra });

  it('fewer than 10 rated stimuli', async () => {
    const dir = join(tmp.dir, 'few');
    writeSyntheticAnalysisProject(dir, { contents: 3, perContent: 3, observers: 3, metrics: [] });
    const r = await job('nr.train', train(dir));
    expect(r.state).toBe('failed');
    expect(r.error).toMatchObject({ code: 'E_INPUT' });
    expect(r.error!.message).toMatch(/^training needs at least 10 rated stimuli; study "load" has 9 with a MOS$/);
    expect(await call<NrPredictorSummary[]>('nr.list', { projectDir: dir })).toEqual([]);
  });

  it('one content only', async () => {
    const dir = join(tmp.dir, 'one-content');
    writeSyntheticAnalysisProject(dir, { contents: 1, perContent: 12, observers: 3, metrics: [] });
    const r = await job('nr.train', train(dir));
    expect(r.error).toMatchObject({ code: 'E_INPUT' });
    expect(r.error!.message).toMatch(/at least 2 source contents/);
    expect(r.error!.message.split('\n')).toHaveLength(1);
    expect(await call<NrPredictorSummary[]>('nr.list', { projectDir: dir })).toEqual([]);
  });

  it('an unknown backbone, and a backbone whose model is not installed', async () => {
    const dir = join(tmp.dir, 'no-model');
    writeSyntheticAnalysisProject(dir, { contents: 4, perContent: 4, observers: 3, metrics: [] });
    // The synthetic rows' hashes are names; a real import's are hex.
    const db = openProjectDb(dir);
    db.prepare("UPDATE stimuli SET sha256 = printf('%064x', id)").run();
    db.close();
    const unknown = await job('nr.train', train(dir, { features: 'vgg-levels' }));
    expect(unknown.error).toMatchObject({ code: 'E_INPUT' });
    expect(unknown.error!.message).toMatch(/unknown feature backbone "vgg-levels": choose one of alexnet-levels/);
    const missing = await job('nr.train', train(dir));
    expect(missing.error).toMatchObject({ code: 'E_MODEL' });
    expect(missing.error!.message.split('\n')).toHaveLength(1);
    expect(await call<NrPredictorSummary[]>('nr.list', { projectDir: dir })).toEqual([]);
  });

  it('a malformed name or option is refused by the schema', async () => {
    const dir = join(tmp.dir, 'few');
    expect(await failure('nr.train', train(dir, { name: 'Bad Name' }))).toMatchObject({ code: 'E_INPUT' });
    expect(await failure('nr.train', train(dir, { folds: 1 }))).toMatchObject({ code: 'E_INPUT' });
    expect(await failure('nr.train', train(dir, { target: 'z' }))).toMatchObject({ code: 'E_INPUT' });
  });
});

describe.skipIf(!haveModels)('a predictor trained on a generated project with real media and ratings', () => {
  let project: string;
  let record: NrPredictorRecord;

  beforeAll(async () => {
    project = join(tmp.dir, 'project');
    mkdirSync(join(tmp.dir, 'models', 'lpips-alex'), { recursive: true });
    copyFileSync(sharedModel('lpips-alex/lpips_alex_v0.1.onnx'), join(tmp.dir, 'models', 'lpips-alex', 'lpips_alex_v0.1.onnx'));
    const media = join(tmp.dir, 'media');
    mkdirSync(media, { recursive: true });
    const rows = ['participant,stimulus,score'];
    for (let c = 0; c < CONTENTS; c++) {
      const src = `src${c + 1}`;
      makePng(join(media, `${src}.png`), c, '96x64');
      OFFSETS.forEach((o, p) => rows.push(`p${p},${src},${Math.min(5, 4.8 + o / 2).toFixed(2)}`));
      for (const lv of LEVELS) {
        makePng(join(media, `${src}_${lv.name}.png`), c, '96x64', `gblur=sigma=${lv.sigma}`);
        OFFSETS.forEach((o, p) => rows.push(`p${p},${src}_${lv.name},${(lv.mos + o).toFixed(2)}`));
      }
    }
    writeFileSync(join(tmp.dir, 'ratings.csv'), rows.join('\n') + '\n');
    await call('projects.create', { dir: project, name: 'nr' });
    const imported = await job('import.start', { projectDir: project, source: media });
    expect(imported.state).toBe('done');
    await call('ratings.import', { projectDir: project, csv: join(tmp.dir, 'ratings.csv'), study: 'blur', method: 'ACR', scale: { min: 1, max: 5 } });
  });

  it('trains with content folds, a cross-validated SROCC above 0.8 and bootstrap intervals, and stores it', async () => {
    const r = await job<NrPredictorRecord>('nr.train', { projectDir: project, name: 'blur', features: 'alexnet-levels', target: 'mos', folds: 4, seed: 3, resamples: 300 });
    expect(r.error).toBeNull();
    record = r.result;
    expect(record.stimuli).toBe(CONTENTS * (LEVELS.length + 1));
    expect(record.contents).toBe(CONTENTS);
    // AlexNet's five ReLU stages, one SVR each.
    expect(record.levels).toHaveLength(5);
    expect(record.cv.srocc!).toBeGreaterThan(0.8);
    expect(record.cv.ci95!.clusters).toBe(CONTENTS);
    expect(record.cv.ci95!.srocc[0]!).toBeLessThanOrEqual(record.cv.srocc!);
    // No content is in a fold's test set and its training set.
    for (const f of record.folds) {
      const trainContents = new Set(record.training.stimuli.filter((s) => s.fold !== f.index).map((s) => s.content));
      for (const c of f.testContents) expect(trainContents.has(c)).toBe(false);
    }
    const listed = await call<NrPredictorSummary[]>('nr.list', { projectDir: project });
    expect(listed.map((p) => p.name)).toEqual(['blur']);
    const got = await call<NrPredictorRecord & { sha256: string }>('nr.get', { projectDir: project, name: 'blur' });
    expect(got.predictor).toEqual(record.predictor);
    expect(got.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The figure the report states.
    process.stdout.write(`nr-engine: CV SROCC ${record.cv.srocc} [${record.cv.ci95!.srocc.join(', ')}], PLCC ${record.cv.plcc}, RMSE ${record.cv.rmse}\n`);
  });

  it('the worker tasks give exactly the one-thread cross-validation of the kernel', async () => {
    const rows = record.training.stimuli;
    const levels = await trainingLevels(project, rows);
    const svr = await libsvmBackend();
    const cv = crossValidate(
      svr,
      levels,
      Float64Array.from(rows, (r) => r.target),
      rows.map((r) => r.content),
      { svr: 'epsilon', combine: 'mean', folds: 4, innerFolds: 4, seed: 3 },
    );
    expect(Array.from(cv.foldOf)).toEqual(rows.map((r) => r.fold));
    expect(Array.from(cv.predictions)).toEqual(rows.map((r) => r.cvPrediction));
  });

  it('with the MOS shuffled over the stimuli, the same real features predict nothing: the mean CV SROCC over 6 shuffles is near zero', async () => {
    // Leakage check on real media: folds by content, features standardised on the training folds only.
    // With the ratings detached from the pictures, a predictor that scored well would be learning from
    // the test fold. 20 stimuli give one shuffle's SROCC a spread of about 0.23, so six are averaged.
    const rows = record.training.stimuli;
    const levels = await trainingLevels(project, rows);
    const svr = await libsvmBackend();
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const sroccs: number[] = [];
    for (let k = 0; k < 6; k++) {
      const shuffled = Float64Array.from(rows, (r) => r.target);
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const cv = crossValidate(svr, levels, shuffled, rows.map((r) => r.content), { svr: 'epsilon', combine: 'mean', folds: 4, innerFolds: 4, seed: 3 });
      sroccs.push(srocc(cv.predictions, shuffled).value);
    }
    const mean = sroccs.reduce((a, b) => a + b, 0) / sroccs.length;
    process.stdout.write(`nr-engine: shuffled-MOS CV SROCC ${sroccs.map((v) => v.toFixed(3)).join(', ')} (mean ${mean.toFixed(3)}) against ${record.cv.srocc} unshuffled\n`);
    expect(Math.abs(mean)).toBeLessThan(0.25);
    expect(record.cv.srocc! - mean).toBeGreaterThan(0.6);
  });

  it('the same seed gives the same folds, models and cross-validated predictions; a used name is refused', async () => {
    const again = await job<NrPredictorRecord>('nr.train', { projectDir: project, name: 'blur-again', features: 'alexnet-levels', target: 'mos', folds: 4, seed: 3, resamples: 300 });
    expect(again.result.predictor).toEqual(record.predictor);
    expect(again.result.training.stimuli).toEqual(record.training.stimuli);
    expect(again.result.folds).toEqual(record.folds);
    expect(again.result.cv).toEqual(record.cv);
    const used = await failure('nr.train', { projectDir: project, name: 'blur', features: 'alexnet-levels', target: 'mos' });
    expect(used).toMatchObject({ code: 'E_EXISTS' });
    expect((await call<NrPredictorSummary[]>('nr.list', { projectDir: project })).map((p) => p.name)).toEqual(['blur', 'blur-again']);
  });

  it('a stimulus whose file is gone stops the training with its name, and nothing is stored', async () => {
    const other = join(tmp.dir, 'project-missing');
    await call('projects.create', { dir: other, name: 'missing' });
    const media = join(tmp.dir, 'media-missing');
    mkdirSync(media, { recursive: true });
    const rows = ['participant,stimulus,score'];
    for (let c = 0; c < 3; c++) {
      for (const [k, sigma] of [0, 1, 2, 4].entries()) {
        const name = `m${c}_${k}`;
        makePng(join(media, `${name}.png`), c, '96x64', sigma ? `gblur=sigma=${sigma}` : '');
        rows.push(`a,${name},${5 - k}`, `b,${name},${4.5 - k}`);
      }
    }
    writeFileSync(join(tmp.dir, 'ratings-missing.csv'), rows.join('\n') + '\n');
    await job('import.start', { projectDir: other, source: media });
    await call('ratings.import', { projectDir: other, csv: join(tmp.dir, 'ratings-missing.csv'), study: 's', method: 'ACR', scale: { min: 0, max: 5 } });
    rmSync(join(media, 'm1_2.png'));
    const r = await job('nr.train', { projectDir: other, name: 'gone', features: 'alexnet-levels', target: 'mos', resamples: 0 });
    expect(r.state).toBe('failed');
    expect(r.error!.message).toMatch(/m1_2\.png/);
    expect(r.error!.message.split('\n')).toHaveLength(1);
    expect(await call<NrPredictorSummary[]>('nr.list', { projectDir: other })).toEqual([]);
  });

  it('exports to one file and imports it back under another name, the same predictor', async () => {
    const exported = await call<{ filename: string; content: string }>('nr.export', { projectDir: project, name: 'blur' });
    expect(exported.filename).toBe('nr-blur.json');
    const file = join(tmp.dir, exported.filename);
    writeFileSync(file, exported.content);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { format: string; version: number };
    expect(parsed).toMatchObject({ format: 'iqa-nr-predictor', version: 1 });
    const imported = await call<NrPredictorSummary>('nr.import', { projectDir: project, file, as: 'blur-copy' });
    expect(imported.name).toBe('blur-copy');
    const a = await call<NrPredictorRecord & { sha256: string }>('nr.get', { projectDir: project, name: 'blur' });
    const b = await call<NrPredictorRecord & { sha256: string }>('nr.get', { projectDir: project, name: 'blur-copy' });
    expect(b.predictor).toEqual(a.predictor);
    expect(b.sha256).toBe(a.sha256);
    expect(await failure('nr.import', { projectDir: project, file })).toMatchObject({ code: 'E_EXISTS' });
    // A damaged file is one line, nothing stored.
    const bad = join(tmp.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'iqa-nr-predictor', version: 1, predictor: { ...JSON.parse(exported.content).predictor, target: 'z' } }));
    const e = await failure('nr.import', { projectDir: project, file: bad, as: 'bad' });
    expect(e).toMatchObject({ code: 'E_INPUT' });
    expect(e.message).toMatch(/predictor\.target/);
    expect((await call<NrPredictorSummary[]>('nr.list', { projectDir: project })).map((p) => p.name)).not.toContain('bad');
    // A file from a newer app is refused as such; text that is not JSON is one line too.
    const newer = join(tmp.dir, 'newer.json');
    writeFileSync(newer, JSON.stringify({ ...JSON.parse(exported.content), version: 2 }));
    expect(await failure('nr.import', { projectDir: project, file: newer, as: 'newer' })).toMatchObject({ code: 'E_UNSUPPORTED' });
    const notJson = join(tmp.dir, 'not.json');
    writeFileSync(notJson, 'svm_type epsilon_svr\n');
    const e2 = await failure('nr.import', { projectDir: project, file: notJson, as: 'nope' });
    expect(e2).toMatchObject({ code: 'E_INPUT' });
    expect(e2.message).toMatch(/not JSON/);
  });

  it('a cancelled training ends cancelled and stores nothing', async () => {
    const { jobId } = await call<{ jobId: string }>('nr.train', { projectDir: project, name: 'cancelled', features: 'alexnet-levels', target: 'mos', resamples: 0 });
    engine.jobs.cancel(jobId);
    await engine.jobs.wait(jobId).catch(() => undefined);
    expect(engine.jobs.get(jobId)!.state).toBe('cancelled');
    expect((await call<NrPredictorSummary[]>('nr.list', { projectDir: project })).map((p) => p.name)).not.toContain('cancelled');
  });

  it('is a metric: nr:blur computed on every stimulus, stored with the predictor hash, and in the analysis', async () => {
    const run = await job<MetricRunReport>('metrics.run', { projectDir: project, metrics: [{ id: 'nr:blur' }] });
    expect(run.error).toBeNull();
    expect(run.result.computed).toBe(CONTENTS * (LEVELS.length + 1));
    expect(run.result.failed).toEqual([]);
    const again = await job<MetricRunReport>('metrics.run', { projectDir: project, metrics: [{ id: 'nr:blur' }] });
    expect(again.result.skipped).toBe(CONTENTS * (LEVELS.length + 1));
    const results = await call<{ metricId: string; value: number; modelSha256: string | null }[]>('metrics.results', { projectDir: project });
    const mine = results.filter((r) => r.metricId === 'nr:blur');
    expect(mine).toHaveLength(CONTENTS * (LEVELS.length + 1));
    const sha = (await call<{ sha256: string }>('nr.get', { projectDir: project, name: 'blur' })).sha256;
    for (const r of mine) expect(r.modelSha256).toBe(sha);
    const report = await call<AnalysisReport>('analysis.run', { projectDir: project, study: 'blur', resamples: 0 });
    const row = report.correlations.find((c) => c.metricId === 'nr:blur');
    expect(row).toBeDefined();
    expect(row!.metricName).toBe('Learned NR blur');
    expect(await failure('metrics.run', { projectDir: project, metrics: [{ id: 'nr:nothing' }] })).toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('deleting a predictor deletes its metric values', async () => {
    expect(await call('nr.delete', { projectDir: project, name: 'blur' })).toEqual({ deleted: true });
    const results = await call<{ metricId: string }[]>('metrics.results', { projectDir: project });
    expect(results.filter((r) => r.metricId === 'nr:blur')).toEqual([]);
    expect(await call('nr.delete', { projectDir: project, name: 'blur' })).toEqual({ deleted: false });
  });
});
