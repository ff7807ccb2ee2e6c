import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importMedia } from '../../src-main/services/import/import-media';
import { openProjectDb, type Db } from '../../src-main/services/store/project-db';
import { runProjectMetrics } from '../../src-main/services/metrics/run-project-metrics';
import { createFrameRunner } from '../../src-main/services/metrics/frame-pool';
import { importRatingsCsv } from '../../src-main/services/analysis/import-ratings';
import { analyzeProject, type AnalyzeOptions } from '../../src-main/services/analysis/analyze-project';
import { exportAnalysis } from '../../src-main/services/export/analysis-export';
import { exportSureal } from '../../src-main/services/export/sureal-export';
import { importOptionsSchema } from '../../src-main/common/contract';
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { IqaError } from '../../src-main/common/errors';
import { plcc } from '../../src-main/kernels/stats/correlation';
import { mosFromSubjectModel } from '../../src-main/services/analysis/mos-from-ratings';
import { readGoldenJson } from '../helpers/golden';
import { readMosChoice, writeMosChoice } from '../../src-main/services/analysis/mos-choice';
import { mosChoiceSchema } from '../../src-main/common/contract';
import { williamsTTest } from '../../src-main/kernels/stats/metric-significance';
import { pearsonCoefficient } from '../../src-main/kernels/stats/correlation';
import { studentTQuantile } from '../../src-main/kernels/stats/t-distribution';
import { makeStudyFolder, tempDir } from '../helpers/media';

const metric = (id: string) => ({ id, params: resolveMetricRequest({ id }).params });
const DIST = ['src01_blur', 'src01_noise', 'src02_blur', 'src02_noise', 'src03_blur', 'src03_x264'];
const QUALITY: Record<string, number> = { src01_blur: 1.6, src01_noise: 3.1, src02_blur: 2.2, src02_noise: 3.4, src03_blur: 2.6, src03_x264: 4.1, src01: 4.8, src02: 4.9, src03: 4.7 };
const opts = (o: Partial<AnalyzeOptions> = {}): AnalyzeOptions => ({ mos: 'screened', screening: 'bt500', mapping: 'linear', seed: 7, resamples: 200, ...o });

let tmp: { dir: string; cleanup: () => void };
/** The project with study 'acr', read by the tests; a test that adds a study or writes takes its own copy. */
let db: Db;
let dir: string;
/** A folder with media/ and project/ (imported, PSNR and SSIM-Y computed, no study) that tests copy. */
let base: string;
const opened: Db[] = [];

/** Deterministic ratings: quality plus a fixed per-participant pattern, on 1..5. */
function ratingsCsv(file: string, names: string[], participants = 8, extra = ''): string {
  const lines = ['participant,stimulus,score'];
  for (let p = 0; p < participants; p++) {
    names.forEach((n, k) => lines.push(`p${p},${n},${Math.min(5, Math.max(1, Math.round(QUALITY[n]! + (((p * 7 + k * 3) % 5) - 2) * 0.3)))}`));
  }
  writeFileSync(file, lines.join('\n') + '\n' + extra);
  return file;
}

/**
 * The test's own copy of the base project (stored paths are relative, ../media/…), with study 'acr'
 * (ratings from acr.csv) when asked: no test depends on what another imported or wrote.
 */
function copyProject(name: string, { acr = false } = {}): { db: Db; dir: string } {
  cpSync(base, join(tmp.dir, name), { recursive: true, preserveTimestamps: true });
  const dir = join(tmp.dir, name, 'project');
  const db = openProjectDb(dir);
  opened.push(db);
  if (acr) importRatingsCsv(db, join(tmp.dir, 'acr.csv'), { study: 'acr', method: 'ACR' });
  return { db, dir };
}

beforeAll(async () => {
  tmp = tempDir('analysis');
  base = join(tmp.dir, 'base');
  makeStudyFolder(join(base, 'media'));
  const baseDb = openProjectDb(join(base, 'project'), { create: true });
  await importMedia(baseDb, join(base, 'project'), join(base, 'media'), importOptionsSchema.parse({}));
  const runner = createFrameRunner(0);
  await runProjectMetrics(baseDb, join(base, 'project'), { metrics: [metric('psnr'), metric('ssim-y')] }, { runner });
  baseDb.close();
  ratingsCsv(join(tmp.dir, 'acr.csv'), DIST, 8, 'p0,ghost,3\n');
  ({ db, dir } = copyProject('acr', { acr: true }));
});
afterAll(() => {
  for (const d of opened) d.close();
  tmp.cleanup();
});

describe('analysis of a project', () => {
  it('has no study before ratings are imported', () => {
    const { db, dir } = copyProject('no-study');
    expect(() => analyzeProject(db, dir, opts())).toThrow(/has no subjective study yet/);
  });

  it('imports ratings, reporting rows that name no stimulus, and refuses scores outside the scale', () => {
    const { db } = copyProject('import');
    const file = ratingsCsv(join(tmp.dir, 'import.csv'), DIST, 8, 'p0,ghost,3\n');
    const report = importRatingsCsv(db, file, { study: 'acr', method: 'ACR' });
    expect(report).toMatchObject({ ratings: 48, participants: 8, notRated: 0, scale: { min: 1, max: 5 } });
    expect(report.issues).toEqual([{ row: `${file}:50`, reason: 'no stimulus "ghost" in the project' }]);
    expect(() => importRatingsCsv(db, file, { study: 'acr', method: 'ACR' })).toThrow(/already exists/);
    const bad = join(tmp.dir, 'bad.csv');
    writeFileSync(bad, 'participant,stimulus,score\na,src01_blur,7\n');
    expect(() => importRatingsCsv(db, bad, { study: 'bad', method: 'ACR' })).toThrow(/outside the 1\.\.5 scale/);
  });

  it('computes MOS and the metric-vs-MOS statistics of every stored metric', () => {
    const r = analyzeProject(db, dir, opts({ study: 'acr' }));
    expect(r.mos).toHaveLength(6);
    expect(r.correlations.map((c) => c.metricId)).toEqual(['psnr', 'ssim-y']);
    for (const c of r.correlations) {
      expect(c.n).toBe(6);
      expect(typeof c.srocc).toBe('number');
      expect(c.mapping?.kind).toBe('linear');
      expect(c.points).toHaveLength(6);
      expect(c.ci95).not.toBeNull();
    }
    expect(r.provenance).toMatchObject({ study: 'acr', method: 'ACR', mos: 'screened', screening: 'bt500', bootstrap: { seed: 7, resamples: 200 } });
    const mos = Object.fromEntries(r.mos.map((m) => [m.stimulus, m.mos as number]));
    expect(mos.src03_x264!).toBeGreaterThan(mos.src01_blur!);
  });

  it('adds P.1401 outlier ratio, RMSE* and significance letters between metrics', () => {
    const r = analyzeProject(db, dir, opts({ study: 'acr' }));
    for (const c of r.correlations) {
      expect(typeof c.outlierRatio).toBe('number');
      expect(c.outlierRatio as number).toBeGreaterThanOrEqual(0);
      expect(c.outlierRatio as number).toBeLessThanOrEqual(1);
      expect(typeof c.rmseStar).toBe('number');
      expect(c.letters).not.toBeNull();
      expect(c.letters!.plcc).toMatch(/^[a-z]+$/);
    }
  });

  it('estimates MOS with the P.913 subject model (mle), with each participant\'s bias and inconsistency', () => {
    const r = analyzeProject(db, dir, opts({ study: 'acr', mos: 'mle' }));
    expect(r.provenance.mos).toBe('mle');
    expect(r.subjects).toHaveLength(8);
    expect(r.mos).toHaveLength(6);
    const raw = analyzeProject(db, dir, opts({ study: 'acr', mos: 'raw' }));
    expect(raw.mos.map((m) => m.stimulus)).toEqual(r.mos.map((m) => m.stimulus));
    for (const m of r.mos) expect((m.ci95[0] as number) < (m.mos as number) && (m.mos as number) < (m.ci95[1] as number)).toBe(true);
  });

  it('breaks the statistics down by an attribute', () => {
    const r = analyzeProject(db, dir, opts({ study: 'acr', by: 'condition' }));
    const groups = r.correlations.filter((c) => c.metricId === 'psnr').map((c) => c.group);
    expect(groups).toEqual([null, 'blur', 'noise', 'x264']);
    const x264 = r.correlations.find((c) => c.group === 'x264')!;
    expect(x264.reason).toMatch(/at least/); // one stimulus: too few for statistics, said so
  });

  it('gives DMOS for ACR-HR: V(PVS) - V(REF) + 5 per participant', () => {
    const { db, dir } = copyProject('hr');
    const file = ratingsCsv(join(tmp.dir, 'hr.csv'), [...DIST, 'src01', 'src02', 'src03'], 6);
    importRatingsCsv(db, file, { study: 'hr', method: 'ACR-HR' });
    const r = analyzeProject(db, dir, opts({ study: 'hr', mos: 'raw' }));
    expect(r.provenance.differential).toBe(true);
    expect(r.mos.map((m) => m.stimulus).sort()).toEqual([...DIST].sort());
    // By hand for src01_blur: mean over participants of (score(blur) - score(src01) + 5).
    const rows = (require('node:fs').readFileSync(file, 'utf8') as string).trim().split('\n').slice(1).map((l) => l.split(','));
    const score = (p: string, s: string) => Number(rows.find((x) => x[0] === p && x[1] === s)![2]);
    const want = [0, 1, 2, 3, 4, 5].reduce((acc, p) => acc + score(`p${p}`, 'src01_blur') - score(`p${p}`, 'src01') + 5, 0) / 6;
    expect(r.mos.find((m) => m.stimulus === 'src01_blur')!.mos).toBeCloseTo(want, 12);
  });

  it('exports CSV, JSON, LaTeX and Markdown, byte-identical for the same input', () => {
    const a = analyzeProject(db, dir, opts({ study: 'acr' }));
    const b = analyzeProject(db, dir, opts({ study: 'acr' }));
    for (const f of ['csv', 'json', 'latex', 'md'] as const) expect(exportAnalysis(a, f)).toBe(exportAnalysis(b, f));
    const tex = exportAnalysis(a, 'latex');
    expect(tex).toMatch(/^% IQA Studio /);
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('\\bottomrule');
    // A best value per statistic column (ties: all of them), none for the raw RMSE.
    const rmseCol = tex.split('\n').filter((l) => /^(PSNR|SSIM-Y) &/.test(l)).map((l) => l.split(' & ')[4]);
    expect(rmseCol.every((c) => !c!.includes('textbf'))).toBe(true);
    expect(tex.match(/\\textbf\{/g)!.length).toBeGreaterThanOrEqual(7);
    expect(exportAnalysis(a, 'csv').split('\n')[0]).toBe('metric,params,pooling,group,statistic,value,ci95_low,ci95_high,significance_group,n,mapping,mos,screening,mos_choice,study,scores,reason,mapping_fitted,mapping_note,ci_method');
    expect(exportAnalysis(a, 'md')).toContain('| Metric | SROCC | KROCC | PLCC | RMSE | PLCC (mapped) | RMSE (mapped) | RMSE* | OR | n |');
  });

  it('prints the MOS choice and where it came from in every export (one default: ITU-R BT.500 screening)', () => {
    const given = analyzeProject(db, dir, opts({ study: 'acr' }));
    expect(exportAnalysis(given, 'md')).toContain('MOS choice: screened (ITU-R BT.500 screening, as given).');
    expect(exportAnalysis(given, 'latex')).toMatch(/^% MOS choice: screened \(ITU-R BT\.500 screening, as given\)$/m);
    const def = analyzeProject(db, dir, { study: 'acr', mapping: 'linear', seed: 7, resamples: 0 });
    expect(def.provenance).toMatchObject({ mos: 'screened', screening: 'bt500', mosChoice: 'default' });
    expect(exportAnalysis(def, 'md')).toContain('MOS choice: screened (ITU-R BT.500 screening, the default).');
    const csv = exportAnalysis(def, 'csv').trim().split('\n');
    const col = csv[0]!.split(',').indexOf('mos_choice');
    expect(csv.slice(1).every((l) => l.split(',')[col] === 'default' && l.split(',')[col - 1] === 'bt500')).toBe(true);
    const mle = analyzeProject(db, dir, opts({ study: 'acr', mos: 'mle', resamples: 0 }));
    expect(exportAnalysis(mle, 'latex')).toContain('% MOS choice: mle (the ITU-T P.913 subject model, as given)');
  });

  it('exports a study as a SUREAL dataset (a Python module whose literals are JSON)', () => {
    const py = exportSureal(db, dir, 'acr');
    expect(py).toMatch(/^# SUREAL dataset exported by IQA Studio/);
    expect(py).toContain('dataset_name = "acr"');
    const dis = py.split('dis_videos = [\n')[1]!.split('\n]')[0]!.trim().split('\n').map((l) => JSON.parse(l.trim().replace(/,$/, '')));
    expect(dis).toHaveLength(6);
    expect(Object.keys(dis[0].os)).toHaveLength(8);
    expect(exportSureal(db, dir, 'acr')).toBe(py);
  });

  it('asks which study when there are several', () => {
    const { db, dir } = copyProject('two-studies', { acr: true });
    importRatingsCsv(db, ratingsCsv(join(tmp.dir, 'hr-two.csv'), [...DIST, 'src01', 'src02', 'src03'], 6), { study: 'hr', method: 'ACR-HR' });
    const err = (() => {
      try {
        analyzeProject(db, dir, opts());
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(IqaError);
    expect((err as IqaError).message).toMatch(/has 2 studies \(acr, hr\): name one/);
  });
});

describe('the P.913 subject model on the golden BT.500 ratings', () => {
  it('gives psi that agrees with the screened MOS and flags the planted observers as the least consistent', () => {
    const g = readGoldenJson<{ ratings: number[][]; after_screening: { mean: number[] }; planted: Record<string, number> }>('stats/bt500.json');
    const rows = g.ratings.flatMap((row, o) => row.map((score, s) => ({ participant: `obs${o}`, stimulus: `pvs${s}`, score })));
    const r = mosFromSubjectModel(rows);
    expect(plcc(r.stimuli.map((s) => s.mos), g.after_screening.mean).value).toBeGreaterThan(0.999);
    const worst = [...r.subjects!].sort((a, b) => b.inconsistency - a.inconsistency).slice(0, 2).map((s) => s.participant).sort();
    expect(worst).toEqual([`obs${g.planted.inverted_scale_outlier}`, `obs${g.planted.random_ratings_outlier}`].sort());
  });
});

describe('analysis of small groups, breakdowns, scores and the stored MOS choice', () => {
  const typedError = (f: () => unknown): IqaError => {
    try {
      f();
    } catch (e) {
      return e as IqaError;
    }
    throw new Error('no error');
  };

  it('a group too small for any statistic shows its own n and the minimum, once for all such rows, with dashes in place of NaN', () => {
    const r = analyzeProject(db, dir, opts({ study: 'acr', mapping: 'logistic5', by: 'condition' }));
    const small = r.correlations.filter((c) => c.group !== null && c.srocc === null);
    const sizes = new Map(r.groupMos!.map((g) => [g.group, g.stimuli]));
    expect(small.length).toBeGreaterThanOrEqual(2);
    for (const c of small) {
      expect(c.n, `${c.metricId} ${c.group}`).toBe(sizes.get(c.group!)); // the group's n, not 0
      expect(c.n).toBeGreaterThan(0);
      expect(c.n).toBeLessThan(3);
      expect(c.nExcluded).toBe(0);
      expect(c.reason).toBe('too few stimuli: every statistic needs at least 3 with both a metric value and a MOS (n is what the group has)');
    }
    const md = exportAnalysis(r, 'md');
    const noteLines = md.split('\n').filter((l) => l.includes('no statistics: too few stimuli'));
    expect(noteLines).toHaveLength(1);
    expect(noteLines[0]).toMatch(new RegExp(`^- ${small.length} rows \\(`));
    const noise = md.split('\n').find((l) => l.startsWith('| PSNR |') && md.indexOf(l) > md.indexOf('**condition = noise**'))!;
    expect(noise).toBe(`| PSNR | ${Array(8).fill('—').join(' | ')} | ${sizes.get('noise')} |`);
    expect(md).not.toMatch(/\| NaN \| NaN \| NaN \| NaN \| NaN/);
    const tex = exportAnalysis(r, 'latex');
    expect(tex.split('\n').filter((l) => l.includes('no statistics: too few stimuli'))).toHaveLength(1);
    expect(tex).toContain(`PSNR & ${Array(8).fill('--').join(' & ')} & ${sizes.get('noise')} \\\\`);
  });

  it('keeps the raw statistics of a group too small for the logistic5 mapping; only the mapped ones are NaN, with a reason', () => {
    const r = analyzeProject(db, dir, opts({ study: 'acr', mapping: 'logistic5', by: 'condition' }));
    const blur = r.correlations.filter((c) => c.group === 'blur');
    expect(blur).toHaveLength(2);
    for (const c of blur) {
      expect(c.n).toBe(3);
      for (const k of ['srocc', 'krocc', 'plcc', 'rmse'] as const) expect(typeof c[k], `${c.metricId} ${k}`).toBe('number');
      expect(c.plccMapped).toBeNull();
      expect(c.rmseMapped).toBeNull();
      expect(c.mappingReason).toBe('the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 3');
      expect(c.mapping).toMatchObject({ kind: 'logistic5', converged: false });
    }
    const all = r.correlations.find((c) => c.group === null)!;
    expect(typeof all.plccMapped).toBe('number');
    const md = exportAnalysis(r, 'md');
    // One note per cause, with the rows it applies to and their count; the count the n column shows is left out.
    expect(md).toContain('- 2 rows (PSNR (condition = blur); SSIM-Y (condition = blur)): mapped PLCC/RMSE NaN: the logistic5 mapping has 5 parameters and needs at least 6 stimuli (n in the table)');
    const csv = exportAnalysis(r, 'csv').trim().split('\n');
    // reason, then mapping_fitted, mapping_note, ci_method.
    expect(csv.some((l) => l.includes(',blur,plccMapped,') && l.endsWith(',"the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 3",logistic5,,BCa'))).toBe(true);
    expect(csv.some((l) => l.includes(',blur,srocc,') && l.endsWith(',,,,BCa'))).toBe(true);
  });

  it('breaks down by the built-in content, codec and resolution, and refuses an unknown name with the valid ones', () => {
    const content = analyzeProject(db, dir, opts({ study: 'acr', by: 'content' }));
    expect([...new Set(content.correlations.map((c) => c.group))]).toEqual([null, 'src01', 'src02', 'src03']);
    const codec = analyzeProject(db, dir, opts({ study: 'acr', by: 'codec', mapping: 'logistic5' }));
    expect([...new Set(codec.correlations.map((c) => c.group))]).toEqual([null, 'h264', 'png']);
    const png = codec.correlations.find((c) => c.group === 'png' && c.metricId === 'psnr')!;
    expect(png.n).toBe(4);
    expect(typeof png.srocc).toBe('number');
    expect(png.plccMapped).toBeNull();
    expect(png.points.every((p) => p.group === 'png')).toBe(true);
    const res = analyzeProject(db, dir, opts({ study: 'acr', by: 'resolution' }));
    expect([...new Set(res.correlations.map((c) => c.group))]).toEqual([null, '96x64']);
    const e = typedError(() => analyzeProject(db, dir, opts({ study: 'acr', by: 'bitrate' })));
    expect(e).toBeInstanceOf(IqaError);
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toBe('unknown breakdown "bitrate": choose one of content, codec, resolution, condition');
  });

  it('gives the MOS per group: each participant averaged over the group, then over participants, with a t interval', () => {
    const r = analyzeProject(db, dir, opts({ study: 'acr', mos: 'raw', by: 'condition' }));
    expect(r.groupMos!.map((g) => g.group)).toEqual(['blur', 'noise', 'x264']);
    const rows = (require('node:fs').readFileSync(join(tmp.dir, 'acr.csv'), 'utf8') as string).trim().split('\n').slice(1).map((l) => l.split(','));
    const perParticipant = [0, 1, 2, 3, 4, 5, 6, 7].map((p) => ['src01_blur', 'src02_blur', 'src03_blur'].reduce((a, n) => a + Number(rows.find((x) => x[0] === `p${p}` && x[1] === n)![2]), 0) / 3);
    const mean = perParticipant.reduce((a, b) => a + b, 0) / 8;
    const sd = Math.sqrt(perParticipant.reduce((a, b) => a + (b - mean) ** 2, 0) / 7);
    const blur = r.groupMos![0]!;
    expect(blur).toMatchObject({ group: 'blur', stimuli: 3, n: 8 });
    expect(blur.mos as number).toBeCloseTo(mean, 12);
    expect(blur.std as number).toBeCloseTo(sd, 12);
    expect((blur.ci95[1] as number) - (blur.mos as number)).toBeCloseTo((studentTQuantile(0.975, 7) * sd) / Math.sqrt(8), 12);
    expect(exportAnalysis(r, 'md')).toContain('**MOS per condition**');
    expect(exportAnalysis(r, 'latex')).toContain('% MOS per condition');
    expect(analyzeProject(db, dir, opts({ study: 'acr', mos: 'raw' })).groupMos).toBeNull();
    const mle = analyzeProject(db, dir, opts({ study: 'acr', mos: 'mle', by: 'condition' }));
    expect(mle.groupMos!.every((g) => typeof g.mos === 'number')).toBe(true);
  });

  it("compares metrics with Williams' t for dependent correlations and says so", () => {
    const r = analyzeProject(db, dir, opts({ study: 'acr', mapping: 'linear' }));
    expect(r.provenance.significance).toMatchObject({ alpha: 0.05, correction: 'none' });
    expect(r.provenance.significance!.correlations).toMatch(/^Williams' t for dependent correlations/);
    const [a, b] = r.correlations.filter((c) => c.group === null);
    // The same test by hand on the rows' points: PLCC of the linear predictions (= |PLCC| of the values).
    const ya = a!.points.map((p) => p.y);
    const r12 = Math.abs(pearsonCoefficient(a!.points.map((p) => p.x), ya));
    const r13 = Math.abs(pearsonCoefficient(b!.points.map((p) => p.x), ya));
    const r23 = pearsonCoefficient(a!.points.map((p) => p.x), b!.points.map((p) => p.x)) * Math.sign(a!.plcc as number) * Math.sign(b!.plcc as number);
    const sig = williamsTTest(r12, r13, r23, 6).significant;
    expect(a!.letters!.plcc === b!.letters!.plcc).toBe(!sig);
  });

  it('gives DSCQS difference scores (reference − test per participant, averaged), or the test scores when asked', () => {
    const { db, dir } = copyProject('dscqs', { acr: true });
    const file = join(tmp.dir, 'dscqs.csv');
    const lines = ['participant,stimulus,score,score_ref'];
    for (let p = 0; p < 5; p++) DIST.forEach((n, k) => lines.push(`q${p},${n},${Math.round(QUALITY[n]! * 18 + ((p * 5 + k * 7) % 9))},${90 - ((p + k) % 4) * 3}`));
    writeFileSync(file, lines.join('\n') + '\n');
    importRatingsCsv(db, file, { study: 'dscqs', method: 'DSCQS' });
    const cells = lines.slice(1).map((l) => l.split(','));
    const want = (n: string) => cells.filter((c) => c[1] === n).reduce((a, c) => a + Number(c[3]) - Number(c[2]), 0) / 5;
    const diff = analyzeProject(db, dir, opts({ study: 'dscqs', mos: 'raw' }));
    expect(diff.provenance.scores).toMatchObject({ kind: 'difference', zscore: false, range: { min: -100, max: 100 } });
    expect(diff.provenance.differential).toBe(true);
    for (const m of diff.mos) expect(m.mos as number).toBeCloseTo(want(m.stimulus), 12);
    const abs = analyzeProject(db, dir, opts({ study: 'dscqs', mos: 'raw', scores: 'absolute' }));
    expect(abs.provenance.scores!.kind).toBe('absolute');
    const testMean = cells.filter((c) => c[1] === 'src01_blur').reduce((a, c) => a + Number(c[2]), 0) / 5;
    expect(abs.mos.find((m) => m.stimulus === 'src01_blur')!.mos as number).toBeCloseTo(testMean, 12);
    // Without reference scores there is nothing to subtract; an ACR study has no difference scores.
    const plain = join(tmp.dir, 'dscqs-plain.csv');
    writeFileSync(plain, lines.map((l) => l.split(',').slice(0, 3).join(',')).join('\n') + '\n');
    importRatingsCsv(db, plain, { study: 'dscqs-plain', method: 'DSCQS' });
    expect(analyzeProject(db, dir, opts({ study: 'dscqs-plain', mos: 'raw' })).provenance.scores!.kind).toBe('absolute');
    expect(typedError(() => analyzeProject(db, dir, opts({ study: 'dscqs-plain', scores: 'difference' }))).message).toMatch(/has no reference scores: import them as the score_ref column/);
    expect(typedError(() => analyzeProject(db, dir, opts({ study: 'acr', scores: 'difference' }))).message).toBe('difference scores need a DSCQS or ACR-HR study; "acr" is ACR');
  });

  it('z-scores each participant and rescales to the scale when asked, recorded in provenance', () => {
    const r = analyzeProject(db, dir, opts({ study: 'acr', mos: 'raw', zscore: true }));
    expect(r.provenance.scores).toMatchObject({ kind: 'absolute', zscore: true, range: { min: 1, max: 5 } });
    expect(r.provenance.scores!.description).toContain('1 + 4 * (z + 3) / 6');
    const rows = (require('node:fs').readFileSync(join(tmp.dir, 'acr.csv'), 'utf8') as string).trim().split('\n').slice(1).map((l) => l.split(',')).filter((c) => DIST.includes(c[1]!));
    const z = (p: string, n: string) => {
      const mine = rows.filter((c) => c[0] === p).map((c) => Number(c[2]));
      const mu = mine.reduce((a, b) => a + b, 0) / mine.length;
      const sd = Math.sqrt(mine.reduce((a, b) => a + (b - mu) ** 2, 0) / (mine.length - 1));
      return 1 + (4 * ((Number(rows.find((c) => c[0] === p && c[1] === n)![2]) - mu) / sd + 3)) / 6;
    };
    const want = [0, 1, 2, 3, 4, 5, 6, 7].reduce((a, p) => a + z(`p${p}`, 'src03_x264'), 0) / 8;
    expect(r.mos.find((m) => m.stimulus === 'src03_x264')!.mos as number).toBeCloseTo(want, 12);
    expect(exportAnalysis(r, 'md')).toContain('of absolute scores, z-scored per participant');
  });

  it('uses the MOS choice stored in the project when none is given; a given field wins', () => {
    const { db, dir } = copyProject('mos-choice', { acr: true });
    expect(readMosChoice(db)).toBeNull();
    expect(analyzeProject(db, dir, opts({ study: 'acr', mos: undefined, screening: undefined })).provenance).toMatchObject({ mos: 'screened', screening: 'bt500', mosChoice: 'default' });
    writeMosChoice(db, mosChoiceSchema.parse({ mos: 'screened', screening: 'corr', minCorrelation: 0.5, zscore: true }));
    const stored = analyzeProject(db, dir, opts({ study: 'acr', mos: undefined, screening: undefined }));
    expect(stored.provenance).toMatchObject({ mos: 'screened', screening: 'corr', minCorrelation: 0.5, mosChoice: 'stored', scores: { zscore: true } });
    const given = analyzeProject(db, dir, opts({ study: 'acr', mos: 'raw', screening: undefined }));
    expect(given.provenance).toMatchObject({ mos: 'raw', screening: 'none', mosChoice: 'given', scores: { zscore: true } });
    db.prepare("UPDATE meta SET value = ? WHERE key = 'analysis.mos-choice'").run('{"mos":"bogus","screening":"corr"}');
    expect(readMosChoice(db)).toEqual({ mos: 'screened', screening: 'corr', minCorrelation: 0.75, scores: 'auto', zscore: false });
    db.prepare("DELETE FROM meta WHERE key = 'analysis.mos-choice'").run();
  });
});
