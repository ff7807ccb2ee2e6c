/**
 * IQA-CNN++ end to end through the built CLI (bin/iqa.js): the committed random-weight graph installed
 * with `iqa models install` into this test's own model directory, `iqa metrics --json` on a golden
 * image (quality and distortion distribution equal to the NumPy pipeline's fixture) and on a video
 * (per frame, pooled over frames), the project run storing the distribution beside the value
 * (`iqa results --format json`), and a missing model as a one-line typed error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iqa } from '../helpers/cli';
import { goldenPath } from '../helpers/golden';
import { makeMp4, makeStudyFolder, REPO_ROOT, tempDir } from '../helpers/media';
import { sharedData } from '../helpers/shared-data';

const LABELS = ['JPEG2000', 'JPEG', 'white noise', 'Gaussian blur', 'fast fading'];
/** As test/services/iqacnnpp.test.ts: float32 network vs the float64 reference, outputs ~0.2 at most. */
const POOLED_TOL = 1e-5;

interface Distribution {
  labels: string[];
  probabilities: number[];
  top: string;
}
interface MetricsJson {
  frames: number;
  metrics: Record<string, { value: number | null; perFrame?: number[]; model?: { id: string; comparable: boolean }; distortion?: Distribution; error?: { code: string } }>;
}

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
beforeAll(() => {
  tmp = tempDir('cli-iqacnnpp');
  env = { IQA_MODEL_DIR: join(tmp.dir, 'models'), IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_ONNX_PROVIDERS: 'cpu' };
  const installed = iqa(['models', 'install', join(REPO_ROOT, 'models/iqacnnpp-arch/iqacnnpp_arch.onnx')], env);
  expect(installed.stderr).not.toMatch(/^iqa:/m);
  expect(installed.code).toBe(0);
});
afterAll(() => tmp?.cleanup());

const ARCH = ['--param', 'iqacnnpp.model=iqacnnpp-arch'];

function expectDistribution(d: Distribution | undefined): Distribution {
  expect(d).toBeDefined();
  expect(d!.labels).toEqual(LABELS);
  // each patch's float32 softmax sums to 1 within ~1e-7
  expect(Math.abs(d!.probabilities.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
  expect(d!.top).toBe(LABELS[d!.probabilities.indexOf(Math.max(...d!.probabilities))]);
  return d!;
}

describe('iqa with IQA-CNN++', () => {
  it.skipIf(!sharedData('golden'))('metrics --json on a golden image gives the NumPy pipeline quality and distortion distribution', () => {
    const r = iqa(['metrics', '--dist', goldenPath('images/chelsea.png'), '--metrics', 'iqacnnpp', ...ARCH, '--json'], env);
    expect(r.stderr).not.toMatch(/^iqa:/m);
    expect(r.code).toBe(0);
    const out = (JSON.parse(r.stdout) as MetricsJson).metrics.iqacnnpp!;
    const fx = JSON.parse(readFileSync(join(REPO_ROOT, 'test/kernels/nn/fixtures/iqacnnpp-chelsea.json'), 'utf8')) as { quality: number; distortion: number[] };
    expect(Math.abs(out.value! - fx.quality)).toBeLessThanOrEqual(POOLED_TOL);
    const d = expectDistribution(out.distortion);
    d.probabilities.forEach((p, i) => expect(Math.abs(p - fx.distortion[i]!)).toBeLessThanOrEqual(POOLED_TOL));
    expect(out.model).toMatchObject({ id: 'iqacnnpp-arch', comparable: false });
    const text = iqa(['metrics', '--dist', goldenPath('images/chelsea.png'), '--metrics', 'iqacnnpp', ...ARCH], env);
    expect(text.stdout).toMatch(new RegExp(`^iqacnnpp distortion type: ${d.top} `, 'm'));
    expect(text.stdout).toMatch(/note: iqacnnpp-arch has random weights/);
  });

  it('a video is scored per frame: the value is the mean of the frames, one distribution for the video', () => {
    const video = join(tmp.dir, 'clip.mp4');
    makeMp4(video, 2, '96x64', 3);
    const r = iqa(['metrics', '--dist', video, '--metrics', 'iqacnnpp', ...ARCH, '--per-frame', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as MetricsJson;
    expect(out.frames).toBe(3);
    const m = out.metrics.iqacnnpp!;
    expect(m.perFrame).toHaveLength(3);
    expect(m.value!).toBeCloseTo(m.perFrame!.reduce((a, b) => a + b, 0) / 3, 12);
    expectDistribution(m.distortion);
  });

  it('a project run stores the distortion distribution beside each value (no-reference: the references are scored too)', () => {
    const dir = join(tmp.dir, 'proj');
    makeStudyFolder(join(tmp.dir, 'media'));
    expect(iqa(['project', 'create', dir], env).code).toBe(0);
    expect(iqa(['import', dir, join(tmp.dir, 'media')], env).code).toBe(0);
    const run = iqa(['run', dir, '--metrics', 'iqacnnpp', ...ARCH], env);
    expect(run.stderr).not.toMatch(/^iqa:/m);
    expect(run.stdout).toMatch(/9 pair\(s\): 9 computed/);
    const rows = (JSON.parse(iqa(['results', dir, '--format', 'json'], env).stdout) as { results: { metric: string; value: number; summary?: { distortion?: Distribution } }[] }).results;
    const mine = rows.filter((x) => x.metric === 'iqacnnpp');
    expect(mine).toHaveLength(9);
    for (const row of mine) {
      expect(typeof row.value).toBe('number');
      expectDistribution(row.summary?.distortion);
    }
    const csv = parse(iqa(['results', dir, '--format', 'csv'], env).stdout) as string[][];
    const col = csv[0]!.indexOf('distortion_type');
    expect(col).toBeGreaterThan(0);
    expect(csv.slice(1).map((row) => LABELS.includes(row[col]!))).toEqual(Array(9).fill(true));
  });

  it('a sharded run brings the distributions into the project with its values (iqa merge)', () => {
    const dir = join(tmp.dir, 'proj-shards');
    expect(iqa(['project', 'create', dir], env).code).toBe(0);
    expect(iqa(['import', dir, join(tmp.dir, 'media')], env).code).toBe(0);
    for (const shard of ['1/2', '2/2']) expect(iqa(['run', dir, '--metrics', 'iqacnnpp', ...ARCH, '--shard', shard], env).code).toBe(0);
    expect(iqa(['merge', dir], env).code).toBe(0);
    const rows = (JSON.parse(iqa(['results', dir, '--format', 'json'], env).stdout) as { results: { metric: string; stimulus: string; summary?: { distortion?: Distribution } }[] }).results;
    const merged = rows.filter((x) => x.metric === 'iqacnnpp');
    expect(merged).toHaveLength(9);
    // The same stimuli computed in one process (the test above) give the same distributions.
    const single = (JSON.parse(iqa(['results', join(tmp.dir, 'proj'), '--format', 'json'], env).stdout) as { results: { metric: string; stimulus: string; summary?: { distortion?: Distribution } }[] }).results;
    const byName = new Map(single.filter((x) => x.metric === 'iqacnnpp').map((x) => [x.stimulus, x.summary?.distortion]));
    for (const row of merged) expect(expectDistribution(row.summary?.distortion)).toEqual(byName.get(row.stimulus));
  });

  it('a missing model is one typed line naming the model and how to make it', () => {
    const r = iqa(['metrics', '--dist', join(tmp.dir, 'clip.mp4'), '--metrics', 'iqacnnpp', '--json'], env);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^iqa: iqacnnpp: model iqacnnpp is not installed: iqacnnpp\.onnx .*iqacnnpp_export\.py/);
  });
});
