import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callApi, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { ffmpeg, REPO_ROOT, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let browser: Browser;
const hosts: WebServer[] = [];
const env = () => ({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') });

beforeAll(async () => {
  tmp = tempDir('e2e-study-video');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const h of hosts) await h.stop();
  tmp.cleanup();
});

const W = 64;
const H = 48;
const FPS = 10;
const FRAMES = 20;

/**
 * How far a frame the page draws may be from ffmpeg's rgb24 decode of the same frame, per 8-bit channel.
 * Both start from the same YUV samples (the prepared copy is lossless and verified frame-exact), so what
 * differs is each side's fixed-point YUV→RGB conversion (BT.601 limited range, nearest chroma on both
 * sides: interpolated chroma would differ by tens of levels on this noise). ffmpeg's default swscale
 * rgb24 alone is up to 3 levels from the exact float BT.601 conversion of these frames; the page against
 * ffmpeg measured at most 4 (67 of 184,320 samples; 1,811 at 3; the rest at 0–2) with Chromium 156.
 * The bound is that plus one level for another Chromium build's rounding.
 */
const YUV_TO_RGB_BOUND = 5;

/** A small FFV1 video (Chromium cannot play FFV1: the engine prepares its lossless copy), noise in every plane. */
function makeVideo(file: string, seed: number): void {
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=${FPS}:duration=${FRAMES / FPS},noise=alls=40:allf=t:all_seed=${seed}`, '-pix_fmt', 'yuv420p', '-c:v', 'ffv1', file]);
}

/** ffmpeg's rgb24 decode of every frame of a file. */
const rgbFrames = (file: string) => execFileSync(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);

const screenState = (page: Page) =>
  page.getByTestId('participant-screen').evaluate((el) => ({
    phase: el.getAttribute('data-phase'),
    step: el.getAttribute('data-step'),
    trial: el.querySelector('[data-testid=participant-vote]')?.getAttribute('data-trial') ?? null,
  }));

/**
 * Seeks the presented (paused) video to frame k (`seek: false`: draws it again without seeking) and
 * draws it onto a canvas of its own size: its RGBA bytes. Right after 'seeked', a loaded Chromium may
 * still draw the frame shown before the seek; the caller draws again until the frame is the one asked for.
 */
const grabFrame = (page: Page, k: number, seek = true) =>
  page.getByTestId('participant-stimulus').evaluate(async (box, [k, fps, seek]) => {
    const v = box.querySelector('video')!;
    if (seek) {
      const seeked = new Promise((done) => v.addEventListener('seeked', done, { once: true }));
      v.currentTime = (k + 0.5) / fps;
      await seeked;
    }
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const ctx = c.getContext('2d', { colorSpace: 'srgb', willReadFrequently: true })!;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(v, 0, 0);
    return Array.from(ctx.getImageData(0, 0, c.width, c.height).data);
  }, [k, FPS, seek] as const);

/** Max abs difference, per 8-bit channel, between grabbed RGBA bytes and frame k of an rgb24 decode. */
function frameDiff(got: number[], want: Buffer, k: number): number {
  let m = 0;
  const base = k * W * H * 3;
  for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(got[i * 4 + c]! - want[base + i * 3 + c]!));
  return m;
}

async function projectWith(web: WebServer, media: string, name: string): Promise<string> {
  const projectDir = join(tmp.dir, name);
  await callApi(web, 'projects.create', { dir: projectDir, name });
  const { jobId } = await callApi<{ jobId: string }>(web, 'import.start', { projectDir, source: media, options: { recursive: true } });
  await waitForJob(web, jobId);
  return projectDir;
}

/** Opens the project's study on the participant screen and enrols the code; the instructions are up. */
async function participantPage(web: WebServer, projectDir: string, study: string, code: string): Promise<{ page: Page; consoleErrors: string[]; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const { page, consoleErrors } = await openApp(context, web.url);
  await page.getByTestId('open-dir').fill(projectDir);
  await page.getByTestId('open-submit').click();
  await page.getByTestId('tab-study').click();
  await page.locator(`[data-testid=study-card][data-study="${study}"]`).getByTestId('study-run').click();
  await page.getByTestId('participant-code').fill(code);
  await page.getByTestId('participant-enrol').click();
  await expect.poll(() => page.getByTestId('participant-instructions').count()).toBe(1);
  return { page, consoleErrors, context };
}

/**
 * Opens the participant screen on a session enrolled through the engine: the way a reloaded tab comes back
 * to its session (the code kept in sessionStorage, resumed when the Study tab opens).
 */
async function resumedParticipantPage(web: WebServer, projectDir: string, studyId: number, code: string): Promise<{ page: Page; consoleErrors: string[]; context: BrowserContext }> {
  await callApi(web, 'sessions.enrol', { projectDir, studyId, participant: code });
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const { page, consoleErrors } = await openApp(context, web.url);
  await page.getByTestId('open-dir').fill(projectDir);
  await page.getByTestId('open-submit').click();
  await expect.poll(() => page.getByTestId('project-name').count()).toBe(1);
  await page.evaluate((v) => sessionStorage.setItem('iqa.participant', v), JSON.stringify({ projectDir, studyId, code }));
  await page.getByTestId('tab-study').click();
  await expect.poll(() => page.getByTestId('participant-instructions').count()).toBe(1);
  return { page, consoleErrors, context };
}

/** Pauses the next video the moment it starts playing (so a test can act on a presented video). */
const pauseNextPlayback = (page: Page) =>
  page.evaluate(() => document.addEventListener('playing', (e) => (e.target as HTMLVideoElement).pause(), { capture: true, once: true }));

/** Waits until the presented video is paused (by pauseNextPlayback). */
async function presentedAndPaused(page: Page): Promise<void> {
  const box = page.getByTestId('participant-stimulus');
  await expect.poll(async () => (await box.count()) === 1 && (await box.evaluate((b) => b.querySelector('video')?.paused ?? false))).toBe(true);
}

/** Plays the presented video from its start (it runs to its end). */
const resume = (page: Page) =>
  page.getByTestId('participant-stimulus').evaluate((b) => {
    const v = b.querySelector('video')!;
    v.currentTime = 0;
    void v.play();
  });

/** Max abs difference between a device-pixel screenshot of the presented video and ffmpeg's rgb24 frame k. */
async function presentedFrameDiff(box: ReturnType<Page['getByTestId']>, want: Buffer, k: number): Promise<number> {
  const shot = join(tmp.dir, `presented-${k}-${Date.now()}.png`);
  await box.screenshot({ path: shot, scale: 'device', animations: 'disabled' });
  const got = execFileSync(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-v', 'error', '-i', shot, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  expect(got.length, 'the screenshot is the video’s size in device pixels').toBe(W * H * 3);
  let m = 0;
  for (let i = 0; i < W * H * 3; i++) m = Math.max(m, Math.abs(got[i]! - want[k * W * H * 3 + i]!));
  return m;
}

describe('video trials on the participant page, in headless Chromium against npm run web', () => {
  it('plays each video once at 1:1 from its verified lossless copy, a grabbed frame equals ffmpeg\u2019s RGB decode within the YUV→RGB rounding, and the votes are stored', async () => {
    const media = join(tmp.dir, 'media');
    makeVideo(join(media, 'v1.mkv'), 1);
    makeVideo(join(media, 'v2.mkv'), 2);
    const web = await startWeb(env());
    hosts.push(web);
    const projectDir = await projectWith(web, media, 'video');
    const { studyId } = await callApi<{ studyId: number }>(web, 'studies.create', { projectDir, name: 'video acr', method: 'ACR', stimuli: {}, seed: 5, timing: { greyMs: 200, video: 'play-once' } });

    const { page, consoleErrors, context } = await participantPage(web, projectDir, 'video acr', 'V1');
    expect(await page.getByTestId('participant-instructions').textContent()).toContain('one video, played once');
    // The first playback is paused as soon as it plays, so frames can be grabbed from the presented element.
    await pauseNextPlayback(page);
    await page.getByTestId('participant-begin').click();
    await presentedAndPaused(page);
    const box = page.getByTestId('participant-stimulus');

    // 1:1: the box is the video's size in CSS px at devicePixelRatio 1, on whole pixels, nothing scaled.
    const layout = await box.evaluate((b) => {
      const v = b.querySelector('video')!;
      const r = v.getBoundingClientRect();
      return { w: v.videoWidth, h: v.videoHeight, cssW: r.width, cssH: r.height, left: r.left, top: r.top, id: Number(b.getAttribute('data-stimulus-id')) };
    });
    expect([layout.w, layout.h, layout.cssW, layout.cssH]).toEqual([W, H, W, H]);
    expect(Number.isInteger(layout.left) && Number.isInteger(layout.top)).toBe(true);
    const stimuli = await callApi<{ id: number; name: string }[]>(web, 'stimuli.list', { projectDir });
    const name = stimuli.find((s) => s.id === layout.id)!.name;
    const want = rgbFrames(join(media, `${name}.mkv`));
    expect(want.length).toBe(W * H * 3 * FRAMES);

    let maxDiff = 0;
    const histogram = new Array<number>(256).fill(0);
    for (let k = 0; k < FRAMES; k++) {
      let got = await grabFrame(page, k);
      // A stale frame drawn right after the seek is drawn again (no new seek) until frame k is on the canvas;
      // a frame that never comes within the bound fails here, by the poll's timeout.
      await expect.poll(async () => frameDiff(got, want, k) <= YUV_TO_RGB_BOUND || frameDiff((got = await grabFrame(page, k, false)), want, k) <= YUV_TO_RGB_BOUND).toBe(true);
      expect(got.length).toBe(W * H * 4);
      const base = k * W * H * 3;
      for (let i = 0; i < W * H; i++) {
        expect(got[i * 4 + 3]).toBe(255);
        for (let c = 0; c < 3; c++) {
          const d = Math.abs(got[i * 4 + c]! - want[base + i * 3 + c]!);
          histogram[d]! += 1;
          maxDiff = Math.max(maxDiff, d);
        }
      }
    }
    // The composited presentation too: a screenshot of the paused frame (the last one grabbed), in device pixels.
    // (Polled as the grabs are: the compositor may still show the frame before the last seek.)
    let shotDiff = Number.NaN;
    await expect.poll(async () => (shotDiff = await presentedFrameDiff(box, want, FRAMES - 1))).toBeLessThanOrEqual(YUV_TO_RGB_BOUND);
    console.log(`screenshot of the presented frame ${FRAMES - 1} vs ffmpeg rgb24, devicePixelRatio 1: max abs difference ${shotDiff}`);
    console.log(`video frames grabbed from the page vs ffmpeg rgb24 (all ${FRAMES} frames): max abs difference ${maxDiff} (bound ${YUV_TO_RGB_BOUND}); samples by difference ${JSON.stringify(histogram.slice(0, maxDiff + 1))}`);
    expect(maxDiff).toBeLessThanOrEqual(YUV_TO_RGB_BOUND);
    // The page played the engine's prepared copy, verified and stored once per content.
    expect(readdirSync(join(projectDir, '.iqa', 'playable')).filter((f) => f.endsWith('.webm.json')).length).toBeGreaterThanOrEqual(1);

    // At devicePixelRatio 2 (another participant, another page): half the CSS size, the same device pixels.
    {
      const hi = await browser.newContext({ viewport: { width: 800, height: 600 }, deviceScaleFactor: 2 });
      const { page: p2, consoleErrors: errors2 } = await openApp(hi, web.url);
      await p2.getByTestId('open-dir').fill(projectDir);
      await p2.getByTestId('open-submit').click();
      await p2.getByTestId('tab-study').click();
      await p2.locator('[data-testid=study-card][data-study="video acr"]').getByTestId('study-run').click();
      await p2.getByTestId('participant-code').fill('V2');
      await p2.getByTestId('participant-enrol').click();
      await expect.poll(() => p2.getByTestId('participant-instructions').count()).toBe(1);
      await pauseNextPlayback(p2);
      await p2.getByTestId('participant-begin').click();
      await presentedAndPaused(p2);
      const box2 = p2.getByTestId('participant-stimulus');
      expect(await box2.evaluate((b) => { const r = b.querySelector('video')!.getBoundingClientRect(); return [r.width, r.height, (r.left * 2) % 1, (r.top * 2) % 1]; })).toEqual([W / 2, H / 2, 0, 0]);
      const id2 = Number(await box2.getAttribute('data-stimulus-id'));
      const want2 = rgbFrames(join(media, `${stimuli.find((s) => s.id === id2)!.name}.mkv`));
      await grabFrame(p2, 7);
      let d2 = Number.NaN;
      await expect.poll(async () => (d2 = await presentedFrameDiff(box2, want2, 7))).toBeLessThanOrEqual(YUV_TO_RGB_BOUND);
      console.log(`screenshot of the presented frame 7 vs ffmpeg rgb24, devicePixelRatio 2: max abs difference ${d2}`);
      expect(errors2).toEqual([]);
      await hi.close();
    }

    // Let it play to its end: then the vote; the second video (loaded during the first) plays, then its vote.
    await resume(page);
    const scores: number[] = [];
    for (const score of [4, 2]) {
      await expect.poll(async () => {
        const s = await screenState(page);
        return s.step === 'vote' && Number(s.trial) === scores.length;
      }).toBe(true);
      await page.keyboard.press(String(score));
      scores.push(score);
    }
    await expect.poll(() => page.getByTestId('participant-end').count()).toBe(1);
    expect(readdirSync(join(projectDir, '.iqa', 'playable')).filter((f) => f.endsWith('.webm.json'))).toHaveLength(2);
    expect(existsSync(join(projectDir, '.iqa', 'playable'))).toBe(true);

    const doc = JSON.parse((await callApi<{ content: string }>(web, 'studies.export', { projectDir, studyId, format: 'json' })).content) as {
      ratings: { idx: number; value: number; responseMs: number; presentedAt: string; votedAt: string }[];
    };
    expect(doc.ratings.map((r) => [r.idx, r.value])).toEqual([[0, 4], [1, 2]]);
    for (const r of doc.ratings) expect(Date.parse(r.votedAt) - Date.parse(r.presentedAt)).toBeGreaterThanOrEqual((FRAMES / FPS) * 1000 - 50);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('samples the SSCQE slider, moved by the arrow keys and the mouse while the video plays, at the design’s rate on the video’s clock, and stores the samples with their mean', async () => {
    const media = join(tmp.dir, 'sscqe-media');
    makeVideo(join(media, 's1.mkv'), 3);
    const web = await startWeb(env());
    hosts.push(web);
    const projectDir = await projectWith(web, media, 'sscqe');
    const rate = 5;
    const { studyId } = await callApi<{ studyId: number }>(web, 'studies.create', { projectDir, name: 'sscqe', method: 'SSCQE', seed: 2, timing: { greyMs: 0, sampleRateHz: rate } });
    const { page, consoleErrors, context } = await resumedParticipantPage(web, projectDir, studyId, 'S1');
    expect(await page.getByTestId('participant-instructions').textContent()).toContain('slider');
    await pauseNextPlayback(page);
    await page.getByTestId('participant-begin').click();
    await presentedAndPaused(page);
    const slider = page.getByTestId('sscqe-slider');
    // It starts in the middle; Shift+arrow moves by 10, an arrow by 1, the mouse sets where it presses.
    await expect.poll(() => slider.getAttribute('data-value')).toBe('50');
    await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('Shift+ArrowUp');
    await expect.poll(() => slider.getAttribute('data-value')).toBe('70');
    const track = (await slider.locator('.track').boundingBox())!;
    await page.mouse.click(track.x + track.width / 2, track.y + track.height * 0.75);
    await expect.poll(() => slider.getAttribute('data-value')).toBe('25');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => slider.getAttribute('data-value')).toBe('26');
    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-study-sscqe.png') });
    // The cursor shows while the slider is used (no other trial screen shows it).
    expect(await page.getByTestId('participant-screen').evaluate((el) => el.classList.contains('bare'))).toBe(false);
    await resume(page);
    // No vote screen: the samples are sent when the video ends, and the session ends.
    await expect.poll(() => page.getByTestId('participant-end').count()).toBe(1);

    const doc = JSON.parse((await callApi<{ content: string }>(web, 'studies.export', { projectDir, studyId, format: 'json' })).content) as {
      ratings: { idx: number; value: number; samples: { tMs: number; value: number }[] }[];
    };
    expect(doc.ratings).toHaveLength(1);
    const { samples, value } = doc.ratings[0]!;
    const durationMs = (FRAMES / FPS) * 1000;
    // The first at 0 in the middle, then on the video's clock, strictly later each time, the last at its end.
    expect(samples[0]).toEqual({ tMs: 0, value: 50 });
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.tMs).toBeGreaterThan(samples[i - 1]!.tMs);
    expect(samples[samples.length - 1]!.tMs).toBeGreaterThanOrEqual(durationMs - 1000 / FPS);
    expect(samples[samples.length - 1]!.value).toBe(26);
    expect(new Set(samples.map((x) => x.value)).size).toBeGreaterThan(1);
    for (const x of samples) expect([50, 60, 70, 25, 26]).toContain(x.value);
    // About `rate` samples a second of playback (timers on a loaded machine may skip some, never add).
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect(samples.length).toBeLessThanOrEqual(2 + Math.ceil(((durationMs + 1000) / 1000) * rate));
    expect(value).toBeCloseTo(samples.reduce((a, x) => a + x.value, 0) / samples.length, 9);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('loops the video behind the voting screen until the vote with timing "until-vote"', async () => {
    const media = join(tmp.dir, 'loop-media');
    makeVideo(join(media, 'l1.mkv'), 4);
    const web = await startWeb(env());
    hosts.push(web);
    const projectDir = await projectWith(web, media, 'loop');
    const { studyId } = await callApi<{ studyId: number }>(web, 'studies.create', { projectDir, name: 'loop', method: 'ACR', stimuli: {}, seed: 1, timing: { greyMs: 0, video: 'until-vote' } });
    const { page, consoleErrors, context } = await participantPage(web, projectDir, 'loop', 'L1');
    expect(await page.getByTestId('participant-instructions').textContent()).toContain('played in a loop until you answer');
    await page.getByTestId('participant-begin').click();
    // The vote is open at once, over the looping video (at 1:1); it wraps around from its end to its start.
    await expect.poll(() => page.getByTestId('participant-screen').getAttribute('data-step')).toBe('vote');
    const box = page.getByTestId('participant-stimulus');
    expect(await box.getAttribute('data-looping')).toBe('true');
    expect(await box.evaluate((b) => { const r = b.querySelector('video')!.getBoundingClientRect(); return [r.width, r.height]; })).toEqual([W, H]);
    await box.evaluate((b) => {
      const v = b.querySelector('video')!;
      (window as unknown as { wrapped: boolean }).wrapped = false;
      let last = v.currentTime;
      v.addEventListener('timeupdate', () => {
        if (v.currentTime < last) (window as unknown as { wrapped: boolean }).wrapped = true;
        last = v.currentTime;
      });
    });
    await expect.poll(() => page.evaluate(() => (window as unknown as { wrapped: boolean }).wrapped)).toBe(true);
    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-study-until-vote.png') });
    expect(await box.evaluate((b) => { const v = b.querySelector('video')!; return [v.loop, v.paused]; })).toEqual([true, false]);
    await page.keyboard.press('3');
    await expect.poll(() => page.getByTestId('participant-end').count()).toBe(1);
    const doc = JSON.parse((await callApi<{ content: string }>(web, 'studies.export', { projectDir, studyId, format: 'json' })).content) as { ratings: { idx: number; value: number; responseMs: number }[] };
    expect(doc.ratings.map((r) => [r.idx, r.value])).toEqual([[0, 3]]);
    // Answered after at least one full loop: the response time counts from the start of the video.
    expect(doc.ratings[0]!.responseMs).toBeGreaterThanOrEqual((FRAMES / FPS) * 1000 - 100);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('cycles A and B behind the DSCQS voting screen with timing "until-vote", and stores the two scores by side', async () => {
    const media = join(tmp.dir, 'dscqs-loop-media');
    makeVideo(join(media, 'ref', 'd1.mkv'), 7);
    makeVideo(join(media, 'dist', 'd1_noise.mkv'), 8);
    const web = await startWeb(env());
    hosts.push(web);
    const projectDir = await projectWith(web, media, 'dscqs-loop');
    const { studyId } = await callApi<{ studyId: number }>(web, 'studies.create', { projectDir, name: 'dscqs loop', method: 'DSCQS', seed: 3, timing: { greyMs: 100, video: 'until-vote' } });
    const { page, consoleErrors, context } = await participantPage(web, projectDir, 'dscqs loop', 'D1');
    await page.getByTestId('participant-begin').click();
    // A and B play once each, then the vote opens and both keep playing in turn behind it, at 1:1.
    await expect.poll(() => page.getByTestId('participant-screen').getAttribute('data-step'), { timeout: 30_000 }).toBe('vote');
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const now = await page.getByTestId('dscqs-now').textContent();
          const side = /: (A|B)$/.exec(now ?? '')?.[1];
          if (side) {
            const box = page.getByTestId('participant-stimulus');
            const size = await box.evaluate((b) => { const r = b.querySelector('video')?.getBoundingClientRect(); return r ? [r.width, r.height] : null; }).catch(() => null);
            if (size && size[0] === W && size[1] === H) seen.add(side);
          }
          return [...seen].sort().join('');
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe('AB');
    const valueOf = async (side: 'A' | 'B') => Number(await page.getByTestId(`dscqs-${side}`).getAttribute('data-value'));
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    const scores = { A: await valueOf('A'), B: await valueOf('B') };
    expect(scores.A).not.toBe(scores.B);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('participant-end').count()).toBe(1);
    // The cycle stopped with the vote: no video plays on the end page.
    expect(await page.evaluate(() => [...document.querySelectorAll('video')].filter((v) => !v.paused).length)).toBe(0);
    const doc = JSON.parse((await callApi<{ content: string }>(web, 'studies.export', { projectDir, studyId, format: 'json' })).content) as { ratings: { value: number; valueRef: number; referenceSide: 'A' | 'B' }[] };
    expect(doc.ratings).toHaveLength(1);
    const r = doc.ratings[0]!;
    expect([r.valueRef, r.value]).toEqual(r.referenceSide === 'A' ? [scores.A, scores.B] : [scores.B, scores.A]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
