/**
 * FID's feature extraction sharded (issue 17): `iqa fid --shard I/3` for each I caches the features of
 * its third of the two sets' images (each image in exactly one shard), and a run without --shard then
 * computes FID (and KID) from the cache alone, equal to a cold unsharded run to 1e-9 relative. The built
 * CLI with the random-weight Inception graph of ../shared/models (a pipeline test, not a metric value).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { FvdResult, ImageSetMetricsResult } from '../../src-main/common/domain';
import { makeMp4, makePng, tempDir } from '../helpers/media';
import { iqaAsync as iqa } from '../helpers/shard-project';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const haveModels = sharedData('models');
/** The statistics come from the same float32 features in the same order: we expect equality; 1e-9 is the bound. */
const REL_TOL = 1e-9;

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
let A: string;
let B: string;

async function fid(extra: string[]): Promise<ImageSetMetricsResult> {
  const r = await iqa(['fid', '--a', A, '--b', B, '--metrics', 'fid,kid', '--model', 'fid-inception-arch', '--json', ...extra], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ImageSetMetricsResult;
}

describe.skipIf(!haveModels)('iqa fid --shard', { timeout: 300_000 }, () => {
  beforeAll(() => {
    tmp = tempDir('fid-shards');
    env = { IQA_MODEL_DIR: SHARED_DIRS.models, IQA_USER_DATA: join(tmp.dir, 'user-data') };
    A = join(tmp.dir, 'a');
    B = join(tmp.dir, 'b');
    for (let i = 0; i < 6; i++) makePng(join(A, `p${i}.png`), i);
    for (let i = 0; i < 5; i++) makePng(join(B, `q${i}.png`), i + 6, '48x64');
  });
  afterAll(() => tmp?.cleanup());

  it('three shards fill the cache and the merged FID and KID equal an unsharded run', async () => {
    const cold = await fid(['--no-cache']);
    expect(cold.cache.computed).toBe(11);
    let images = 0;
    for (let i = 1; i <= 3; i++) {
      const s = await fid(['--shard', `${i}/3`]);
      expect(s.shard).toMatchObject({ index: i, count: 3 });
      expect(s.fid).toBeUndefined();
      expect(s.cache.computed).toBe(s.shard!.images);
      expect(s.shard!.images).toBeGreaterThanOrEqual(3);
      images += s.shard!.images;
    }
    expect(images).toBe(11);
    const merged = await fid([]);
    expect(merged.cache).toMatchObject({ hits: 11, computed: 0 });
    expect(merged.n_a).toBe(6);
    expect(merged.n_b).toBe(5);
    const rel = (x: unknown, y: unknown) => Math.abs((x as number) - (y as number)) / Math.abs(y as number);
    expect(rel(merged.fid, cold.fid)).toBeLessThanOrEqual(REL_TOL);
    expect(rel(merged.kid!.mean, cold.kid!.mean)).toBeLessThanOrEqual(REL_TOL);
  });

  it('refuses --shard with --no-cache in one line', async () => {
    const r = await iqa(['fid', '--a', A, '--b', B, '--model', 'fid-inception-arch', '--shard', '1/3', '--no-cache'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^iqa: a shard only fills the feature cache: --shard does not go with --no-cache/);
  });
});

describe.skipIf(!haveModels)('iqa fvd --shard', { timeout: 300_000 }, () => {
  let dir: { dir: string; cleanup: () => void };
  let venv: Record<string, string>;
  let VA: string;
  let VB: string;
  const fvd = async (extra: string[]): Promise<FvdResult> => {
    const r = await iqa(['fvd', '--a', VA, '--b', VB, '--model', 'i3d-arch', '--clip-length', '10', '--json', ...extra], venv);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as FvdResult;
  };
  beforeAll(() => {
    dir = tempDir('fvd-shards');
    venv = { IQA_MODEL_DIR: SHARED_DIRS.models, IQA_USER_DATA: join(dir.dir, 'user-data') };
    VA = join(dir.dir, 'va');
    VB = join(dir.dir, 'vb');
    for (let i = 0; i < 3; i++) makeMp4(join(VA, `a${i}.mp4`), i, '32x32');
    for (let i = 0; i < 3; i++) makeMp4(join(VB, `b${i}.mp4`), i + 3, '32x32');
  });
  afterAll(() => dir?.cleanup());

  it('two shards fill the cache with the I3D features and the FVD from it equals an unsharded run', async () => {
    const cold = await fvd(['--no-cache']);
    expect(cold.cache.computed).toBe(6);
    let videos = 0;
    for (let i = 1; i <= 2; i++) {
      const s = await fvd(['--shard', `${i}/2`]);
      expect(s.shard).toMatchObject({ index: i, count: 2 });
      expect(s.fvd).toBeUndefined();
      expect(s.cache.computed).toBe(s.shard!.videos);
      videos += s.shard!.videos;
    }
    expect(videos).toBe(6);
    const merged = await fvd([]);
    expect(merged.cache).toMatchObject({ hits: 6, computed: 0 });
    expect(Math.abs((merged.fvd as number) - (cold.fvd as number)) / Math.abs(cold.fvd as number)).toBeLessThanOrEqual(REL_TOL);
  });

  it('refuses --shard with --bootstrap, and a shard with no video, in one line', async () => {
    const r = await iqa(['fvd', '--a', VA, '--b', VB, '--model', 'i3d-arch', '--clip-length', '10', '--shard', '1/2', '--bootstrap', '10'], venv);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^iqa: a shard only fills the feature cache: --shard does not go with --no-cache or --bootstrap/);
    const empty = await iqa(['fvd', '--a', VA, '--b', VB, '--model', 'i3d-arch', '--clip-length', '10', '--shard', '7/7'], venv);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/^iqa: shard 7 of 7 has no video: the two sets hold 6 distinct videos; use fewer shards/);
  });
});
