import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { createProjectInUi, JOB_WAIT_MS, launchChromium, openApp, startWeb, type WebServer } from '../helpers/browser';
import { makeStudyFolder, REPO_ROOT, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;
let context: BrowserContext; // one profile for both tests: the second reopens the last project

beforeAll(async () => {
  tmp = tempDir('e2e');
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

describe('the UI in headless Chromium against npm run web', () => {
  it('creates a project, imports a folder, shows 9 paired rows, and keeps them after a reload', async () => {
    const { page, consoleErrors } = await openApp(context, web.url);

    const projectDir = join(tmp.dir, 'study');
    await createProjectInUi(page, projectDir, 'Codec study');
    // Native "Browse…" dialogs exist only in the desktop app: in a browser the paths are typed.
    expect(await page.locator('button.browse').count()).toBe(0);

    await page.getByTestId('import-source').fill(join(tmp.dir, 'media'));
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('stimulus-row').count()).toBe(9);
    await expect.poll(() => page.getByTestId('import-report').textContent(), { timeout: JOB_WAIT_MS }).toContain('9 added');

    const rows = async () =>
      page.getByTestId('stimulus-row').evaluateAll((trs) =>
        trs.map((tr) => ({
          name: tr.getAttribute('data-name'),
          reference: tr.querySelector('[data-testid=cell-reference]')!.textContent,
          size: tr.querySelector('[data-testid=cell-size]')!.textContent,
        })),
      );
    const before = await rows();
    expect(before.every((r) => r.size === '96×64')).toBe(true);
    const pairs = { src01: ['src01_blur', 'src01_noise'], src02: ['src02_blur', 'src02_noise'], src03: ['src03_blur', 'src03_x264'] };
    for (const [src, dists] of Object.entries(pairs)) {
      expect(before.find((r) => r.name === src)!.reference).toBe('');
      for (const d of dists) expect(before.find((r) => r.name === d)!.reference).toBe(src);
    }
    // thumbnails arrive as data: URLs (allowed by the CSP)
    await expect.poll(() => page.locator('img.thumb').count()).toBe(9);

    await page.getByTestId('search').fill('blur');
    await expect.poll(() => page.getByTestId('stimulus-row').count()).toBe(3);
    await page.getByTestId('search').fill('');

    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-stimuli.png'), fullPage: true });

    await page.reload();
    await expect.poll(() => page.getByTestId('stimulus-row').count()).toBe(9);
    expect(await rows()).toEqual(before);
    expect(consoleErrors).toEqual([]);
  });

  it('shows one clear message per bad file and imports the rest', async () => {
    const page = await context.newPage();
    await page.goto(web.url);
    await expect.poll(() => page.getByTestId('stimulus-row').count()).toBe(9);
    const bad = join(tmp.dir, 'bad');
    mkdirSync(bad);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(bad, 'zero.mp4'), '');
    writeFileSync(join(bad, 'text.mp4'), 'not a video');
    await page.getByTestId('import-source').fill(bad);
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-issue').count(), { timeout: JOB_WAIT_MS }).toBe(2);
    const issues = await page.getByTestId('import-issue').allTextContents();
    expect(issues.some((t) => t.includes('zero.mp4') && t.includes('empty file (0 bytes)'))).toBe(true);
    expect(issues.some((t) => t.includes('text.mp4') && t.includes('not readable as media'))).toBe(true);
    expect(await page.getByTestId('stimulus-row').count()).toBe(9);
    // A source that does not exist: the reason is shown beside the import form.
    await page.getByTestId('import-source').fill(join(tmp.dir, 'no-such-folder'));
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-error').textContent()).toContain('no-such-folder: no such file or folder');
    expect(await page.getByTestId('stimulus-row').count()).toBe(9);
  });
});
