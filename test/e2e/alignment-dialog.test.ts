import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { JobSnapshot, MetricResultRow } from '../../src-main/common/domain';
import { callApi, createProjectInUi, JOB_WAIT_MS, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { ffmpeg, REPO_ROOT, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;
let context: BrowserContext;

/**
 * One reference video (40 frames of testsrc2, lossless) with two distorted versions of it, both lossy:
 * clip_ok shows the same frames, clip_late starts 3 frames into the source (the same 40-frame length,
 * so computing it as it is compares every frame with the one 3 frames before it).
 */
function makeClips(root: string): void {
  const src = 'testsrc2=size=96x64:rate=25';
  const enc = (crf: string) => ['-frames:v', '40', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', ...crf.split(' ')];
  ffmpeg(['-f', 'lavfi', '-i', src, ...enc('-qp 0'), join(root, 'ref', 'clip.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', src, ...enc('-crf 30'), join(root, 'dist', 'clip_ok.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', `${src},trim=start_frame=3,setpts=PTS-STARTPTS`, ...enc('-crf 30'), join(root, 'dist', 'clip_late.mp4')]);
}

beforeAll(async () => {
  tmp = tempDir('e2e-align');
  makeClips(join(tmp.dir, 'media'));
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

/** Waits until every metrics job of the project has finished done, and there are `count` of them. */
async function waitForMetricsJobs(projectDir: string, count: number): Promise<void> {
  const metricsJobs = async () => (await callApi<JobSnapshot[]>(web, 'jobs.list', {})).filter((j) => j.kind === 'metrics' && j.projectDir === projectDir);
  await expect.poll(async () => (await metricsJobs()).length, { timeout: JOB_WAIT_MS }).toBe(count);
  for (const j of await metricsJobs()) await waitForJob(web, j.id);
}

async function psnrY(projectDir: string): Promise<Record<string, number>> {
  const rows = await callApi<MetricResultRow[]>(web, 'metrics.results', { projectDir });
  return Object.fromEntries(rows.filter((r) => r.metricId === 'psnr-y' && r.pooling === 'mean').map((r) => [r.stimulus, Number(r.value)]));
}

describe('the compute dialog checks temporal alignment before computing', () => {
  it('flags the pair whose distorted starts 3 frames late (offset +3), not the aligned one, and its fix raises its PSNR-Y', async () => {
    const { page, consoleErrors } = await openApp(context, web.url);
    const projectDir = join(tmp.dir, 'project');
    await createProjectInUi(page, projectDir, 'Alignment study');
    await page.getByTestId('import-source').fill(join(tmp.dir, 'media'));
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-report').textContent(), { timeout: JOB_WAIT_MS }).toContain('3 added');

    await page.getByTestId('compute-open').click();
    await expect.poll(() => page.locator('[data-testid=metric-check-psnr-y]').count()).toBe(1);
    await page.getByTestId('metric-check-psnr-y').check();
    // Whether the check's progress was shown, however briefly.
    await page.evaluate(() => {
      const w = window as unknown as { sawAlignmentProgress: boolean };
      w.sawAlignmentProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid=alignment-progress]')) w.sawAlignmentProgress = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.getByTestId('compute-submit').click();

    // Nothing is computed before the review: it lists clip_late with what was detected, and not clip_ok.
    await expect.poll(() => page.getByTestId('alignment-review').isVisible(), { timeout: JOB_WAIT_MS }).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { sawAlignmentProgress: boolean }).sawAlignmentProgress)).toBe(true);
    expect(await callApi<MetricResultRow[]>(web, 'metrics.results', { projectDir })).toEqual([]);
    const flagged = page.getByTestId('alignment-flagged');
    await expect.poll(() => flagged.count()).toBe(1);
    expect(await flagged.getAttribute('data-name')).toBe('clip_late');
    expect(await flagged.getAttribute('data-offset')).toBe('3');
    expect(await flagged.textContent()).toContain('offset +3');
    expect(await flagged.textContent()).toMatch(/confidence \d\.\d\d/);
    expect(await page.getByTestId('alignment-unchecked').count()).toBe(0);
    expect(await page.getByTestId('alignment-review').textContent()).toContain('1 of 2 video pairs in step');
    // The fix is the run's alignment policy with the detected values filled in.
    expect(await page.getByTestId('alignment-skip-ref').inputValue()).toBe('3');
    expect(await page.getByTestId('alignment-skip-dist').inputValue()).toBe('0');
    expect(await page.getByTestId('alignment-fix-text').textContent()).toBe('skip 3 reference frames · truncate to the shorter');
    expect(await page.getByTestId('alignment-compute-fixed').isDisabled()).toBe(true);
    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-alignment-review.png') });

    // Computed anyway, as set: clip_late is compared out of step.
    await page.getByTestId('alignment-compute-anyway').click();
    await expect.poll(() => page.getByTestId('compute-dialog').count()).toBe(0);
    await waitForMetricsJobs(projectDir, 1);
    const asIs = await psnrY(projectDir);
    expect(Object.keys(asIs).sort()).toEqual(['clip_late', 'clip_ok']);

    // Again, with the fix: the review comes back (the reports are kept), the fix applies to all flagged pairs.
    await page.getByTestId('compute-open').click();
    await expect.poll(() => page.getByTestId('metric-check-psnr-y').isChecked()).toBe(true);
    await page.getByTestId('compute-submit').click();
    await expect.poll(() => page.getByTestId('alignment-review').isVisible(), { timeout: JOB_WAIT_MS }).toBe(true);
    await page.getByTestId('alignment-apply-all').click();
    expect(await page.getByTestId('alignment-apply').isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('alignment-compute-fixed').textContent()).toBe('Compute with 1 fix');
    await page.getByTestId('alignment-compute-fixed').click();
    await expect.poll(() => page.getByTestId('compute-dialog').count()).toBe(0);
    // The form's run for clip_ok (already stored: skipped) and the fix's run for clip_late.
    await waitForMetricsJobs(projectDir, 3);
    const fixed = await psnrY(projectDir);
    expect(fixed.clip_ok).toBe(asIs.clip_ok);
    expect(fixed.clip_late, `PSNR-Y of clip_late: as is ${asIs.clip_late} dB, fixed ${fixed.clip_late} dB`).toBeGreaterThan(asIs.clip_late! + 5);
    // Fixed, it compares as well as the aligned pair encoded the same way.
    expect(Math.abs(fixed.clip_late! - fixed.clip_ok!)).toBeLessThan(3);
    const rows = await callApi<MetricResultRow[]>(web, 'metrics.results', { projectDir });
    expect(rows.find((r) => r.stimulus === 'clip_late')!.decoder).toContain('trim=start_frame=3');
    expect(consoleErrors).toEqual([]);
  });
});
