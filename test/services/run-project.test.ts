import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { importMedia } from '../../src-main/services/import/import-media';
import { openProjectDb, type Db } from '../../src-main/services/store/project-db';
import { runProjectMetrics } from '../../src-main/services/metrics/run-project-metrics';
import { createFrameRunner, type FrameRunner } from '../../src-main/services/metrics/frame-pool';
import { listResults, frameValues } from '../../src-main/services/store/metrics-repo';
import { resultsToCsv, resultsToJson } from '../../src-main/services/export/results-export';
import { importOptionsSchema } from '../../src-main/common/contract';
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { makeStudyFolder, tempDir } from '../helpers/media';

const metric = (id: string, params = {}) => ({ id, params: resolveMetricRequest({ id, params }).params });

let tmp: { dir: string; cleanup: () => void };
let runner: FrameRunner;
const opened: Db[] = [];
/** An imported project with its media beside it (<base>/project, <base>/media), nothing computed. */
let base: string;
const savedModelDir = process.env.IQA_MODEL_DIR;
beforeAll(async () => {
  tmp = tempDir('run');
  // An empty model folder of its own: whatever the machine has installed, lpips-vgg is missing here.
  process.env.IQA_MODEL_DIR = join(tmp.dir, 'models');
  mkdirSync(process.env.IQA_MODEL_DIR);
  base = join(tmp.dir, 'base');
  makeStudyFolder(join(base, 'media'));
  const db = openProjectDb(join(base, 'project'), { create: true });
  await importMedia(db, join(base, 'project'), join(base, 'media'), importOptionsSchema.parse({}));
  db.close();
  runner = createFrameRunner(2);
});
afterAll(async () => {
  for (const db of opened) db.close();
  await runner.close();
  if (savedModelDir === undefined) delete process.env.IQA_MODEL_DIR;
  else process.env.IQA_MODEL_DIR = savedModelDir;
  tmp.cleanup();
});

/**
 * The test's own copy of the imported project and its media (stored paths are relative, ../media/…), so
 * no test sees what another computed, stored or broke, whatever the order they run in.
 */
function freshProject(name: string): { db: Db; dir: string; media: string } {
  cpSync(base, join(tmp.dir, name), { recursive: true, preserveTimestamps: true });
  const dir = join(tmp.dir, name, 'project');
  const db = openProjectDb(dir);
  opened.push(db);
  return { db, dir, media: join(tmp.dir, name, 'media') };
}

describe('computing metrics for a project', () => {
  it('computes every paired distorted stimulus, stores pooled and per-frame values, and resumes', async () => {
    const { db, dir } = freshProject('computes');
    const progress: number[] = [];
    const report = await runProjectMetrics(db, dir, { metrics: [metric('psnr-y'), metric('ssim-y')] }, { runner, onProgress: (d) => progress.push(d) });
    // Each stored value names the ffmpeg commands that decoded its frames.
    for (const r of listResults(db)) expect(r.decoder).toMatch(/ffmpeg .* \| .*ffmpeg /);
    expect(report).toEqual({ pairs: 6, computed: 6, skipped: 0, failed: [] });
    expect(progress[progress.length - 1]).toBe(4 * 1 + 2 * 10); // frames: 4 image pairs + 2 video pairs of 10
    const rows = listResults(db);
    expect(rows).toHaveLength(12);
    const video = rows.find((r) => r.stimulus === 'src03_x264' && r.metricId === 'psnr-y')!;
    expect(video).toMatchObject({ reference: 'src03', frames: 10, pooling: 'mean', params: { luma: 'y_float' }, attributes: { condition: 'x264' } });
    expect(frameValues(db, video.runId, video.stimulusId)).toHaveLength(10);

    const again = await runProjectMetrics(db, dir, { metrics: [metric('psnr-y'), metric('ssim-y')] }, { runner });
    expect(again).toMatchObject({ computed: 0, skipped: 6 });
    const forced = await runProjectMetrics(db, dir, { metrics: [metric('psnr-y')], force: true }, { runner });
    expect(forced.computed).toBe(6);
    expect(listResults(db)).toHaveLength(12);
  });

  it('keeps different parameters apart as different runs', async () => {
    const { db, dir } = freshProject('params');
    await runProjectMetrics(db, dir, { metrics: [metric('psnr-y')] }, { runner });
    await runProjectMetrics(db, dir, { metrics: [metric('psnr-y', { luma: 'y_uint8' })] }, { runner });
    const psnrY = listResults(db).filter((r) => r.metricId === 'psnr-y');
    expect(new Set(psnrY.map((r) => r.params.luma))).toEqual(new Set(['y_float', 'y_uint8']));
  });

  it('adds another pooling from the stored per-frame values, side by side, and keeps both when recomputed', async () => {
    const { db, dir } = freshProject('pooling');
    await runProjectMetrics(db, dir, { metrics: [metric('psnr-y')] }, { runner });
    const psnrY = (pooling: string) => listResults(db).filter((r) => r.metricId === 'psnr-y' && r.pooling === pooling && r.params.luma === 'y_float');
    const mean = psnrY('mean');
    expect(mean.length).toBe(6);
    const report = await runProjectMetrics(db, dir, { metrics: [metric('psnr-y')], pooling: 'min' }, { runner });
    expect(report.computed).toBe(0); // no decoding: pooled from the stored frames
    const min = psnrY('min');
    expect(min.map((r) => r.stimulus)).toEqual(mean.map((r) => r.stimulus));
    for (const [i, r] of min.entries()) {
      const frames = frameValues(db, r.runId, r.stimulusId);
      expect(r.value).toBe(Math.min(...frames));
      expect(r.value as number).toBeLessThanOrEqual(mean[i]!.value as number);
      if (frames.length > 1) expect(new Set(frames).size).toBeGreaterThan(1); // the video pairs really differ per frame
    }
    expect(min.some((r) => frameValues(db, r.runId, r.stimulusId).length > 1 && r.value !== mean.find((x) => x.stimulusId === r.stimulusId)!.value)).toBe(true);
    await runProjectMetrics(db, dir, { metrics: [metric('psnr-y')], force: true }, { runner });
    expect(psnrY('mean')).toHaveLength(6);
    expect(psnrY('min').map((r) => r.value)).toEqual(min.map((r) => r.value));
  });

  it('reports a failing pair with its typed error and computes the others', async () => {
    // A reference that became unreadable after import: the pairs using it fail, the rest are computed.
    const { db, dir, media } = freshProject('failing-pair');
    const broken = join(media, 'ref', 'src02.png');
    writeFileSync(broken, 'garbage');
    const report = await runProjectMetrics(db, dir, { metrics: [metric('mse')] }, { runner });
    expect(report.computed).toBe(4);
    expect(report.failed.map((f) => f.stimulus).sort()).toEqual(['../media/dist/src02_blur.png', '../media/dist/src02_noise.png']);
    expect(report.failed[0]!.error.message).toContain('src02.png');
  });

  it("stores the metrics that can run when one metric's model is missing, and marks only that run failed", async () => {
    const { db, dir } = freshProject('model-missing');
    const report = await runProjectMetrics(db, dir, { metrics: [metric('psnr'), metric('lpips', { model: 'lpips-vgg' })] }, { runner });
    expect(report.computed).toBe(6);
    expect(report.failed).toHaveLength(6);
    for (const f of report.failed) {
      expect(f.metric).toBe('lpips');
      expect(f.error.code).toBe('E_MODEL');
      expect(f.error.message).toMatch(/^lpips: model lpips-vgg is not installed/);
    }
    const runs = db.prepare("SELECT metric_id AS id, status, error FROM metric_runs WHERE metric_id IN ('psnr', 'lpips')").all() as { id: string; status: string; error: string | null }[];
    expect(runs.find((r) => r.id === 'psnr')).toMatchObject({ status: 'done', error: null });
    expect(runs.find((r) => r.id === 'lpips')).toMatchObject({ status: 'failed', error: expect.stringContaining('lpips-vgg is not installed') });
    const results = listResults(db);
    expect(results.filter((r) => r.metricId === 'psnr')).toHaveLength(6);
    expect(results.filter((r) => r.metricId === 'lpips')).toHaveLength(0);
  });

  it('stops when cancelled and resumes without recomputing what was stored', async () => {
    const { db, dir } = freshProject('cancel');
    const controller = new AbortController();
    const err = await runProjectMetrics(db, dir, { metrics: [metric('ssim')] }, {
      runner,
      signal: controller.signal,
      onProgress: (d) => d >= 1 && controller.abort(),
    }).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('E_CANCELLED');
    const stored = listResults(db).filter((r) => r.metricId === 'ssim').length;
    expect(stored).toBeLessThan(6);
    const resumed = await runProjectMetrics(db, dir, { metrics: [metric('ssim')] }, { runner });
    expect(resumed.computed).toBe(6 - stored);
    expect(resumed.skipped).toBe(stored);
  });

  it('exports long-format CSV and JSON, byte-identical on every export', async () => {
    const { db, dir } = freshProject('export');
    await runProjectMetrics(db, dir, { metrics: [metric('psnr-y'), metric('ssim-y')] }, { runner });
    const rows = listResults(db);
    const csv = resultsToCsv(rows);
    expect(csv.split('\n')[0]).toBe('stimulus,reference,metric,params,pooling,value,frames,metric_version,engine_version,model_sha256,provider,decoder,align_scaler,align_skip_ref,align_skip_dist,align_truncated,condition');
    expect(csv).toMatch(/\nsrc01_blur,src01,psnr-y,luma=y_float,mean,\d+\.\d+,1,1,\d+\.\d+\.\d+,,,"?ffmpeg [^\n]*,none,0,0,,blur\n/);
    expect(resultsToCsv(listResults(db))).toBe(csv);
    const json = JSON.parse(resultsToJson(rows));
    expect(json.results).toHaveLength(rows.length);
    expect(resultsToJson(listResults(db))).toBe(resultsToJson(rows));
  });
});
