/**
 * `iqa nr` end to end through the built CLI (bin/iqa.js): a project made with `iqa project create`,
 * `iqa import` of generated pictures (references and Gaussian blurs of increasing strength) and
 * `iqa ratings import` of scores that fall with the blur; then `iqa nr train` (progress on stderr, the
 * cross-validated statistics on stdout), list, show, export, import, `iqa run --metrics nr:<name>`, the
 * predictor in `iqa analyze`, delete, and the one-line errors that store nothing. The model folder is the
 * test's own, with the LPIPS-AlexNet graph of ../shared/models.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iqa } from '../helpers/cli';
import { makePng, tempDir } from '../helpers/media';
import { sharedData, sharedModel } from '../helpers/shared-data';

const haveModels = sharedData('models');

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
let project: string;

/** Exit code 0 and no `iqa:` line, or the output for the message. */
function ok(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.stderr, r.stderr).not.toMatch(/^iqa:/m);
  expect(r.code).toBe(0);
  return r.stdout;
}

/** One `iqa:` line; exit code 2 for an input error (E_INPUT), 1 for the others (docs/cli.md). */
function oneLineError(r: { code: number; stderr: string }, pattern: RegExp, code = 2): void {
  expect(r.code).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('iqa:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(() => {
  tmp = tempDir('cli-nr');
  env = { IQA_MODEL_DIR: join(tmp.dir, 'models'), IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_ONNX_PROVIDERS: 'cpu' };
  project = join(tmp.dir, 'project');
});
afterAll(() => tmp?.cleanup());

describe.skipIf(!haveModels)('iqa nr', () => {
  beforeAll(() => {
    mkdirSync(join(tmp.dir, 'models', 'lpips-alex'), { recursive: true });
    copyFileSync(sharedModel('lpips-alex/lpips_alex_v0.1.onnx'), join(tmp.dir, 'models', 'lpips-alex', 'lpips_alex_v0.1.onnx'));
    const media = join(tmp.dir, 'media');
    mkdirSync(media, { recursive: true });
    const rows = ['participant,stimulus,score'];
    const blurs = [
      { sigma: 0, mos: 4.7 },
      { sigma: 1, mos: 3.9 },
      { sigma: 2.5, mos: 2.8 },
      { sigma: 5, mos: 1.6 },
    ];
    for (let c = 0; c < 4; c++) {
      blurs.forEach((b, k) => {
        const name = b.sigma === 0 ? `pic${c}` : `pic${c}_g${k}`;
        makePng(join(media, `${name}.png`), c + 5, '96x64', b.sigma ? `gblur=sigma=${b.sigma}` : '');
        [-0.3, 0.2, 0.1].forEach((o, p) => rows.push(`obs${p},${name},${Math.min(5, Math.max(1, b.mos + o)).toFixed(1)}`));
      });
    }
    writeFileSync(join(tmp.dir, 'ratings.csv'), rows.join('\n') + '\n');
    ok(iqa(['project', 'create', project], env));
    ok(iqa(['import', project, media], env));
    ok(iqa(['ratings', 'import', project, join(tmp.dir, 'ratings.csv'), '--study', 'blur'], env));
  });

  it('train prints progress and the cross-validated statistics, and stores the predictor', () => {
    const r = iqa(['nr', 'train', project, '--features', 'alexnet-levels', '--target', 'mos', '--name', 'sharp', '--folds', '4', '--resamples', '200', '--seed', '2'], env);
    const out = ok(r);
    // Progress lines on stderr (not a terminal): the features, then the level fits.
    expect(r.stderr).toMatch(/features \(alexnet-levels\)/);
    expect(r.stderr).toMatch(/fold 1 of 4: level /);
    expect(out).toMatch(/^predictor nr:sharp: alexnet-levels features/m);
    expect(out).toMatch(/trained on 16 stimuli of 4 contents; 4 folds by content/);
    const m = /cross-validated \(n = 16, no mapping\): SROCC (-?[\d.]+) \[/.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0.7);
    expect(out).toMatch(/95 % BCA intervals from 200 bootstrap resamples of 4 contents \(seed 2\)/);
    const list = JSON.parse(ok(iqa(['nr', 'list', project, '--json'], env))) as { name: string; stimuli: number }[];
    expect(list).toEqual([expect.objectContaining({ name: 'sharp', stimuli: 16 })]);
    expect(ok(iqa(['nr', 'list', project], env))).toMatch(/nr:sharp\s+alexnet-levels\s+mos\s+blur\s+16\s+4/);
    const shown = ok(iqa(['nr', 'show', project, 'sharp'], env));
    expect(shown).toMatch(/final relu|final \w+ \(\d+ values\): C /);
    expect(shown.split('\n').filter((l) => /^\d\s/.test(l.trim()))).toHaveLength(4);
  });

  it('refuses a used name, too few rated stimuli and an unknown backbone in one line, storing nothing', () => {
    oneLineError(iqa(['nr', 'train', project, '--features', 'alexnet-levels', '--target', 'mos', '--name', 'sharp'], env), /^iqa: a predictor named "sharp" already exists/, 1);
    oneLineError(iqa(['nr', 'train', project, '--features', 'resnet-levels', '--target', 'mos', '--name', 'other'], env), /^iqa: unknown feature backbone "resnet-levels"/);
    writeFileSync(join(tmp.dir, 'few.csv'), 'participant,stimulus,score\n' + ['pic0', 'pic1', 'pic2', 'pic0_g1', 'pic1_g1', 'pic2_g1'].map((s, i) => `a,${s},${(i % 5) + 1}`).join('\n') + '\n');
    ok(iqa(['ratings', 'import', project, join(tmp.dir, 'few.csv'), '--study', 'few'], env));
    oneLineError(iqa(['nr', 'train', project, '--features', 'alexnet-levels', '--target', 'mos', '--name', 'other', '--study', 'few'], env), /^iqa: training needs at least 10 rated stimuli; study "few" has 6 with a MOS$/);
    oneLineError(iqa(['nr', 'train', project, '--features', 'alexnet-levels', '--target', 'dmos', '--name', 'other', '--study', 'blur'], env), /^iqa: difference scores need a DSCQS or ACR-HR study; "blur" is ACR$/);
    const names = (JSON.parse(ok(iqa(['nr', 'list', project, '--json'], env))) as { name: string }[]).map((p) => p.name);
    expect(names).toEqual(['sharp']);
  });

  it('export and import round-trip the predictor; run computes nr:<name> on every stimulus; analyze correlates it; delete removes it', () => {
    const file = join(tmp.dir, 'sharp.json');
    ok(iqa(['nr', 'export', project, 'sharp', '--out', file], env));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'iqa-nr-predictor', version: 1, predictor: { name: 'sharp' } });
    const imported = JSON.parse(ok(iqa(['nr', 'import', project, file, '--as', 'sharp-copy', '--json'], env))) as { name: string };
    expect(imported.name).toBe('sharp-copy');
    const a = JSON.parse(ok(iqa(['nr', 'show', project, 'sharp', '--json'], env))) as { predictor: unknown; sha256: string };
    const b = JSON.parse(ok(iqa(['nr', 'show', project, 'sharp-copy', '--json'], env))) as { predictor: unknown; sha256: string };
    expect(b.predictor).toEqual(a.predictor);
    expect(b.sha256).toBe(a.sha256);

    const run = JSON.parse(ok(iqa(['run', project, '--metrics', 'nr:sharp', '--json'], env))) as { computed: number; failed: unknown[] };
    expect(run.computed).toBe(16);
    expect(run.failed).toEqual([]);
    const results = (JSON.parse(ok(iqa(['results', project, '--format', 'json'], env))) as { results: { metric: string; model: { sha256: string } | null }[] }).results;
    const mine = results.filter((r) => r.metric === 'nr:sharp');
    expect(mine).toHaveLength(16);
    for (const r of mine) expect(r.model?.sha256).toBe(a.sha256);
    const analysis = ok(iqa(['analyze', project, '--study', 'blur', '--resamples', '0', '--format', 'csv'], env));
    expect(analysis).toMatch(/nr:sharp|Learned NR sharp/);

    // Outside a project, and in shards, a trained predictor is refused in one line.
    oneLineError(iqa(['metrics', '--dist', join(tmp.dir, 'media', 'pic0.png'), '--metrics', 'nr:sharp'], env), /^iqa: nr:sharp is a predictor trained in a project: compute it with iqa run <project> --metrics nr:sharp$/);
    oneLineError(iqa(['run', project, '--metrics', 'nr:sharp', '--shard', '1/2'], env), /^iqa: nr:sharp is not computed in shards/, 1);

    expect(ok(iqa(['nr', 'delete', project, 'sharp'], env))).toBe('deleted nr:sharp\n');
    const after = (JSON.parse(ok(iqa(['results', project, '--format', 'json'], env))) as { results: { metric: string }[] }).results;
    expect(after.filter((r) => r.metric === 'nr:sharp')).toEqual([]);
    oneLineError(iqa(['nr', 'show', project, 'sharp'], env), /^iqa: no predictor named "sharp" in this project \(there are: sharp-copy\)$/, 1);
  });
});
