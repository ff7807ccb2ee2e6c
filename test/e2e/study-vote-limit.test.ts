import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { callApi, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { makePng, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let browser: Browser;
let web: WebServer | undefined;

beforeAll(async () => {
  tmp = tempDir('e2e-study-vote-limit');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

/** The trial number of the voting screen now up, or null. */
const votingTrial = (page: Page) =>
  page.getByTestId('participant-screen').evaluate((el) => (el.getAttribute('data-step') === 'vote' ? el.querySelector('[data-testid=participant-vote]')?.getAttribute('data-trial') ?? null : null));

describe('the voting time limit on the participant page', () => {
  it('records a trial left unanswered past the limit as timed out, with no rating, and goes on to the next', async () => {
    const media = join(tmp.dir, 'media');
    for (const [i, c] of ['c1', 'c2', 'c3'].entries()) makePng(join(media, `${c}_blur.png`), i, '64x48', 'gblur=sigma=2');
    const projectDir = join(tmp.dir, 'limit');
    web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') });
    await callApi(web, 'projects.create', { dir: projectDir, name: 'Limit' });
    const { jobId } = await callApi<{ jobId: string }>(web, 'import.start', { projectDir, source: media, options: { recursive: true } });
    await waitForJob(web, jobId);
    const limitMs = 3000;
    const { studyId } = await callApi<{ studyId: number }>(web, 'studies.create', { projectDir, name: 'limit', method: 'ACR', stimuli: {}, seed: 1, timing: { imageMs: 300, greyMs: 100, voteLimitMs: limitMs } });

    const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    const { page, consoleErrors } = await openApp(context, web.url);
    await page.getByTestId('open-dir').fill(projectDir);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('tab-study').click();
    await page.locator('[data-testid=study-card][data-study="limit"]').getByTestId('study-run').click();
    await page.getByTestId('participant-code').fill('L1');
    await page.getByTestId('participant-enrol').click();
    await expect.poll(() => page.getByTestId('participant-vote-limit').textContent()).toContain('3 s');
    await page.keyboard.press('Enter');
    // Trial 1 answered in time; trial 2 left alone until the limit; trial 3 answered.
    await expect.poll(() => votingTrial(page)).toBe('0');
    await page.keyboard.press('4');
    await expect.poll(() => votingTrial(page)).toBe('1');
    const shownAt = Date.now();
    await expect.poll(() => votingTrial(page)).toBe('2');
    expect(Date.now() - shownAt).toBeGreaterThanOrEqual(limitMs - 100);
    await page.keyboard.press('2');
    await expect.poll(() => page.getByTestId('participant-end').count()).toBe(1);

    const doc = JSON.parse((await callApi<{ content: string }>(web, 'studies.export', { projectDir, studyId, format: 'json' })).content) as { ratings: { idx: number; value: number }[] };
    expect(doc.ratings.map((r) => [r.idx, r.value])).toEqual([[0, 4], [2, 2]]);
    const progress = await callApi<{ participants: { answered: number; timedOut: number; total: number; state: string }[] }>(web, 'studies.progress', { projectDir, studyId });
    expect(progress.participants).toEqual([expect.objectContaining({ answered: 3, timedOut: 1, total: 3, state: 'finished' })]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
