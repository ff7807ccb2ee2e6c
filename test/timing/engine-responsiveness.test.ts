/**
 * Nothing heavy on the engine's thread: while the analysis of a 1,000-stimulus project (three metrics,
 * ten observers, 2,000 cluster-bootstrap resamples with the linear mapping refitted on each) runs
 * through the engine, the engine's event loop stays responsive. (The logistic mapping would take tens
 * of minutes here, each resample refits it iteratively; the linear one keeps the test at about a minute
 * with the same bootstrap work otherwise.) The issue sets the bounds: event-loop delay p99
 * below 50 ms, and a trivial command (app.info) answered within 100 ms throughout. This is the one test
 * that asserts a time, because the requirement is a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as pace } from 'node:timers/promises';
import { Engine } from '../../src-main/services/engine';
import type { AnalysisReport } from '../../src-main/common/domain';
import { tempDir } from '../helpers/media';
import { THOUSAND_STIMULI, writeSyntheticAnalysisProject } from '../helpers/synthetic-analysis-project';

const EVENT_LOOP_P99_MS = 50;
const TRIVIAL_COMMAND_MS = 100;
/** Between app.info probes: frequent enough to sample the whole analysis, rare enough not to load the thread. */
const PROBE_EVERY_MS = 20;

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
let projectDir: string;
let rated: number;

beforeAll(() => {
  tmp = tempDir('responsive');
  process.env.IQA_USER_DATA = join(tmp.dir, 'user');
  process.env.IQA_MODEL_DIR = join(tmp.dir, 'models');
  projectDir = join(tmp.dir, 'project');
  rated = writeSyntheticAnalysisProject(projectDir, THOUSAND_STIMULI);
  // The default threads: the analysis runs in the compute worker, as in the app.
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), roots: [tmp.dir] });
});

afterAll(async () => {
  // Awaited: the analysis stores its report in the project's cache after answering (the compute pool's
  // close waits for that write); removing the folder before it ran into the write (ENOTEMPTY) in a CI run.
  await engine?.shutdown();
  tmp?.cleanup();
});

describe('the engine during a long analysis', () => {
  it('keeps its event loop under 50 ms p99 and answers app.info within 100 ms until the analysis finishes', async () => {
    expect(rated).toBe(1000);
    // The first app.info looks ffmpeg up (once per process): not what this test measures.
    await engine.handlers['app.info']({});
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    let finished = false;
    const analysis = engine.handlers['analysis.run']({ projectDir, study: 'load', mapping: 'linear', seed: 1, resamples: 2000 }).finally(() => {
      finished = true;
    });
    const answers: number[] = [];
    while (!finished) {
      const t0 = performance.now();
      const info = await engine.handlers['app.info']({});
      answers.push(performance.now() - t0);
      expect(info.version).toBeTruthy();
      await pace(PROBE_EVERY_MS);
    }
    const report: AnalysisReport = await analysis;
    histogram.disable();

    // The analysis really ran: every stimulus, every metric, with bootstrap intervals.
    expect(report.mos).toHaveLength(1000);
    expect(report.correlations).toHaveLength(THOUSAND_STIMULI.metrics.length);
    for (const row of report.correlations) expect(row.ci95).not.toBeNull();
    expect(report.provenance.bootstrap?.resamples).toBe(2000);

    const p99 = histogram.percentile(99) / 1e6;
    expect(answers.length, 'app.info was asked while the analysis ran').toBeGreaterThan(5);
    expect(p99, `event-loop delay p99 during the analysis (max ${(histogram.max / 1e6).toFixed(1)} ms)`).toBeLessThan(EVENT_LOOP_P99_MS);
    const slowest = Math.max(...answers);
    expect(slowest, `slowest app.info answer while the analysis ran (probe ${answers.indexOf(slowest) + 1} of ${answers.length})`).toBeLessThan(TRIVIAL_COMMAND_MS);
  }, 600_000);
});
