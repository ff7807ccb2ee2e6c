/**
 * 10. The viewer's latency (issue 13: "a new 1080p frame's SSIM map on screen within 200 ms on this
 * 2-core machine, stepping forward within 100 ms with prefetch"), timed through the Engine as the page
 * asks it: the bench's 1080p 120-frame pair imported into a temporary project, then for each frame the
 * viewer shows, `viewer.framePixels` (both frames, rgb24) and `viewer.frameMap` (the SSIM-Y map) asked of
 * the loopback HTTP host (host/http-host.ts: schema validation, the binary reply of
 * common/binary-reply.ts) over node:http, and the replies decoded as the page decodes them (views of the
 * received bytes). Painting in the page is not included.
 *
 * - a seek: a frame not asked before (nothing cached), the two requests as the viewer sends them;
 * - stepping forward: the viewer's request cache and prefetch policy (src-renderer/.../prefetch.ts:
 *   once frame k is shown, frame k+1's pixels and map are asked for): a held key (the next step as
 *   soon as a frame is shown) and a person's pace (a look of STEP_LOOK_MS at each frame first).
 *
 * The frame spool (services/viewer/frame-spool.ts): opening the pair starts writing both sides' frames
 * to the spool folder (here inside the temporary folder) in the background; the bench waits for it after
 * the warm-up (timed: how long a user waits before far seeks are fast) and reports its size, then seeks.
 * IQA_VIEWER_SPOOL=0 runs the same rows without spools (the decoders' seeks alone).
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { startHttpHost } from '../src-main/host/http-host';
import { BINARY_REPLY_TYPE, decodeBinaryReply } from '../src-main/common/binary-reply';
import type { Reply } from '../src-main/common/contract-types';
import { Engine } from '../src-main/services/engine';
import { spoolsSettled } from '../src-main/services/viewer/frame-spool';
import { framesToPrefetch } from '../src-renderer/src/lib/viewer/prefetch';
import { fmt, log, median, msSince, now, table } from './util';

/** The issue's bounds. */
export const SEEK_TARGET_MS = 200;
export const STEP_TARGET_MS = 100;
/** A person stepping through frames looks at each for about this long before the next key. */
const STEP_LOOK_MS = 300;

export interface LatencyStats {
  n: number;
  medianMs: number;
  p95Ms: number;
  samplesMs: number[];
}

export interface ViewerLatencyResult {
  frames: number;
  width: number;
  height: number;
  seek: LatencyStats;
  seekPixels: LatencyStats;
  seekMap: LatencyStats;
  stepHeld: LatencyStats;
  stepPaced: LatencyStats & { lookMs: number };
  seekMet: boolean;
  stepMet: boolean;
  importMs: number;
  /** The frame spool: whether the seeks read from it, how long building it took after the pair was first shown, its bytes on disk. */
  spool: { enabled: boolean; used: boolean; buildMs: number; bytes: number };
}

/** The p-quantile (nearest rank) of the samples. */
function quantile(xs: readonly number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
}
/** A table row: what, median, p95, n, the target and whether it is met (null: no target). */
export function latencyRow(what: string, s: LatencyStats, target: string, met: boolean | null): string[] {
  return [what, `${fmt(s.medianMs, 0)} ms`, `${fmt(s.p95Ms, 0)} ms`, String(s.n), target, met === null ? '' : met ? 'MET' : 'NOT MET'];
}
export const stats = (samplesMs: number[]): LatencyStats => ({ n: samplesMs.length, medianMs: median(samplesMs), p95Ms: quantile(samplesMs, 0.95), samplesMs });

export async function benchViewerLatency(media: { refVideo: string; distVideo: string }, quick: boolean): Promise<{ text: string; json: ViewerLatencyResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'iqa-bench-viewer-'));
  const spoolDir = join(dir, 'user', 'cache', 'viewer-spool');
  const savedSpoolDir = process.env.IQA_VIEWER_SPOOL_DIR;
  process.env.IQA_VIEWER_SPOOL_DIR = spoolDir;
  const spoolEnabled = process.env.IQA_VIEWER_SPOOL !== '0';
  const engine = new Engine({ userDataDir: join(dir, 'user'), roots: 'unconfined' });
  const host = await startHttpHost({ handlers: engine.handlers, jobs: engine.jobs });
  // As the page's transport asks (src-renderer/src/lib/api.ts): POST, then the binary or JSON reply,
  // decoded into views of the received bytes. node:http rather than Node's fetch: this client shares the
  // engine's thread, and fetch's JavaScript body handling took 50-280 ms of it per 12 MB reply, a cost
  // of the bench's client that the page (Chromium's network stack, another process) does not have.
  const agent = new Agent({ keepAlive: true });
  const call = <T>(name: string, input: unknown): Promise<T> =>
    new Promise<T>((done, fail) => {
      const req = request(`${host.url}/api/${name}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          try {
            const body = Buffer.concat(chunks);
            const reply = (
              res.headers['content-type'] === BINARY_REPLY_TYPE ? decodeBinaryReply(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer) : JSON.parse(body.toString('utf8'))
            ) as Reply<unknown>;
            if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
            done(reply.value as T);
          } catch (err) {
            fail(err);
          }
        });
      });
      req.on('error', fail);
      req.end(JSON.stringify(input));
    });
  try {
    log('viewer latency: importing the 1080p 120-frame pair into a temporary project');
    const projectDir = join(dir, 'project');
    await call('projects.create', { dir: projectDir });
    const manifest = join(dir, 'pair.csv');
    writeFileSync(manifest, `path,reference\n${media.refVideo},\n${media.distVideo},${media.refVideo}\n`);
    const t0 = now();
    const { jobId } = await call<{ jobId: string }>('import.start', { projectDir, source: manifest });
    await engine.jobs.wait(jobId);
    const importMs = msSince(t0);
    const stimuli = await call<{ id: number; referenceId: number | null; width: number; height: number; frameCount: number | null }[]>('stimuli.list', { projectDir });
    const dist = stimuli.find((s) => s.referenceId !== null);
    if (!dist) throw new Error('the bench pair did not import as a pair');
    const frameCount = dist.frameCount ?? 120;

    // The viewer's requests (lib/viewer/viewer-state.svelte.ts), with its request cache: a step finds a
    // prefetched frame's requests on the way or done.
    const pixels = new Map<number, Promise<unknown>>();
    const maps = new Map<number, Promise<unknown>>();
    const pixelsOf = (k: number) => {
      let p = pixels.get(k);
      if (!p) pixels.set(k, (p = call('viewer.framePixels', { projectDir, stimulusId: dist.id, frame: k })));
      return p;
    };
    const mapOf = (k: number) => {
      let p = maps.get(k);
      if (!p) maps.set(k, (p = call('viewer.frameMap', { projectDir, stimulusId: dist.id, frame: k, metric: 'ssim-y' })));
      return p;
    };
    /** Frame k on screen: its pixels and its map, as the viewer asks for them; then the prefetch starts. */
    const show = async (k: number): Promise<number> => {
      const t = now();
      await Promise.all([pixelsOf(k), mapOf(k)]);
      const ms = msSince(t);
      for (const next of framesToPrefetch(k, frameCount)) void Promise.all([pixelsOf(next), mapOf(next)]).catch(() => undefined);
      return ms;
    };
    const settle = () => Promise.allSettled([...pixels.values(), ...maps.values()]);

    log('viewer latency: warm-up (frame pool, first decode)');
    await show(0);
    await settle();
    // The spools of both sides, written in the background since frame 0 was shown.
    log(`viewer latency: ${spoolEnabled ? 'waiting for the frame spool' : 'frame spool off (IQA_VIEWER_SPOOL=0)'}`);
    const tSpool = now();
    await spoolsSettled();
    const spoolBuildMs = msSince(tSpool);
    const spoolFiles = (() => {
      try {
        return readdirSync(spoolDir).filter((n) => n.endsWith('.frames'));
      } catch {
        return [];
      }
    })();
    const spoolBytes = spoolFiles.reduce((a, n) => a + statSync(join(spoolDir, n)).size, 0);
    // Whether a frame that is neither kept nor among the seeks comes from the spool.
    const probe = await call<{ decoder: string }>('viewer.framePixels', { projectDir, stimulusId: dist.id, frame: frameCount - 1 });
    const spoolUsed = probe.decoder.includes('frame spool');
    log(`viewer latency: frame spool ${spoolUsed ? 'in use' : 'not in use'} (${fmt(spoolBuildMs / 1000, 1)} s after frame 0, ${fmt(spoolBytes / 1e9, 2)} GB)`);

    // Seeks to frames never asked for, spread over the video (not neighbours of one another).
    const seekFrames = (quick ? [37, 91, 14] : [17, 93, 45, 110, 8, 71, 30, 101, 59, 84]).filter((k) => k < frameCount);
    log(`viewer latency: ${seekFrames.length} seeks`);
    const seek: number[] = [];
    const seekPixels: number[] = [];
    const seekMap: number[] = [];
    for (const k of seekFrames) {
      await settle();
      seek.push(await show(k));
      await settle();
      // The parts alone, on a frame next to it that nothing asked for (no cache: a fresh request each).
      const j = k + 2 < frameCount ? k + 2 : k - 2;
      let t = now();
      await call('viewer.framePixels', { projectDir, stimulusId: dist.id, frame: j });
      seekPixels.push(msSince(t));
      t = now();
      await call('viewer.frameMap', { projectDir, stimulusId: dist.id, frame: j, metric: 'ssim-y' });
      seekMap.push(msSince(t));
    }

    // Stepping with the key held: the next step as soon as the frame is on screen.
    const steps = quick ? 5 : 12;
    await settle();
    const heldFrom = 60;
    log(`viewer latency: ${steps} steps, key held`);
    await show(heldFrom);
    const held: number[] = [];
    for (let k = heldFrom + 1; k <= heldFrom + steps && k < frameCount; k++) held.push(await show(k));

    // Stepping at a person's pace: each frame looked at for STEP_LOOK_MS, then the next key.
    await settle();
    const pacedFrom = 20;
    log(`viewer latency: ${steps} steps, ${STEP_LOOK_MS} ms look at each frame`);
    await show(pacedFrom);
    const paced: number[] = [];
    for (let k = pacedFrom + 1; k <= pacedFrom + steps && k < frameCount; k++) {
      await pause(STEP_LOOK_MS);
      paced.push(await show(k));
    }
    await settle();

    const json: ViewerLatencyResult = {
      frames: frameCount,
      width: dist.width,
      height: dist.height,
      seek: stats(seek),
      seekPixels: stats(seekPixels),
      seekMap: stats(seekMap),
      stepHeld: stats(held),
      stepPaced: { ...stats(paced), lookMs: STEP_LOOK_MS },
      seekMet: median(seek) <= SEEK_TARGET_MS,
      stepMet: median(paced) <= STEP_TARGET_MS,
      importMs,
      spool: { enabled: spoolEnabled, used: spoolUsed, buildMs: spoolBuildMs, bytes: spoolBytes },
    };
    const row = latencyRow;
    const text = table(
      `10. The viewer: a ${dist.width}x${dist.height} frame and its SSIM-Y map through the Engine (viewer.framePixels + viewer.frameMap over the loopback HTTP host, binary replies decoded as the page does; not the paint)`,
      ['what', 'median', 'p95', 'n', 'target', 'result'],
      [
        row('seek to a new frame (both requests, nothing cached)', json.seek, `<= ${SEEK_TARGET_MS} ms`, json.seekMet),
        row('  of which viewer.framePixels alone', json.seekPixels, '', null),
        row('  of which viewer.frameMap ssim-y alone', json.seekMap, '', null),
        row(`step forward, ${STEP_LOOK_MS} ms look at each frame (prefetch 1 ahead)`, json.stepPaced, `<= ${STEP_TARGET_MS} ms`, json.stepMet),
        row('step forward, key held (prefetch had no head start)', json.stepHeld, '', null),
      ],
    ) + `\nframe spool: ${spoolUsed ? `in use for the seeks; built ${fmt(spoolBuildMs / 1000, 1)} s after the first frame was shown, ${fmt(spoolBytes / 1e9, 2)} GB for both sides` : spoolEnabled ? 'not in use (not built)' : 'off (IQA_VIEWER_SPOOL=0)'}\n`;
    return { text, json };
  } finally {
    agent.destroy();
    await host.close();
    await engine.shutdown();
    await spoolsSettled();
    if (savedSpoolDir === undefined) delete process.env.IQA_VIEWER_SPOOL_DIR;
    else process.env.IQA_VIEWER_SPOOL_DIR = savedSpoolDir;
    rmSync(dir, { recursive: true, force: true });
  }
}
