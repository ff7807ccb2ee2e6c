/**
 * The analysis cache (services/analysis/analysis-cache.ts): a report is stored under the hash of its
 * inputs in <project>/.iqa/analysis, the same inputs give the stored report (equal to a fresh
 * computation), any change of ratings, metric values or options gives a new computation, a damaged
 * cache file is a miss, and the cache keeps at most CACHED_ANALYSES reports. The engine's LaTeX export,
 * which prints no bootstrap interval, skips the bootstrap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisReport } from '../../src-main/common/domain';
import { computeAnalysis } from '../../src-main/kernels/analysis/compute-analysis';
import { analysisCacheDir, analysisCacheKey, CACHED_ANALYSES } from '../../src-main/services/analysis/analysis-cache';
import { analyzeProject, gatherAnalysisInput, type AnalyzeOptions } from '../../src-main/services/analysis/analyze-project';
import { Engine } from '../../src-main/services/engine';
import { openProjectDb, type Db } from '../../src-main/services/store/project-db';
import { tempDir } from '../helpers/media';
import { writeSyntheticAnalysisProject } from '../helpers/synthetic-analysis-project';

let tmp: { dir: string; cleanup: () => void };
const opened: Db[] = [];
const opts = (o: Partial<AnalyzeOptions> = {}): AnalyzeOptions => ({ study: 'load', mapping: 'linear', seed: 5, resamples: 50, ...o });

/** A small synthetic project of its own (6 contents × 4 versions, 6 observers, two metrics). */
function project(name: string): { dir: string; db: Db } {
  const dir = join(tmp.dir, name);
  writeSyntheticAnalysisProject(dir, { contents: 6, perContent: 4, observers: 6, metrics: ['psnr-y', 'ssim-y'] });
  const db = openProjectDb(dir);
  opened.push(db);
  return { dir, db };
}
const cached = (dir: string): string[] => {
  try {
    return readdirSync(analysisCacheDir(dir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
};

beforeAll(() => {
  tmp = tempDir('analysis-cache');
  process.env.IQA_USER_DATA = join(tmp.dir, 'user');
  process.env.IQA_MODEL_DIR = join(tmp.dir, 'models');
});
afterAll(() => {
  for (const db of opened) db.close();
  tmp.cleanup();
});

describe('the analysis cache', () => {
  it('stores the report under the hash of its inputs and answers the same inputs from it, equal to a fresh computation', () => {
    const { dir, db } = project('same');
    const first = analyzeProject(db, dir, opts());
    const key = analysisCacheKey(gatherAnalysisInput(db, dir, opts()));
    expect(cached(dir)).toEqual([`${key}.json`]);
    expect(first).toEqual(computeAnalysis(gatherAnalysisInput(db, dir, opts())));

    // The second run reads the file: a marker written into it comes back.
    const file = join(analysisCacheDir(dir), `${key}.json`);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { key: string; report: AnalysisReport };
    expect(stored.report).toEqual(first);
    writeFileSync(file, JSON.stringify({ key, report: { ...stored.report, provenance: { ...stored.report.provenance, study: 'from the cache' } } }));
    expect(analyzeProject(db, dir, opts()).provenance.study).toBe('from the cache');
  });

  it('computes again when a rating, a metric value or an option changes', () => {
    const { dir, db } = project('changes');
    analyzeProject(db, dir, opts());
    expect(cached(dir)).toHaveLength(1);

    const seed = analyzeProject(db, dir, opts({ seed: 6 }));
    expect(seed.provenance.bootstrap?.seed).toBe(6);
    expect(cached(dir)).toHaveLength(2);

    const before = analyzeProject(db, dir, opts());
    db.prepare('UPDATE ratings SET value = value + 1 WHERE id = (SELECT MIN(id) FROM ratings) AND value < 5').run();
    db.prepare('UPDATE ratings SET value = value - 1 WHERE id = (SELECT MIN(id) FROM ratings) AND value >= 5').run();
    const afterRating = analyzeProject(db, dir, opts());
    expect(cached(dir)).toHaveLength(3);
    expect(afterRating.mos).not.toEqual(before.mos);

    db.prepare('UPDATE metric_values SET value = value * 1.5 WHERE rowid = (SELECT MIN(rowid) FROM metric_values)').run();
    const afterValue = analyzeProject(db, dir, opts());
    expect(cached(dir)).toHaveLength(4);
    expect(afterValue.correlations).not.toEqual(afterRating.correlations);
  });

  it('treats a damaged cache file as a miss', () => {
    const { dir, db } = project('damaged');
    const fresh = analyzeProject(db, dir, opts());
    const [file] = cached(dir);
    writeFileSync(join(analysisCacheDir(dir), file!), '{"key": "trunc');
    expect(analyzeProject(db, dir, opts())).toEqual(fresh);
    // Rewritten whole.
    expect(JSON.parse(readFileSync(join(analysisCacheDir(dir), file!), 'utf8')).report).toEqual(fresh);
  });

  it(`keeps at most ${CACHED_ANALYSES} reports`, () => {
    const { dir, db } = project('pruned');
    for (let seed = 1; seed <= CACHED_ANALYSES + 3; seed++) analyzeProject(db, dir, opts({ seed, resamples: 0 }));
    expect(cached(dir).length).toBe(CACHED_ANALYSES);
  });
});

describe("the engine's exports", () => {
  it('the LaTeX export skips the bootstrap; the Markdown export prints the intervals', async () => {
    const { dir } = project('exports');
    const engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
    try {
      const input = { projectDir: dir, study: 'load', mapping: 'linear' as const, seed: 3, resamples: 40 };
      const latex = await engine.handlers['analysis.export']({ ...input, format: 'latex' });
      expect(latex.content).toContain('\\begin{tabular}');
      expect(latex.content).not.toMatch(/bootstrap/);
      const md = await engine.handlers['analysis.export']({ ...input, format: 'md' });
      expect(md.content).toContain('bootstrap 95% CIs (seed 3, 40 resamples)');
      // Only the Markdown run computed a bootstrap: the LaTeX one was cached with resamples 0. (The merged
      // report of a run in the compute pool is stored just after the answer: wait for it.)
      const resamples = () => cached(dir).map((f) => (JSON.parse(readFileSync(join(analysisCacheDir(dir), f), 'utf8')) as { report: AnalysisReport }).report.provenance.bootstrap?.resamples ?? 0).sort();
      await expect.poll(resamples, { timeout: 30_000 }).toEqual([0, 40]);
    } finally {
      await engine.shutdown();
    }
  });
});
