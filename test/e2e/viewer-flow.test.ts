/**
 * The viewer in headless Chromium against npm run web: a 96x64, 12-frame pair whose distortion changes
 * from frame to frame, SSIM-Y computed, the viewer opened from the stimuli table; keys step frames (the
 * map changes), a click on the curve seeks, the worst-frames list holds the lowest stored per-frame
 * SSIM, the hovered map value is the stored map element, 8x zoom shows every source pixel as an
 * unsmoothed 8x8 block of its exact colour, wipe and flicker show the reference and the distorted,
 * and the map exports read back as the engine's map.
 */
import { float32View } from '../../src-main/common/binary-reply';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FrameMapJson, FramePixelsJson, FrameSeries } from '../../src-main/common/contract-types';
import type { Stimulus } from '../../src-main/common/domain';
import { callApi, createProjectInUi, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { ffmpeg, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;
let context: BrowserContext;
const W = 96;
const H = 64;
const N = 12;

beforeAll(async () => {
  tmp = tempDir('e2e-viewer');
  const src = `testsrc2=s=${W}x${H}:r=10`;
  ffmpeg(['-f', 'lavfi', '-i', src, '-frames:v', String(N), '-pix_fmt', 'yuv420p', '-c:v', 'ffv1', join(tmp.dir, 'media', 'ref', 'clip.mkv')]);
  // Noise of a new pattern each frame and a contrast loss that changes with the frame number
  // (not monotonic), so that the worst frames are not simply the last ones.
  ffmpeg([
    '-f', 'lavfi', '-i', `${src},noise=alls=14:allf=t,eq=contrast='1-0.07*mod(n*5\\,12)':eval=frame`,
    '-frames:v', String(N), '-pix_fmt', 'yuv420p', '-c:v', 'ffv1', join(tmp.dir, 'media', 'dist', 'clip_varying.mkv'),
  ]);
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1, acceptDownloads: true });
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

const call = <T>(name: string, input: unknown): Promise<T> => callApi<T>(web, name, input);
const shownFrame = async (page: Page) => {
  const a = await page.getByTestId('viewer').getAttribute('data-frame');
  return a ? Number(a) : null;
};
const canvasUrl = (page: Page, testid: string) => page.getByTestId(testid).evaluate((c: HTMLCanvasElement) => c.toDataURL());
const f32 = (bytes: Uint8Array) => float32View(bytes);
const download = async (page: Page, testid: string): Promise<Buffer> => {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return readFileSync((await d.path())!);
};

/**
 * Screenshots a pane at 8x zoom and checks every 8x8 block inside it against its source pixel's colour
 * (`source` gives the rgb24 frame a column is expected from, null to skip it). Throws on the first
 * mismatch when `strict`, else returns 0; returns the number of blocks checked.
 */
async function unsmoothedBlocks(page: Page, testid: string, source: (sx: number) => Buffer | null, strict = true): Promise<number> {
  const pane = page.getByTestId(testid);
  const shot = PNG.sync.read(await pane.screenshot());
  expect(Number(await pane.getAttribute('data-scale'))).toBe(8);
  const x0 = Number(await pane.getAttribute('data-x0'));
  const y0 = Number(await pane.getAttribute('data-y0'));
  let blocks = 0;
  for (let sy = 0; sy < H; sy++) {
    for (let sx = 0; sx < W; sx++) {
      const bx = x0 + 8 * sx;
      const by = y0 + 8 * sy;
      const frame = source(sx);
      // Blocks within a pixel of the element's edge may show the pane's border (the canvas is aligned to whole device pixels inside it).
      if (!frame || bx < 1 || by < 1 || bx + 8 > shot.width - 1 || by + 8 > shot.height - 1) continue;
      const want = [...frame.subarray(3 * (sy * W + sx), 3 * (sy * W + sx) + 3)];
      for (let dy = 0; dy < 8; dy++) {
        for (let dx = 0; dx < 8; dx++) {
          const o = 4 * ((by + dy) * shot.width + bx + dx);
          const got = [shot.data[o], shot.data[o + 1], shot.data[o + 2]];
          if (!strict && got.some((v, i) => v !== want[i])) return 0;
          expect(got, `${testid}: source pixel (${sx},${sy}), block pixel (${dx},${dy})`).toEqual(want);
        }
      }
      blocks++;
    }
  }
  return blocks;
}

describe('the viewer in headless Chromium against npm run web', () => {
  it('steps, seeks from the curve, lists the worst frames, zooms without smoothing, wipes, flickers and exports the map', async () => {
    const { page, consoleErrors } = await openApp(context, web.url);
    const projectDir = join(tmp.dir, 'study');
    await createProjectInUi(page, projectDir, 'Viewer study');
    await waitForJob(web, (await call<{ jobId: string }>('import.start', { projectDir, source: join(tmp.dir, 'media') })).jobId);
    await waitForJob(web, (await call<{ jobId: string }>('metrics.run', { projectDir, metrics: [{ id: 'ssim-y' }, { id: 'psnr' }] })).jobId);
    const dist = (await call<Stimulus[]>('stimuli.list', { projectDir })).find((s) => s.name === 'clip_varying')!;
    const series = await call<FrameSeries[]>('metrics.frames', { projectDir, stimulusId: dist.id });
    const ssim = series.find((s) => s.metricId === 'ssim-y')!.values as number[];
    expect(ssim.length).toBe(N);

    await page.reload();
    await expect.poll(() => page.getByTestId('stimulus-row').count()).toBe(2);
    await page.locator('[data-testid=stimulus-row][data-name=clip_varying]').getByTestId('open-viewer').click();
    await expect.poll(() => page.getByTestId('viewer').isVisible()).toBe(true);
    await expect.poll(() => shownFrame(page)).toBe(0);
    expect(await page.getByTestId('viewer-frame').textContent()).toContain('Frame 0 / 11 · 0.00 s');
    await expect.poll(() => page.getByTestId('viewer-curve').count()).toBe(2);

    // Keys: the map image changes with the frame.
    await expect.poll(() => page.getByTestId('viewer').getAttribute('data-frame')).toBe('0');
    const map0 = await canvasUrl(page, 'viewer-pane-map');
    await page.getByTestId('viewer-pane-ref').click();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => shownFrame(page)).toBe(1);
    await expect.poll(() => canvasUrl(page, 'viewer-pane-map')).not.toBe(map0);
    expect(await page.getByTestId('viewer-frame').textContent()).toContain('Frame 1 / 11 · 0.10 s');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => shownFrame(page)).toBe(11);
    await page.keyboard.press('Home');
    await expect.poll(() => shownFrame(page)).toBe(0);
    await page.keyboard.press('End');
    await expect.poll(() => shownFrame(page)).toBe(11);
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => shownFrame(page)).toBe(1);

    // A click on the curve at frame 6 shows frame 6.
    const curve = page.getByTestId('viewer-curve-canvas').first();
    await expect.poll(() => curve.getAttribute('data-right')).not.toBeNull();
    const left = Number(await curve.getAttribute('data-left'));
    const right = Number(await curve.getAttribute('data-right'));
    const box = (await curve.boundingBox())!;
    await curve.click({ position: { x: left + (6 * (right - left)) / (N - 1), y: box.height / 2 } });
    await expect.poll(() => shownFrame(page)).toBe(6);

    // The worst frames by SSIM-Y are the frames of lowest stored per-frame SSIM.
    const expectedWorst = ssim.map((v, k) => ({ v, k })).sort((a, b) => a.v - b.v || a.k - b.k).slice(0, 5).map((x) => x.k);
    const listed = await page.getByTestId('viewer-worst-frame').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-frame'))));
    expect(listed).toEqual(expectedWorst);
    await page.getByTestId('viewer-worst-frame').nth(1).click();
    await expect.poll(() => shownFrame(page)).toBe(expectedWorst[1]);
    const k = expectedWorst[1]!;

    // Hover: the value shown is the stored map element at that pixel; the pixels are the frame's.
    const stored = await call<FrameMapJson>('viewer.frameMap', { projectDir, stimulusId: dist.id, frame: k, metric: 'ssim-y' });
    const pixels = await call<FramePixelsJson>('viewer.framePixels', { projectDir, stimulusId: dist.id, frame: k });
    const mapPane = page.getByTestId('viewer-pane-map');
    const mb = (await mapPane.boundingBox())!;
    await mapPane.hover({ position: { x: mb.width / 2 + 13, y: mb.height / 2 + 7 } });
    await expect.poll(() => page.getByTestId('viewer-hover').getAttribute('data-x')).not.toBe('');
    const hx = Number(await page.getByTestId('viewer-hover').getAttribute('data-x'));
    const hy = Number(await page.getByTestId('viewer-hover').getAttribute('data-y'));
    expect(Number(await page.getByTestId('viewer-hover').getAttribute('data-map'))).toBe(f32(stored.map)[hy * stored.width + hx]);
    const refRgb = [...Buffer.from(pixels.ref).subarray(3 * (hy * W + hx), 3 * (hy * W + hx) + 3)];
    expect(await page.getByTestId('viewer-hover').textContent()).toContain(`reference (${refRgb.join(', ')})`);

    // 8x zoom: each source pixel is an 8x8 block of exactly its colour (no smoothing), in every pane.
    await page.getByTestId('viewer-zoom-8').click();
    await expect.poll(() => page.getByTestId('viewer-pane-ref').getAttribute('data-scale')).toBe('8');
    const refBytes = Buffer.from(pixels.ref);
    const distBytes = Buffer.from(pixels.dist);
    const blocks = await unsmoothedBlocks(page, 'viewer-pane-ref', () => refBytes);
    expect(blocks).toBeGreaterThan(500);
    // Panes stay in sync: the distorted pane has the same layout.
    expect(await page.getByTestId('viewer-pane-dist').getAttribute('data-x0')).toBe(await page.getByTestId('viewer-pane-ref').getAttribute('data-x0'));
    expect(await unsmoothedBlocks(page, 'viewer-pane-dist', () => distBytes)).toBe(blocks);

    // Wipe: all reference at one end, all distorted at the other; split at the middle column between.
    await page.getByTestId('viewer-compare').selectOption('wipe');
    await expect.poll(() => page.getByTestId('viewer-pane-wipe').count()).toBe(1);
    await page.getByTestId('viewer-wipe').fill('1');
    await expect.poll(async () => (await unsmoothedBlocks(page, 'viewer-pane-wipe', () => refBytes, false)) > 500).toBe(true);
    await page.getByTestId('viewer-wipe').fill('0');
    await expect.poll(async () => (await unsmoothedBlocks(page, 'viewer-pane-wipe', () => distBytes, false)) > 500).toBe(true);
    await page.getByTestId('viewer-wipe').fill('0.5');
    // The divider line covers the first device column of source column 48.
    await expect
      .poll(async () => (await unsmoothedBlocks(page, 'viewer-pane-wipe', (sx) => (sx < W / 2 ? refBytes : sx > W / 2 ? distBytes : null), false)) > 500)
      .toBe(true);

    // Flicker: the pane alternates between the reference and the distorted.
    await page.getByTestId('viewer-compare').selectOption('flicker');
    await page.getByTestId('viewer-flicker-hz').fill('8');
    const seen = new Set<string>();
    await expect.poll(async () => {
      const s = await page.getByTestId('viewer-pane-flicker').getAttribute('data-showing');
      if (s) seen.add(s);
      return [...seen].sort();
    }).toEqual(['distorted', 'reference']);
    await page.getByTestId('viewer-compare').selectOption('panes');

    // Overlay: the map over the distorted, two panes.
    await page.getByTestId('viewer-layout').selectOption('overlay');
    await expect.poll(() => page.getByTestId('viewer-pane-map').count()).toBe(0);
    await expect.poll(() => page.getByTestId('viewer-opacity').isVisible()).toBe(true);
    await page.getByTestId('viewer-layout').selectOption('side');

    // Legend: the fixed SSIM range, or this frame's own; the signed difference on a range symmetric around 0.
    expect([await page.getByTestId('viewer-legend').getAttribute('data-lo'), await page.getByTestId('viewer-legend').getAttribute('data-hi')]).toEqual(['0', '1']);
    await page.getByTestId('viewer-range').selectOption('auto');
    const storedMap = f32(stored.map);
    await expect.poll(async () => Number(await page.getByTestId('viewer-legend').getAttribute('data-lo'))).toBe(Math.min(...storedMap));
    expect(Number(await page.getByTestId('viewer-legend').getAttribute('data-hi'))).toBe(Math.max(...storedMap));
    await page.getByTestId('viewer-map').selectOption('signed');
    await expect.poll(async () => Number(await page.getByTestId('viewer-legend').getAttribute('data-lo'))).toBeLessThan(0);
    expect(Number(await page.getByTestId('viewer-legend').getAttribute('data-hi'))).toBe(-Number(await page.getByTestId('viewer-legend').getAttribute('data-lo')));
    await page.getByTestId('viewer-map').selectOption('ssim');
    await page.getByTestId('viewer-range').selectOption('fixed');
    await expect.poll(() => page.getByTestId('viewer-legend').getAttribute('data-hi')).toBe('1');

    // Exports: the map as float32 .npy (the stored map, element for element) and as a 16-bit PNG.
    const npy = await download(page, 'viewer-export-npy');
    const headerLen = npy.readUInt16LE(8);
    expect(npy.subarray(10, 10 + headerLen).toString('latin1')).toContain(`'shape': (${stored.height}, ${stored.width})`);
    expect(new Float32Array(new Uint8Array(npy.subarray(10 + headerLen)).buffer)).toEqual(f32(stored.map));
    const png16 = PNG.sync.read(await download(page, 'viewer-export-png16'), { skipRescale: true } as never);
    expect([png16.width, png16.height, png16.depth]).toEqual([stored.width, stored.height, 16]);
    const view = PNG.sync.read(await download(page, 'viewer-export-view'));
    expect(view.width).toBeGreaterThan(600);

    // A screen of twice the pixel density (a second page): the backing store doubles and each source
    // pixel becomes an exact 16x16 block of device pixels, still unsmoothed.
    const hiContext = await browser.newContext({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 2 });
    const { page: hiPage, consoleErrors: hiErrors } = await openApp(hiContext, web.url);
    await hiPage.getByTestId('open-dir').fill(projectDir);
    await hiPage.getByTestId('open-submit').click();
    await hiPage.locator('[data-testid=stimulus-row][data-name=clip_varying]').getByTestId('open-viewer').click();
    await expect.poll(() => shownFrame(hiPage)).toBe(0);
    await hiPage.getByTestId('viewer-zoom-8').click();
    const ref0 = Buffer.from((await call<FramePixelsJson>('viewer.framePixels', { projectDir, stimulusId: dist.id, frame: 0 })).ref);
    await expect.poll(() => hiPage.getByTestId('viewer-pane-ref').getAttribute('data-scale')).toBe('16');
    // The whole viewport, searched near the canvas's reported device position (the compositor may snap a
    // layer by a device pixel): at one offset every visible source pixel must be an exact 16x16 block.
    // Polled: the panes settle on whole device pixels after the content above them (the alignment line)
    // has its height, so one screenshot taken too early can catch them mid-move.
    const hiBlocksNow = async (): Promise<number> => {
      const hi = PNG.sync.read(await hiPage.screenshot());
      const hx0 = Number(await hiPage.getByTestId('viewer-pane-ref').getAttribute('data-x0'));
      const hy0 = Number(await hiPage.getByTestId('viewer-pane-ref').getAttribute('data-y0'));
      const bb = (await hiPage.getByTestId('viewer-pane-ref').boundingBox())!;
      const exactBlocks = (ox: number, oy: number): number => {
        const [edgeX, edgeY] = [Math.round(2 * (bb.x + bb.width)) - 2, Math.round(2 * (bb.y + bb.height)) - 2];
        let n = 0;
        for (let sy = 0; sy < H; sy++) {
          for (let sx = 0; sx < W; sx++) {
            const bx = hx0 + 16 * sx + ox;
            const by = hy0 + 16 * sy + oy;
            if (bx < Math.round(2 * bb.x) + 2 || by < Math.round(2 * bb.y) + 2 || bx + 16 > edgeX || by + 16 > edgeY) continue;
            const want = ref0.subarray(3 * (sy * W + sx), 3 * (sy * W + sx) + 3);
            for (let dy = 0; dy < 16; dy++) {
              for (let dx = 0; dx < 16; dx++) {
                const o = 4 * ((by + dy) * hi.width + bx + dx);
                if (hi.data[o] !== want[0] || hi.data[o + 1] !== want[1] || hi.data[o + 2] !== want[2]) return 0;
              }
            }
            n++;
          }
        }
        return n;
      };
      const candidates = [-2, -1, 0, 1, 2].flatMap((dy) => [-2, -1, 0, 1, 2].map((dx) => exactBlocks(Math.round(2 * bb.x) + dx, Math.round(2 * bb.y) + dy)));
      return Math.max(...candidates);
    };
    await expect.poll(hiBlocksNow).toBeGreaterThan(100);
    expect(hiErrors).toEqual([]);
    await hiContext.close();

    // Space plays to the last frame.
    await page.getByTestId('viewer-worst-frame').first().click();
    await page.getByTestId('viewer-pane-ref').click();
    await page.keyboard.press(' ');
    await expect.poll(() => shownFrame(page)).toBe(N - 1);
    await expect.poll(() => page.getByTestId('viewer-play').textContent()).toBe('Play');

    // Back to the project.
    await page.getByTestId('viewer-close').click();
    await expect.poll(() => page.getByTestId('stimulus-row').count()).toBe(2);
    // The stimulus detail opens it too.
    await page.locator('[data-testid=stimulus-row][data-name=clip_varying]').getByTestId('open-detail').click();
    await page.getByTestId('detail-open-viewer').click();
    await expect.poll(() => page.getByTestId('viewer').isVisible()).toBe(true);
    await expect.poll(() => shownFrame(page)).toBe(0);
    expect(await page.getByTestId('stimulus-detail').count()).toBe(0);
    await page.getByTestId('viewer-close').click();
    expect(consoleErrors).toEqual([]);
  });
});
