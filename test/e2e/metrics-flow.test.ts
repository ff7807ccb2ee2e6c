import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createProjectInUi, JOB_WAIT_MS, launchChromium, openApp, startWeb, type WebServer } from '../helpers/browser';
import { makeStudyFolder, REPO_ROOT, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  tmp = tempDir('e2e-metrics');
  makeStudyFolder(join(tmp.dir, 'media'));
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata') });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

/** The results table as data: name and raw value per metric column. */
const resultRows = (page: Page) =>
  page.getByTestId('result-row').evaluateAll((trs) =>
    trs.map((tr) => ({
      name: tr.getAttribute('data-name')!,
      values: Object.fromEntries(
        [...tr.querySelectorAll('[data-testid=result-cell]')].map((td) => [td.getAttribute('data-metric'), td.getAttribute('data-value')]),
      ) as Record<string, string>,
      text: [...tr.querySelectorAll('[data-testid=result-cell]')].map((td) => td.textContent!.trim()),
    })),
  );

describe('computing metrics in headless Chromium against npm run web', () => {
  it('imports a folder, computes PSNR and SSIM-Y for the 6 pairs, shows them in Results, and keeps them after a reload', async () => {
    const { page, consoleErrors } = await openApp(context, web.url);

    await createProjectInUi(page, join(tmp.dir, 'study'), 'Metrics study');

    await page.getByTestId('import-source').fill(join(tmp.dir, 'media'));
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-report').textContent(), { timeout: JOB_WAIT_MS }).toContain('9 added');
    await expect.poll(() => page.getByTestId('stimulus-row').count()).toBe(9);

    // The dialog lists the registry's metrics, with parameters once a metric is chosen.
    await page.getByTestId('compute-open').click();
    await expect.poll(() => page.getByTestId('compute-dialog').isVisible()).toBe(true);
    await expect.poll(() => page.locator('[data-testid^=metric-check-]').count()).toBeGreaterThanOrEqual(5);
    expect(await page.getByTestId('compute-submit').isDisabled()).toBe(true);
    // No model is installed in this user data folder: LPIPS says so and blocks the run until unchecked.
    await page.getByTestId('metric-check-lpips').check();
    await expect.poll(() => page.getByTestId('model-state-lpips').getAttribute('data-state')).toBe('missing');
    expect(await page.getByTestId('model-state-lpips').textContent()).toContain('lpips-alex');
    expect(await page.getByTestId('compute-problem').textContent()).toContain('needs the model lpips-alex, which is not installed');
    expect(await page.getByTestId('compute-submit').isDisabled()).toBe(true);
    await page.getByTestId('metric-check-lpips').uncheck();
    await page.getByTestId('metric-check-psnr').check();
    await page.getByTestId('metric-check-ssim-y').check();
    expect(await page.getByTestId('param-ssim-y-variant').inputValue()).toBe('wang');
    expect(await page.getByTestId('pooling').inputValue()).toBe('mean');
    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-compute-dialog.png') });
    await page.getByTestId('compute-submit').click();
    await expect.poll(() => page.getByTestId('compute-dialog').count()).toBe(0);

    // The job runs in the jobs panel; its report says what it did.
    await expect
      .poll(() => page.getByTestId('metrics-report-summary').textContent(), { timeout: JOB_WAIT_MS })
      .toMatch(/6 computed · 0 already stored · 0 failed/);

    await page.getByTestId('tab-results').click();
    await expect.poll(() => page.getByTestId('result-row').count()).toBe(6);
    const headers = await page.getByTestId('result-col').allTextContents();
    expect(headers.map((h) => h.replace(/\s+/g, ' ').trim())).toEqual(['PSNR ↑ dB', 'SSIM-Y ↑']);

    const rows = await resultRows(page);
    expect(rows.map((r) => r.name).sort()).toEqual(['src01_blur', 'src01_noise', 'src02_blur', 'src02_noise', 'src03_blur', 'src03_x264']);
    for (const r of rows) {
      expect(Number.isFinite(Number(r.values.psnr)), `${r.name} psnr ${r.values.psnr}`).toBe(true);
      expect(Number.isFinite(Number(r.values['ssim-y'])), `${r.name} ssim-y ${r.values['ssim-y']}`).toBe(true);
      expect(Number(r.values['ssim-y'])).toBeGreaterThan(0);
      expect(Number(r.values['ssim-y'])).toBeLessThanOrEqual(1);
      expect(r.text[0]).toMatch(/^\d+\.\d\d$/); // PSNR: 2 decimals
      expect(r.text[1]).toMatch(/^\d\.\d{4}$/); // SSIM: 4 decimals
    }
    for (const r of rows.filter((x) => x.name.includes('blur'))) {
      expect(Number(r.values.psnr)).toBeGreaterThan(10);
      expect(Number(r.values.psnr)).toBeLessThan(60);
    }

    // Sorting by a metric column, and the shared search box.
    await page.getByTestId('result-col').first().locator('button').click();
    const psnrColumn = async () => (await resultRows(page)).map((r) => Number(r.values.psnr));
    await expect.poll(async () => { const v = await psnrColumn(); return v.every((x, i) => i === 0 || v[i - 1]! <= x); }).toBe(true);
    expect((await psnrColumn()).length).toBe(6);
    await page.getByTestId('search').fill('blur');
    await expect.poll(() => page.getByTestId('result-row').count()).toBe(3);
    await page.getByTestId('search').fill('');
    await expect.poll(() => page.getByTestId('result-row').count()).toBe(6);

    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-results.png'), fullPage: true });

    await page.reload();
    await page.getByTestId('tab-results').click();
    await expect.poll(() => page.getByTestId('result-row').count()).toBe(6);
    expect((await resultRows(page)).map((r) => r.values).sort((a, b) => a.psnr!.localeCompare(b.psnr!))).toEqual(
      rows.map((r) => r.values).sort((a, b) => a.psnr!.localeCompare(b.psnr!)),
    );
    expect(consoleErrors).toEqual([]);
  });
});
