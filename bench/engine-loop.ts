/**
 * 9. The engine's thread during an analysis: the event-loop delay (perf_hooks.monitorEventLoopDelay,
 * 10 ms resolution) while `analysis.run` analyses a generated 1,000-stimulus project (two metrics, ten
 * observers, linear mapping, 2,000 cluster-bootstrap resamples; 200 with --quick) through the Engine, as
 * the app and `npm run web` call it; app.info is asked every 20 ms meanwhile and its slowest answer
 * reported. The analysis runs in the compute worker, so the p99 should stay far below the 50 ms the
 * issue sets (test/timing/engine-responsiveness.test.ts asserts that bound).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as pace } from 'node:timers/promises';
import { Engine } from '../src-main/services/engine';
import { BENCH_MIXED_LOAD, runMixedLoad, TEST_MIXED_LOAD } from '../test/helpers/engine-mixed-load';
import { THOUSAND_STIMULI, writeSyntheticAnalysisProject } from '../test/helpers/synthetic-analysis-project';
import { fmt, log, table } from './util';

export interface EngineLoopResult {
  stimuli: number;
  metrics: number;
  resamples: number;
  analysisMs: number;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  appInfoMaxMs: number;
  appInfoProbes: number;
}

export async function benchEngineLoop(quick: boolean): Promise<{ text: string; json: EngineLoopResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'iqa-bench-engine-'));
  const size = { ...THOUSAND_STIMULI, metrics: THOUSAND_STIMULI.metrics.slice(0, 2) };
  const resamples = quick ? 200 : 2000;
  const engine = new Engine({ userDataDir: join(dir, 'user'), roots: [dir] });
  try {
    log(`engine event loop during an analysis (1,000 stimuli, ${resamples} resamples)`);
    const projectDir = join(dir, 'project');
    const stimuli = writeSyntheticAnalysisProject(projectDir, size);
    await engine.handlers['app.info']({});
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    let finished = false;
    const t0 = performance.now();
    const analysis = engine.handlers['analysis.run']({ projectDir, study: 'load', mapping: 'linear', seed: 1, resamples }).finally(() => {
      finished = true;
    });
    const answers: number[] = [];
    while (!finished) {
      const t = performance.now();
      await engine.handlers['app.info']({});
      answers.push(performance.now() - t);
      await pace(20);
    }
    await analysis;
    const analysisMs = performance.now() - t0;
    histogram.disable();
    const json: EngineLoopResult = {
      stimuli,
      metrics: size.metrics.length,
      resamples,
      analysisMs,
      eventLoopP99Ms: histogram.percentile(99) / 1e6,
      eventLoopMaxMs: histogram.max / 1e6,
      appInfoMaxMs: answers.length ? Math.max(...answers) : Number.NaN,
      appInfoProbes: answers.length,
    };
    const text = table('9. The engine thread during an analysis (compute worker; issue bound: p99 < 50 ms, app.info < 100 ms)', ['what', 'value'], [
      ['analysis.run, 1,000 stimuli x 2 metrics, linear mapping', `${fmt(analysisMs / 1000, 1)} s (${resamples} resamples)`],
      ['engine event-loop delay p99 during the analysis', `${fmt(json.eventLoopP99Ms, 1)} ms (max ${fmt(json.eventLoopMaxMs, 1)} ms)`],
      ['slowest app.info answer meanwhile', `${fmt(json.appInfoMaxMs, 1)} ms (${answers.length} probes)`],
    ]);
    return { text, json };
  } finally {
    // shutdown, not close: it waits for the analysis cache write that follows the reply (else rmSync races it: ENOTEMPTY).
    await engine.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface MixedLoadBenchResult {
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  appInfoMaxMs: number;
  appInfoProbes: number;
  partsS: Record<string, number>;
  modelDir: string;
}

/**
 * 9b. Everything at once (test/helpers/engine-mixed-load.ts): the 1,000-stimulus analysis, an LPIPS +
 * BRISQUE run on a 640x360 60-frame pair, 30 SSIM frame-map requests and FID over two sets of 48 images,
 * through the HTTP host, with app.info over HTTP every 20 ms. Needs lpips-alex, brisque and
 * fid-inception-arch in the model directory (IQA_MODEL_DIR, else ../shared/models); skipped without them.
 */
export async function benchMixedLoad(quick: boolean, modelDir: string): Promise<{ text: string; json: MixedLoadBenchResult | null }> {
  if (!modelDir || !['lpips-alex', 'brisque', 'fid-inception-arch'].every((m) => existsSync(join(modelDir, m)))) {
    return { text: '9b. Mixed load: skipped (lpips-alex, brisque and fid-inception-arch are not all in the model directory)', json: null };
  }
  const dir = mkdtempSync(join(tmpdir(), 'iqa-bench-mixed-'));
  const saved = process.env.IQA_MODEL_DIR;
  process.env.IQA_MODEL_DIR = modelDir;
  try {
    log('engine event loop under the mixed load (analysis, LPIPS + BRISQUE run, frame maps, FID)');
    const r = await runMixedLoad(dir, quick ? TEST_MIXED_LOAD : BENCH_MIXED_LOAD);
    const json: MixedLoadBenchResult = {
      eventLoopP99Ms: r.eventLoopP99Ms,
      eventLoopMaxMs: r.eventLoopMaxMs,
      appInfoMaxMs: Math.max(...r.appInfoMs),
      appInfoProbes: r.appInfoMs.length,
      partsS: Object.fromEntries(Object.entries(r.partsMs).map(([k, v]) => [k, v / 1000])),
      modelDir,
    };
    const text = table('9b. The engine thread under the mixed load (issue bound: p99 < 50 ms, app.info over HTTP < 100 ms)', ['what', 'value'], [
      ['parts (s from the start)', Object.entries(json.partsS).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ')],
      ['engine event-loop delay p99', `${fmt(json.eventLoopP99Ms, 1)} ms (max ${fmt(json.eventLoopMaxMs, 1)} ms)`],
      ['slowest app.info over HTTP', `${fmt(json.appInfoMaxMs, 1)} ms (${json.appInfoProbes} probes)`],
    ]);
    return { text, json };
  } finally {
    if (saved === undefined) delete process.env.IQA_MODEL_DIR;
    else process.env.IQA_MODEL_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}
