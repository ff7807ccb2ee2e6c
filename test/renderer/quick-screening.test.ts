/**
 * The Study tab's quick screening (lib/study/quick-screening.ts) from real analysis reports of a
 * generated study: BT.500's verdict with reasons, the P.913 model's participants by inconsistency, and
 * what is said when either cannot run yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { MAPPING_FITS } from '../../src-main/common/contract';
import { computeAnalysis } from '../../src-main/kernels/analysis/compute-analysis';
import { gatherAnalysisInput } from '../../src-main/services/analysis/analyze-project';
import { openProjectDb } from '../../src-main/services/store/project-db';
import { quickScreening, screeningLines } from '../../src-renderer/src/lib/study/quick-screening';
import type { AnalysisReport } from '../../src-main/common/domain';
import { tempDir } from '../helpers/media';
import { writeSyntheticAnalysisProject } from '../helpers/synthetic-analysis-project';

let tmp: { dir: string; cleanup: () => void };
let bt500: AnalysisReport;
let mle: AnalysisReport;

beforeAll(() => {
  tmp = tempDir('quick-screening');
  const dir = join(tmp.dir, 'project');
  writeSyntheticAnalysisProject(dir, { contents: 4, perContent: 5, observers: 7, metrics: [] });
  const db = openProjectDb(dir);
  const options = { study: 'load', mapping: MAPPING_FITS.none, seed: 1, resamples: 0 };
  bt500 = computeAnalysis(gatherAnalysisInput(db, dir, { ...options, mos: 'screened', screening: 'bt500' }));
  mle = computeAnalysis(gatherAnalysisInput(db, dir, { ...options, mos: 'mle' }));
  db.close();
});
afterAll(() => tmp.cleanup());

describe('quick screening', () => {
  it("BT.500's verdict and the P.913 participants by inconsistency, from the analysis", () => {
    const s = quickScreening(140, bt500, mle);
    expect(s.participants).toBe(7);
    expect(s.bt500!.rejected.map((r) => r.participant)).toEqual(bt500.screening.rejected);
    expect(s.subjects).toHaveLength(7);
    for (let i = 1; i < s.subjects!.length; i++) expect(s.subjects![i - 1]!.inconsistency).toBeGreaterThanOrEqual(s.subjects![i]!.inconsistency);
    const lines = screeningLines(s);
    expect(lines[0]).toMatch(bt500.screening.rejected.length ? /^BT\.500 screening: \d+ of 7 rejected — / : /^BT\.500 screening: nobody rejected \(7 participants\)$/);
    const top = s.subjects![0]!;
    expect(lines[1]).toContain(`P.913 subject model, most inconsistent: ${top.participant} ${top.inconsistency.toFixed(2)} (bias `);
    expect(lines[1]).toMatch(/… of 7$/);
  });

  it('says a rejected participant with the reason, and why a part could not run', () => {
    const withReject = { ...bt500, screening: { rejected: ['p03'], reasons: { p03: 'P+Q = 40 % of ratings outside the limits' } } };
    const lines = screeningLines(quickScreening(140, withReject, { error: 'the subject model cannot be fitted: only one participant' }));
    expect(lines).toEqual([
      'BT.500 screening: 1 of 7 rejected — p03 (P+Q = 40 % of ratings outside the limits)',
      'P.913 subject model: not yet (the subject model cannot be fitted: only one participant)',
    ]);
  });
});
