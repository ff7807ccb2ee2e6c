import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI, iqa } from '../helpers/cli';
import { makePng, makeStudyFolder, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
beforeAll(() => {
  tmp = tempDir('cli');
  env = { IQA_USER_DATA: join(tmp.dir, 'userdata') };
  makeStudyFolder(join(tmp.dir, 'media'));
});
afterAll(() => tmp.cleanup());

describe('iqa command line', () => {
  it('creates a project, imports a folder and lists the stimuli as JSON', () => {
    const dir = join(tmp.dir, 'proj');
    const created = iqa(['project', 'create', dir], env);
    expect(created).toMatchObject({ code: 0, stdout: `created project ${dir}\n` });
    const imported = iqa(['import', dir, join(tmp.dir, 'media')], env);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('added 9, updated 0, unchanged 0, problems 0');
    expect(imported.stderr).toContain('[9/9]');
    const listed = iqa(['stimuli', dir, '--json'], env);
    const rows = JSON.parse(listed.stdout) as { name: string; referenceName: string | null; width: number }[];
    expect(rows).toHaveLength(9);
    expect(rows.filter((r) => r.referenceName === 'src01').map((r) => r.name).sort()).toEqual(['src01_blur', 'src01_noise']);
    const table = iqa(['stimuli', dir], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^name\s+role\s+reference\s+kind\s+size\s+frames\s+fps\s+attributes$/);
    expect(table.stdout).toMatch(/src03_x264\s+distorted\s+src03\s+video\s+96x64\s+10\s+10\s+condition=x264/);
  });

  it('prints help for every command', () => {
    for (const args of [['--help'], ['project', 'create', '--help'], ['import', '--help'], ['stimuli', '--help']]) {
      const r = iqa(args, env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: iqa/);
    }
  });

  it('fails with one line and a non-zero exit on bad input', () => {
    const proj = join(tmp.dir, 'proj-bad-input');
    expect(iqa(['project', 'create', proj], env).code).toBe(0);
    const notProject = iqa(['stimuli', tmp.dir], env);
    expect(notProject.code).not.toBe(0);
    expect(notProject.stderr).toBe(`iqa: ${tmp.dir} is not an IQA Studio project (no iqa-project.sqlite in it)\n`);
    // A malformed argument: exactly one line and exit code 2 (docs/cli.md).
    const missingArg = iqa(['import'], env);
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toBe("iqa: missing required argument 'dir' (run with --help for usage)\n");
    const badPattern = iqa(['import', proj, tmp.dir, '--pattern', '(?<ref>'], env);
    expect(badPattern.code).toBe(2);
    expect(badPattern.stderr).toMatch(/^iqa: option '--pattern <regex>' argument '\(\?<ref>' is invalid\. not a valid regular expression[^\n]*\(run with --help for usage\)\n$/);
    const badPooling = iqa(['metrics', '--dist', 'x.png', '--metrics', 'psnr', '--pooling', 'zz'], env);
    expect(badPooling.code).toBe(2);
    expect(badPooling.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(iqa(['--version'], env)).toMatchObject({ code: 0, stderr: '' });
    const badYuv = iqa(['import', proj, tmp.dir, '--yuv', '1920x1080'], env);
    expect(badYuv.stderr).toMatch(/expected WIDTHxHEIGHT:PIXFMT@FPS/);
    const again = iqa(['project', 'create', proj], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already holds a project/);
  });
});

describe('iqa metrics / run / results', () => {
  it('prints one JSON object with pooled and per-frame values', () => {
    const ref = join(tmp.dir, 'media', 'ref', 'src01.png');
    const dist = join(tmp.dir, 'media', 'dist', 'src01_blur.png');
    const r = iqa(['metrics', '--ref', ref, '--dist', dist, '--metrics', 'psnr-y,ssim-y', '--per-frame', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ref, dist, frames: 1 });
    expect(Object.keys(out.metrics)).toEqual(['psnr-y', 'ssim-y']);
    expect(out.metrics['psnr-y'].perFrame).toEqual([out.metrics['psnr-y'].value]);
    expect(out.metrics['ssim-y'].value).toBeGreaterThan(0.5);
  });

  it('writes identical inputs as "Infinity" in JSON and inf in the table', () => {
    const ref = join(tmp.dir, 'media', 'ref', 'src01.png');
    const json = JSON.parse(iqa(['metrics', '--ref', ref, '--dist', ref, '--metrics', 'psnr', '--json'], env).stdout);
    expect(json.metrics.psnr.value).toBe('Infinity');
    expect(iqa(['metrics', '--ref', ref, '--dist', ref, '--metrics', 'psnr'], env).stdout).toMatch(/psnr\s+inf/);
  });

  it('computes a video per frame with a parameter for one metric', () => {
    const ref = join(tmp.dir, 'media', 'dist', 'src03_x264.mp4');
    const r = iqa(['metrics', '--ref', ref, '--dist', ref, '--metrics', 'ssim-y,ssim', '--param', 'ssim-y.variant=ffmpeg', '--per-frame', '--json'], env);
    const out = JSON.parse(r.stdout);
    expect(out.frames).toBe(10);
    expect(out.metrics['ssim-y'].perFrame).toHaveLength(10);
  });

  it('fails with one line on bad input', () => {
    const ref = join(tmp.dir, 'media', 'ref', 'src01.png');
    const unknown = iqa(['metrics', '--ref', ref, '--dist', ref, '--metrics', 'vmaf9000'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/^iqa: unknown metric "vmaf9000" \(known: mse, psnr/);
    const big = join(tmp.dir, 'big.png'); // outside media/, which other tests import
    makePng(big, 1, '128x96');
    const mismatch = iqa(['metrics', '--ref', ref, '--dist', big, '--metrics', 'psnr'], env);
    expect(mismatch.code).not.toBe(0);
    expect(mismatch.stderr.trim().split('\n')).toHaveLength(1);
    expect(mismatch.stderr).toContain('sizes differ: reference 96x64, distorted 128x96');
    const badParam = iqa(['metrics', '--ref', ref, '--dist', ref, '--metrics', 'ssim-y', '--param', 'variant=fast'], env);
    expect(badParam.stderr).toMatch(/^iqa: ssim-y: variant: /);
    const missing = iqa(['metrics', '--ref', join(tmp.dir, 'nope.png'), '--dist', ref, '--metrics', 'psnr'], env);
    expect(missing.stderr).toMatch(/nope\.png: cannot read \(ENOENT\)/);
  });
});

describe('iqa run / results on a project', () => {
  let dir: string;
  beforeAll(() => {
    // Its own project, imported here rather than by another test.
    dir = join(tmp.dir, 'proj-run');
    expect(iqa(['project', 'create', dir], env).code).toBe(0);
    expect(iqa(['import', dir, join(tmp.dir, 'media')], env).code).toBe(0);
  });

  it('runs a project, skips stored pairs the second time, and exports results', () => {
    const first = iqa(['run', dir, '--metrics', 'psnr,ssim-y'], env);
    expect(first.stdout).toBe('6 pair(s): 6 computed, 0 already stored, 0 failed\n');
    expect(iqa(['run', dir, '--metrics', 'psnr,ssim-y'], env).stdout).toBe('6 pair(s): 0 computed, 6 already stored, 0 failed\n');
    const csv = iqa(['results', dir, '--format', 'csv'], env).stdout.trim().split('\n');
    expect(csv).toHaveLength(13);
    const json = JSON.parse(iqa(['results', dir, '--format', 'json'], env).stdout);
    expect(json.results).toHaveLength(12);
  });

  it('ends quietly with exit code 0 when the reader has closed the pipe (results --format json | head)', async () => {
    const child = spawn(process.execPath, [CLI, 'results', dir, '--format', 'json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader is gone before the CLI has written anything: its first write fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
