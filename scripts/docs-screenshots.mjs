// Regenerates the screenshots in docs/img/ (docs/viewer.md, docs/alignment.md): a small generated
// project (a moving 320x180 clip, a lossy copy in step and one that starts 3 frames late, SSIM-Y and
// PSNR-Y computed for the first), served by `iqa view`, shown in headless Chromium (Debian's chromium,
// driven by playwright-core). Run by hand after `npm run build`, never by `npm test`:
//
//   node scripts/docs-screenshots.mjs            # IQA_CHROMIUM overrides /usr/bin/chromium
//
// Everything it makes lives in a temporary folder (project, media, user data), removed at the end.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'img');
const cli = join(root, 'bin', 'iqa.js');
const tmp = mkdtempSync(join(tmpdir(), 'iqa-docs-shots-'));
const env = { ...process.env, IQA_USER_DATA: join(tmp, 'userdata'), IQA_MODEL_DIR: join(tmp, 'models'), IQA_ROOTS: tmp };
const WAIT = 120_000;

function ffmpeg(args) {
  mkdirSync(dirname(args[args.length - 1]), { recursive: true });
  execFileSync(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}
function iqa(args) {
  return execFileSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** `iqa view` serving; resolves with its address once printed. */
function serve(project, stimulus) {
  const child = spawn(process.execPath, [cli, 'view', project, stimulus, '--no-open'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (c) => {
      text += c;
      const m = /serving at (\S+)/.exec(text);
      if (m) resolve({ url: m[1], stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`iqa view exited with ${code}`)));
  });
}

/** Polls `fn` until it returns a truthy value (a condition, never a fixed pause). */
async function until(what, fn, timeout = WAIT) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn().catch(() => false);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function shot(locator, name) {
  const file = join(out, name);
  await locator.screenshot({ path: file, animations: 'disabled' });
  process.stderr.write(`docs/img/${name}: ${Math.round(statSync(file).size / 1024)} KB\n`);
}

let server = null;
let browser = null;
try {
  mkdirSync(out, { recursive: true });
  process.stderr.write('making the media and the project\n');
  const media = join(tmp, 'media');
  const src = 'testsrc2=size=320x180:rate=25';
  const enc = (q) => ['-frames:v', '48', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', ...q];
  ffmpeg(['-f', 'lavfi', '-i', src, ...enc(['-qp', '0']), join(media, 'ref', 'clip.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', `${src},noise=alls=12:allf=t`, ...enc(['-crf', '38']), join(media, 'dist', 'clip_crf38.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', `${src},trim=start_frame=3,setpts=PTS-STARTPTS`, ...enc(['-crf', '30']), join(media, 'dist', 'clip_late.mp4')]);
  const project = join(tmp, 'study');
  iqa(['project', 'create', project, '--name', 'Codec study']);
  iqa(['import', project, media]);
  iqa(['run', project, '--metrics', 'ssim-y,psnr-y', '--only', 'clip_crf38']);
  const stimuli = JSON.parse(iqa(['stimuli', project, '--json']));
  const late = stimuli.find((s) => s.name === 'clip_late');

  server = await serve(project, 'clip_crf38');
  browser = await chromium.launch({
    executablePath: process.env.IQA_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1180, height: 1250 }, deviceScaleFactor: 1 })).newPage();
  page.setDefaultTimeout(WAIT);
  await page.goto(server.url);
  const viewer = page.getByTestId('viewer');
  const shownFrame = () => viewer.getAttribute('data-frame');
  const settled = async () => (await viewer.getAttribute('data-loading')) === 'false' && (await page.getByTestId('viewer-alignment').getAttribute('data-state')) === 'known';
  await until('the viewer', async () => (await shownFrame()) === '0' && settled());
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
  await until('frame 12', async () => (await shownFrame()) === '12' && settled());
  await page.getByTestId('viewer-pane-dist').hover();
  await shot(viewer, 'viewer-side-by-side.png');

  await page.getByTestId('viewer-layout').selectOption('overlay');
  await page.getByTestId('viewer-opacity').fill('0.55');
  await until('the overlay', async () => (await page.getByTestId('viewer-pane-map').count()) === 0);
  await shot(page.locator('.viewer-panes'), 'viewer-overlay.png');
  await page.getByTestId('viewer-layout').selectOption('side');

  await page.getByTestId('viewer-compare').selectOption('wipe');
  await page.getByTestId('viewer-wipe').fill('0.4');
  await until('the wipe', async () => (await page.getByTestId('viewer-pane-wipe').count()) === 1);
  await shot(page.locator('.viewer-panes'), 'viewer-wipe.png');
  await page.getByTestId('viewer-compare').selectOption('panes');

  await page.getByTestId('viewer-zoom-8').click();
  await until('8x zoom', async () => (await page.getByTestId('viewer-pane-ref').getAttribute('data-scale')) === '8');
  await shot(page.locator('.viewer-panes'), 'viewer-zoom-8x.png');
  await page.getByTestId('viewer-zoom-fit').click();

  // The out-of-step pair: its alignment line, then Confirm by flicker.
  await page.evaluate(([dir, id]) => {
    location.hash = `project=${encodeURIComponent(dir)}&stimulus=${id}`;
  }, [project, late.id]);
  await page.reload();
  await until('the late pair', async () => (await page.locator('.viewer-head h2').textContent())?.startsWith('clip_late') && (await shownFrame()) === '0' && settled());
  await shot(page.getByTestId('viewer-alignment'), 'viewer-alignment-line.png');
  await page.getByTestId('viewer-align-confirm').click();
  await until('the flicker check', async () => (await page.getByTestId('viewer-pane-flicker').count()) === 1 && (await viewer.getAttribute('data-loading')) === 'false');
  await page.getByTestId('viewer-flicker-hz').fill('0.25');
  // From the viewer's head down to the panes (the curves below are in viewer-side-by-side.png).
  const box = await viewer.boundingBox();
  const panes = await page.locator('.viewer-panes').boundingBox();
  const file = join(out, 'viewer-confirm-flicker.png');
  await page.screenshot({ path: file, clip: { x: box.x, y: box.y, width: box.width, height: panes.y + panes.height - box.y } });
  process.stderr.write(`docs/img/viewer-confirm-flicker.png: ${Math.round(statSync(file).size / 1024)} KB\n`);
  await page.getByTestId('viewer-align-cancel').click();

  // The compute dialog's warning before any score.
  await page.getByTestId('viewer-close').click();
  await page.getByTestId('compute-open').click();
  await until('the metrics', async () => (await page.locator('[data-testid=metric-check-psnr-y]').count()) === 1);
  if (!(await page.getByTestId('metric-check-psnr-y').isChecked())) await page.getByTestId('metric-check-psnr-y').check();
  await page.getByTestId('compute-submit').click();
  await until('the alignment review', () => page.getByTestId('alignment-review').isVisible());
  await shot(page.getByTestId('alignment-review'), 'compute-alignment-warning.png');
} finally {
  await browser?.close();
  server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
