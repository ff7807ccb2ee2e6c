import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { createProjectInUi, JOB_WAIT_MS, launchChromium, openApp, startWeb, type WebServer } from '../helpers/browser';
import { REPO_ROOT, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const MODEL_DIR = SHARED_DIRS.models;
const haveModels = sharedData('models');

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  tmp = tempDir('e2e-models');
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: MODEL_DIR, IQA_ONNX_PROVIDERS: 'cpu' });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp?.cleanup();
});

describe.runIf(haveModels)('the Models page in headless Chromium against npm run web', () => {
  it('lists the models, verifies lpips-alex on the CPU, and shows an install error inline', async () => {
    // The host answers an engine error with its HTTP status (E_NOT_FOUND → 404), which Chromium also logs.
    const { page, consoleErrors } = await openApp(context, web.url);
    const failedRequests: string[] = [];
    page.on('response', (r) => r.status() >= 400 && failedRequests.push(new URL(r.url()).pathname));

    // reachable from the header on the projects screen
    await page.getByTestId('nav-models').click();
    await expect.poll(() => page.getByTestId('models-dir').textContent()).toBe(MODEL_DIR);
    const row = (id: string) => page.locator(`[data-testid=model-row][data-id="${id}"]`);
    const detail = (id: string) => page.locator(`[data-testid=model-detail][data-id="${id}"]`);

    expect(await row('lpips-alex').getAttribute('data-state')).toBe('installed');
    expect(await row('lpips-alex').getByTestId('model-state').textContent()).toBe('installed');
    expect(await row('lpips-alex').getByTestId('model-metrics').textContent()).toContain('LPIPS');
    expect(await row('lpips-alex').getByTestId('model-sha').textContent()).toBe('20f235b98cf6');
    expect(await row('lpips-alex').getByTestId('model-licence').textContent()).toBe('redistributable');
    expect(await row('cnniqa-live').getByTestId('model-licence').textContent()).toBe('internal use only');
    expect(await row('nima-arch').getByTestId('model-comparable').textContent()).toBe('random weights — not comparable');
    // every supported model has a row
    expect(await page.getByTestId('model-row').count()).toBeGreaterThanOrEqual(13);

    expect(await row('fid-inception').getAttribute('data-state')).toBe('missing');
    expect(await row('fid-inception').getByTestId('model-state').textContent()).toBe('missing');
    expect(await row('fid-inception').getByTestId('model-verify').count()).toBe(0);
    const howto = await detail('fid-inception').getByTestId('model-howto').textContent();
    expect(howto).toContain('fid_inception_v3.onnx');
    expect(howto).toContain('iqa models install');

    // verify one model: a job, then per-probe results in its row
    await row('lpips-alex').getByTestId('model-verify').click();
    await expect.poll(() => row('lpips-alex').getByTestId('verification-summary').textContent(), { timeout: JOB_WAIT_MS }).toContain('passed');
    expect(await row('lpips-alex').getByTestId('verification-summary').textContent()).toContain('cpu');
    // progress and outcome in the jobs panel
    const job = page.getByTestId('job').filter({ hasText: 'Verify model lpips-alex' });
    await expect.poll(() => job.getByTestId('job-outcome').textContent()).toBe('1 passed · 0 failed');
    expect(await job.textContent()).toContain('1/1 models');
    const verified = detail('lpips-alex').getByTestId('verification-detail');
    expect(await verified.getByTestId('verification-provider').textContent()).toBe('cpu');
    const probes = verified.getByTestId('probe-row');
    expect(await probes.count()).toBeGreaterThanOrEqual(2);
    expect(await probes.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-pass')))).not.toContain('false');
    expect(await verified.getByTestId('probe-result').allTextContents()).toContain('pass');
    expect(await verified.textContent()).toContain('≤ 1e-5');

    // installing a file that is not there: the engine's message, inline
    const nowhere = join(tmp.dir, 'nowhere', 'lpips_alex_v0.1.onnx');
    await page.getByTestId('install-file').fill(nowhere);
    await page.getByTestId('install-submit').click();
    await expect.poll(() => page.getByTestId('install-error').textContent()).toContain(`${nowhere} does not exist or is not a file`);
    expect(await page.getByTestId('install-result').count()).toBe(0);

    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-models.png'), fullPage: true });

    // the page survives a reload, and leads back to the projects screen
    await page.reload();
    await expect.poll(() => page.getByTestId('models-dir').textContent()).toBe(MODEL_DIR);
    await page.getByTestId('models-back').click();
    await expect.poll(() => page.getByTestId('create-dir').count()).toBe(1);

    // with a project open, the header reaches it too, and the way back returns to the project
    await createProjectInUi(page, join(tmp.dir, 'study'), 'Model study');
    await page.getByTestId('nav-models').click();
    await expect.poll(() => row('lpips-alex').getAttribute('data-state')).toBe('installed');
    expect(await page.getByTestId('models-back').textContent()).toContain('Back to Model study');
    await page.getByTestId('models-back').click();
    await expect.poll(() => page.getByTestId('tab-stimuli').count()).toBe(1);
    expect(failedRequests).toEqual(['/api/models.install']);
    expect(consoleErrors.filter((t) => !t.startsWith('Failed to load resource'))).toEqual([]);
    expect(consoleErrors.length).toBeLessThanOrEqual(1);
  });
});
