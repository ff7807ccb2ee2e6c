/**
 * The Results tab's sharded runs (issue 17, docs/cluster.md) in headless Chromium: shards computed by
 * the built CLI (`iqa run --shard I/N`, as a Slurm task would run them) show their progress, the finished
 * ones merge from the page, and the merged values appear in the results table, equal to the stores'.
 * No Slurm is involved: the page reads the shard stores beside the project.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { callApi, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { makePng, tempDir } from '../helpers/media';
import { iqaAsync } from '../helpers/shard-project';
import type { MetricResultRow } from '../../src-main/common/domain';

let tmp: { dir: string; cleanup: () => void };
let browser: Browser;
let web: WebServer | null = null;

beforeAll(async () => {
  tmp = tempDir('e2e-shards');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

describe('sharded runs in the Results tab', () => {
  it('shows each shard of a run made by iqa run --shard, merges the finished ones from the page, and the table shows their values', async () => {
    const media = join(tmp.dir, 'media');
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
      makePng(join(media, 'ref', `${name}.png`), i);
      makePng(join(media, 'dist', `${name}_noise.png`), i, '64x48', 'noise=alls=20:allf=u');
    }
    const env = { IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') };
    web = await startWeb(env);
    const projectDir = join(tmp.dir, 'project');
    await callApi(web, 'projects.create', { dir: projectDir, name: 'Sharded' });
    const { jobId } = await callApi<{ jobId: string }>(web, 'import.start', { projectDir, source: media });
    await waitForJob(web, jobId);

    // Shard 1 of 2 only, as a cluster node would compute it.
    const first = await iqaAsync(['run', projectDir, '--metrics', 'psnr', '--shard', '1/2'], env);
    expect(first.code, first.stderr).toBe(0);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, consoleErrors } = await openApp(context, web.url);
    await page.getByTestId('open-dir').fill(projectDir);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('tab-results').click();
    const run = page.getByTestId('shard-run');
    await expect.poll(() => run.count()).toBe(1);
    const shardStates = () => page.getByTestId('shard').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    expect(await shardStates()).toEqual(['done', 'missing']);
    expect(await run.textContent()).toContain('psnr');
    // Nothing is in the project yet: the table is empty.
    expect(await page.getByTestId('results-empty').count()).toBe(1);

    await page.getByTestId('shards-merge').click();
    await expect.poll(shardStates).toEqual(['merged', 'missing']);
    await expect.poll(() => page.getByTestId('shards-merge-report').textContent()).toContain('merged shard 1');
    expect(await page.getByTestId('shards-merge-report').textContent()).toContain('1 of 2 not finished yet');
    // The merged values are in the table, as the project stores them.
    const stored = (await callApi<MetricResultRow[]>(web, 'metrics.results', { projectDir })).filter((r) => r.metricId === 'psnr');
    expect(stored.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('result-cell').count()).toBeGreaterThanOrEqual(stored.length);
    for (const r of stored) {
      const cell = page.locator(`[data-testid=result-row][data-name="${r.stimulus}"] [data-testid=result-cell][data-metric=psnr]`);
      expect(Number(await cell.getAttribute('data-value')), r.stimulus).toBe(Number(r.value));
    }
    // Merging is not offered again until another shard finishes.
    expect(await page.getByTestId('shards-merge').isDisabled()).toBe(true);

    // The second shard finishes later: Refresh shows it, and the merge completes the run.
    const second = await iqaAsync(['run', projectDir, '--metrics', 'psnr', '--shard', '2/2'], env);
    expect(second.code, second.stderr).toBe(0);
    await page.getByTestId('shards-refresh').click();
    await expect.poll(shardStates).toEqual(['merged', 'done']);
    await page.getByTestId('shards-merge').click();
    await expect.poll(shardStates).toEqual(['merged', 'merged']);
    const all = (await callApi<MetricResultRow[]>(web, 'metrics.results', { projectDir })).filter((r) => r.metricId === 'psnr');
    expect(all.length).toBe(4);
    await expect.poll(() => page.locator('[data-testid=result-cell][data-metric=psnr]').count()).toBe(4);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
