import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { callApi, createProjectInUi, JOB_WAIT_MS, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { makeStudyFolder, REPO_ROOT, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

// The shared model folder has the random-weight fid-inception-arch but not the real fid-inception.
const MODEL_DIR = SHARED_DIRS.models;
const haveModels = sharedData('models');

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;
let context: BrowserContext;
const shots = join(REPO_ROOT, '.test-tmp');

beforeAll(async () => {
  tmp = tempDir('e2e-sets');
  makeStudyFolder(join(tmp.dir, 'media'));
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: MODEL_DIR, IQA_ONNX_PROVIDERS: 'cpu' });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  mkdirSync(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp?.cleanup();
});

const call = <T>(name: string, input: unknown): Promise<T> => callApi<T>(web, name, input);

describe.runIf(haveModels)('the Sets tab in headless Chromium against npm run web', () => {
  it('runs FID and KID between project groups, shows the not-comparable warning, and an E_MODEL error inline', async () => {
    const { page, consoleErrors } = await openApp(context, web.url);

    const projectDir = join(tmp.dir, 'study');
    await createProjectInUi(page, projectDir, 'Sets study');
    // 3 references (2 images, 1 video) × 2 distortions, through the API; the page refreshes its stimuli.
    const { jobId } = await call<{ jobId: string }>('import.start', { projectDir, source: join(tmp.dir, 'media') });
    await waitForJob(web, jobId);
    await expect.poll(() => page.getByTestId('stimulus-row').count()).toBe(9);

    await page.getByTestId('tab-sets').click();
    await expect.poll(() => page.getByTestId('sets-page').isVisible()).toBe(true);
    expect(await page.getByTestId('sets-empty').isVisible()).toBe(true);

    // A: the references (the default group); B: the blurred distorted images.
    expect(await page.getByTestId('set-a-filter-role').inputValue()).toBe('reference');
    expect(await page.getByTestId('set-a-count').textContent()).toContain('A: 2 images where role = reference');
    expect(await page.getByTestId('set-a-left-out').textContent()).toMatch(/^1 more matching stimulus is not used/);
    const conditions = await page.getByTestId('set-b-filter-condition').locator('option').allTextContents();
    expect(conditions).toEqual(['any', 'blur', 'noise', 'x264']);
    await page.getByTestId('set-b-filter-condition').selectOption('blur');
    await expect.poll(() => page.getByTestId('set-b-count').textContent()).toContain('B: 2 images where role = distorted, condition = blur');

    // FID + KID with the random-weight network, labelled as such.
    expect(await page.getByTestId('sets-model').inputValue()).toBe('fid-inception');
    expect(await page.getByTestId('sets-metric-fid').isChecked()).toBe(true);
    await page.getByTestId('sets-metric-kid').check();
    await page.getByTestId('sets-model').selectOption('fid-inception-arch');
    expect(await page.getByTestId('sets-model-note').textContent()).toContain('random weights — pipeline test only, not comparable');
    expect(await page.getByTestId('sets-resize').inputValue()).toBe('pytorch-fid');
    await expect.poll(() => page.getByTestId('sets-model-state').textContent()).toContain('installed');
    await page.screenshot({ path: join(shots, 'e2e-sets-form.png'), fullPage: true });
    await page.getByTestId('sets-run').click();

    const first = page.getByTestId('sets-result').first();
    await expect.poll(() => first.getAttribute('data-state'), { timeout: JOB_WAIT_MS }).toBe('done');
    const fid = Number(await first.locator('[data-testid=sets-value][data-metric=fid]').getAttribute('data-value'));
    expect(Number.isFinite(fid), `FID ${fid}`).toBe(true);
    expect(fid).toBeGreaterThan(0);
    const kid = Number(await first.locator('[data-testid=sets-value][data-metric=kid]').getAttribute('data-value'));
    expect(Number.isFinite(kid), `KID ${kid}`).toBe(true);
    expect(await first.getByTestId('sets-not-comparable').textContent()).toContain('random weights');
    expect(await first.getByTestId('sets-comparable-no').isVisible()).toBe(true);
    expect(await first.getByTestId('sets-n').textContent()).toBe('nA = 2 · nB = 2 images');
    const warnings = await first.getByTestId('sets-warning').allTextContents();
    expect(warnings.some((w) => w.includes('fid-inception-arch is not comparable'))).toBe(true);
    expect(warnings.some((w) => w.includes('fewer than the feature dimension'))).toBe(true);
    expect(await first.getByTestId('sets-cache').textContent()).toMatch(/\d+ hits? · \d+ miss(es)? · \d+ computed/);
    expect(await first.textContent()).toContain('A: 2 images where role = reference');
    // the jobs panel says what the job did; the failure banner stays empty
    await expect.poll(() => page.getByTestId('job-outcome').first().textContent()).toMatch(/^FID \S+ · KID .* · 2 vs 2 images · not comparable/);
    await page.screenshot({ path: join(shots, 'e2e-sets-result.png'), fullPage: true });

    // The default (real) model is not installed: the error and how to install it, inline.
    await page.getByTestId('sets-model').selectOption('fid-inception');
    await page.getByTestId('sets-run').click();
    await expect.poll(() => page.getByTestId('sets-result').count()).toBe(2);
    await expect.poll(() => first.getAttribute('data-state'), { timeout: JOB_WAIT_MS }).toBe('failed');
    const error = first.getByTestId('sets-error');
    expect(await error.getAttribute('data-code')).toBe('E_MODEL');
    expect(await error.textContent()).toContain('model fid-inception is not installed');
    expect(await error.textContent()).toContain('iqa models install');
    expect(await page.getByTestId('error').count()).toBe(0);
    // the earlier result stays below, for comparison
    expect(await page.getByTestId('sets-result').nth(1).getAttribute('data-state')).toBe('done');
    await page.screenshot({ path: join(shots, 'e2e-sets-error.png'), fullPage: true });

    // A folder without images: E_INPUT, inline, naming the folder.
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    await page.getByTestId('sets-model').selectOption('fid-inception-arch');
    await page.locator('label', { has: page.getByTestId('set-b-source-folder') }).click();
    await page.getByTestId('set-b-folder').fill('relative/dir');
    await expect.poll(() => page.getByTestId('sets-problem').textContent()).toBe('Set B: the folder must be an absolute path.');
    await page.getByTestId('set-b-folder').fill(empty);
    await page.getByTestId('sets-run').click();
    await expect.poll(() => page.getByTestId('sets-result').count()).toBe(3);
    await expect.poll(() => first.getAttribute('data-state'), { timeout: JOB_WAIT_MS }).toBe('failed');
    expect(await first.getByTestId('sets-error').getAttribute('data-code')).toBe('E_INPUT');
    expect(await first.getByTestId('sets-error').textContent()).toContain(`no images in folder ${empty}`);
    expect(await first.getByTestId('sets-open-models').count()).toBe(0);
    await page.locator('label', { has: page.getByTestId('set-b-source-project') }).click();

    // A second finished run adds the comparison table.
    await page.getByTestId('sets-metric-is').check();
    await page.getByTestId('sets-run').click();
    await expect.poll(() => page.getByTestId('sets-compare-row').count()).toBe(2);
    expect(await first.locator('[data-testid=sets-value][data-metric=is]').getAttribute('data-value')).toMatch(/^\d/);
    await page.screenshot({ path: join(shots, 'e2e-sets-compare.png'), fullPage: true });

    // FVD between video sets: a project group against a folder, with the random-weight I3D.
    // (the segmented controls hide their radio buttons: a user clicks the label)
    const segment = (testid: string) => page.locator('label', { has: page.getByTestId(testid) }).click();
    await segment('sets-mode-videos');
    await page.getByTestId('set-a-filter-role').selectOption('distorted');
    await expect.poll(() => page.getByTestId('set-a-count').textContent()).toContain('A: 2 videos where role = distorted');
    await segment('set-b-source-folder');
    await page.getByTestId('set-b-folder').fill(join(tmp.dir, 'media', 'dist'));
    expect(await page.getByTestId('sets-fvd-model').inputValue()).toBe('i3d-kinetics400');
    await page.getByTestId('sets-fvd-model').selectOption('i3d-arch');
    expect(await page.getByTestId('sets-clip-length').inputValue()).toBe('16');
    expect(await page.getByTestId('sets-note').textContent()).toContain('Set A: 2 videos have fewer than the 16 frames a clip needs');
    await page.getByTestId('sets-clip-length').fill('9');
    await expect.poll(() => page.getByTestId('sets-problem').textContent()).toContain('Clip length');
    expect(await page.getByTestId('sets-run').isDisabled()).toBe(true);
    await page.getByTestId('sets-clip-length').fill('10');
    await expect.poll(() => page.getByTestId('sets-note').count()).toBe(0);
    await page.getByTestId('sets-run').click();
    await expect.poll(() => page.getByTestId('sets-result').count()).toBe(5);
    await expect.poll(() => first.getAttribute('data-state'), { timeout: JOB_WAIT_MS }).toBe('done');
    const fvd = Number(await first.locator('[data-testid=sets-value][data-metric=fvd]').getAttribute('data-value'));
    expect(Number.isFinite(fvd), `FVD ${fvd}`).toBe(true);
    expect(await first.getByTestId('sets-not-comparable').textContent()).toContain('not FVD values');
    expect(await first.getByTestId('sets-protocol').textContent()).toContain('10 frames from 0, stride 1');
    expect(await page.getByTestId('sets-compare-row').count()).toBe(3);
    await page.screenshot({ path: join(shots, 'e2e-sets-fvd.png'), fullPage: true });

    // The E_MODEL card opens the Models page.
    await page.locator('[data-testid=sets-error][data-code=E_MODEL]').getByTestId('sets-open-models').click();
    await expect.poll(() => page.getByTestId('models-page').isVisible()).toBe(true);
    await page.getByTestId('models-back').click();
    await expect.poll(() => page.getByTestId('sets-result').count()).toBe(5);
    expect(await page.getByTestId('tab-sets').textContent()).toBe('Sets 5');

    expect(consoleErrors).toEqual([]);
  });
});
