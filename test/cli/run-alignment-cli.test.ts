/**
 * `iqa run` applies the alignments confirmed in the viewer (issue 13), as the compute dialog does: a pair
 * whose detected offset was accepted ('align.decide') is computed with that timing and said so on
 * stderr; `--no-alignment-decisions` computes it as it is. The distorted video is the reference's frames
 * from frame 4 on, lossless: in step, PSNR-Y is infinite; out of step, it is finite.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlignmentReport } from '../../src-main/common/contract';
import { Engine } from '../../src-main/services/engine';
import { makeFromFrames, makeMaster, range } from '../helpers/align-media';
import { iqa } from '../helpers/cli';
import { tempDir } from '../helpers/media';

const PAD = 6;
const LEN = 24;
const LATE = 4;

let tmp: { dir: string; cleanup: () => void };
let project: string;
let env: Record<string, string>;

/** The stored PSNR-Y row of clip_late, as `iqa results --format json` prints it. */
function storedPsnr(): { value: unknown; alignment: { skipRef: number } | null } {
  const r = iqa(['results', project, '--format', 'json'], env);
  expect(r.code, r.stderr).toBe(0);
  const { results } = JSON.parse(r.stdout) as { results: { stimulus: string; metric: string; value: unknown; alignment: { skipRef: number } | null }[] };
  return results.find((row) => row.stimulus === 'clip_late' && row.metric === 'psnr-y')!;
}

beforeAll(async () => {
  tmp = tempDir('run-alignment-cli');
  env = { IQA_USER_DATA: join(tmp.dir, 'user'), IQA_MODEL_DIR: join(tmp.dir, 'models') };
  const master = makeMaster(tmp.dir, PAD * 2 + LEN);
  mkdirSync(join(tmp.dir, 'media', 'ref'), { recursive: true });
  mkdirSync(join(tmp.dir, 'media', 'dist'), { recursive: true });
  makeFromFrames(join(tmp.dir, 'media', 'ref', 'clip.mp4'), master, range(PAD, LEN));
  makeFromFrames(join(tmp.dir, 'media', 'dist', 'clip_late.mp4'), master, range(PAD + LATE, LEN));
  project = join(tmp.dir, 'project');
  expect(iqa(['project', 'create', project], env).code).toBe(0);
  const imported = iqa(['import', project, join(tmp.dir, 'media')], env);
  expect(imported.code, imported.stderr).toBe(0);

  // The viewer's "Confirm by flicker": the detected alignment accepted (through the engine, as the app does).
  const engine = new Engine({ userDataDir: env.IQA_USER_DATA!, threads: 1, roots: [tmp.dir] });
  try {
    const stimuli = await engine.handlers['stimuli.list']({ projectDir: project });
    const late = stimuli.find((s) => s.name === 'clip_late')!;
    const report = (await engine.handlers['align.check']({ projectDir: project, stimulusId: late.id, maxOffset: 10 })) as AlignmentReport;
    expect(report.policy).toMatchObject({ skipRef: LATE, truncate: true });
    await engine.handlers['align.decide']({ projectDir: project, stimulusId: late.id, verdict: 'accepted', report });
  } finally {
    await engine.shutdown();
  }
});
afterAll(() => tmp?.cleanup());

describe('iqa run with an alignment confirmed in the viewer', () => {
  it('computes the pair with the confirmed timing and says so', () => {
    const r = iqa(['run', project, '--metrics', 'psnr-y', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`clip_late: the alignment confirmed in the viewer is applied (skip ${LATE} reference frames · truncate to the shorter)`);
    expect(JSON.parse(r.stdout)).toMatchObject({ pairs: 1, computed: 1, failed: [] });
    // In step, lossless: identical frames; the stored provenance says which timing made the value.
    const stored = storedPsnr();
    expect(stored.value).toBe('Infinity');
    expect(stored.alignment).toMatchObject({ skipRef: LATE });
  });

  it('--no-alignment-decisions computes the pair as it is (out of step)', () => {
    const r = iqa(['run', project, '--metrics', 'psnr-y', '--force', '--no-alignment-decisions', '--truncate', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('confirmed in the viewer');
    const { value, alignment } = storedPsnr();
    expect(typeof value).toBe('number');
    expect(value as number).toBeLessThan(40);
    expect(alignment).toMatchObject({ skipRef: 0 });
  });
});
