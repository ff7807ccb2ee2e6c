import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callApi, createProjectInUi, JOB_WAIT_MS, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { makePng, makeStudyFolder, REPO_ROOT, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  tmp = tempDir('e2e-objective');
  makeStudyFolder(join(tmp.dir, 'media'));
  // A pair that cannot be compared as it is (sizes differ, no scaler chosen): every pair of a run fails.
  makePng(join(tmp.dir, 'mismatch', 'ref', 'odd.png'), 1, '96x64');
  makePng(join(tmp.dir, 'mismatch', 'dist', 'odd_small.png'), 1, '64x48');
  mkdirSync(join(tmp.dir, 'models'));
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

const download = async (page: Page, testid: string): Promise<{ name: string; text: string }> => {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return { name: d.suggestedFilename(), text: readFileSync((await d.path())!, 'utf8') };
};

describe('objective-only work in the UI (no ratings)', () => {
  it('says how to get a valid link when the token is missing or wrong, and follows a corrected fragment without a reload', async () => {
    const own = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const origin = new URL(web.url).origin;
      const token = /token=([^&]+)/.exec(new URL(web.url).hash)![1]!;
      const { page } = await openApp(own, `${origin}/`);
      const auth = page.getByTestId('auth-page');
      await expect.poll(() => auth.getAttribute('data-problem')).toBe('missing');
      expect(await auth.textContent()).toContain('npm run web');
      expect(await page.getByTestId('create-dir').count()).toBe(0);
      await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

      await page.evaluate(() => (location.hash = '#token=not-the-token'));
      await expect.poll(() => auth.getAttribute('data-problem')).toBe('wrong');
      expect(await auth.textContent()).toContain('not the one of the running IQA Studio');

      await page.evaluate((t) => (location.hash = `#token=${t}`), token);
      await expect.poll(() => page.getByTestId('create-dir').count()).toBe(1);
      expect(await auth.count()).toBe(0);
      // No reload happened, and the token left the address bar.
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      expect(await page.evaluate(() => location.href)).not.toContain('token=');
    } finally {
      await own.close();
    }
  });

  it('exports results, opens a stimulus detail with provenance and per-frame curves, shows jobs of this project, and remembers the compute choices per project', async () => {
    const { page, consoleErrors } = await openApp(context, web.url);
    const studyDir = join(tmp.dir, 'study');
    await createProjectInUi(page, studyDir, 'Objective study');

    // A relative path: the reason, as a sentence, beside the import form.
    await page.getByTestId('import-source').fill('media/relative');
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-error').textContent()).toBe('The source must be an absolute path.');
    expect(await page.getByTestId('error').count()).toBe(0);

    await page.getByTestId('import-source').fill(join(tmp.dir, 'media'));
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-report').textContent(), { timeout: JOB_WAIT_MS }).toContain('9 added');
    expect(await page.getByTestId('import-error').count()).toBe(0);

    // The compute dialog: PSNR and SSIM-Y chosen here, remembered for this project.
    await page.getByTestId('compute-open').click();
    await page.getByTestId('metric-check-psnr').check();
    await page.getByTestId('metric-check-ssim-y').check();
    await page.getByTestId('compute-submit').click();
    await expect.poll(() => page.getByTestId('metrics-report-summary').textContent(), { timeout: JOB_WAIT_MS }).toMatch(/6 computed · 0 already stored · 0 failed/);

    // The jobs panel: this project's jobs, done, and a "clear finished" that empties it.
    const jobStates = () => page.getByTestId('job-state').allTextContents();
    await expect.poll(jobStates).toEqual(['done', 'done']);
    await page.getByTestId('jobs-clear').click();
    await expect.poll(() => page.getByTestId('job').count()).toBe(0);
    expect(await callApi<unknown[]>(web, 'jobs.list', {})).toEqual([]);

    // Results: the download is the file `iqa results` writes, with the alignment in its own columns.
    await page.getByTestId('tab-results').click();
    await expect.poll(() => page.getByTestId('result-row').count()).toBe(6);
    const csv = await download(page, 'results-export-csv');
    expect(csv.name).toBe('results.csv');
    expect(csv.text).toBe((await callApi<{ content: string }>(web, 'results.export', { projectDir: studyDir, format: 'csv' })).content);
    expect(csv.text.split('\n')[0]).toContain('decoder,align_scaler,align_skip_ref,align_skip_dist,align_truncated');
    expect(csv.text.split('\n').filter(Boolean)).toHaveLength(13);
    const json = await download(page, 'results-export-json');
    expect(json.name).toBe('results.json');
    expect((JSON.parse(json.text) as { results: { alignment: unknown }[] }).results[0]!.alignment).toEqual({ scaler: null, scaledTo: null, skipRef: 0, skipDist: 0, truncated: false });

    // A video row opens its detail: media, pairing, both values with provenance, a curve per metric.
    await page.locator('[data-testid=result-row][data-name=src03_blur]').click();
    const detail = page.getByTestId('stimulus-detail');
    await expect.poll(() => detail.isVisible()).toBe(true);
    expect(await detail.getByTestId('detail-media').textContent()).toContain('96×64');
    expect(await detail.getByTestId('detail-reference').textContent()).toBe('src03');
    expect(await detail.getByTestId('detail-value').count()).toBe(2);
    const provenance = await detail.getByTestId('detail-value').first().textContent();
    expect(provenance).toContain('psnr v');
    expect(provenance).toContain('compared as they are');
    expect(provenance).toContain('ffmpeg ');
    await expect.poll(() => detail.getByTestId('frames-curve').count()).toBe(2);
    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-stimulus-detail.png') });
    // The pairing links: the reference lists its distorted versions.
    await detail.getByTestId('detail-reference').click();
    await expect.poll(() => detail.getByTestId('detail-distorted').allTextContents()).toEqual(['src03_blur', 'src03_x264']);
    await detail.getByTestId('detail-close').click();
    await expect.poll(() => detail.count()).toBe(0);

    // A row of the Stimuli tab opens the same detail.
    await page.getByTestId('tab-stimuli').click();
    await page.locator('[data-testid=stimulus-row][data-name=src01_noise]').getByTestId('open-detail').click();
    await expect.poll(() => page.getByTestId('stimulus-detail').getByTestId('detail-value').count()).toBe(2);
    await page.getByTestId('detail-close').click();

    // A second project: the compute dialog starts fresh there (nothing carried from the first).
    await page.getByRole('button', { name: 'Close project' }).click();
    const otherDir = join(tmp.dir, 'other');
    await createProjectInUi(page, otherDir, 'Other study');
    await page.getByTestId('import-source').fill(join(tmp.dir, 'mismatch'));
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-report').textContent(), { timeout: JOB_WAIT_MS }).toContain('2 added');
    await page.getByTestId('compute-open').click();
    await expect.poll(() => page.getByTestId('metric-check-psnr').isVisible()).toBe(true);
    expect(await page.getByTestId('metric-check-psnr').isChecked()).toBe(false);
    expect(await page.getByTestId('metric-check-ssim-y').isChecked()).toBe(false);
    await page.getByTestId('metric-check-psnr').check();
    await page.getByTestId('compute-submit').click();
    // Its only pair cannot be compared as it is: the job failed, whatever it ran to the end.
    await expect.poll(() => page.getByTestId('metrics-report').getAttribute('data-shown'), { timeout: JOB_WAIT_MS }).toBe('failed');
    await expect.poll(jobStates).toEqual(['failed', 'done']);
    expect(await page.locator('[data-testid=job][data-state=failed] progress').count()).toBe(0);
    // Only this project's jobs: the first project's were cleared, and this one's are listed.
    expect(await page.getByTestId('job').count()).toBe(2);
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-jobs-failed.png') });

    // Back in the first project, its own choices come back.
    await page.getByRole('button', { name: 'Close project' }).click();
    await page.getByTestId('open-dir').fill(studyDir);
    await page.getByTestId('open-submit').click();
    await expect.poll(() => page.getByTestId('project-name').textContent()).toBe('Objective study');
    await expect.poll(() => page.getByTestId('job').count()).toBe(0);
    await page.getByTestId('compute-open').click();
    await expect.poll(() => page.getByTestId('metric-check-psnr').isVisible()).toBe(true);
    expect(await page.getByTestId('metric-check-psnr').isChecked()).toBe(true);
    expect(await page.getByTestId('metric-check-ssim-y').isChecked()).toBe(true);
    // The one console error is the browser's note on the refused import request (400), made on purpose above.
    expect(consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });

  it('keeps the jobs panel in view at the bottom of a long page', async () => {
    const { page } = await openApp(context, web.url);
    await expect.poll(() => page.getByTestId('jobs').isVisible()).toBe(true);
    const position = await page.getByTestId('jobs').evaluate((el) => getComputedStyle(el).position);
    expect(position).toBe('sticky');
  });
});
