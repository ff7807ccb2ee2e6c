/**
 * `iqa slurm submit` / `status` under a real Slurm (issue 17; .ci/run starts a one-node cluster with
 * .ci/slurm.sh): the job array and the merge job run and the project ends with every value, per frame
 * too, equal to a plain `iqa run`; a shard cancelled with scancel is shown by status, a resubmit runs
 * only that shard, and its merge completes the project. Skipped, saying why, where Slurm is not up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '../helpers/media';
import { dumpValues, IMAGE_PAIRS, iqaAsync as iqa, makeShardMedia, VIDEO_PAIRS } from '../helpers/shard-project';
import { arrayStates, FINISHED, jobState, slurmAvailable } from '../helpers/slurm';
import type { SlurmStatusReport, SlurmSubmitReport } from '../../src-main/common/contract-types';

const PAIRS = VIDEO_PAIRS + IMAGE_PAIRS;
const METRICS = ['--metrics', 'psnr,ssim'];
/** A loaded 2-core machine runs 4 shards and a merge in well under this; a ceiling, not an expectation. */
const JOB_CEILING_MS = 300_000;

const available = slurmAvailable();

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
let template: string;
let plain: ReturnType<typeof dumpValues>;

async function ok(args: string[]): Promise<string> {
  const r = await iqa(args, env);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('iqa:'))).toEqual([]);
  expect(r.code).toBe(0);
  return r.stdout;
}

function project(name: string): string {
  const dir = join(tmp.dir, name);
  cpSync(template, dir, { recursive: true });
  return dir;
}

async function submit(dir: string, extra: string[] = []): Promise<SlurmSubmitReport> {
  return JSON.parse(await ok(['slurm', 'submit', dir, ...METRICS, '--shards', '4', '--json', ...extra])) as SlurmSubmitReport;
}

/** Waits until Slurm reports the job finished, and returns its final state. */
async function finished(jobId: string): Promise<string> {
  await expect.poll(() => FINISHED.includes(jobState(jobId) ?? ''), { timeout: JOB_CEILING_MS, interval: 1000 }).toBe(true);
  return jobState(jobId)!;
}

async function status(dir: string): Promise<SlurmStatusReport> {
  return JSON.parse(await ok(['slurm', 'status', dir, '--json'])) as SlurmStatusReport;
}

describe.skipIf(!available)('iqa slurm under a real Slurm', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    tmp = tempDir('slurm');
    env = { IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') };
    const media = join(tmp.dir, 'media');
    makeShardMedia(media);
    template = join(tmp.dir, 'template');
    expect((await iqa(['project', 'create', template], env)).code).toBe(0);
    expect((await iqa(['import', template, media], env)).stdout).toContain(`added ${2 * PAIRS}`);
    const single = project('single');
    await ok(['run', single, ...METRICS]);
    plain = dumpValues(single);
  }, 300_000);
  afterAll(() => tmp?.cleanup());

  it('--dry-run writes the array and merge scripts without submitting', async () => {
    const dir = project('dry');
    const out = await ok(['slurm', 'submit', dir, ...METRICS, '--shards', '3', '--partition', 'debug', '--time', '0:30:00', '--cpus-per-task', '2', '--gres', 'gpu:1', '--dry-run']);
    expect(out).toMatch(/#SBATCH --array=1,2,3\n/);
    expect(out).toMatch(/#SBATCH --partition=debug\n/);
    expect(out).toMatch(/#SBATCH --time=0:30:00\n/);
    expect(out).toMatch(/#SBATCH --gres=gpu:1\n/);
    expect(out).toContain(`'${process.execPath}' '${join(process.cwd(), 'bin', 'iqa.js')}' run '${dir}'`);
    expect(out).toContain('--shard "${SLURM_ARRAY_TASK_ID}/3"');
    expect(out).toContain(`export IQA_MODEL_DIR='${env.IQA_MODEL_DIR}'`);
    expect(out).toMatch(/export IQA_FFMPEG='\/\S+'/);
    expect(out).toMatch(/merge '.*dry'\n/);
    expect(out).toContain('sbatch --parsable --dependency=afterany:');
    expect((await status(dir)).runs[0]!.jobs).toEqual([]);
  });

  it('the array and the merge job give the values of a plain run, per frame too', async () => {
    const dir = project('submitted');
    const r = await submit(dir);
    expect(r.shards).toEqual([1, 2, 3, 4]);
    expect(r.arrayJobId).toMatch(/^\d+$/);
    expect(await finished(r.mergeJobId!)).toBe('COMPLETED');
    for (const i of [1, 2, 3, 4]) expect(jobState(`${r.arrayJobId}_${i}`)).toBe('COMPLETED');
    const after = dumpValues(dir);
    expect(after.pooled).toEqual(plain.pooled);
    expect(after.frames).toEqual(plain.frames);
    const s = await status(dir);
    expect(s.runs[0]!.shards.map((x) => x.state)).toEqual(['merged', 'merged', 'merged', 'merged']);
    expect(s.runs[0]!.jobs.map((j) => [j.kind, j.jobId])).toEqual([
      ['array', r.arrayJobId],
      ['merge', r.mergeJobId],
    ]);
    expect(readFileSync(join(r.arrayScript, '..', 'merge.out'), 'utf8')).toMatch(/merged 1, 2, 3, 4/);
  });

  it('a shard cancelled while it runs shows in status, and a resubmit runs only that shard and completes the merge', async () => {
    const dir = project('cancelled');
    // One task at a time (each takes the whole node), so the first one running is cancelled half-way
    // while the others wait (a pending task cancelled is forgotten by a Slurm without accounting).
    const whole = String(cpus().length);
    const r = await submit(dir, ['--cpus-per-task', whole]);
    let victim = 0;
    await expect
      .poll(
        () => {
          for (const [task, state] of arrayStates(r.arrayJobId!)) if (state === 'RUNNING') victim = task;
          return victim;
        },
        { timeout: JOB_CEILING_MS, interval: 100 },
      )
      .toBeGreaterThan(0);
    const cancel = spawnSync('scancel', [`${r.arrayJobId}_${victim}`], { encoding: 'utf8' });
    expect(cancel.status, cancel.stderr).toBe(0);
    expect(await finished(r.mergeJobId!)).toBe('FAILED'); // iqa merge exits 1: a shard is missing
    expect(jobState(`${r.arrayJobId}_${victim}`)).toBe('CANCELLED');
    const s = await status(dir);
    const others = [1, 2, 3, 4].filter((i) => i !== victim);
    for (const i of others) expect(s.runs[0]!.shards[i - 1]!.state).toBe('merged');
    expect(['missing', 'unfinished']).toContain(s.runs[0]!.shards[victim - 1]!.state);
    expect(s.runs[0]!.slurm[String(victim)]).toBe('CANCELLED');
    expect(await ok(['slurm', 'status', dir])).toMatch(new RegExp(`${victim}/4\\s+(not started|unfinished \\(\\d+ of \\d+ stimuli\\))\\s+CANCELLED`));
    expect(readFileSync(join(r.arrayScript, '..', 'merge.out'), 'utf8')).toMatch(new RegExp(`missing shard ${victim} of 4`));

    const again = await submit(dir, ['--cpus-per-task', whole]);
    expect(again.shards).toEqual([victim]);
    expect(readFileSync(again.arrayScript, 'utf8')).toContain(`#SBATCH --array=${victim}\n`);
    expect(await finished(again.mergeJobId!)).toBe('COMPLETED');
    expect(existsSync(join(again.arrayScript, '..', 'shard-1-of-4.out'))).toBe(true);
    const after = dumpValues(dir);
    expect(after.pooled).toEqual(plain.pooled);
    expect(after.frames).toEqual(plain.frames);
    expect((await status(dir)).runs[0]!.shards.map((x) => x.state)).toEqual(['merged', 'merged', 'merged', 'merged']);
    // Nothing left to submit.
    const none = await iqa(['slurm', 'submit', dir, ...METRICS, '--shards', '4'], env);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/^iqa: nothing to submit: every shard of run [0-9a-f]{16} is finished/);
  });
});
