/**
 * The analysis as a job ('analysis.start', engine + compute pool with two threads): the point estimates,
 * then the rows' bootstrap intervals spread over the threads with progress in rows, give exactly the
 * report of the analysis on one thread; the merged report is cached (the next run answers from the
 * cache at once); a cancelled analysis ends as cancelled and the pool keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { AnalysisReport, JobSnapshot } from '../../src-main/common/domain';
import { computeAnalysis } from '../../src-main/kernels/analysis/compute-analysis';
import { gatherAnalysisInput, type AnalyzeOptions } from '../../src-main/services/analysis/analyze-project';
import { readCachedAnalysis, analysisCacheKey } from '../../src-main/services/analysis/analysis-cache';
import { Engine } from '../../src-main/services/engine';
import { MAPPING_FITS } from '../../src-main/common/contract';
import { openProjectDb } from '../../src-main/services/store/project-db';
import { tempDir } from '../helpers/media';
import { writeSyntheticAnalysisProject } from '../helpers/synthetic-analysis-project';

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
let dir: string;

beforeAll(() => {
  tmp = tempDir('analysis-job');
  process.env.IQA_USER_DATA = join(tmp.dir, 'user');
  process.env.IQA_MODEL_DIR = join(tmp.dir, 'models');
  dir = join(tmp.dir, 'project');
  writeSyntheticAnalysisProject(dir, { contents: 6, perContent: 5, observers: 6, metrics: ['psnr-y', 'ssim-y', 'ms-ssim-y'] });
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 2, roots: [tmp.dir] });
});
afterAll(async () => {
  await engine?.shutdown();
  tmp?.cleanup();
});

/** The job's updates until it ends, and its last snapshot. */
async function runJob(jobId: string): Promise<{ updates: JobSnapshot[]; last: JobSnapshot }> {
  const updates: JobSnapshot[] = [];
  const off = engine.jobs.onUpdate((s) => {
    if (s.id === jobId) updates.push(s);
  });
  try {
    await engine.jobs.wait(jobId).catch(() => undefined);
  } finally {
    off();
  }
  return { updates, last: engine.jobs.get(jobId)! };
}

describe('the analysis job', () => {
  it('gives the one-thread report exactly, with progress over the interval rows, and caches it', async () => {
    const options = { projectDir: dir, study: 'load', mapping: 'logistic4' as const, by: 'content', seed: 4, resamples: 80 };
    const { jobId } = await engine.handlers['analysis.start'](options);
    const { updates, last } = await runJob(jobId);
    expect(last.state).toBe('done');
    expect(last.kind).toBe('analysis');
    const report = last.result as AnalysisReport;

    const service: AnalyzeOptions = { study: 'load', mapping: MAPPING_FITS.logistic4, by: 'content', seed: 4, resamples: 80 };
    const db = openProjectDb(dir);
    const input = gatherAnalysisInput(db, dir, service);
    db.close();
    expect(report).toEqual(computeAnalysis(structuredClone(input)));
    expect(report.correlations.filter((r) => r.ci95 !== null).length).toBeGreaterThan(6);

    // Progress in rows: from 0 to every row with an interval, never backwards.
    const rows = report.correlations.filter((r) => r.ci95 !== null).length;
    const progress = updates.filter((u) => u.total > 0).map((u) => [u.done, u.total]);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every(([, t]) => t === rows)).toBe(true);
    expect(progress.at(-1)![0]).toBe(rows);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]!);

    // Stored once merged (the store step runs after the answer): the next run is the cached report.
    const key = analysisCacheKey(input);
    await expect.poll(() => readCachedAnalysis(dir, key) !== null, { timeout: 30_000 }).toBe(true);
    expect(readCachedAnalysis(dir, key)).toEqual(report);
    expect(await engine.handlers['analysis.run'](options)).toEqual(report);
  });

  it('a cancelled analysis ends as cancelled, and the next one still runs', async () => {
    const options = { projectDir: dir, study: 'load', mapping: 'logistic5' as const, seed: 9, resamples: 5000 };
    const { jobId } = await engine.handlers['analysis.start'](options);
    // Cancel once the intervals are under way (the point step is done and progress has started).
    const off = engine.jobs.onUpdate((s) => {
      if (s.id === jobId && s.total > 0) engine.jobs.cancel(jobId);
    });
    const { last } = await runJob(jobId);
    off();
    expect(last.state).toBe('cancelled');
    const after = await engine.handlers['analysis.run']({ ...options, resamples: 20 });
    expect(after.provenance.bootstrap?.resamples).toBe(20);
  });
});
