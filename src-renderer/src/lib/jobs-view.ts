/**
 * The jobs panel as plain data: which jobs it lists (the open project's, and those of no project), the
 * state it shows (decided from the job's result: a metrics run whose pairs all failed failed, whatever
 * the job manager's "done" says), the one-line outcome and its tone (a successful set-metrics result is
 * never shown as an error), and the time left. Pure, tested in test/renderer/jobs-view.test.ts.
 */
import type { JobSnapshot } from '../../../src-main/common/domain';
import { parseVerifications, VERIFY_JOB_KIND } from './models-table';
import { plainMessage } from './messages';
import { resultLine } from './set-form';

/** The jobs of the open project and the jobs of no project (model verification, folder sets), newest first. */
export function panelJobs(jobs: readonly JobSnapshot[], projectDir: string | null): JobSnapshot[] {
  return jobs
    .filter((j) => j.projectDir === null || j.projectDir === projectDir)
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
}

export const isFinished = (j: JobSnapshot) => j.state === 'done' || j.state === 'failed' || j.state === 'cancelled';

export type ShownState = 'queued' | 'running' | 'done' | 'partly failed' | 'failed' | 'cancelled';

/** The state to show: from the result when the job ran to its end. */
export function shownState(job: JobSnapshot): ShownState {
  if (job.state !== 'done') return job.state;
  if (job.kind === 'metrics' && job.result) {
    const r = job.result;
    if (r.failed.length === 0) return 'done';
    return r.computed + r.skipped === 0 ? 'failed' : 'partly failed';
  }
  if (job.kind === 'import' && job.result) {
    const r = job.result;
    if (r.issues.length === 0) return 'done';
    return r.added + r.updated + r.unchanged === 0 ? 'failed' : 'partly failed';
  }
  if (job.kind === VERIFY_JOB_KIND && job.result) {
    const vs = parseVerifications(job.result);
    const passed = vs.filter((v) => v.pass).length;
    return passed === vs.length ? 'done' : passed === 0 && vs.length > 0 ? 'failed' : 'partly failed';
  }
  if (job.kind === 'sets' && !job.result) return 'failed';
  return 'done';
}

export type Tone = 'ok' | 'warn' | 'bad';

/** One line on what a finished job did, and its tone. */
export function jobOutcome(job: JobSnapshot): { text: string; tone: Tone } | null {
  if (job.state === 'failed' || job.state === 'cancelled') {
    return job.error ? { text: plainMessage(job.error), tone: job.state === 'failed' ? 'bad' : 'warn' } : null;
  }
  if (job.state !== 'done' || !job.result) return null;
  const state = shownState(job);
  const tone: Tone = state === 'failed' ? 'bad' : state === 'partly failed' ? 'warn' : 'ok';
  if (job.kind === 'metrics') {
    const r = job.result;
    return { text: `${r.computed} computed · ${r.skipped} already stored · ${r.failed.length} failed`, tone };
  }
  if (job.kind === 'import') {
    const r = job.result;
    return { text: `${r.added} added · ${r.updated} updated · ${r.unchanged} unchanged${r.issues.length ? ` · ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}` : ''}`, tone };
  }
  if (job.kind === VERIFY_JOB_KIND) {
    const vs = parseVerifications(job.result);
    const passed = vs.filter((v) => v.pass).length;
    const notRun = vs.filter((v) => !v.pass && v.skipped).length;
    const failed = vs.length - passed - notRun;
    return { text: `${passed} passed · ${failed} failed${notRun ? ` · ${notRun} not run` : ''}`, tone };
  }
  if (job.kind === 'analysis') {
    const r = job.result;
    const b = r.provenance.bootstrap;
    return { text: `${r.correlations.length} correlation row${r.correlations.length === 1 ? '' : 's'}${b ? ` · ${b.resamples} bootstrap resamples` : ''}`, tone };
  }
  if (job.kind === 'nr.train') {
    const r = job.result;
    return { text: `nr:${r.name} stored · cross-validated SROCC ${r.cv.srocc === null ? 'undefined' : r.cv.srocc.toFixed(3)} over ${r.stimuli} stimuli`, tone };
  }
  // A set metric that ran is a result, not an error; random weights make it a warning, said in words.
  const r = job.result;
  return { text: `${resultLine(r)}${r.comparable ? '' : ' · not comparable with published values (random weights)'}`, tone: r.comparable ? 'ok' : 'warn' };
}

/** "12 s left", "3 min 5 s left"; '' without an estimate. */
export function etaText(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  if (s < 60) return `${Math.max(1, Math.ceil(s))} s left`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s left`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min left`;
}

/** The bar: a running job's progress; a finished one is full only when it did its work. */
export function barValue(job: JobSnapshot): { max: number; value: number } | null {
  if (job.state === 'running' || job.state === 'queued') return { max: job.total || 1, value: job.done };
  return shownState(job) === 'done' ? { max: 1, value: 1 } : null;
}
