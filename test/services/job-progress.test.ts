import { describe, expect, it } from 'vitest';
import type { ImportReport, Stimulus } from '../../src-main/common/domain';
import { estimateSeconds, JobManager } from '../../src-main/services/jobs/job-manager';
import { metricsWorkTracker } from '../../src-main/services/jobs/metrics-work';

const stimulus = (id: number, name: string, w: number, h: number, frames: number, referenceId: number | null = null) =>
  ({ id, name, path: `${name}.mp4`, role: referenceId === null ? 'reference' : 'distorted', referenceId, width: w, height: h, frameCount: frames }) as Stimulus;

describe('the ETA of a job', () => {
  it('comes from the measured pace of the work left', () => {
    // 10 s for 100 units of 400: 30 s left.
    expect(estimateSeconds(10, 100, 400)).toBe(30);
    expect(estimateSeconds(0, 0, 400)).toBeNull();
  });

  it('does not count skipped work as pace: 300 units skipped at once and 100 computed in 10 s leave 600 units at 10 per s', () => {
    expect(estimateSeconds(10, 400, 1000, 300)).toBe(60);
    expect(estimateSeconds(10, 300, 1000, 300)).toBeNull();
  });

  it('weighs a metrics run by pixels: after a small pair, a large one is most of the work left', () => {
    const stimuli = [
      stimulus(1, 'small', 64, 48, 10),
      stimulus(2, 'small_blur', 64, 48, 10, 1),
      stimulus(3, 'big', 1920, 1080, 10),
      stimulus(4, 'big_blur', 1920, 1080, 10, 3),
    ];
    const work = metricsWorkTracker({ stimuli, metricIds: ['psnr'] });
    // The run reports frames: 10 of 20 done after the small pair.
    for (let f = 1; f <= 10; f++) work(f, 20, '1/2: small_blur');
    const w = work(10, 20, '1/2: small_blur');
    expect(w.done).toBe(10 * 64 * 48);
    expect(w.total).toBe(10 * 64 * 48 + 10 * 1920 * 1080);
    // Half the frames, but well under 1 % of the work.
    expect(w.done / w.total).toBeLessThan(0.01);
  });

  it('counts a pair that arrives whole in its one report (stored already) as done but not measured', () => {
    const stimuli = [stimulus(1, 'a', 64, 48, 10), stimulus(2, 'a_x', 64, 48, 10, 1), stimulus(3, 'b', 64, 48, 10), stimulus(4, 'b_x', 64, 48, 10, 3)];
    const work = metricsWorkTracker({ stimuli, metricIds: ['psnr'] });
    work(10, 20, '1/2: a_x'); // skipped: one report with all its frames
    const w = work(11, 20, '2/2: b_x');
    expect(w.unmeasured).toBe(10 * 64 * 48);
    expect(w.done).toBe(11 * 64 * 48);
  });

  it('measures a computed image, which brings its one frame in its first report and reports again when stored', () => {
    const stimuli = [stimulus(1, 'a', 64, 48, 1), stimulus(2, 'a_x', 64, 48, 1, 1), stimulus(3, 'b', 64, 48, 1), stimulus(4, 'b_x', 64, 48, 1, 3)];
    const work = metricsWorkTracker({ stimuli, metricIds: ['psnr'] });
    work(1, 2, '1/2: a_x');
    work(1, 2, '1/2: a_x');
    expect(work(2, 2, '2/2: b_x').unmeasured).toBe(0);
  });
});

describe('clearing finished jobs', () => {
  it('forgets the finished jobs of one project and keeps running ones and other projects', async () => {
    const jobs = new JobManager();
    const done = jobs.start({ kind: 'import', label: 'a', projectDir: '/p/a', run: async () => ({ source: '', added: 0, updated: 0, unchanged: 0, unpaired: [], issues: [] }) });
    const other = jobs.start({ kind: 'import', label: 'b', projectDir: '/p/b', run: async () => ({ source: '', added: 0, updated: 0, unchanged: 0, unpaired: [], issues: [] }) });
    let release!: () => void;
    const running = jobs.start({
      kind: 'import',
      label: 'c',
      projectDir: '/p/a',
      run: () => new Promise<ImportReport>((r) => (release = () => r({ source: '', added: 0, updated: 0, unchanged: 0, unpaired: [], issues: [] }))),
    });
    await jobs.wait(done);
    await jobs.wait(other);
    expect(jobs.clearFinished('/p/a')).toBe(1);
    expect(jobs.list().map((j) => j.id).sort()).toEqual([other, running].sort());
    release();
    await jobs.wait(running);
  });
});
