/**
 * Sharded runs through the built CLI (issue 17): `iqa run --shard I/N` for every I then `iqa merge`
 * gives the project, value for value and frame for frame, that one plain `iqa run` gives; merging again
 * changes nothing; a killed shard resumes; and a shard of other parameters or another engine, a missing
 * shard, moved or changed media are one-line refusals that leave the project as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpeg, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';
import { dumpValues, IMAGE_PAIRS, iqaAsync as iqa, makeShardMedia, VIDEO_PAIRS } from '../helpers/shard-project';

const METRICS = ['--metrics', 'psnr,ssim'];
const PAIRS = VIDEO_PAIRS + IMAGE_PAIRS;

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
let media: string;

/** A project over `mediaDir`, imported. */
async function importedProject(name: string, mediaDir: string): Promise<string> {
  const dir = join(tmp.dir, name);
  expect((await iqa(['project', 'create', dir], env)).code).toBe(0);
  const imported = await iqa(['import', dir, mediaDir], env);
  expect(imported.stdout).toContain(`added ${2 * PAIRS}, updated 0, unchanged 0, problems 0`);
  return dir;
}

/** A copy of the imported project over the shared media (its paths are relative: ../media/...). */
async function project(name: string): Promise<string> {
  const dir = join(tmp.dir, name);
  cpSync(template, dir, { recursive: true });
  return dir;
}

async function ok(args: string[]): Promise<string> {
  const r = await iqa(args, env);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('iqa:'))).toEqual([]);
  expect(r.code).toBe(0);
  return r.stdout;
}

function runKeyDir(dir: string): string {
  const keys = readdirSync(join(dir, 'shards'));
  expect(keys).toHaveLength(1);
  return join(dir, 'shards', keys[0]!);
}

let plain: ReturnType<typeof dumpValues>;
let template: string;

beforeAll(async () => {
  tmp = tempDir('shards');
  env = { IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') };
  media = join(tmp.dir, 'media');
  makeShardMedia(media);
  template = await importedProject('template', media);
  const single = await project('single');
  expect(await ok(['run', single, ...METRICS])).toContain(`${PAIRS} pair(s): ${PAIRS} computed`);
  plain = dumpValues(single);
  expect(Object.keys(plain.pooled)).toHaveLength(2 * PAIRS);
}, 300_000);
afterAll(() => tmp.cleanup());

describe('iqa run --shard and iqa merge', { timeout: 300_000 }, () => {
  it('4 shards merged equal one plain run, value for value and frame for frame; merging again changes nothing', async () => {
    const dir = await project('sharded');
    const before = readFileSync(join(dir, 'iqa-project.sqlite'));
    let pairs = 0;
    for (let i = 1; i <= 4; i++) {
      const out = await ok(['run', dir, ...METRICS, '--shard', `${i}/4`]);
      const m = /^(\d+) pair\(s\): (\d+) computed, 0 already stored, 0 failed$/m.exec(out);
      expect(m, out).not.toBeNull();
      pairs += Number(m![1]);
      // The shards write their own stores: the project file is untouched until the merge.
      expect(readFileSync(join(dir, 'iqa-project.sqlite')).equals(before)).toBe(true);
    }
    expect(pairs).toBe(PAIRS);
    const run = runKeyDir(dir);
    expect(readdirSync(run).filter((f) => f.endsWith('.sqlite')).sort()).toEqual([1, 2, 3, 4].map((i) => `shard-${i}-of-4.sqlite`));
    // Balanced by pixels × frames, not by pair count.
    const plan = JSON.parse(readFileSync(join(run, 'plan.json'), 'utf8')) as { weights: number[]; shards: number[][] };
    expect(Math.max(...plan.weights) / Math.min(...plan.weights)).toBeLessThan(1.5);

    const merged = await ok(['merge', dir]);
    expect(merged).toMatch(/4 shard\(s\): merged 1, 2, 3, 4; already merged none/);
    const after = dumpValues(dir);
    expect(after.pooled).toEqual(plain.pooled);
    expect(after.frames).toEqual(plain.frames);
    expect(Object.keys(after.frames)).toHaveLength(2 * PAIRS);

    expect(await ok(['merge', dir])).toMatch(/merged none; already merged 1, 2, 3, 4/);
    expect(dumpValues(dir).raw).toBe(after.raw);
    // With everything stored, a plain run finds nothing to compute.
    expect(await ok(['run', dir, ...METRICS])).toContain(`${PAIRS} pair(s): 0 computed, ${PAIRS} already stored`);
  });

  it('a shard killed part-way continues where it stopped when run again', async () => {
    const dir = await project('resumed');
    await ok(['run', dir, ...METRICS, '--shard', '1/2']);
    const store = join(runKeyDir(dir), 'shard-1-of-2.sqlite');
    // What a SIGKILL after some pairs leaves: some pairs' values committed, the run 'running', no finish mark.
    const db = new Database(store);
    const ids = (db.prepare('SELECT DISTINCT stimulus_id FROM metric_values ORDER BY stimulus_id').all() as { stimulus_id: number }[]).map((r) => r.stimulus_id);
    expect(ids.length).toBeGreaterThan(2);
    const dropped = ids.slice(0, 2);
    for (const id of dropped) {
      db.prepare('DELETE FROM metric_values WHERE stimulus_id = ?').run(id);
      db.prepare('DELETE FROM frame_values WHERE stimulus_id = ?').run(id);
    }
    db.prepare("DELETE FROM meta WHERE key = 'shard_done_at'").run();
    db.prepare("UPDATE metric_runs SET status = 'running'").run();
    db.close();
    const partial = await iqa(['merge', dir], env);
    expect(partial.code).toBe(1);
    const status = partial.stdout;
    expect(status).toMatch(/missing shard 1 of 2: unfinished \(\d+ of \d+ stimuli\)/);
    expect(status).toMatch(/missing shard 2 of 2: not started/);
    expect(await ok(['run', dir, ...METRICS, '--shard', '1/2'])).toContain(`${ids.length} pair(s): 2 computed, ${ids.length - 2} already stored, 0 failed`);
    await ok(['run', dir, ...METRICS, '--shard', '2/2']);
    expect(await ok(['merge', dir])).toMatch(/merged 1, 2;/);
    expect(dumpValues(dir).pooled).toEqual(plain.pooled);
    expect(dumpValues(dir).frames).toEqual(plain.frames);
  });

  it('reports a missing shard, merges the finished ones and exits non-zero', async () => {
    const dir = await project('missing');
    await ok(['run', dir, ...METRICS, '--shard', '2/3']);
    const r = await iqa(['merge', dir], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/3 shard\(s\): merged 2; already merged none/);
    expect(r.stdout).toMatch(/missing shard 1 of 3: not started/);
    expect(r.stdout).toMatch(/missing shard 3 of 3: not started/);
    // The plan is fixed: another shard count for the same configuration is refused.
    const other = await iqa(['run', dir, ...METRICS, '--shard', '1/2'], env);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/^iqa: the shards of this configuration were planned as 3 .*use --shard I\/3/);
  });

  it('refuses a shard store of other parameters or another engine version in one line, changing nothing', async () => {
    const dir = await project('refused');
    await ok(['run', dir, ...METRICS, '--shard', '1/2']);
    await ok(['run', dir, '--metrics', 'psnr,ssim:downsample=matlab-auto', '--shard', '1/2']);
    const [a, b] = readdirSync(join(dir, 'shards')).map((k) => join(dir, 'shards', k));
    const planA = JSON.parse(readFileSync(join(a!, 'plan.json'), 'utf8')) as { config: { metrics: { params: Record<string, string> }[] } };
    const [ours, theirs] = planA.config.metrics[1]!.params.downsample === 'none' ? [a!, b!] : [b!, a!];
    // The second configuration's shard 2 of 2 is not run; its shard 1 store stands in for ours.
    const before = dumpValues(dir).raw;
    copyFileSync(join(theirs, 'shard-1-of-2.sqlite'), join(ours, 'shard-1-of-2.sqlite'));
    const r = await iqa(['merge', dir], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^iqa: shard 1 of 2 \(shard-1-of-2\.sqlite of run [0-9a-f]{16}\): the store was made for shard 1 of 2 of run [0-9a-f]{16} \(other metric parameters, pooling or alignment\); nothing was merged\n$/);
    expect(dumpValues(dir).raw).toBe(before);

    // Our own store again, its values marked as made by another engine version.
    await ok(['run', dir, '--metrics', 'psnr,ssim:downsample=matlab-auto', '--shard', '2/2']);
    const own = join(tmp.dir, 'own.sqlite');
    // Recompute ours from scratch, then alter its engine version.
    renameSync(join(ours, 'shard-1-of-2.sqlite'), own);
    await ok(['run', dir, ...METRICS, '--shard', '1/2']);
    const db = new Database(join(ours, 'shard-1-of-2.sqlite'));
    db.prepare("UPDATE metric_runs SET engine_version = '0.0.9'").run();
    db.close();
    const v = await iqa(['merge', dir], env);
    expect(v.code).not.toBe(0);
    expect(v.stderr).toMatch(/^iqa: shard 1 of 2 \(shard-1-of-2\.sqlite of run [0-9a-f]{16}\): values made by engine 0\.0\.9, this is 0\.1\.0; nothing was merged\n$/);
    expect(dumpValues(dir).raw).toBe(before);
  });

  it('refuses when the media moved or changed after the shards ran, changing nothing', async () => {
    const ownMedia = join(tmp.dir, 'media-moved');
    cpSync(media, ownMedia, { recursive: true });
    const dir = await importedProject('moved', ownMedia);
    await ok(['run', dir, ...METRICS, '--shard', '1/1']);
    const before = dumpValues(dir).raw;
    renameSync(ownMedia, `${ownMedia}-elsewhere`);
    const r = await iqa(['merge', dir], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^iqa: shard 1 of 1 \(shard-1-of-1\.sqlite of run [0-9a-f]{16}\): \.\.\/media-moved\/\S+ is not at \S+ any more \(moved or deleted media\); nothing was merged\n$/);
    expect(dumpValues(dir).raw).toBe(before);

    renameSync(`${ownMedia}-elsewhere`, ownMedia);
    // The same name, other content.
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x48,hue=h=200', '-frames:v', '1', join(ownMedia, 'dist', 'p1_noise.png')]);
    const c = await iqa(['merge', dir], env);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/^iqa: shard 1 of 1 \(shard-1-of-1\.sqlite of run [0-9a-f]{16}\): \.\.\/media-moved\/dist\/p1_noise\.png has changed since it was computed \(other files\); nothing was merged\n$/);
    expect(dumpValues(dir).raw).toBe(before);
    expect(existsSync(join(dir, 'shards'))).toBe(true);
  });

  it('a pair a metric cannot compute fails in its shard as in a plain run; the rest is merged and the failure reported', async () => {
    if (!sharedData('models')) return;
    // NIQE needs two whole 96x96 blocks: every 64x48 stimulus fails it, PSNR is computed.
    const withModels = { ...env, IQA_MODEL_DIR: SHARED_DIRS.models };
    const both = ['--metrics', 'psnr,niqe'];
    const single = await project('niqe-single');
    const plainRun = await iqa(['run', single, ...both], withModels);
    expect(plainRun.code).toBe(1);
    const dir = await project('niqe-sharded');
    for (const i of [1, 2]) expect((await iqa(['run', dir, ...both, '--shard', `${i}/2`], withModels)).code).toBe(1);
    const merged = await iqa(['merge', dir], withModels);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toMatch(/2 shard\(s\): merged 1, 2;/);
    expect(merged.stdout.match(/^ {2}shard \d of 2: \S+ (?:\(niqe\) )?failed: .*NIQE needs at least two whole 96x96 blocks/gm)).toHaveLength(2 * PAIRS);
    expect(dumpValues(dir).pooled).toEqual(dumpValues(single).pooled);
    expect(Object.keys(dumpValues(dir).pooled).every((k) => k.includes(' psnr '))).toBe(true);
  });

  it('rejects a malformed --shard as a usage error', async () => {
    const r = await iqa(['run', tmp.dir, ...METRICS, '--shard', '5/4'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected I\/N with 1 <= I <= N/);
  });
});
