/**
 * The engine under the mixed load issue 9 names, all at once through one Engine served over the
 * loopback HTTP host: the analysis of a 1,000-stimulus project (bootstrap intervals), a metric run with
 * LPIPS and BRISQUE on a video pair, SSIM frame-map requests (the viewer stepping) and an FID run over
 * two image folders, started a quarter of a second apart and then running together. Meanwhile the engine's event-loop delay is recorded
 * (`perf_hooks.monitorEventLoopDelay`) and `app.info` is asked over HTTP every 20 ms. Shared by the
 * responsiveness test (which asserts the bounds) and the bench's row 9b (which prints them).
 *
 * The caller sets IQA_MODEL_DIR to a folder with lpips-alex, brisque and fid-inception-arch installed
 * (the shared models folder) before calling.
 */
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as pace } from 'node:timers/promises';
import type { AnalysisReport, ImageSetMetricsResult, JobSnapshot } from '../../src-main/common/domain';
import { startHttpHost, type HttpHost } from '../../src-main/host/http-host';
import { Engine } from '../../src-main/services/engine';
import { replyOf } from './api-reply';
import { ffmpegAsync, makePngAsync } from './media';
import { THOUSAND_STIMULI, writeSyntheticAnalysisProject } from './synthetic-analysis-project';

export interface MixedLoadSize {
  /** Bootstrap resamples of the analysis. */
  resamples: number;
  /** Frames of the video pair the metric run and the frame maps read. */
  frames: number;
  /** Its size, WxH. */
  videoSize: string;
  /** Images in each FID set. */
  fidImages: number;
  /** Frame-map requests (one after another, frames 0, 1, ...). */
  frameMaps: number;
}

/** Between the starts of the four loads. */
const STAGGER_MS = 250;

export const TEST_MIXED_LOAD: MixedLoadSize = { resamples: 500, frames: 24, videoSize: '320x240', fidImages: 12, frameMaps: 8 };
export const BENCH_MIXED_LOAD: MixedLoadSize = { resamples: 2000, frames: 60, videoSize: '640x360', fidImages: 48, frameMaps: 30 };

export interface MixedLoadResult {
  /** Event-loop delay over the whole load, ms. */
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  /** app.info round trips over HTTP while the load ran, ms. */
  appInfoMs: number[];
  /** How long each part took, ms (from the common start). */
  partsMs: Record<'analysis' | 'metrics' | 'frameMaps' | 'fid', number>;
  analysis: AnalysisReport;
  metricsJob: JobSnapshot;
  fid: ImageSetMetricsResult;
  frameMapsDone: number;
}

interface Prepared {
  analysisProject: string;
  videoProject: string;
  distortedId: number;
  setA: string;
  setB: string;
}

function post(host: HttpHost, name: string, input: unknown): Promise<{ ok: boolean; value?: any; error?: { code: string; message: string } }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(input);
    // A connection per request (agent: false): the global agent keeps sockets alive, and one idle past the
    // server's keep-alive timeout can be reused just as the server closes it (ECONNRESET), a client race
    // that says nothing about the engine.
    const req = request(`${host.url}/api/${name}`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(replyOf(res.headers['content-type'], Buffer.concat(chunks)) as never);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function call<T>(host: HttpHost, name: string, input: unknown): Promise<T> {
  const r = await post(host, name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error?.code} ${r.error?.message}`);
  return r.value as T;
}

/** Media and projects, made before anything is measured. */
async function prepare(dir: string, host: HttpHost, engine: Engine, size: MixedLoadSize): Promise<Prepared> {
  const analysisProject = join(dir, 'analysis');
  writeSyntheticAnalysisProject(analysisProject, THOUSAND_STIMULI);

  const media = join(dir, 'media');
  mkdirSync(join(media, 'ref'), { recursive: true });
  mkdirSync(join(media, 'dist'), { recursive: true });
  const src = `testsrc2=size=${size.videoSize}:rate=25`;
  const encode = ['-frames:v', String(size.frames), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast'];
  // The media are made without holding this thread (ffmpegAsync): the test's runner must be answered meanwhile.
  await ffmpegAsync(['-f', 'lavfi', '-i', src, ...encode, '-qp', '0', join(media, 'ref', 'clip.mp4')]);
  await ffmpegAsync(['-f', 'lavfi', '-i', `${src},gblur=sigma=1.5`, ...encode, '-crf', '30', join(media, 'dist', 'clip_blur.mp4')]);
  const videoProject = join(dir, 'video');
  await call(host, 'projects.create', { dir: videoProject });
  const { jobId } = await call<{ jobId: string }>(host, 'import.start', { projectDir: videoProject, source: media });
  await engine.jobs.wait(jobId);
  const stimuli = await call<{ id: number; name: string }[]>(host, 'stimuli.list', { projectDir: videoProject });
  const distortedId = stimuli.find((s) => s.name === 'clip_blur')!.id;

  const setA = join(dir, 'set-a');
  const setB = join(dir, 'set-b');
  for (let i = 0; i < size.fidImages; i++) {
    await makePngAsync(join(setA, `a${i}.png`), i, '256x192');
    await makePngAsync(join(setB, `b${i}.png`), i, '256x192', 'gblur=sigma=2');
  }
  // Both projects are open, as they are when a researcher works in them (opening checks the database once).
  await call(host, 'projects.open', { dir: analysisProject });
  await call(host, 'projects.open', { dir: videoProject });
  return { analysisProject, videoProject, distortedId, setA, setB };
}

/**
 * Runs the four loads at once and measures the engine meanwhile. `threads`: the engine's frame-metric
 * threads (default: the app's).
 */
export async function runMixedLoad(dir: string, size: MixedLoadSize, options: { threads?: number } = {}): Promise<MixedLoadResult> {
  const engine = new Engine({ userDataDir: join(dir, 'user'), roots: [dir], threads: options.threads });
  const host = await startHttpHost({ handlers: engine.handlers, jobs: engine.jobs, staticDir: join(dir, 'no-ui') });
  try {
    const p = await prepare(dir, host, engine, size);
    // The first app.info looks ffmpeg up (once per process): not what is measured.
    await call(host, 'app.info', {});

    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const t0 = performance.now();
    const partsMs = { analysis: 0, metrics: 0, frameMaps: 0, fid: 0 };
    const timed = <T>(part: keyof typeof partsMs, work: Promise<T>): Promise<T> =>
      work.finally(() => {
        partsMs[part] = performance.now() - t0;
      });

    // The four loads start a quarter of a second apart, as a researcher's clicks would start them (not in
    // one millisecond), and then all run together.
    const after = (ms: number) => pace(ms);
    const analysis = timed('analysis', call<AnalysisReport>(host, 'analysis.run', { projectDir: p.analysisProject, study: 'load', mapping: 'linear', seed: 1, resamples: size.resamples }));
    const metrics = timed(
      'metrics',
      (async () => {
        await after(STAGGER_MS);
        const { jobId } = await call<{ jobId: string }>(host, 'metrics.run', { projectDir: p.videoProject, metrics: [{ id: 'lpips' }, { id: 'brisque' }], force: true });
        await engine.jobs.wait(jobId);
        return engine.jobs.get(jobId)!;
      })(),
    );
    const frameMaps = timed(
      'frameMaps',
      (async () => {
        await after(2 * STAGGER_MS);
        let done = 0;
        for (let k = 0; k < size.frameMaps; k++) {
          await call(host, 'viewer.frameMap', { projectDir: p.videoProject, stimulusId: p.distortedId, frame: k % size.frames, metric: 'ssim-y' });
          done += 1;
        }
        return done;
      })(),
    );
    const fid = timed(
      'fid',
      (async () => {
        await after(3 * STAGGER_MS);
        const { jobId } = await call<{ jobId: string }>(host, 'sets.metrics', { a: p.setA, b: p.setB, metrics: ['fid'], model: 'fid-inception-arch', cache: false });
        return (await engine.jobs.wait(jobId)) as ImageSetMetricsResult;
      })(),
    );

    let finished = false;
    const all = Promise.all([analysis, metrics, frameMaps, fid]).finally(() => {
      finished = true;
    });
    // Errors surface from `all` below; the probe loop only needs to know when to stop.
    all.catch(() => {});
    const appInfoMs: number[] = [];
    while (!finished) {
      const t = performance.now();
      await call(host, 'app.info', {});
      appInfoMs.push(performance.now() - t);
      await pace(20);
    }
    const [analysisReport, metricsJob, frameMapsDone, fidResult] = await all;
    histogram.disable();
    return {
      eventLoopP99Ms: histogram.percentile(99) / 1e6,
      eventLoopMaxMs: histogram.max / 1e6,
      appInfoMs,
      partsMs,
      analysis: analysisReport,
      metricsJob,
      fid: fidResult,
      frameMapsDone,
    };
  } finally {
    await host.close();
    // Awaited: the analysis stores its report in the project after answering, and the caller removes the project next.
    await engine.shutdown();
  }
}
