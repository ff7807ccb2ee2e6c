/**
 * LAN mode in headless Chromium (docs/lan.md): the researcher turns it on in the Study tab, a
 * participant's browser (a context of its own, sharing nothing with the researcher's page) opens the
 * link and answers the study by keyboard, and turning it off closes the link. The listener is bound to
 * 127.0.0.1, the one interface a test may use: no traffic leaves this machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { callApi, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { makePng, REPO_ROOT, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let browser: Browser;
let web: WebServer | null = null;

beforeAll(async () => {
  tmp = tempDir('e2e-lan');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

const screenState = (page: Page) =>
  page.getByTestId('participant-screen').evaluate((el) => ({
    phase: el.getAttribute('data-phase'),
    step: el.getAttribute('data-step'),
    trial: el.querySelector('[data-testid=participant-vote]')?.getAttribute('data-trial') ?? null,
  }));

describe('LAN mode in headless Chromium against npm run web', () => {
  it('turns on in the Study tab, serves the participant page at its link, records the answers given there, and closes the link when turned off', async () => {
    const media = join(tmp.dir, 'media');
    for (const [i, name] of ['c1', 'c2'].entries()) {
      makePng(join(media, 'ref', `${name}.png`), i);
      makePng(join(media, 'dist', `${name}_blur.png`), i, '64x48', 'gblur=sigma=2');
    }
    web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') });
    const projectDir = join(tmp.dir, 'project');
    await callApi(web, 'projects.create', { dir: projectDir, name: 'LAN study' });
    const { jobId } = await callApi<{ jobId: string }>(web, 'import.start', { projectDir, source: media });
    await waitForJob(web, jobId);
    const { studyId } = await callApi<{ studyId: number }>(web, 'studies.create', { projectDir, name: 'LAN e2e', method: 'ACR', seed: 4, timing: { imageMs: 300, greyMs: 200 } });

    // The researcher: the study's LAN panel, off by default; on, bound to 127.0.0.1.
    const researcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, consoleErrors } = await openApp(researcher, web.url);
    await page.getByTestId('open-dir').fill(projectDir);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('tab-study').click();
    const card = page.locator('[data-testid=study-card][data-study="LAN e2e"]');
    const panel = card.getByTestId('study-lan');
    await expect.poll(() => panel.getAttribute('data-on')).toBe('false');
    await panel.getByTestId('study-lan-interface').selectOption('127.0.0.1');
    await panel.getByTestId('study-lan-start').click();
    await expect.poll(() => panel.getAttribute('data-on')).toBe('true');
    const link = (await panel.getByTestId('study-lan-url').textContent())!.trim();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/p\/[A-Za-z0-9_-]{43}\/$/);
    expect(await panel.getByTestId('study-lan-qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await card.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-lan-panel.png') });

    // The participant: another browser profile, only the link.
    const participant = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const { page: p, consoleErrors: participantErrors } = await openApp(participant, link);
    await p.getByTestId('participant-code').fill('L01');
    await p.getByTestId('participant-enrol').click();
    await expect.poll(() => p.getByTestId('participant-instructions').count()).toBe(1);
    await p.getByTestId('participant-begin').click();
    const answered: number[] = [];
    while (answered.length < 2) {
      await expect.poll(async () => {
        const s = await screenState(p);
        return s.step === 'vote' && s.trial !== null && !answered.includes(Number(s.trial));
      }).toBe(true);
      answered.push(Number((await screenState(p)).trial));
      await p.keyboard.press(String(answered.length + 2));
    }
    await expect.poll(() => p.getByTestId('participant-end').count()).toBe(1);

    // The answers are in the project, and the researcher's page shows the session and its progress.
    const progress = await callApi<{ participants: { participant: string; answered: number; total: number; state: string }[] }>(web, 'studies.progress', { projectDir, studyId });
    expect(progress.participants).toEqual([expect.objectContaining({ participant: 'L01', answered: 2, total: 2, state: 'finished' })]);
    await expect.poll(() => card.locator('[data-testid=study-participant][data-code=L01]').getAttribute('data-answered')).toBe('2');
    await expect.poll(() => panel.textContent()).toMatch(/1 active session/);

    // The page reached nothing but its study: the app's own API is not on the LAN listener.
    const origin = new URL(link).origin;
    const refused = await p.evaluate(async (o) => (await fetch(`${o}/api/projects.recent`, { method: 'POST', body: '{}' })).status, origin);
    expect(refused).toBe(404);

    // Off: the link no longer answers.
    await panel.getByTestId('study-lan-stop').click();
    await expect.poll(() => panel.getAttribute('data-on')).toBe('false');
    const gone = await p.evaluate(async (u) => fetch(u).then((r) => r.status, () => 'refused'), link);
    expect(gone).toBe('refused');
    // The console's only errors are those two probes' (a 404, a refused connection).
    expect(participantErrors.filter((e) => !/status of 404|ERR_CONNECTION_REFUSED/.test(e)), participantErrors.join('\n')).toEqual([]);
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
    await participant.close();
    await researcher.close();
  });
});
