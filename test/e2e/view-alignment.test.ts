/**
 * `iqa view` and the viewer's alignment line in headless Chromium. A reference video (40 frames of
 * testsrc2, lossless) and a distorted that starts 3 frames into it (offset +3, lossy): the address
 * `iqa view` prints lands on the viewer of that stimulus; the viewer shows the pair's alignment, "Confirm
 * by flicker" flickers with the offset applied, Reject and Accept are stored in the project, an accepted
 * alignment survives a reload (the address keeps the viewer open) and the compute dialog applies it to
 * the next metrics run. Each test has its own project.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AlignmentDecision } from '../../src-main/common/contract-types';
import type { JobSnapshot, MetricResultRow, Stimulus } from '../../src-main/common/domain';
import { parseUiRoute } from '../../src-main/common/ui-route';
import { callApi, JOB_WAIT_MS, launchChromium, openApp, startIqaView, waitForJob, type WebServer } from '../helpers/browser';
import { iqa } from '../helpers/cli';
import { ffmpeg, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
let browser: Browser;
let context: BrowserContext;
const servers: WebServer[] = [];

beforeAll(async () => {
  tmp = tempDir('e2e-view-align');
  env = { IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') };
  const src = 'testsrc2=size=96x64:rate=25';
  const enc = (q: string[]) => ['-frames:v', '40', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', ...q];
  ffmpeg(['-f', 'lavfi', '-i', src, ...enc(['-qp', '0']), join(tmp.dir, 'media', 'ref', 'clip.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', `${src},trim=start_frame=3,setpts=PTS-STARTPTS`, ...enc(['-crf', '30']), join(tmp.dir, 'media', 'dist', 'clip_late.mp4')]);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

/** A project of its own with the pair imported (through the CLI). */
function makeProject(name: string): string {
  const dir = join(tmp.dir, name);
  expect(iqa(['project', 'create', dir], env).code).toBe(0);
  expect(iqa(['import', dir, join(tmp.dir, 'media')], env).code).toBe(0);
  return dir;
}

async function view(dir: string, stimulus: string): Promise<WebServer> {
  const s = await startIqaView([dir, stimulus, '--no-open'], env);
  servers.push(s);
  return s;
}

const alignmentState = (page: Page) => page.getByTestId('viewer-alignment').getAttribute('data-state');

describe('iqa view and the alignment line', () => {
  it("lands on the viewer of the named stimulus; Confirm by flicker flickers with the offset applied, and Reject is stored", async () => {
    const dir = makeProject('project-a');
    const web = await view(dir, 'clip_late');
    const stimuli = await callApi<Stimulus[]>(web, 'stimuli.list', { projectDir: dir });
    const late = stimuli.find((s) => s.name === 'clip_late')!;
    const { page, consoleErrors } = await openApp(context, web.url);

    await expect.poll(() => page.getByTestId('viewer').getAttribute('data-frame')).toBe('0');
    expect(await page.locator('.viewer-head h2').textContent()).toMatch(/^clip_late\s+vs clip$/);
    expect(await page.getByTestId('project-name').textContent()).toBe('project-a');
    // The token left the address bar; the route stayed, so a reload comes back here.
    expect(page.url()).not.toContain('token=');
    expect(parseUiRoute(new URL(page.url()).hash)).toEqual({ project: dir, stimulus: late.id });

    await expect.poll(() => alignmentState(page)).toBe('known');
    const line = page.getByTestId('viewer-alignment-text');
    expect(await line.getAttribute('data-offset')).toBe('3');
    expect(await line.textContent()).toMatch(/^offset \+3 frames \(confidence \d\.\d\d\)$/);
    expect(await page.getByTestId('viewer-frame').textContent()).toMatch(/^Frame 0 \/ 39/);

    await page.getByTestId('viewer-align-confirm').click();
    expect(await page.getByTestId('viewer-compare').inputValue()).toBe('flicker');
    expect(await page.getByTestId('viewer-timing').textContent()).toContain('frame k is reference frame k + 3');
    // 37 frames in step: the distorted's 40 against the reference's 37 after the first 3.
    await expect.poll(() => page.getByTestId('viewer-frame').textContent()).toMatch(/^Frame 0 \/ 36/);
    await expect.poll(() => page.getByTestId('viewer-pane-flicker').count()).toBe(1);
    expect(await callApi<AlignmentDecision[]>(web, 'align.decisions', { projectDir: dir })).toEqual([]);

    await page.getByTestId('viewer-align-reject').click();
    await expect.poll(() => page.getByTestId('viewer-alignment').getAttribute('data-verdict')).toBe('rejected');
    expect(await page.getByTestId('viewer-alignment-decision').textContent()).toContain('rejected by flicker');
    // Rejected: the frames as they are, the comparison as it was.
    expect(await page.getByTestId('viewer-timing').count()).toBe(0);
    expect(await page.getByTestId('viewer-compare').inputValue()).toBe('panes');
    await expect.poll(() => page.getByTestId('viewer-frame').textContent()).toMatch(/^Frame 0 \/ 39/);
    expect(await callApi<AlignmentDecision[]>(web, 'align.decisions', { projectDir: dir })).toEqual([
      expect.objectContaining({ stimulusId: late.id, verdict: 'rejected', offset: 3, stale: false }),
    ]);
    expect(consoleErrors).toEqual([]);
  });

  it('an accepted alignment persists across a reload, and the compute dialog applies it to the next metrics run', async () => {
    const dir = makeProject('project-b');
    const web = await view(dir, 'clip_late');
    const { page, consoleErrors } = await openApp(context, web.url);
    await expect.poll(() => alignmentState(page), { timeout: JOB_WAIT_MS }).toBe('known');
    expect(await page.getByTestId('viewer-alignment-text').textContent()).toContain('offset +3 frames');

    await page.getByTestId('viewer-align-confirm').click();
    await page.getByTestId('viewer-align-accept').click();
    await expect.poll(() => page.getByTestId('viewer-alignment').getAttribute('data-verdict')).toBe('accepted');
    expect(await page.getByTestId('viewer-alignment-decision').textContent()).toMatch(/confirmed by flicker on \d{4}-\d\d-\d\d/);
    expect(await page.getByTestId('viewer-timing').count()).toBe(1);
    const stored = await callApi<AlignmentDecision[]>(web, 'align.decisions', { projectDir: dir });
    expect(stored).toEqual([expect.objectContaining({ verdict: 'accepted', offset: 3, policy: { skipRef: 3, skipDist: 0, truncate: true, ignoreFps: false }, stale: false })]);

    await page.reload();
    await expect.poll(() => page.getByTestId('viewer').count()).toBe(1);
    await expect.poll(() => page.getByTestId('viewer-alignment').getAttribute('data-verdict')).toBe('accepted');
    expect(await page.getByTestId('viewer-alignment-decision').textContent()).toContain('confirmed by flicker');
    expect(await page.getByTestId('viewer-timing').textContent()).toContain('frame k is reference frame k + 3');
    await expect.poll(() => page.getByTestId('viewer-frame').textContent()).toMatch(/^Frame 0 \/ 36/);
    await expect.poll(() => page.getByTestId('viewer').getAttribute('data-frame')).toBe('0');

    // The compute dialog proposes the accepted alignment, ticked.
    await page.getByTestId('viewer-close').click();
    await page.getByTestId('compute-open').click();
    await expect.poll(() => page.locator('[data-testid=metric-check-psnr-y]').count()).toBe(1);
    await page.getByTestId('metric-check-psnr-y').check();
    await page.getByTestId('compute-submit').click();
    await expect.poll(() => page.getByTestId('alignment-review').isVisible(), { timeout: JOB_WAIT_MS }).toBe(true);
    expect(await page.getByTestId('alignment-flagged').getAttribute('data-name')).toBe('clip_late');
    expect(await page.getByTestId('alignment-decision').getAttribute('data-verdict')).toBe('accepted');
    expect(await page.getByTestId('alignment-apply').isChecked()).toBe(true);
    expect(await page.getByTestId('alignment-skip-ref').inputValue()).toBe('3');
    await expect.poll(() => page.getByTestId('alignment-compute-fixed').textContent()).toBe('Compute with 1 fix');
    await page.getByTestId('alignment-compute-fixed').click();
    await expect.poll(() => page.getByTestId('compute-dialog').count()).toBe(0);
    const metricsJobs = async () => (await callApi<JobSnapshot[]>(web, 'jobs.list', {})).filter((j) => j.kind === 'metrics' && j.projectDir === dir);
    await expect.poll(async () => (await metricsJobs()).length, { timeout: JOB_WAIT_MS }).toBeGreaterThan(0);
    for (const j of await metricsJobs()) await waitForJob(web, j.id);
    const rows = await callApi<MetricResultRow[]>(web, 'metrics.results', { projectDir: dir });
    const late = rows.find((r) => r.stimulus === 'clip_late' && r.metricId === 'psnr-y')!;
    expect(late.decoder).toContain('trim=start_frame=3');
    expect(late.frames).toBe(37);
    expect(consoleErrors).toEqual([]);
  });
});
