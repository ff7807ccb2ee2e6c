import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { CLI, iqa } from '../helpers/cli';
import { makeMp4, makePng, REPO_ROOT, tempDir } from '../helpers/media';
import { howToGet } from '../../src-main/services/models/model-store';
import { manifestEntry } from '../../src-main/services/models/manifest';

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
beforeAll(() => {
  tmp = tempDir('first-use');
  env = { IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') };
  mkdirSync(env.IQA_MODEL_DIR!);
});
afterAll(() => tmp.cleanup());

const lines = (s: string) => s.split('\n').filter(Boolean);

describe('importing a first folder', () => {
  it('pairs a ref/dist video folder by its folders and a flat image folder by name prefix, in one import', () => {
    const media = join(tmp.dir, 'mixed');
    for (const d of ['videos/ref', 'videos/dist', 'images']) mkdirSync(join(media, d), { recursive: true });
    makeMp4(join(media, 'videos', 'ref', 'clip.mp4'), 1, '32x24', 3);
    makeMp4(join(media, 'videos', 'dist', 'clip_small.mp4'), 2, '32x24', 3);
    makePng(join(media, 'images', 'img01.png'), 3, '32x24');
    makePng(join(media, 'images', 'img01_blur.png'), 3, '32x24', 'gblur=sigma=2');
    const dir = join(tmp.dir, 'mixed-project');
    expect(iqa(['project', 'create', dir], env).code).toBe(0);
    const imported = iqa(['import', dir, media], env);
    expect(imported.code).toBe(0);
    expect(lines(imported.stdout)).toEqual(['added 4, updated 0, unchanged 0, problems 0']);
    const rows = JSON.parse(iqa(['stimuli', dir, '--json'], env).stdout) as { name: string; role: string; referenceName: string | null }[];
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName.img01).toMatchObject({ role: 'reference' });
    expect(byName.img01_blur).toMatchObject({ role: 'distorted', referenceName: 'img01' });
    expect(byName.clip_small).toMatchObject({ role: 'distorted', referenceName: 'clip' });
  });

  it('counts a distorted file without a reference as a problem and says why; importing its reference then reports it updated', () => {
    const media = join(tmp.dir, 'lone');
    mkdirSync(media);
    makePng(join(media, 'img02_blur.png'), 4, '32x24', 'gblur=sigma=2');
    const dir = join(tmp.dir, 'lone-project');
    expect(iqa(['project', 'create', dir], env).code).toBe(0);
    const first = iqa(['import', dir, media], env);
    expect(first.code).toBe(0);
    const out = lines(first.stdout);
    expect(out[0]).toBe('added 1, updated 0, unchanged 0, problems 1 (1 distorted file(s) without a reference)');
    expect(out[1]).toContain(`${join(media, 'img02_blur.png')}: no reference found: no file named "img02"`);
    expect(out[1]).toContain('--pattern');

    // A run on a project with no pair says why and what to do, in one line.
    const run = iqa(['run', dir, '--metrics', 'psnr'], env);
    expect(run.code).not.toBe(0);
    expect(lines(run.stderr).filter((l) => l.startsWith('iqa: '))).toHaveLength(1);
    expect(run.stderr).toMatch(/iqa: nothing to compute: psnr compares a distorted stimulus with its reference, and none of the project's 1 distorted stimuli has one \(0 references imported\)\. Import the references .* --pattern/);

    makePng(join(media, 'img02.png'), 4, '32x24');
    const again = iqa(['import', dir, media], env);
    expect(lines(again.stdout)).toEqual(['added 1, updated 1, unchanged 0, problems 0']);
    const third = iqa(['import', dir, media], env);
    expect(lines(third.stdout)).toEqual(['added 0, updated 0, unchanged 2, problems 0']);
  });
});

describe('messages that name what to do', () => {
  it('an image against a video reference is reported as such, not as a colour layout', () => {
    const clip = join(tmp.dir, 'kind-clip.mp4');
    const still = join(tmp.dir, 'kind-still.png');
    makeMp4(clip, 1, '32x24', 3);
    makePng(still, 1, '32x24');
    const r = iqa(['metrics', '--ref', still, '--dist', clip, '--metrics', 'psnr'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('kind-clip.mp4 is a video and its reference kind-still.png an image');
    expect(r.stderr).not.toContain('colour layout');
  });

  it('a size mismatch names --scale, and a frame-count mismatch names --truncate and --skip-ref/--skip-dist', () => {
    const ref = join(tmp.dir, 'mm-ref.mp4');
    makeMp4(ref, 1, '32x24', 4);
    const small = join(tmp.dir, 'mm-small.mp4');
    makeMp4(small, 1, '16x12', 4);
    const short = join(tmp.dir, 'mm-short.mp4');
    makeMp4(short, 1, '32x24', 3);
    expect(iqa(['metrics', '--ref', ref, '--dist', small, '--metrics', 'psnr'], env).stderr).toMatch(/sizes differ: .*--scale bicubic/);
    const frames = iqa(['metrics', '--ref', ref, '--dist', short, '--metrics', 'psnr'], env).stderr;
    expect(frames).toMatch(/frame counts differ: .*--truncate; .*--skip-ref N \/ --skip-dist N/);
  });

  it('a second ratings import under a taken study name names --study and --replace', () => {
    const dir = join(tmp.dir, 'mixed-project');
    const csv = join(tmp.dir, 'ratings.csv');
    writeFileSync(csv, 'participant,stimulus,score\np1,img01_blur,3\np1,clip_small,4\np2,img01_blur,2\np2,clip_small,5\n');
    expect(iqa(['ratings', 'import', dir, csv, '--study', 's1'], env).code).toBe(0);
    const again = iqa(['ratings', 'import', dir, csv, '--study', 's1'], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^iqa: study "s1" already exists: .* \(--study <another name>, or --replace\)\n$/);
  });

  it("the fid-inception hint names the file its export script writes and the name it is installed as", () => {
    const hint = howToGet(manifestEntry('fid-inception'));
    expect(hint).toContain('iqa models install <dir>/fid_inception_v3_arch.onnx --as fid-inception');
    expect(hint).toContain('the script writes fid_inception_v3_arch.onnx, which that command installs as fid_inception_v3.onnx');
  });
});

describe('iqa web on a taken port', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('says the port is taken and how to choose another, in one line, and exits', async () => {
    const child = spawn(process.execPath, [CLI, 'web', '--port', String(port), '--root', tmp.dir], { env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((ok) => child.on('close', ok));
    expect(code).toBe(1);
    expect(stderr).toBe(`iqa: port ${port} on 127.0.0.1 is already in use (another IQA Studio, or another program, is listening there); choose another with --port N, or --port 0 for any free port\n`);
  });
});

describe('npm start without the Electron binary', () => {
  it('says in one line that the desktop binary could not be fetched and that npm run web serves the same app', () => {
    const check = join(REPO_ROOT, 'scripts', 'check-electron.mjs');
    const cache = join(tmp.dir, 'electron-cache');
    mkdirSync(cache);
    // A mirror on a closed port makes the download fail at once, with no network needed.
    const r = spawnSyncNode([check], { ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: cache });
    if (r.code === 0) return; // the binary is already installed on this machine: nothing to fetch
    expect(r.code).toBe(1);
    const out = lines(r.stderr);
    expect(out.at(-1)).toMatch(/^The Electron desktop app cannot start: its binary could not be fetched \(.+\)\. npm run build && npm run web serves the same app in your browser\.$/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

function spawnSyncNode(args: string[], extra: Record<string, string>): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...extra }, timeout: 120_000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}
