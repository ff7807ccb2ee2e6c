/**
 * The analysis in parts (kernels/analysis/compute-analysis.ts): the point estimates with the rows'
 * bootstrap intervals computed apart, in any split of the rows, put together equal the whole analysis
 * exactly (each row's bootstrap is seeded on its own), with a breakdown, source-content clusters
 * (the whole study) and single-stimulus resampling (each one-content group).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  computeAnalysis,
  computePointAnalysis,
  computeRowIntervals,
  intervalRows,
  pointFromUnresampled,
  withRowIntervals,
  type AnalysisInput,
} from '../../../src-main/kernels/analysis/compute-analysis';
import { gatherAnalysisInput } from '../../../src-main/services/analysis/analyze-project';
import { openProjectDb } from '../../../src-main/services/store/project-db';
import { tempDir } from '../../helpers/media';
import { writeSyntheticAnalysisProject } from '../../helpers/synthetic-analysis-project';

let tmp: { dir: string; cleanup: () => void };
let input: AnalysisInput;

beforeAll(() => {
  tmp = tempDir('analysis-parts');
  const dir = join(tmp.dir, 'project');
  writeSyntheticAnalysisProject(dir, { contents: 5, perContent: 6, observers: 6, metrics: ['psnr-y', 'ssim-y', 'mse'] });
  const db = openProjectDb(dir);
  // A breakdown by content: five groups of six stimuli, each one content (single-stimulus resampling).
  input = gatherAnalysisInput(db, dir, { study: 'load', mapping: 'logistic4', by: 'content', seed: 11, resamples: 60 });
  db.close();
});
afterAll(() => tmp.cleanup());

describe('the analysis in parts', () => {
  it('point estimates + intervals computed apart = the whole analysis, for any split of the rows', () => {
    const whole = computeAnalysis(structuredClone(input));
    const point = computePointAnalysis(structuredClone(input));
    expect(point.correlations.every((r) => r.ci95 === null)).toBe(true);
    expect(point.provenance).toEqual(whole.provenance);
    expect({ ...point, correlations: point.correlations.map((r) => ({ ...r, ci95: null })) }).toEqual({ ...whole, correlations: whole.correlations.map((r) => ({ ...r, ci95: null })) });

    const rows = intervalRows(point, input.resamples);
    expect(rows.length).toBeGreaterThan(3);
    expect(whole.correlations.filter((r) => r.ci95 !== null).length).toBe(rows.length);
    // One part, single rows, and an uneven interleaved split.
    const splits = [[rows], rows.map((r) => [r]), [rows.filter((_, i) => i % 3 === 0), rows.filter((_, i) => i % 3 !== 0)]];
    for (const split of splits) {
      const intervals = Object.assign({}, ...split.map((part) => computeRowIntervals(structuredClone(input), part)));
      expect(withRowIntervals(point, intervals)).toEqual(whole);
    }
  });

  it('no resamples: no interval rows, the point report is the whole one, and it is the point part of the report with resamples', () => {
    const none = { ...structuredClone(input), resamples: 0 };
    const point = computePointAnalysis(none);
    expect(intervalRows(point, 0)).toEqual([]);
    expect(point).toEqual(computeAnalysis(none));
    expect(pointFromUnresampled(point, input)).toEqual(computePointAnalysis(structuredClone(input)));
  });
});
