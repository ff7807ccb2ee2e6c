import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Download, Locator, Page } from 'playwright-core';
import { callApi, createProjectInUi, launchChromium, openApp, startWeb, waitForJob, type WebServer } from '../helpers/browser';
import { makeStudyFolder, REPO_ROOT, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let web: WebServer;
let browser: Browser;
let context: BrowserContext;
const shots = join(REPO_ROOT, '.test-tmp');

beforeAll(async () => {
  tmp = tempDir('e2e-analysis');
  makeStudyFolder(join(tmp.dir, 'media'));
  web = await startWeb({ IQA_USER_DATA: join(tmp.dir, 'userdata') });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
  mkdirSync(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  tmp.cleanup();
});

const call = <T>(name: string, input: unknown): Promise<T> => callApi<T>(web, name, input);

const finish = (jobId: string): Promise<void> => waitForJob(web, jobId);

/** Seeded ratings: 7 participants follow the PSNR-implied quality plus noise, one rates at random. */
function ratingsCsv(psnr: Map<string, number>): string {
  let s = 20240607;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const values = [...psnr.values()];
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const lines = ['participant,stimulus,score'];
  for (let p = 1; p <= 8; p++) {
    for (const [name, v] of psnr) {
      const quality = 1.2 + (3.6 * (v - lo)) / (hi - lo);
      const score = p === 8 ? 1 + Math.floor(rand() * 5) : Math.min(5, Math.max(1, Math.round(quality + 0.45 * gauss())));
      lines.push(`P${p},${name},${p === 3 && name === 'src02_noise' ? '' : score}`);
    }
  }
  lines.push('P1,no_such_stimulus,3');
  return lines.join('\n') + '\n';
}

/** Clicks a button (by test id, or a locator where several share one) and reads the file it downloads. */
const download = async (page: Page, target: string | Locator): Promise<{ d: Download; text: string; bytes: Buffer }> => {
  const button = typeof target === 'string' ? page.getByTestId(target) : target;
  const [d] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const bytes = readFileSync((await d.path())!);
  return { d, bytes, text: bytes.toString('utf8') };
};

/** Non-transparent pixels drawn on a canvas: a chart that rendered has thousands. */
const inkedPixels = (page: Page, testid: string) =>
  page.getByTestId(testid).first().evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });

describe('the Analysis page in headless Chromium against npm run web', () => {
  it('imports ratings, shows MOS, screening and correlations, plots and exports them', async () => {
    const { page, consoleErrors } = await openApp(context, web.url);

    const projectDir = join(tmp.dir, 'study');
    await createProjectInUi(page, projectDir, 'Analysis study');

    // Media and metrics through the API (the UI for those is covered by the other e2e tests).
    await finish((await call<{ jobId: string }>('import.start', { projectDir, source: join(tmp.dir, 'media') })).jobId);
    await finish((await call<{ jobId: string }>('metrics.run', { projectDir, metrics: [{ id: 'psnr' }, { id: 'ssim-y' }] })).jobId);
    const results = await call<{ stimulus: string; metricId: string; value: number }[]>('metrics.results', { projectDir });
    const psnr = new Map(results.filter((r) => r.metricId === 'psnr').map((r) => [r.stimulus, r.value]));
    expect(psnr.size).toBe(6);
    const csv = join(tmp.dir, 'ratings.csv');
    writeFileSync(csv, ratingsCsv(psnr));

    // No study yet: the page offers the ratings import.
    await page.getByTestId('tab-analysis').click();
    await expect.poll(() => page.getByTestId('analysis-no-study').isVisible()).toBe(true);
    await page.getByTestId('ratings-csv').fill(csv);
    await page.getByTestId('ratings-study').fill('lab');
    await page.getByTestId('ratings-method').selectOption('ACR');
    await page.screenshot({ path: join(shots, 'e2e-analysis-import.png') });
    await page.getByTestId('ratings-submit').click();
    await expect.poll(() => page.getByTestId('ratings-report-summary').textContent()).toMatch(/48 ratings · 8 participants · 1 not rated · scale 1\.\.5 · 1 problem/);
    expect(await page.getByTestId('ratings-issue').textContent()).toContain('no stimulus "no_such_stimulus"');

    // The analysis runs by itself: screening, MOS and the correlation table.
    await expect.poll(() => page.getByTestId('corr-row').count()).toBe(2);
    await expect.poll(() => page.getByTestId('analysis-status').textContent()).toBe('Up to date');
    expect(await page.getByTestId('ctl-study').inputValue()).toBe('lab');
    expect(await page.getByTestId('ctl-mapping').inputValue()).toBe('logistic5');
    expect(await page.getByTestId('screening-counts').textContent()).toContain('8 participants · 48 ratings · 1 not usable');
    expect(await page.getByTestId('mos-row').count()).toBe(6);
    const metrics = await page.getByTestId('corr-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-metric')));
    expect(metrics.sort()).toEqual(['psnr', 'ssim-y']);
    const srocc = await page.locator('[data-testid=corr-cell][data-stat=srocc]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    for (const v of srocc) expect(Number.isFinite(v) && Math.abs(v) <= 1, `srocc ${v}`).toBe(true);
    expect(Math.max(...srocc)).toBeGreaterThan(0.5); // the ratings follow PSNR
    expect(await page.locator('[data-testid=corr-cell].best').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('corr-row').first().textContent()).toMatch(/↑/);

    // A row's scatter plot, downloadable as PNG and SVG.
    await page.locator('[data-testid=corr-row][data-metric=psnr]').click();
    await expect.poll(() => page.getByTestId('scatter-canvas').isVisible()).toBe(true);
    await expect.poll(() => inkedPixels(page, 'scatter-canvas')).toBeGreaterThan(2000);
    const png = await download(page, 'scatter-png');
    expect(png.d.suggestedFilename()).toMatch(/^scatter-lab-psnr\.png$/);
    expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // Drawn anew at print resolution: 2x the plot's on-screen size by default, 4x on request.
    const box = (await page.getByTestId('scatter-canvas').boundingBox())!;
    const pngSize = (b: Buffer) => [b.readUInt32BE(16), b.readUInt32BE(20)];
    expect(pngSize(png.bytes)).toEqual([Math.round(box.width) * 2, Math.round(box.height) * 2]);
    writeFileSync(join(shots, 'e2e-analysis-scatter@2x.png'), png.bytes);
    await page.getByTestId('scatter-png-scale').selectOption('4');
    const png4 = await download(page, 'scatter-png');
    expect(pngSize(png4.bytes)).toEqual([Math.round(box.width) * 4, Math.round(box.height) * 4]);
    const svg = await download(page, 'scatter-svg');
    expect(svg.text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.text.match(/<circle cx=/g)!.length).toBeGreaterThanOrEqual(6);
    writeFileSync(join(shots, 'e2e-analysis-scatter.svg'), svg.text);

    // Exports through 'analysis.export', saved as real downloads.
    const tex = await download(page, 'export-latex');
    expect(tex.d.suggestedFilename()).toBe('analysis-lab.tex');
    expect(tex.text.startsWith('% IQA Studio')).toBe(true);
    expect(tex.text).toContain('\\toprule');
    const md = await download(page, 'export-md');
    expect(md.d.suggestedFilename()).toBe('analysis-lab.md');
    expect(md.text).toContain('| SROCC');
    const csvOut = await download(page, 'export-csv');
    expect(csvOut.text.split('\n')[0]).toBe('metric,params,pooling,group,statistic,value,ci95_low,ci95_high,significance_group,n,mapping,mos,screening,mos_choice,study,scores,reason,mapping_fitted,mapping_note,ci_method');
    await page.screenshot({ path: join(shots, 'e2e-analysis.png'), fullPage: true });

    // Import problems and analysis errors are shown inline, where they happen.
    await page.getByTestId('ratings-open').click();
    await page.getByTestId('ratings-csv').fill(csv);
    await page.getByTestId('ratings-study').fill('lab');
    await page.getByTestId('ratings-submit').click();
    await expect.poll(() => page.getByTestId('ratings-error').textContent()).toContain('study "lab" already exists');
    const refsOnly = join(tmp.dir, 'refs-only.csv');
    writeFileSync(refsOnly, 'participant,stimulus,score\nP1,src01,5\nP1,src02,4\nP2,src01,4\nP2,src02,5\n');
    await page.getByTestId('ratings-csv').fill(refsOnly);
    await page.getByTestId('ratings-study').fill('refs');
    await page.getByTestId('ratings-method').selectOption('ACR-HR');
    await page.getByTestId('ratings-submit').click();
    await expect.poll(() => page.getByTestId('analysis-error').textContent()).toContain('has no ratings of distorted stimuli');
    expect(await page.getByTestId('ctl-study').inputValue()).toBe('refs');
    expect(await page.getByTestId('corr-table').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'e2e-analysis-error.png') });
    await page.getByTestId('ctl-study').selectOption('lab');
    await expect.poll(() => page.getByTestId('corr-row').count()).toBe(2);
    expect(await page.getByTestId('analysis-error').count()).toBe(0);

    // Breakdown by condition: groups, a reason where a group is too small; per-frame curves of a video.
    const breakdowns = await page.getByTestId('ctl-by').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(breakdowns).toEqual(['', 'content', 'codec', 'resolution', 'condition']);
    await page.getByTestId('ctl-by').selectOption('condition');
    await expect.poll(() => page.getByTestId('corr-group').count()).toBe(4);
    await expect.poll(() => page.getByTestId('analysis-status').textContent()).toBe('Up to date');
    expect(await page.getByTestId('corr-row').count()).toBe(8);
    expect(await page.getByTestId('corr-reason').count()).toBeGreaterThan(0);
    // The blur group has 3 stimuli: too few for the logistic5, but its raw statistics are there.
    const blurSrocc = await page.locator('[data-testid=corr-row][data-group=blur] [data-testid=corr-cell][data-stat=srocc]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')));
    expect(blurSrocc).toHaveLength(2);
    for (const v of blurSrocc) expect(Number.isFinite(Number(v)), `blur srocc ${v}`).toBe(true);
    const blurMapped = page.locator('[data-testid=corr-row][data-group=blur] [data-testid=corr-cell][data-stat=plccMapped]').first();
    expect(await blurMapped.getAttribute('data-value')).toBe('NaN');
    expect(await blurMapped.getAttribute('title')).toBe('the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 3');
    // The MOS per condition above the per-stimulus table.
    expect(await page.getByTestId('group-mos-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-group')))).toEqual(['blur', 'noise', 'x264']);
    await page.locator('[data-testid=corr-row][data-metric=ssim-y][data-group=""]').click();
    await expect.poll(() => inkedPixels(page, 'scatter-canvas')).toBeGreaterThan(2000);
    // The scatter can be coloured by the same names as the breakdown.
    expect(await page.getByTestId('scatter-colour').inputValue()).toBe('condition');
    const colours = await page.getByTestId('scatter-colour').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(colours).toEqual(breakdowns);
    await page.getByTestId('scatter-colour').selectOption('content');
    await expect.poll(() => page.getByTestId('scatter-panel').textContent()).toContain('Colours: content.');
    await page.locator('[data-testid=mos-row][data-name=src03_blur]').click();
    await expect.poll(() => page.getByTestId('frames-canvas').count()).toBe(2);
    await expect.poll(() => inkedPixels(page, 'frames-canvas')).toBeGreaterThan(1000);
    // Each curve downloads as PNG and SVG, named after study, stimulus and metric.
    const psnrCurve = page.locator('[data-testid=frames-curve][data-metric=psnr]');
    expect(await psnrCurve.count()).toBe(1);
    const framesPng = await download(page, psnrCurve.getByTestId('frames-png'));
    expect(framesPng.d.suggestedFilename()).toBe('frames-lab-src03_blur-psnr.png');
    expect(framesPng.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: the curve drawn at the resolution chosen for the scatter plot above (4x: the choice is remembered).
    const cssWidth = Math.round((await psnrCurve.getByTestId('frames-canvas').boundingBox())!.width);
    expect(framesPng.bytes.readUInt32BE(16)).toBe(cssWidth * 4);
    const framesSvg = await download(page, psnrCurve.getByTestId('frames-svg'));
    expect(framesSvg.d.suggestedFilename()).toBe('frames-lab-src03_blur-psnr.svg');
    expect(framesSvg.text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(framesSvg.text.trimEnd().endsWith('</svg>')).toBe(true);
    expect(framesSvg.text).toMatch(/<title>PSNR ↑ — src03_blur · MOS \d\.\d\d /);
    expect(framesSvg.text).toMatch(/<path d="M[\d.]+ [\d.]+ L[\d.]+ [\d.]+[^"]*" fill="none" stroke="#[0-9a-f]{6}"/);
    writeFileSync(join(shots, 'e2e-analysis-frames.svg'), framesSvg.text);
    const ssimSvg = await download(page, page.locator('[data-testid=frames-curve][data-metric=ssim-y]').getByTestId('frames-svg'));
    expect(ssimSvg.d.suggestedFilename()).toBe('frames-lab-src03_blur-ssim-y.svg');
    expect(ssimSvg.text).toContain('SSIM');
    await page.screenshot({ path: join(shots, 'e2e-analysis-breakdown.png'), fullPage: true });

    // Correlation screening: who was rejected, and why.
    await page.getByTestId('ctl-screening').selectOption('corr');
    expect(await page.getByTestId('ctl-min-corr').inputValue()).toBe('0.75');
    await expect.poll(() => page.getByTestId('screening-summary').textContent()).toContain('correlation screening (r ≥ 0.75)');
    await expect.poll(() => page.getByTestId('analysis-status').textContent()).toBe('Up to date');
    const rejected = await page.getByTestId('rejected').allTextContents();
    for (const r of rejected) expect(r).toMatch(/^P\d: PLCC with the others' MOS -?\d\.\d{3} < 0\.75$/);
    expect(rejected.map((r) => r.split(':')[0])).toContain('P8'); // the one who rated at random
    // The MOS choice is stored in the project (the CLI's iqa analyze uses it), not only in this browser.
    await expect.poll(async () => (await call<{ choice: { screening: string }; stored: boolean }>('analysis.mosChoice', { projectDir })).choice.screening).toBe('corr');
    expect(await page.getByTestId('mos-choice-source').textContent()).toBe('MOS choice stored in the project');
    await page.screenshot({ path: join(shots, 'e2e-analysis-screening.png'), fullPage: true });

    // A bad number is refused inline; the choice is remembered per project across a reload.
    await page.getByTestId('ctl-resamples').fill('-3');
    await expect.poll(() => page.getByTestId('ctl-problem').textContent()).toContain('Resamples');
    await page.getByTestId('ctl-resamples').fill('500');
    await page.getByTestId('ctl-mapping').selectOption('linear');
    await expect.poll(() => page.getByTestId('analysis-status').textContent()).toBe('Up to date');
    await page.reload();
    await expect.poll(() => page.getByTestId('corr-row').count()).toBe(8);
    expect(await page.getByTestId('ctl-by').inputValue()).toBe('condition');
    expect(await page.getByTestId('ctl-mapping').inputValue()).toBe('linear');
    expect(await page.getByTestId('ctl-resamples').inputValue()).toBe('500');
    // Without this browser's memory the MOS choice still comes from the project.
    await page.evaluate((key) => localStorage.removeItem(key), `iqa.analysis:${projectDir}`);
    await page.reload();
    await expect.poll(() => page.getByTestId('corr-row').count()).toBe(2);
    expect(await page.getByTestId('ctl-screening').inputValue()).toBe('corr');
    expect(await page.getByTestId('ctl-mapping').inputValue()).toBe('logistic5');

    // The two refused commands above (409 study exists, 400 nothing to analyse) are logged by the
    // browser as failed requests; anything else (a CSP refusal, an exception) is a failure.
    expect(consoleErrors.filter((e) => !/^Failed to load resource: the server responded with a status of (409|400)\b/.test(e))).toEqual([]);
  });
});
