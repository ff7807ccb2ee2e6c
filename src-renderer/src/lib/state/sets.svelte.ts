/**
 * Sets tab state: the form (set A and B as project groups or folders, FID/KID/IS or FVD options), the
 * `sets.metrics` / `sets.fvd` jobs started from it, and the runs of this session (newest first, kept in
 * sessionStorage so a reload keeps them). A run's state follows its job snapshot: the result arrives
 * with the 'job.update' event in state 'done', an engine error (E_MODEL, E_INPUT, …) with 'failed'.
 * Views read the getters and call the methods; only the state classes call the api.
 */
import type { JobSnapshot, Stimulus } from '../../../../src-main/common/domain';
import { api, ApiError } from '../api';
import {
  chosenMetrics,
  defaultSetsForm,
  describeSet,
  filterFields,
  formProblems,
  fvdInput,
  fvdNotes,
  imageSetInput,
  needsB,
  type FilterField,
  type SetRun,
  type SetsForm,
} from '../set-form';

/** What SetsState needs from the application state. */
export interface SetsHost {
  projectDir(): string | null;
  stimuli(): readonly Stimulus[];
  /** Every job snapshot the app knows (kept current by job.update events). */
  jobs(): readonly JobSnapshot[];
}

export const SETS_JOB_KIND = 'sets' as const;
const RUNS_KEY = 'iqa.setRuns';
const MAX_RUNS = 40;

function readRuns(): SetRun[] {
  try {
    const v = JSON.parse(sessionStorage.getItem(RUNS_KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as SetRun[]).filter((r) => r && typeof r.jobId === 'string' && typeof r.mode === 'string') : [];
  } catch {
    return [];
  }
}

const toError = (err: unknown) =>
  err instanceof ApiError ? { code: err.code as string, message: err.message } : { code: 'E_INTERNAL', message: (err as Error)?.message ?? String(err) };

export class SetsState {
  #host: SetsHost;
  #runs = $state.raw<SetRun[]>(readRuns());
  #submitting = $state(false);
  #submitError = $state<{ code: string; message: string } | null>(null);

  /** The form; kept while the project stays open. */
  form = $state<SetsForm>(defaultSetsForm());

  #fields = $derived.by<FilterField[]>(() => filterFields(this.#host.stimuli()));
  #problems = $derived.by(() => formProblems(this.form, this.#host.stimuli(), this.#host.projectDir()));
  #notes = $derived.by(() => fvdNotes(this.form, this.#host.stimuli()));

  constructor(host: SetsHost) {
    this.#host = host;
  }

  get fields() { return this.#fields; }
  get problems() { return this.#problems; }
  get notes() { return this.#notes; }
  get submitting() { return this.#submitting; }
  get submitError() { return this.#submitError; }

  /** Runs of the open project (and folder-only runs started while it was open), newest first. */
  get runs(): SetRun[] {
    const dir = this.#host.projectDir();
    return this.#runs.filter((r) => r.projectDir === dir);
  }

  /** The live snapshot of a run's job, while the app knows it. */
  job(jobId: string): JobSnapshot | undefined {
    return this.#host.jobs().find((j) => j.id === jobId);
  }

  /** Starts the job the form describes; returns its id (null when it was refused). */
  async run(): Promise<string | null> {
    const dir = this.#host.projectDir();
    if (!dir || this.#problems.length > 0 || this.#submitting) return null;
    const form = $state.snapshot(this.form);
    const stimuli = this.#host.stimuli();
    this.#submitting = true;
    this.#submitError = null;
    try {
      const { jobId } = form.mode === 'images' ? await api['sets.metrics'](imageSetInput(form, dir)) : await api['sets.fvd'](fvdInput(form, dir));
      const run: SetRun = {
        jobId,
        mode: form.mode,
        projectDir: dir,
        startedAt: new Date().toISOString(),
        a: describeSet('A', form.a, stimuli, form.mode),
        b: needsB(form) ? describeSet('B', form.b, stimuli, form.mode) : null,
        metrics: form.mode === 'images' ? chosenMetrics(form).map((m) => m.toUpperCase()) : ['FVD'],
        model: form.mode === 'images' ? form.model : form.fvdModel,
        settings:
          form.mode === 'images'
            ? `resize ${form.resize}${form.bootstrap && form.metrics.fid ? ` · bootstrap ${form.resamples}× (seed ${form.seed})` : ''}`
            : `clip ${form.clipLength} frames · start ${form.start} · stride ${form.stride}${form.bootstrap ? ` · bootstrap ${form.resamples}× (seed ${form.seed})` : ''}`,
        state: 'running',
        result: null,
        error: null,
      };
      this.#save([run, ...this.#runs]);
      // The job may have finished before the reply came back.
      const known = this.job(jobId);
      if (known) this.onJob(known);
      return jobId;
    } catch (err) {
      this.#submitError = toError(err);
      return null;
    } finally {
      this.#submitting = false;
    }
  }

  /** A job update: a finished job of one of our runs fills in its result or error. */
  onJob(job: JobSnapshot): void {
    if (job.kind !== SETS_JOB_KIND) return;
    const i = this.#runs.findIndex((r) => r.jobId === job.id);
    if (i < 0 || this.#runs[i]!.state !== 'running') return;
    if (job.state === 'running' || job.state === 'queued') return;
    const result = job.state === 'done' ? job.result : null;
    const next: SetRun = {
      ...this.#runs[i]!,
      state: job.state === 'done' && !result ? 'failed' : job.state,
      result,
      error: job.error ? { code: job.error.code, message: job.error.message } : job.state === 'done' && !result ? { code: 'E_INTERNAL', message: 'the job finished without a result' } : null,
    };
    this.#save(this.#runs.map((r, k) => (k === i ? next : r)));
  }

  /** Runs still marked running whose job the engine no longer knows (after a restart) are closed. */
  reconcile(): void {
    const jobs = this.#host.jobs();
    let changed = false;
    const runs = this.#runs.map((r) => {
      if (r.state !== 'running') return r;
      const j = jobs.find((x) => x.id === r.jobId);
      if (j && j.state !== 'running' && j.state !== 'queued') {
        changed = true;
        const result = j.state === 'done' && j.kind === SETS_JOB_KIND ? j.result : null;
        return { ...r, state: result || j.state !== 'done' ? j.state : 'failed', result, error: j.error ? { code: j.error.code, message: j.error.message } : null } as SetRun;
      }
      if (!j) {
        changed = true;
        return { ...r, state: 'failed', error: { code: 'E_INTERNAL', message: 'the engine restarted before this run finished' } } as SetRun;
      }
      return r;
    });
    if (changed) this.#save(runs);
  }

  remove(jobId: string): void {
    this.#save(this.#runs.filter((r) => r.jobId !== jobId));
  }

  /** Forgets the finished runs of the open project. */
  clearRuns(): void {
    const dir = this.#host.projectDir();
    this.#save(this.#runs.filter((r) => r.projectDir !== dir || r.state === 'running'));
  }

  dismissSubmitError(): void {
    this.#submitError = null;
  }

  /** A new project: the form's filters start over (its attributes differ); runs stay in the session. */
  reset(): void {
    const keep = $state.snapshot(this.form);
    this.form = { ...defaultSetsForm(), mode: keep.mode, metrics: keep.metrics, model: keep.model, resize: keep.resize, fvdModel: keep.fvdModel };
    this.#submitError = null;
  }

  #save(runs: SetRun[]): void {
    this.#runs = runs.slice(0, MAX_RUNS);
    try {
      sessionStorage.setItem(RUNS_KEY, JSON.stringify(this.#runs));
    } catch {
      // storage full: the runs stay in memory
    }
  }
}
