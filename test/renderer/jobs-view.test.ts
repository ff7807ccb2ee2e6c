import { describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../src-main/common/domain';
import { barValue, etaText, jobOutcome, panelJobs, shownState } from '../../src-renderer/src/lib/jobs-view';

const base = { label: 'job', done: 6, total: 6, unit: 'frames', message: '', startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:01:00Z', etaS: null, error: null };
const err = { code: 'E_MEDIA' as const, message: 'bad' };
const metrics = (computed: number, skipped: number, failed: number, projectDir = '/p/a'): JobSnapshot => ({
  ...base,
  id: `m${computed}${skipped}${failed}${projectDir}`,
  kind: 'metrics',
  projectDir,
  state: 'done',
  result: { pairs: computed + skipped + failed, computed, skipped, failed: Array.from({ length: failed }, () => ({ stimulus: 'x', error: err })) },
});

describe('the jobs panel', () => {
  it('shows a metrics job whose pairs all failed as failed, with no full bar, in the error tone', () => {
    const job = metrics(0, 0, 6);
    expect(shownState(job)).toBe('failed');
    expect(barValue(job)).toBeNull();
    expect(jobOutcome(job)).toEqual({ text: '0 computed · 0 already stored · 6 failed', tone: 'bad' });
  });

  it('shows a job with some failed pairs as partly failed, and a clean one as done with a full bar', () => {
    expect(shownState(metrics(4, 0, 2))).toBe('partly failed');
    expect(jobOutcome(metrics(4, 0, 2))!.tone).toBe('warn');
    expect(shownState(metrics(6, 0, 0))).toBe('done');
    expect(barValue(metrics(6, 0, 0))).toEqual({ max: 1, value: 1 });
  });

  it('does not print a successful FID result as an error', () => {
    const fid = {
      ...base,
      id: 'f',
      kind: 'sets',
      projectDir: null,
      state: 'done',
      result: { fid: 12.5, n_a: 10, n_b: 10, comparable: true },
    } as unknown as JobSnapshot;
    expect(jobOutcome(fid)).toEqual({ text: 'FID 12.500 · 10 vs 10 images', tone: 'ok' });
    const random = { ...fid, result: { fid: 12.5, n_a: 10, n_b: 10, comparable: false } } as unknown as JobSnapshot;
    expect(jobOutcome(random)!.tone).toBe('warn');
  });

  it('lists the open project\'s jobs and those of no project, newest first', () => {
    const a = { ...metrics(1, 0, 0, '/p/a'), startedAt: '2025-01-01T00:00:01Z' };
    const b = metrics(1, 0, 0, '/p/b');
    const none = { ...metrics(1, 0, 0), id: 'n', projectDir: null, startedAt: '2025-01-01T00:00:02Z' } as JobSnapshot;
    expect(panelJobs([a, b, none], '/p/a').map((j) => j.id)).toEqual([none.id, a.id]);
    expect(panelJobs([a, b, none], null).map((j) => j.id)).toEqual([none.id]);
  });

  it('says the time left in seconds, minutes or hours', () => {
    expect(etaText(null)).toBe('');
    expect(etaText(0.2)).toBe('1 s left');
    expect(etaText(75)).toBe('1 min 15 s left');
    expect(etaText(7300)).toBe('2 h 1 min left');
  });

  it('says why a job failed without the command prefix', () => {
    const failed = { ...metrics(0, 0, 0), state: 'failed', result: null, error: { code: 'E_INPUT', message: 'import.start: source: must be an absolute path' } } as JobSnapshot;
    expect(jobOutcome(failed)).toEqual({ text: 'The source must be an absolute path.', tone: 'bad' });
  });
});
