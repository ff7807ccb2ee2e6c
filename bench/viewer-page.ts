/**
 * 10b. The viewer's latency as a person sees it (issue 13: "a new 1080p frame's SSIM map on screen
 * within 200 ms on this 2-core machine, stepping forward within 100 ms with prefetch"): row 10 times the
 * two requests through the loopback host; this row times the whole way in the real page, in headless
 * Chromium (Debian's package, the flags the e2e tests use), from the key press to the frame on screen:
 * the requests, the page's decode of the binary replies, rgb24 to RGBA for both frames, colour-mapping
 * the SSIM map, and drawing the three panes.
 *
 * The engine and the host run in the bench's process (as `npm run web` runs them, serving build/renderer);
 * the page is Chromium's own processes. The viewer is opened by its address (common/ui-route.ts), as
 * `iqa view` opens it. Every time is taken inside the page: from the keydown event (its timeStamp, the
 * moment the key reached the page) to the end of the rendering update that first shows the frame. The
 * viewer draws the panes synchronously in the update that sets its `data-frame` (ViewerView.svelte
 * builds the canvases in the same flush); the next animation frame's rendering update then paints them
 * (with --disable-gpu the 2D canvases are rasterised there, on the page's thread), and a task queued
 * from that animation frame runs when the update is done: that is where the time is taken. What the
 * compositor does after (presenting the frame, up to one frame interval) is not included.
 *
 * - a far seek: Shift+Right (ten frames on) from frame 0, so each frame is one nobody asked for (the
 *   viewer prefetches one ahead), with the frame spool built first as in row 10;
 * - stepping: Right, each frame looked at for STEP_LOOK_MS first (the viewer prefetches the next one
 *   meanwhile), and with the key held (the next press as soon as the frame is on screen).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { chromium, type Page } from 'playwright-core';
import { startHttpHost } from '../src-main/host/http-host';
import { Engine } from '../src-main/services/engine';
import { spoolsSettled } from '../src-main/services/viewer/frame-spool';
import { withUiRoute } from '../src-main/common/ui-route';
import { fmt, log, median, repoRoot, table } from './util';
import { latencyRow, SEEK_TARGET_MS, stats, STEP_TARGET_MS, type LatencyStats } from './viewer-latency';

const STEP_LOOK_MS = 300;
const CHROMIUM = process.env.IQA_CHROMIUM ?? '/usr/bin/chromium';
/** A ceiling for one frame to appear on a loaded machine, never a pause: each wait ends when the frame shows. */
const FRAME_WAIT_MS = 60_000;

export interface ViewerPageResult {
  width: number;
  height: number;
  viewport: { width: number; height: number };
  seek: LatencyStats;
  /** Of a far seek (medians, from the keydown): the last reply's bytes in the page, and the frame drawn. */
  seekParts: { repliesMs: number; shownMs: number };
  stepPaced: LatencyStats & { lookMs: number };
  stepHeld: LatencyStats;
  seekMet: boolean;
  stepMet: boolean;
  spoolUsed: boolean;
}


/**
 * Installed in the page before its scripts (plain JavaScript: the bench compiles without DOM types).
 * Records each keydown's timeStamp (capture phase: before the viewer's own handler), and
 * `__iqaWaitFrame(frame, limit)` resolves with the milliseconds from the last keydown to the end of the
 * rendering update that first shows `frame` in the viewer's data-frame; it arms its observer synchronously, so a
 * key pressed after the call is never missed.
 */
const INSTRUMENT = `
  window.__iqaKeyAt = 0;
  window.__iqaArmed = false;
  window.__iqaReplyAt = 0;
  window.__iqaShownAt = 0;
  addEventListener('keydown', (e) => { window.__iqaKeyAt = e.timeStamp; window.__iqaReplyAt = 0; }, { capture: true });
  // When the page has the bytes of the last viewer reply (api.ts reads binary replies with arrayBuffer()).
  const pageFetch = window.fetch.bind(window);
  // Viewer requests still on their way (asked, bytes not yet read): 0 when the viewer is settled.
  window.__iqaInFlight = 0;
  window.fetch = async (input, init) => {
    if (!String(input).includes('/api/viewer.')) return pageFetch(input, init);
    window.__iqaInFlight++;
    let res;
    try {
      res = await pageFetch(input, init);
    } catch (err) {
      window.__iqaInFlight--;
      throw err;
    }
    // api.ts reads a reply once, with arrayBuffer() (binary) or json() (the rest and errors).
    for (const read of ['arrayBuffer', 'json']) {
      const body = res[read].bind(res);
      res[read] = async () => {
        try {
          const value = await body();
          window.__iqaReplyAt = performance.now();
          return value;
        } finally {
          window.__iqaInFlight--;
        }
      };
    }
    return res;
  };
  window.__iqaWaitFrame = (frame, limit) => new Promise((resolve, reject) => {
    const el = document.querySelector('[data-testid="viewer"]');
    if (!el) return reject(new Error('the viewer is not open'));
    const timer = setTimeout(() => { mo.disconnect(); reject(new Error('frame ' + frame + ' did not show within ' + limit + ' ms')); }, limit);
    const mo = new MutationObserver(() => {
      if (el.getAttribute('data-frame') !== String(frame)) return;
      mo.disconnect();
      clearTimeout(timer);
      window.__iqaShownAt = performance.now();
      // The animation frame after the update, then a task queued from it: that task runs once the
      // frame's rendering update (style, layout, paint of the three canvases) is done.
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        const k = window.__iqaKeyAt;
        ch.port1.onmessage = () => resolve({ total: performance.now() - k, replies: window.__iqaReplyAt ? window.__iqaReplyAt - k : 0, shown: window.__iqaShownAt - k });
        ch.port2.postMessage(0);
      });
    });
    mo.observe(el, { attributes: true, attributeFilter: ['data-frame'] });
    window.__iqaArmed = true;
  });
`;

/**
 * One frame shown, in the page's milliseconds from the keydown: `total` to the end of the rendering
 * update that paints it, `replies` to the last viewer reply's bytes received (0 when nothing was asked:
 * all cached), `shown` to the update that sets the frame (canvases drawn).
 */
interface PageTiming {
  total: number;
  replies: number;
  shown: number;
}

/** What the bench reads and calls in the page (installed by INSTRUMENT); the bench compiles without DOM types. */
interface PageHooks {
  __iqaArmed: boolean;
  __iqaInFlight: number;
  __iqaWaitFrame(frame: number, limit: number): Promise<PageTiming>;
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
}

/**
 * Presses `key` and resolves with the page's milliseconds from the keydown to `frame` on screen. The
 * page's strict CSP forbids evaluating strings, so everything sent to it is a function (run through the
 * DevTools protocol, not eval).
 */
async function pressUntilShown(page: Page, key: string, frame: number): Promise<PageTiming> {
  const shown = page.evaluate(([f, limit]) => (globalThis as unknown as PageHooks).__iqaWaitFrame(f, limit), [frame, FRAME_WAIT_MS] as const);
  await page.waitForFunction(() => (globalThis as unknown as PageHooks).__iqaArmed === true);
  await page.evaluate(() => ((globalThis as unknown as PageHooks).__iqaArmed = false));
  await page.keyboard.press(key);
  return shown;
}

export async function benchViewerPage(media: { refVideo: string; distVideo: string }, quick: boolean): Promise<{ text: string; json: ViewerPageResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'iqa-bench-viewer-page-'));
  const savedSpoolDir = process.env.IQA_VIEWER_SPOOL_DIR;
  process.env.IQA_VIEWER_SPOOL_DIR = join(dir, 'user', 'cache', 'viewer-spool');
  const engine = new Engine({ userDataDir: join(dir, 'user'), roots: 'unconfined' });
  const host = await startHttpHost({ handlers: engine.handlers, jobs: engine.jobs, staticDir: join(repoRoot(), 'build/renderer'), host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const viewport = { width: 1920, height: 1080 };
  try {
    log('viewer page: importing the 1080p 120-frame pair into a temporary project');
    const projectDir = join(dir, 'project');
    await engine.handlers['projects.create']({ dir: projectDir });
    const manifest = join(dir, 'pair.csv');
    writeFileSync(manifest, `path,reference\n${media.refVideo},\n${media.distVideo},${media.refVideo}\n`);
    const { jobId } = await engine.handlers['import.start']({ projectDir, source: manifest, options: { recursive: false } });
    await engine.jobs.wait(jobId);
    const stimuli = await engine.handlers['stimuli.list']({ projectDir });
    const dist = stimuli.find((s) => s.referenceId !== null);
    if (!dist) throw new Error('the bench pair did not import as a pair');
    const frameCount = dist.frameCount ?? 120;

    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.addInitScript(INSTRUMENT);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const fragment = withUiRoute(`token=${host.token}`, { project: projectDir, stimulus: dist.id });
    log('viewer page: opening the viewer in headless Chromium (warm-up: frame 0, the frame pool)');
    await page.goto(`${host.url}/#${fragment}`);
    await page.waitForFunction(() => (globalThis as unknown as PageHooks).document.querySelector('[data-testid="viewer"]')?.getAttribute('data-frame') === '0', undefined, { timeout: FRAME_WAIT_MS });
    // As in row 10: the seeks read from the frame spool, written in the background since frame 0.
    log('viewer page: waiting for the frame spool');
    await spoolsSettled();
    const probe = await engine.handlers['viewer.framePixels']({ projectDir, stimulusId: dist.id, frame: frameCount - 1 });
    const spoolUsed = probe.decoder.includes('frame spool');

    // IQA_BENCH_PAGE_PROFILE=<folder>: a CPU profile of the page's main thread over the far seeks and the paced steps
    // (open it in Chromium's DevTools), to see where a step's time goes.
    const profileDir = process.env.IQA_BENCH_PAGE_PROFILE;
    const cdp = profileDir ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    // Far seeks: Shift+Right from frame 0 (frames 10, 20, ...), each frame new to the page and the engine.
    const seeks = quick ? 3 : 11;
    log(`viewer page: ${seeks} far seeks (Shift+Right)`);
    const seek: number[] = [];
    const seekReplies: number[] = [];
    const seekShown: number[] = [];
    for (let i = 1; i <= seeks && 10 * i < frameCount; i++) {
      // The last frame's prefetch done first (no viewer request on its way): a seek is timed alone, as
      // in row 10.
      await page.waitForFunction(() => (globalThis as unknown as PageHooks).__iqaInFlight === 0, undefined, { timeout: FRAME_WAIT_MS });
      const t = await pressUntilShown(page, 'Shift+ArrowRight', 10 * i);
      seek.push(t.total);
      seekReplies.push(t.replies);
      seekShown.push(t.shown);
    }

    // Stepping at a person's pace from a frame of its own (Home goes to 0, then 35 by seeks and steps).
    const steps = quick ? 5 : 12;
    const from = 35;
    await pressUntilShown(page, 'Home', 0);
    for (let k = 10; k <= from - 5; k += 10) await pressUntilShown(page, 'Shift+ArrowRight', k);
    for (let k = from - 4; k <= from; k++) await pressUntilShown(page, 'ArrowRight', k);
    log(`viewer page: ${steps} steps, ${STEP_LOOK_MS} ms look at each frame`);
    const paced: number[] = [];
    for (let k = from + 1; k <= from + steps && k < frameCount; k++) {
      await pause(STEP_LOOK_MS);
      paced.push((await pressUntilShown(page, 'ArrowRight', k)).total);
    }
    if (cdp && profileDir) {
      const { profile } = await cdp.send('Profiler.stop');
      mkdirSync(profileDir, { recursive: true });
      writeFileSync(join(profileDir, 'viewer-page-steps.cpuprofile'), JSON.stringify(profile));
      log(`viewer page: wrote ${join(profileDir, 'viewer-page-steps.cpuprofile')}`);
    }
    // The key held: the next press as soon as the frame is on screen.
    await pause(STEP_LOOK_MS);
    log(`viewer page: ${steps} steps, key held`);
    const held: number[] = [];
    for (let k = from + steps + 1; k <= from + 2 * steps && k < frameCount; k++) held.push((await pressUntilShown(page, 'ArrowRight', k)).total);
    if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    await context.close();

    const json: ViewerPageResult = {
      width: dist.width,
      height: dist.height,
      viewport,
      seek: stats(seek),
      seekParts: { repliesMs: median(seekReplies), shownMs: median(seekShown) },
      stepPaced: { ...stats(paced), lookMs: STEP_LOOK_MS },
      stepHeld: stats(held),
      seekMet: median(seek) <= SEEK_TARGET_MS,
      stepMet: median(paced) <= STEP_TARGET_MS,
      spoolUsed,
    };
    const row = latencyRow;
    const text =
      table(
        `10b. The viewer in headless Chromium: key press to a ${dist.width}x${dist.height} frame, its reference and its SSIM-Y map painted (${viewport.width}x${viewport.height} window; requests, the page's decode, RGBA, colour map, drawing and the rendering update that paints it)`,
        ['what', 'median', 'p95', 'n', 'target', 'result'],
        [
          row('far seek (Shift+Right, a frame nobody asked for)', json.seek, `<= ${SEEK_TARGET_MS} ms`, json.seekMet),
          row(`step forward, ${STEP_LOOK_MS} ms look at each frame (prefetch 1 ahead)`, json.stepPaced, `<= ${STEP_TARGET_MS} ms`, json.stepMet),
          row('step forward, key held (prefetch had no head start)', json.stepHeld, '', null),
        ],
      ) +
      `\nof a far seek (medians from the key press): the last reply's bytes in the page ${fmt(json.seekParts.repliesMs, 0)} ms, the frame drawn (decode, RGBA, colour map, canvases) ${fmt(json.seekParts.shownMs, 0)} ms, painted ${fmt(json.seek.medianMs, 0)} ms` +
      `\nframe spool: ${spoolUsed ? 'in use for the seeks' : 'not in use'}\n`;
    return { text, json };
  } finally {
    await browser.close();
    await host.close();
    await engine.shutdown();
    await spoolsSettled();
    if (savedSpoolDir === undefined) delete process.env.IQA_VIEWER_SPOOL_DIR;
    else process.env.IQA_VIEWER_SPOOL_DIR = savedSpoolDir;
    rmSync(dir, { recursive: true, force: true });
  }
}
