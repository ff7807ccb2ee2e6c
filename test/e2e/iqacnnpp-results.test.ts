/**
 * IQA-CNN++ in the Results tab (headless Chromium): values computed by the built CLI with the
 * random-weight graph show, in each IQA-CNN++ cell, the most likely distortion type the project stored
 * for that stimulus, with every type's probability in the cell's tooltip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { callApi, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { makePng, REPO_ROOT, tempDir } from '../helpers/media';
import { iqaAsync } from '../helpers/shard-project';
import type { MetricResultRow } from '../../src-main/common/domain';

let tmp: { dir: string; cleanup: () => void };
let browser: Browser;
let web: WebServer | null = null;

beforeAll(async () => {
  tmp = tempDir('e2e-iqacnnpp');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

describe('IQA-CNN++ in the Results tab', () => {
  it('shows the most likely distortion type the project stored for each stimulus', async () => {
    const media = join(tmp.dir, 'media');
    for (const [i, name] of ['a', 'b'].entries()) {
      makePng(join(media, 'ref', `${name}.png`), i, '96x64');
      makePng(join(media, 'dist', `${name}_noise.png`), i, '96x64', 'noise=alls=30:allf=u');
    }
    const env = { IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models'), IQA_ONNX_PROVIDERS: 'cpu' };
    const installed = await iqaAsync(['models', 'install', join(REPO_ROOT, 'models/iqacnnpp-arch/iqacnnpp_arch.onnx')], env);
    expect(installed.code, installed.stderr).toBe(0);
    web = await startWeb(env);
    const projectDir = join(tmp.dir, 'project');
    await callApi(web, 'projects.create', { dir: projectDir, name: 'Distortion types' });
    const { jobId } = await callApi<{ jobId: string }>(web, 'import.start', { projectDir, source: media });
    await waitForJob(web, jobId);
    const run = await iqaAsync(['run', projectDir, '--metrics', 'iqacnnpp', '--param', 'iqacnnpp.model=iqacnnpp-arch'], env);
    expect(run.code, run.stderr).toBe(0);

    const stored = (await callApi<MetricResultRow[]>(web, 'metrics.results', { projectDir })).filter((r) => r.metricId === 'iqacnnpp');
    expect(stored).toHaveLength(4);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, consoleErrors } = await openApp(context, web.url);
    await page.getByTestId('open-dir').fill(projectDir);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('tab-results').click();
    await expect.poll(() => page.getByTestId('result-distortion').count()).toBe(stored.length);
    for (const r of stored) {
      const top = r.summary?.distortion?.top;
      expect(top, r.stimulus).toBeDefined();
      const cell = page.locator(`[data-testid=result-row][data-name="${r.stimulus}"] [data-testid=result-cell][data-metric=iqacnnpp]`);
      expect(await cell.getByTestId('result-distortion').textContent(), r.stimulus).toBe(top);
      expect(await cell.getByTestId('result-distortion').getAttribute('title')).toMatch(/^distortion type \(mean of patch probabilities\): /);
      expect(Number(await cell.getAttribute('data-value')), r.stimulus).toBe(Number(r.value));
    }
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
