import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createProjectInUi, JOB_WAIT_MS, launchChromium, openApp, startWeb, type WebServer } from '../helpers/browser';
import { makePng, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  tmp = tempDir('e2e-unpaired');
  // A flat folder paired by name prefix, and one distorted file whose reference is not there.
  const media = join(tmp.dir, 'images');
  makePng(join(media, 'img01.png'), 1);
  makePng(join(media, 'img01_blur.png'), 1, '64x48', 'gblur=sigma=2');
  makePng(join(media, 'orphan_blur.png'), 2, '64x48', 'gblur=sigma=2');
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata') });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

describe('the import report in the UI', () => {
  it('counts a distorted file without a reference as a problem and says why, beside the form', async () => {
    const context = await browser.newContext();
    const { page, consoleErrors } = await openApp(context, web.url);
    await createProjectInUi(page, join(tmp.dir, 'study'), 'Unpaired');
    await page.getByTestId('import-source').fill(join(tmp.dir, 'images'));
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-report').textContent(), { timeout: JOB_WAIT_MS }).toContain('3 added, 0 updated, 0 unchanged, 1 problem(s)');
    const unpaired = page.getByTestId('import-unpaired');
    expect(await unpaired.count()).toBe(1);
    const line = (await unpaired.textContent()) ?? '';
    expect(line).toContain('orphan_blur.png');
    expect(line.split(': ').slice(1).join(': ').trim().length, 'a reason after the file').toBeGreaterThan(10);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
