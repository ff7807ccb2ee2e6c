/**
 * The pages before the trials in headless Chromium against `npm run web`: a study designed in the UI
 * with a consent text, a demographics form and a vision check; one participant agrees, fills both forms
 * and rates; another declines and is asked nothing more; the researcher records the viewing conditions
 * of a session in the progress table. Everything is read back from the engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ParticipantProgress } from '../../src-main/common/study';
import { callApi, createProjectInUi, JOB_WAIT_MS, launchChromium, openApp, startWeb, type WebServer } from '../helpers/browser';
import { makePng, REPO_ROOT, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let browser: Browser;
let web: WebServer | undefined;

beforeAll(async () => {
  tmp = tempDir('e2e-study-pages');
  browser = await launchChromium();
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') });
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

const phase = (page: Page) => page.getByTestId('participant-screen').getAttribute('data-phase');

describe('consent, demographics and vision check in headless Chromium', () => {
  it('are asked in order before the trials, stored once, shown to the researcher; a refusal ends the session; the session notes are saved', async () => {
    const media = join(tmp.dir, 'media');
    for (const [i, name] of ['c1', 'c2'].entries()) {
      makePng(join(media, 'ref', `${name}.png`), i);
      makePng(join(media, 'dist', `${name}_blur.png`), i, '64x48', 'gblur=sigma=2');
    }
    const projectDir = join(tmp.dir, 'pages');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, consoleErrors } = await openApp(context, web!.url);
    await createProjectInUi(page, projectDir, 'Pages study');
    await page.getByTestId('import-source').fill(media);
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-report').textContent(), { timeout: JOB_WAIT_MS }).toContain('4 added');

    await page.getByTestId('tab-study').click();
    await page.getByTestId('study-name').fill('With consent');
    await page.getByTestId('study-image-s').fill('0.3');
    await page.getByTestId('study-grey-s').fill('0.1');
    await page.getByTestId('study-pages').locator('summary').click();
    await page.getByTestId('study-consent').fill('I agree to take part in this study.\nMy answers are stored under a code.');
    // A malformed form spec is named before anything is sent.
    await page.getByTestId('study-demographics').fill('Age* (number); Glasses: yes');
    await expect.poll(() => page.getByTestId('study-form-problems').textContent()).toContain('a choice needs at least two options');
    await page.getByTestId('study-demographics').fill('Age* (number); Glasses: yes | no | contact lenses');
    await page.getByTestId('study-vision-check').check();
    await page.getByTestId('study-instructions').fill('Sit at the marked distance.');
    await page.getByTestId('study-create').click();
    const card = page.locator('[data-testid=study-card][data-study="With consent"]');
    await expect.poll(() => card.count()).toBe(1);
    const studyId = Number(await card.getAttribute('data-study-id'));

    // P01 agrees, answers the form, the experimenter records the vision check; then the instructions.
    await card.getByTestId('study-run').click();
    await page.getByTestId('participant-code').fill('P01');
    await page.getByTestId('participant-enrol').click();
    await expect.poll(() => phase(page)).toBe('consent');
    expect(await page.getByTestId('participant-consent-text').textContent()).toBe('I agree to take part in this study.\nMy answers are stored under a code.');
    await page.getByTestId('participant-consent-agree').click();
    await expect.poll(() => phase(page)).toBe('demographics');
    // Age is required: Continue stays off until it is given.
    expect(await page.getByTestId('participant-demographics-submit').isDisabled()).toBe(true);
    await page.getByTestId('demographic-age').fill('34');
    await page.getByTestId('demographic-glasses').selectOption('contact lenses');
    mkdirSync(join(REPO_ROOT, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.test-tmp', 'e2e-study-demographics.png') });
    await page.getByTestId('participant-demographics-submit').click();
    await expect.poll(() => phase(page)).toBe('vision');
    await page.getByTestId('vision-acuity').fill('6/6');
    await page.getByTestId('vision-colour').selectOption('normal');
    await page.getByTestId('vision-test').fill('Snellen, Ishihara');
    await page.getByTestId('participant-vision-submit').click();
    await expect.poll(() => phase(page)).toBe('instructions');
    expect(await page.getByTestId('participant-study-instructions').textContent()).toBe('Sit at the marked distance.');
    await page.getByTestId('participant-begin').click();
    for (let k = 0; k < 2; k++) {
      await expect.poll(() => page.getByTestId('participant-vote').getAttribute('data-trial').catch(() => null)).toBe(String(k));
      await page.keyboard.press(String(3 + k));
    }
    await expect.poll(() => phase(page)).toBe('end');
    await page.getByTestId('participant-close').click();

    // P02 declines: the session ends at once, nothing else is asked.
    await card.getByTestId('study-run').click();
    await page.getByTestId('participant-code').fill('P02');
    await page.getByTestId('participant-enrol').click();
    await expect.poll(() => phase(page)).toBe('consent');
    await page.getByTestId('participant-consent-decline').click();
    await expect.poll(() => phase(page)).toBe('declined');
    await page.getByTestId('participant-close').click();

    const progress = await callApi<{ participants: ParticipantProgress[] }>(web!, 'studies.progress', { projectDir, studyId });
    const [p1, p2] = progress.participants;
    expect(p1).toMatchObject({ participant: 'P01', state: 'finished', answered: 2 });
    expect(p1!.info.consent).toMatchObject({ agreed: true, text: 'I agree to take part in this study.\nMy answers are stored under a code.' });
    expect(p1!.info.demographics).toEqual({ age: 34, glasses: 'contact lenses' });
    expect(p1!.info.vision).toMatchObject({ acuity: '6/6', colour: 'normal', test: 'Snellen, Ishihara' });
    expect(p2).toMatchObject({ participant: 'P02', state: 'aborted', answered: 0, info: { consent: expect.objectContaining({ agreed: false }) } });

    // The researcher's table: consent, demographics, vision; the viewing conditions edited and saved.
    const row = card.locator('[data-testid=study-participant][data-code=P01]');
    await expect.poll(() => row.getByTestId('participant-consent-cell').textContent()).toBe('✓ agreed');
    expect(await row.getByTestId('participant-demographics-cell').textContent()).toBe('age: 34, glasses: contact lenses');
    expect(await card.locator('[data-testid=study-participant][data-code=P02]').getByTestId('participant-consent-cell').textContent()).toBe('✗ declined');
    await row.getByTestId('participant-notes-edit').click();
    await page.getByTestId('notes-distance').fill('6H');
    await page.getByTestId('notes-room').fill('BT.500 lab, 15 lux');
    await page.getByTestId('notes-save').click();
    await expect.poll(() => row.getByTestId('participant-notes-cell').textContent()).toBe('distance 6H · BT.500 lab, 15 lux');
    const again = await callApi<{ participants: ParticipantProgress[] }>(web!, 'studies.progress', { projectDir, studyId });
    expect(again.participants[0]!.notes).toEqual({ viewingDistance: '6H', room: 'BT.500 lab, 15 lux' });
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
    await context.close();
  });
});
