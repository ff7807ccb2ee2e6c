/**
 * 11. The analysis' speed (issue 10: "1,000 stimuli × 20 metrics × 2,000 resamples, wall time on this
 * 2-core machine, and point estimates alone. Target: all of it under 60 s; point estimates under 1 s"),
 * through the Engine as the Analysis page asks for it: 'analysis.run' with resamples 0 (the point
 * estimates: MOS, screening, every correlation with its mapping fit, the significance letters), then
 * 'analysis.start' with the resamples (the job that computes every row's bootstrap interval on the
 * compute threads and merges them), on a generated project: 50 contents × 20 versions, 20 observers,
 * 20 metric configurations whose values rise with the quality through the shapes real metrics show
 * (sigmoid, straight line, saturating exponential, logarithm; test/helpers/synthetic-analysis-project.ts
 * shape 'continuous'), 5-parameter logistic mapping. A second 'analysis.run' with the resamples shows
 * the project's cache. --quick: 200 resamples.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisReport } from '../src-main/common/domain';
import { Engine } from '../src-main/services/engine';
import { writeSyntheticAnalysisProject, type SyntheticSize } from '../test/helpers/synthetic-analysis-project';
import { fmt, log, msSince, now, table } from './util';

export const ANALYSIS_POINT_TARGET_MS = 1000;
export const ANALYSIS_TOTAL_TARGET_MS = 60_000;

const LUMAS = ['y_float', 'y_uint8', 'bt709', 'bt601-full', 'bt709-full'];
/** 20 configurations: four luma metrics (SSIM-Y twice: Wang and ffmpeg's variant) × five luma conversions. */
const CONFIGS: SyntheticSize['metrics'] = [
  ...LUMAS.map((luma) => ({ id: 'psnr-y', params: { luma } })),
  ...LUMAS.map((luma) => ({ id: 'ssim-y', params: { luma } })),
  ...LUMAS.map((luma) => ({ id: 'ms-ssim-y', params: { luma } })),
  ...LUMAS.map((luma) => ({ id: 'ssim-y', params: { luma, variant: 'ffmpeg' } })),
];

export interface AnalysisSpeedResult {
  stimuli: number;
  configurations: number;
  observers: number;
  resamples: number;
  pointMs: number;
  intervalsMs: number;
  totalMs: number;
  cachedMs: number;
  rows: number;
  rowsWithIntervals: number;
  degenerateFits: number;
  pointMet: boolean;
  totalMet: boolean;
}

export async function benchAnalysisSpeed(quick: boolean): Promise<{ text: string; json: AnalysisSpeedResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'iqa-bench-analysis-'));
  const engine = new Engine({ userDataDir: join(dir, 'user'), roots: [dir] });
  const resamples = quick ? 200 : 2000;
  try {
    const projectDir = join(dir, 'project');
    const size: SyntheticSize = { contents: 50, perContent: 20, observers: 20, metrics: CONFIGS, shape: 'continuous' };
    const stimuli = writeSyntheticAnalysisProject(projectDir, size);
    const options = { projectDir, study: 'load', mapping: 'logistic5' as const, seed: 1, resamples };
    await engine.handlers['app.info']({});

    log(`analysis speed: point estimates of ${stimuli} stimuli x ${CONFIGS.length} configurations`);
    let t = now();
    const point = await engine.handlers['analysis.run']({ ...options, resamples: 0 });
    const pointMs = msSince(t);

    log(`analysis speed: ${resamples} bootstrap resamples per row (the interval job)`);
    t = now();
    const { jobId } = await engine.handlers['analysis.start'](options);
    const report = (await engine.jobs.wait(jobId)) as AnalysisReport;
    const intervalsMs = msSince(t);

    t = now();
    await engine.handlers['analysis.run'](options);
    const cachedMs = msSince(t);

    const json: AnalysisSpeedResult = {
      stimuli,
      configurations: CONFIGS.length,
      observers: size.observers,
      resamples,
      pointMs,
      intervalsMs,
      totalMs: pointMs + intervalsMs,
      cachedMs,
      rows: report.correlations.length,
      rowsWithIntervals: report.correlations.filter((r) => r.ci95 !== null).length,
      degenerateFits: point.correlations.filter((r) => r.mapping?.degenerate || r.mapping?.fallback).length,
      pointMet: pointMs <= ANALYSIS_POINT_TARGET_MS,
      totalMet: pointMs + intervalsMs <= ANALYSIS_TOTAL_TARGET_MS,
    };
    const text = table(
      `11. The analysis: ${stimuli} stimuli x ${CONFIGS.length} metric configurations, ${size.observers} observers, logistic5, through the Engine (compute threads)`,
      ['what', 'time', 'target', 'result'],
      [
        ['point estimates (analysis.run, resamples 0)', `${fmt(pointMs / 1000, 2)} s`, `<= ${ANALYSIS_POINT_TARGET_MS / 1000} s`, json.pointMet ? 'MET' : 'NOT MET'],
        [`bootstrap intervals, ${resamples} resamples (analysis.start job)`, `${fmt(intervalsMs / 1000, 1)} s`, '', ''],
        ['all of it (point + intervals)', `${fmt(json.totalMs / 1000, 1)} s`, `<= ${ANALYSIS_TOTAL_TARGET_MS / 1000} s${quick ? ' (at 2,000 resamples)' : ''}`, quick ? '' : json.totalMet ? 'MET' : 'NOT MET'],
        ['the same analysis again (the project cache)', `${fmt(cachedMs, 0)} ms`, '', ''],
        [`rows: ${json.rows}, with intervals: ${json.rowsWithIntervals}, degenerate or fallen-back fits: ${json.degenerateFits}`, '', '', ''],
      ],
    );
    return { text, json };
  } finally {
    await engine.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}
