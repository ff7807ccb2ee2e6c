/** The set metrics as the UI runs them: a validated command, a background job, a typed result. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Engine } from '../../src-main/services/engine';
import { dispatch } from '../../src-main/host/dispatch';
import type { ImageSetMetricsResult, JobSnapshot } from '../../src-main/common/domain';
import { makePng, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const haveModels = sharedData('models');

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
const saved = { models: process.env.IQA_MODEL_DIR, user: process.env.IQA_USER_DATA };
beforeAll(() => {
  tmp = tempDir('sets-engine');
  process.env.IQA_MODEL_DIR = SHARED_DIRS.models;
  process.env.IQA_USER_DATA = join(tmp.dir, 'user');
  for (let i = 0; i < 4; i++) {
    makePng(join(tmp.dir, 'a', `a${i}.png`), i, '64x48');
    makePng(join(tmp.dir, 'b', `b${i}.png`), i, '64x48', 'gblur=sigma=2');
  }
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 0, roots: 'unconfined' });
});
afterAll(() => {
  engine.close();
  if (saved.models === undefined) delete process.env.IQA_MODEL_DIR;
  else process.env.IQA_MODEL_DIR = saved.models;
  if (saved.user === undefined) delete process.env.IQA_USER_DATA;
  else process.env.IQA_USER_DATA = saved.user;
  tmp.cleanup();
});

describe('sets.metrics through the engine', () => {
  it.runIf(haveModels)('runs FID and KID as a job and returns the labelled result', async () => {
    const reply = await dispatch(engine.handlers, 'sets.metrics', { a: join(tmp.dir, 'a'), b: join(tmp.dir, 'b'), metrics: ['fid', 'kid'], model: 'fid-inception-arch' });
    expect(reply.ok).toBe(true);
    const { jobId } = (reply as { value: { jobId: string } }).value;
    const result = (await engine.jobs.wait(jobId)) as ImageSetMetricsResult;
    expect(result).toMatchObject({ n_a: 4, n_b: 4, model: 'fid-inception-arch', comparable: false, resize: 'pytorch-fid' });
    expect(typeof result.fid).toBe('number');
    expect((engine.jobs.get(jobId) as JobSnapshot).state).toBe('done');
  });

  it('fails the job with the install instructions when the real model is missing', async () => {
    const reply = await dispatch(engine.handlers, 'sets.metrics', { a: join(tmp.dir, 'a'), b: join(tmp.dir, 'b') });
    const { jobId } = (reply as { value: { jobId: string } }).value;
    await expect(engine.jobs.wait(jobId)).rejects.toMatchObject({ code: 'E_MODEL' });
    expect(engine.jobs.get(jobId)!.error!.message).toMatch(/iqa models install/);
  });

  it('refuses a relative set path before starting anything', async () => {
    const reply = await dispatch(engine.handlers, 'sets.metrics', { a: 'relative/folder' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'E_INPUT' } });
  });
});
