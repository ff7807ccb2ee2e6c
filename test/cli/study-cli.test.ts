/** `iqa study …` through the built CLI (`npm run build:main`) on a project of real PNG files. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iqa } from '../helpers/cli';
import { makePng, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let project: string;
let env: Record<string, string>;

beforeAll(() => {
  tmp = tempDir('study-cli');
  env = { IQA_USER_DATA: join(tmp.dir, 'user') };
  const media = join(tmp.dir, 'media');
  ['src01', 'src02', 'src03'].forEach((name, i) => {
    makePng(join(media, 'ref', `${name}.png`), i, '96x64');
    makePng(join(media, 'dist', `${name}_blur.png`), i, '96x64', 'gblur=sigma=2');
    makePng(join(media, 'dist', `${name}_noise.png`), i, '96x64', 'noise=alls=25:allf=u');
  });
  project = join(tmp.dir, 'project');
  expect(iqa(['project', 'create', project], env).code).toBe(0);
  const imported = iqa(['import', project, media], env);
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(() => tmp.cleanup());

describe('iqa study', () => {
  it('creates a study, and the same participant code always gets the same playlist', () => {
    const created = iqa(['study', 'create', project, '--name', 'acr', '--method', 'ACR', '--stimuli', 'role=distorted', '--training', '2', '--training-stimuli', 'role=reference', '--repeat', '2', '--seed', '42', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const { studyId } = JSON.parse(created.stdout) as { studyId: number };
    expect(studyId).toBeGreaterThan(0);
    const playlist = (code: string) => {
      const r = iqa(['study', 'playlist', project, '--study', String(studyId), '--participant', code, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { trials: { idx: number; stimulus: string; reference: string | null; other: string | null; training: boolean }[] };
    };
    const a = playlist('P01');
    expect(a.trials).toHaveLength(2 + 2 * 6);
    expect(a.trials[0]).toEqual(expect.objectContaining({ idx: 0, training: true, other: null }));
    // Training on references (outside the test set), test trials on the distorted ones with their reference named.
    expect(a.trials.filter((t) => t.training).every((t) => /^src0\d$/.test(t.stimulus))).toBe(true);
    expect(a.trials.filter((t) => !t.training).every((t) => t.reference === t.stimulus.replace(/_(blur|noise)$/, ''))).toBe(true);
    // Names as `iqa stimuli` lists them.
    const names = new Set((JSON.parse(iqa(['stimuli', project, '--json'], env).stdout) as { name: string }[]).map((s) => s.name));
    expect(a.trials.every((t) => names.has(t.stimulus))).toBe(true);
    expect(playlist('P01')).toEqual(a);
    expect(playlist('P02')).not.toEqual(a);
    // By name too; and the list shows it.
    expect(JSON.parse(iqa(['study', 'playlist', project, '--study', 'acr', '--participant', 'P01', '--json'], env).stdout)).toEqual(a);
    expect(iqa(['study', 'list', project], env).stdout).toMatch(/acr\s+ACR/);
  });

  it('validates against a display: each stimulus too large for it is listed with its fix, and a display it fits passes', () => {
    const created = iqa(['study', 'create', project, '--name', 'dcr', '--method', 'DCR', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const ok = iqa(['study', 'validate', project, '--study', 'dcr', '--display', '1920x1080', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, checked: 9, problems: [] });
    const small = iqa(['study', 'validate', project, '--study', 'dcr', '--display', '80x60', '--json'], env);
    expect(small.code).toBe(1);
    const r = JSON.parse(small.stdout) as { problems: { stimulus: string; problem: string; fix: string }[] };
    expect(r.problems).toHaveLength(9);
    expect(r.problems[0]!.problem).toMatch(/96x64 does not fit the 80x60 display at 1:1/);
    expect(r.problems[0]!.fix).toMatch(/at most 80x60/);
  });

  it('exports a PC study as CSV for iqa pairwise, and refuses a malformed pair design in one line', () => {
    const created = iqa(['study', 'create', project, '--name', 'pc', '--method', 'PC', '--pairs', 'random:3', '--participants', '2', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const exported = iqa(['study', 'export', project, '--study', 'pc', '--format', 'csv'], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.split('\n')[0]).toMatch(/^participant,session,a,b,choice,/);
    const bad = iqa(['study', 'create', project, '--name', 'pc2', '--method', 'PC', '--pairs', 'random'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^iqa: .*full, random:K or active:K/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('validation names a missing file with the fix', () => {
    iqa(['study', 'create', project, '--name', 'acr-missing', '--method', 'ACR', '--stimuli', 'name=src02_noise'], env);
    rmSync(join(tmp.dir, 'media', 'dist', 'src02_noise.png'));
    const r = iqa(['study', 'validate', project, '--study', 'acr-missing'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/src02_noise: .*missing/);
    expect(r.stdout).toMatch(/fix: restore the file/);
  });

  it('designs the pages before the trials from a consent file, a demographics spec and --vision-check, and shows them', () => {
    const consent = join(tmp.dir, 'consent.txt');
    writeFileSync(consent, 'I agree to take part.\n');
    const created = iqa(['study', 'create', project, '--name', 'acr-pages', '--method', 'ACR', '--consent-file', consent, '--demographics', 'Age* (number); Glasses: yes | no', '--vision-check', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const shown = iqa(['study', 'show', project, '--study', 'acr-pages'], env);
    expect(shown.stdout).toContain('before the trials: consent, demographics (Age* (number); Glasses: yes | no), vision check');
    const detail = JSON.parse(iqa(['study', 'show', project, '--study', 'acr-pages', '--json'], env).stdout) as { design: { pages: unknown } };
    expect(detail.design.pages).toMatchObject({ consent: 'I agree to take part.', visionCheck: true, instructions: null });
    const bad = iqa(['study', 'create', project, '--name', 'acr-bad', '--method', 'ACR', '--demographics', 'Glasses: yes'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"Glasses": a choice needs at least two options');
    const missing = iqa(['study', 'create', project, '--name', 'acr-bad', '--method', 'ACR', '--consent-file', join(tmp.dir, 'none.txt')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('none.txt (ENOENT)');
  });
});
