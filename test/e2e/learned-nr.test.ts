/**
 * The Learned NR tab (issue 16) in headless Chromium against the built web host: a predictor trained on
 * a generated project with real blurred PNGs and ratings (AlexNet levels derived from the shared
 * LPIPS-AlexNet graph), its job's progress, its cross-validated statistics and scatter (one point per
 * rated stimulus), export, import under another name, apply (its values reach Results), delete, and a
 * project with too few rated stimuli refused in one line beside the form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { MetricResultRow } from '../../src-main/common/domain';
import type { NrPredictorSummary } from '../../src-main/common/nr-predictor';
import { callApi, JOB_WAIT_MS, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { makePng, REPO_ROOT, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';
import { writeSyntheticAnalysisProject } from '../helpers/synthetic-analysis-project';

const haveModels = sharedData('models');

/** 4 contents × (a reference and 3 blurs): 16 rated stimuli, MOS falling with the blur. */
const CONTENTS = 4;
const BLURS = [
  { name: 'b1', sigma: 0.8, mos: 4.1 },
  { name: 'b2', sigma: 2, mos: 3.2 },
  { name: 'b4', sigma: 4, mos: 2.1 },
];
const OFFSETS = [-0.3, 0, 0.2];
const STIMULI = CONTENTS * (BLURS.length + 1);

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  tmp = tempDir('e2e-nr');
  // The shared folder is read-only: the derived level graph goes under the user-data folder.
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: SHARED_DIRS.models, IQA_ONNX_PROVIDERS: 'cpu' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp?.cleanup();
});

const call = <T>(name: string, input: unknown): Promise<T> => callApi<T>(web, name, input);

describe.runIf(haveModels)('the Learned NR tab in headless Chromium', () => {
  it('trains a predictor, shows its cross-validation, exports, imports, applies and deletes it', async () => {
    const media = join(tmp.dir, 'media');
    const rows = ['participant,stimulus,score'];
    for (let c = 0; c < CONTENTS; c++) {
      const src = `src${c + 1}`;
      makePng(join(media, `${src}.png`), c, '96x64');
      OFFSETS.forEach((o, p) => rows.push(`p${p},${src},${(4.7 + o / 2).toFixed(2)}`));
      for (const b of BLURS) {
        makePng(join(media, `${src}_${b.name}.png`), c, '96x64', `gblur=sigma=${b.sigma}`);
        OFFSETS.forEach((o, p) => rows.push(`p${p},${src}_${b.name},${(b.mos + o).toFixed(2)}`));
      }
    }
    writeFileSync(join(tmp.dir, 'ratings.csv'), rows.join('\n') + '\n');
    const projectDir = join(tmp.dir, 'project');
    await call('projects.create', { dir: projectDir, name: 'Learned NR' });
    const { jobId } = await call<{ jobId: string }>('import.start', { projectDir, source: media });
    await waitForJob(web, jobId);
    await call('ratings.import', { projectDir, csv: join(tmp.dir, 'ratings.csv'), study: 'blur', method: 'ACR', scale: { min: 1, max: 5 } });

    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
    const { page, consoleErrors } = await openApp(context, web.url);
    await page.getByTestId('open-dir').fill(projectDir);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('tab-nr').click();
    await expect.poll(() => page.getByTestId('nr-empty').count()).toBe(1);

    await page.getByTestId('nr-name').fill('blur');
    await page.getByTestId('nr-folds').fill('3');
    // The job's progress bar may come and go between two polls: an observer in the page records the
    // largest step count it showed (0 until the job has counted its steps).
    await page.evaluate(() => {
      const w = window as unknown as { nrProgressSeen: number };
      w.nrProgressSeen = -1;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid=nr-progress]');
        if (bar) w.nrProgressSeen = Math.max(w.nrProgressSeen, Number(bar.getAttribute('data-total')));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId('nr-train').click();
    await expect.poll(() => page.locator('[data-testid=nr-row][data-name=blur]').count(), { timeout: JOB_WAIT_MS }).toBe(1);
    expect(await page.getByTestId('nr-train-error').count()).toBe(0);
    await expect.poll(() => page.getByTestId('nr-progress').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { nrProgressSeen: number }).nrProgressSeen)).toBeGreaterThan(0);

    const listed = (await call<NrPredictorSummary[]>('nr.list', { projectDir }))[0]!;
    expect(listed.stimuli).toBe(STIMULI);
    const row = page.locator('[data-testid=nr-row][data-name=blur]');
    const srocc = row.locator('[data-testid=nr-stat][data-stat=SROCC]');
    expect(await srocc.textContent()).toContain(listed.cv.srocc!.toFixed(3));
    // Bootstrap intervals beside each statistic.
    expect(await srocc.textContent()).toMatch(/\[-?\d\.\d{3}, -?\d\.\d{3}\]/);
    expect(await row.locator('[data-testid=nr-stat][data-stat=RMSE]').textContent()).toContain(listed.cv.rmse!.toFixed(3));

    await expect.poll(() => page.locator('[data-testid=nr-detail][data-name=blur]').count()).toBe(1);
    expect(await page.getByTestId('nr-scatter').getAttribute('data-points')).toBe(String(STIMULI));
    expect(await page.getByTestId('nr-scatter-canvas').isVisible()).toBe(true);
    expect(await page.getByTestId('nr-detail-stats').textContent()).toContain(`n = ${STIMULI}`);
    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'learned-nr.png'), fullPage: true });

    // Export: the contract's JSON file as a download; imported back from its path under another name.
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('nr-export').click()]);
    expect(download.suggestedFilename()).toBe('nr-blur.json');
    const file = join(tmp.dir, 'nr-blur.json');
    await download.saveAs(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'iqa-nr-predictor', version: 1 });
    await page.getByTestId('nr-import-path').fill(file);
    await page.getByTestId('nr-import-as').fill('blur-copy');
    await page.getByTestId('nr-import').click();
    await expect.poll(() => page.locator('[data-testid=nr-row][data-name=blur-copy]').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid=nr-detail][data-name=blur-copy]').count()).toBe(1);
    // Importing the same file under its own name again is refused in one line.
    await page.getByTestId('nr-import-path').fill(file);
    await page.getByTestId('nr-import').click();
    await expect.poll(() => page.getByTestId('nr-error').count()).toBe(1);
    expect(await page.getByTestId('nr-error').textContent()).toMatch(/exists/);

    // Apply: the metric nr:blur on every stimulus through a metrics run, its values in Results.
    await row.getByTestId('nr-apply').click();
    await expect.poll(() => row.getByTestId('nr-apply-state').getAttribute('data-state'), { timeout: JOB_WAIT_MS }).toBe('done');
    expect(await row.getByTestId('nr-apply-state').textContent()).toContain(`${STIMULI} computed`);
    const stored = (await call<MetricResultRow[]>('metrics.results', { projectDir })).filter((r) => r.metricId === 'nr:blur');
    expect(stored).toHaveLength(STIMULI);
    await page.getByTestId('tab-results').click();
    const cells = page.locator('[data-testid=result-cell][data-metric="nr:blur"]:not(.missing)');
    await expect.poll(() => cells.count()).toBe(STIMULI);
    const one = stored[0]!;
    expect(Number(await page.locator(`[data-testid=result-row][data-name="${one.stimulus}"] [data-testid=result-cell][data-metric="nr:blur"]`).getAttribute('data-value'))).toBe(Number(one.value));

    // Delete (after the confirmation): the copy is gone from the list and the project.
    await page.getByTestId('tab-nr').click();
    page.once('dialog', (d) => void d.accept());
    await page.locator('[data-testid=nr-row][data-name=blur-copy]').getByTestId('nr-delete').click();
    await expect.poll(() => page.locator('[data-testid=nr-row][data-name=blur-copy]').count()).toBe(0);
    expect((await call<NrPredictorSummary[]>('nr.list', { projectDir })).map((p) => p.name)).toEqual(['blur']);

    // The one refusal asked for above (the import of a name in use, E_EXISTS).
    expect(consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)']);
    await context.close();
  });

  it('a project with fewer than 10 rated stimuli: the training fails in one line beside the form', async () => {
    const small = join(tmp.dir, 'small');
    writeSyntheticAnalysisProject(small, { contents: 3, perContent: 3, observers: 3, metrics: [] });
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const { page, consoleErrors } = await openApp(context, web.url);
    await page.getByTestId('open-dir').fill(small);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('tab-nr').click();
    await expect.poll(() => page.getByTestId('nr-empty').count()).toBe(1);
    await page.getByTestId('nr-name').fill('few');
    await page.getByTestId('nr-train').click();
    await expect.poll(() => page.getByTestId('nr-train-error').count(), { timeout: JOB_WAIT_MS }).toBe(1);
    const text = (await page.getByTestId('nr-train-error').textContent())!.trim();
    expect(text).toMatch(/at least 10 rated stimuli/);
    expect(text.split('\n')).toHaveLength(1);
    expect(await page.getByTestId('nr-row').count()).toBe(0);
    expect(await call<NrPredictorSummary[]>('nr.list', { projectDir: small })).toEqual([]);
    // The generated project has rows but no media files: the Stimuli tab's thumbnails are refused (422).
    expect(consoleErrors.filter((e) => !e.includes('status of 422'))).toEqual([]);
    await context.close();
  });
});
