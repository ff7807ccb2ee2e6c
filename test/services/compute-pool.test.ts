/**
 * The compute pool (services/compute/compute-pool.ts) over the real worker thread: the analysis and the
 * set statistics give the same numbers in the worker as on the calling thread, feature buffers are
 * transferred (not copied), errors arrive as the same typed IqaError, and cancellation is E_CANCELLED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IqaError } from '../../src-main/common/errors';
import { computeAnalysis, type AnalysisInput } from '../../src-main/kernels/analysis/compute-analysis';
import { featureMatrix, gaussianStats, type FeatureMatrix } from '../../src-main/kernels/features/feature-matrix';
import { setStatistics, type SetStatisticsRequest } from '../../src-main/kernels/features/set-statistics';
import { createRng } from '../../src-main/kernels/stats/rng';
import { gatherAnalysisInput } from '../../src-main/services/analysis/analyze-project';
import { analysisCacheDir } from '../../src-main/services/analysis/analysis-cache';
import { ComputePool } from '../../src-main/services/compute/compute-pool';
import { openProjectDb } from '../../src-main/services/store/project-db';
import { tempDir } from '../helpers/media';
import { writeSyntheticAnalysisProject } from '../helpers/synthetic-analysis-project';

let tmp: { dir: string; cleanup: () => void };
let pool: ComputePool;
let input: AnalysisInput;

beforeAll(() => {
  tmp = tempDir('compute-pool');
  process.env.IQA_USER_DATA = join(tmp.dir, 'user');
  process.env.IQA_MODEL_DIR = join(tmp.dir, 'models');
  const dir = join(tmp.dir, 'project');
  writeSyntheticAnalysisProject(dir, { contents: 6, perContent: 5, observers: 6, metrics: ['psnr-y', 'ssim-y'] });
  const db = openProjectDb(dir);
  input = gatherAnalysisInput(db, dir, { study: 'load', mapping: 'logistic5', by: 'level', seed: 3, resamples: 100 });
  db.close();
  pool = new ComputePool({ threads: 1 });
});

afterAll(async () => {
  await pool?.close();
  tmp?.cleanup();
});

/** Seeded float32 features, rows × cols. */
function features(seed: number, rows: number, cols: number, shift = 0): FeatureMatrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextFloat() + shift * ((i % cols) / cols);
  return featureMatrix(data, rows, cols);
}

const copy = (m: FeatureMatrix): FeatureMatrix => featureMatrix(m.data.slice(), m.rows, m.cols);

describe('the compute pool', () => {
  it('gives the analysis report of the calling thread, number for number, from the worker', async () => {
    const here = computeAnalysis(structuredClone(input));
    const there = await pool.analyze(structuredClone(input));
    expect(there).toEqual(here);
    expect(there.correlations.every((r) => r.ci95 !== null)).toBe(true);
  });

  it('gives the same FID, bootstrap interval, KID, IS and statistics as the calling thread, and takes the feature buffers', async () => {
    const a = features(1, 40, 12);
    const b = features(2, 36, 12, 0.5);
    const logits = features(3, 40, 10);
    const request = (): SetStatisticsRequest => ({
      a: copy(a),
      b: copy(b),
      frechet: { bootstrap: { resamples: 20, seed: 5 } },
      kid: { mode: 'subsets', subsetSize: 10, subsets: 4, seed: 9 },
      inceptionScore: { logits: copy(logits), splits: 4 },
      statsA: true,
    });
    const here = setStatistics(request());
    const sent = request();
    const there = await pool.setStatistics(sent);
    expect(there).toEqual(here);
    expect(there.frechet).toBeGreaterThan(0);
    // Transferred: the caller's buffers are detached, not copied.
    expect(sent.a.data.byteLength).toBe(0);
    expect(sent.b!.data.byteLength).toBe(0);
    expect(sent.inceptionScore!.logits.data.byteLength).toBe(0);
  });

  it('compares with stored statistics and full-set KID as on the calling thread, copying a view into a larger buffer', async () => {
    const a = features(4, 30, 8);
    const b = features(5, 30, 8, 0.3);
    const stored = gaussianStats(b);
    // Set A as a view into a larger buffer: it must be copied, the rest of the buffer stays the caller's.
    const big = new Float32Array(a.data.length + 8);
    big.set(a.data, 8);
    const view = featureMatrix(big.subarray(8), a.rows, a.cols);
    const here = setStatistics({ a, b: null, frechet: { against: stored } });
    const there = await pool.setStatistics({ a: view, b: null, frechet: { against: { ...stored, mean: stored.mean.slice(), covariance: stored.covariance.slice() } } });
    expect(there).toEqual(here);
    expect(big.byteLength).toBe((a.data.length + 8) * 4);
    expect(await pool.setStatistics({ a: copy(a), b: copy(b), kid: { mode: 'full-sets' } })).toEqual(setStatistics({ a, b, kid: { mode: 'full-sets' } }));
  });

  it('passes an error thrown in the worker on as the same typed IqaError', async () => {
    const bad = { ...structuredClone(input), choice: { ...input.choice, scores: 'difference' as const } };
    let here: unknown;
    try {
      computeAnalysis(structuredClone(bad));
    } catch (err) {
      here = err;
    }
    const there = await pool.analyze(bad).catch((err: unknown) => err);
    expect(here).toBeInstanceOf(IqaError);
    expect(there).toBeInstanceOf(IqaError);
    expect((there as IqaError).code).toBe('E_INPUT');
    expect((there as IqaError).message).toBe((here as IqaError).message);

    const fewResamples = await pool.setStatistics({ a: features(6, 10, 4), b: features(7, 10, 4), frechet: { bootstrap: { resamples: 1 } } }).catch((err: unknown) => err);
    expect(fewResamples).toBeInstanceOf(IqaError);
    expect((fewResamples as IqaError).code).toBe('E_INPUT');
    expect((fewResamples as IqaError).message).toMatch(/at least 2 resamples/);
  });

  it('stops a running analysis when its signal is aborted, with E_CANCELLED', async () => {
    const controller = new AbortController();
    const running = pool.analyze({ ...structuredClone(input), resamples: 100_000 }, controller.signal).catch((err: unknown) => err);
    controller.abort();
    const err = await running;
    expect(err).toBeInstanceOf(IqaError);
    expect((err as IqaError).code).toBe('E_CANCELLED');
    // The pool still works afterwards.
    expect((await pool.analyze(structuredClone(input))).mos).toHaveLength(30);
  });

  it('a project analysis closed at once still stores its report, and no late worker reply reaches the pool unclaimed', async () => {
    // The merged report is stored after the answer; a pool destroyed before that step's reply came back
    // made piscina emit 'error' for a reply it had no task for (an uncaught exception in one CI run).
    const dir = join(tmp.dir, 'closed-at-once');
    writeSyntheticAnalysisProject(dir, { contents: 4, perContent: 3, observers: 5, metrics: ['psnr-y'] });
    const own = new ComputePool({ threads: 2 });
    const report = await own.analyzeProject(dir, { study: 'load', mapping: 'linear', seed: 1, resamples: 20 }, () => {
      throw new Error('the pool has threads: the worker reads the project');
    });
    expect(report.provenance.bootstrap?.resamples).toBe(20);
    await own.close();
    expect(readdirSync(analysisCacheDir(dir)).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  });
});
