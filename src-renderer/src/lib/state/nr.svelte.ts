/**
 * The Learned NR tab's state (issue 16, docs/learned-nr.md): the project's trained predictors
 * (`nr.list`), the one whose cross-validation is shown (`nr.get`), the training form and its `nr.train`
 * job, and delete / export / import / apply. Apply is the metrics run the compute dialog starts
 * (`metrics.run`) with the metric nr:<name> on every stimulus, so its values reach Results and the
 * Analysis the usual way. A job's progress and end arrive as job snapshots (the app's 'job.update'
 * events); errors are one line each, beside what failed. Views read the getters and call the methods.
 */
import type { JobSnapshot, StudySummary } from '../../../../src-main/common/domain';
import type { NrPredictorRecord, NrPredictorSummary } from '../../../../src-main/common/nr-predictor';
import { api } from '../api';
import { downloadText } from '../download';
import { plainMessage } from '../messages';
import { defaultNrForm, nrFormProblems, nrTrainInput, type NrForm } from '../nr-form';

export interface NrHost {
  projectDir(): string | null;
  /** Every job snapshot the app knows (kept current by job.update events). */
  jobs(): readonly JobSnapshot[];
}

/** One line, whatever failed: the engine's message made into a sentence. */
const oneLine = (err: unknown): string => ((err as Error)?.message ?? String(err)).split('\n')[0]!;

export class NrState {
  #host: NrHost;
  #predictors = $state.raw<NrPredictorSummary[]>([]);
  #studies = $state.raw<StudySummary[]>([]);
  #shown = $state.raw<NrPredictorRecord | null>(null);
  #trainJobId = $state<string | null>(null);
  #trainError = $state<string | null>(null);
  #actionError = $state<string | null>(null);
  #submitting = $state(false);
  /** The metrics job each predictor's "Apply" started, by predictor name. */
  #applyJobs = $state<Record<string, string>>({});
  #seq = 0;

  form = $state<NrForm>(defaultNrForm());

  #problems = $derived.by(() => nrFormProblems(this.form, this.#predictors.map((p) => p.name)));

  constructor(host: NrHost) {
    this.#host = host;
  }

  get predictors() { return this.#predictors; }
  get studies() { return this.#studies; }
  /** The predictor whose statistics and scatter are shown in full. */
  get shown() { return this.#shown; }
  get problems() { return this.#problems; }
  get submitting() { return this.#submitting; }
  get trainError() { return this.#trainError; }
  get actionError() { return this.#actionError; }

  /** The live snapshot of the training this page started, while the app knows it. */
  get trainJob(): JobSnapshot | null {
    const id = this.#trainJobId;
    return id ? (this.#host.jobs().find((j) => j.id === id) ?? null) : null;
  }

  get training(): boolean {
    const j = this.trainJob;
    return this.#submitting || (j !== null && (j.state === 'running' || j.state === 'queued'));
  }

  /** The metrics job that applies a predictor (its latest), while the app knows it. */
  applyJob(name: string): JobSnapshot | null {
    const id = this.#applyJobs[name];
    return id ? (this.#host.jobs().find((j) => j.id === id) ?? null) : null;
  }

  /** The tab opened: the predictors and the studies they can be trained on. */
  async activate(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    const seq = ++this.#seq;
    try {
      const [predictors, studies] = await Promise.all([api['nr.list']({ projectDir: dir }), api['studies.list']({ projectDir: dir })]);
      if (seq !== this.#seq || dir !== this.#host.projectDir()) return;
      this.#predictors = predictors;
      this.#studies = studies;
      if (this.#shown && !predictors.some((p) => p.name === this.#shown!.name)) this.#shown = null;
      if (!this.#shown && predictors.length) await this.show(predictors[0]!.name);
    } catch (err) {
      if (seq === this.#seq) this.#actionError = oneLine(err);
    }
  }

  async show(name: string): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    try {
      const record = await api['nr.get']({ projectDir: dir, name });
      if (dir === this.#host.projectDir()) this.#shown = record;
    } catch (err) {
      this.#actionError = oneLine(err);
    }
  }

  /** Starts the training the form describes; a refusal (a used name, a bad option) is the form's error line. */
  async train(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir || this.#problems.length > 0 || this.training) return;
    this.#submitting = true;
    this.#trainError = null;
    try {
      const { jobId } = await api['nr.train'](nrTrainInput($state.snapshot(this.form), dir));
      this.#trainJobId = jobId;
      // The job may have ended before the reply came back.
      const known = this.trainJob;
      if (known) this.onJob(known);
    } catch (err) {
      this.#trainError = oneLine(err);
    } finally {
      this.#submitting = false;
    }
  }

  /** A job update: the end of our training fills in the list (or its error line). */
  onJob(job: JobSnapshot): void {
    if (job.kind !== 'nr.train' || job.id !== this.#trainJobId) return;
    if (job.state === 'running' || job.state === 'queued') return;
    if (job.state === 'done' && job.result) {
      this.#shown = job.result;
      this.form = { ...this.form, name: '' };
      void this.activate();
    } else if (job.error) {
      this.#trainError = plainMessage(job.error).split('\n')[0]!;
    }
  }

  async cancelTraining(): Promise<void> {
    const id = this.#trainJobId;
    if (id) await api['jobs.cancel']({ jobId: id }).catch((err: unknown) => (this.#trainError = oneLine(err)));
  }

  async remove(name: string): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    this.#actionError = null;
    try {
      await api['nr.delete']({ projectDir: dir, name });
      if (this.#shown?.name === name) this.#shown = null;
      await this.activate();
    } catch (err) {
      this.#actionError = oneLine(err);
    }
  }

  /** Saves the predictor as the JSON file `iqa nr export` writes. */
  async exportFile(name: string): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    this.#actionError = null;
    try {
      downloadText(await api['nr.export']({ projectDir: dir, name }));
    } catch (err) {
      this.#actionError = oneLine(err);
    }
  }

  /** Reads an exported predictor file (a path the engine can read) into the project, under `as` when given. */
  async importFile(file: string, as: string): Promise<boolean> {
    const dir = this.#host.projectDir();
    if (!dir) return false;
    this.#actionError = null;
    try {
      const added = await api['nr.import']({ projectDir: dir, file, ...(as ? { as } : {}) });
      await this.activate();
      await this.show(added.name);
      return true;
    } catch (err) {
      this.#actionError = oneLine(err);
      return false;
    }
  }

  /** Computes nr:<name> on every stimulus of the project, as the compute dialog's runs do. */
  async apply(name: string): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    this.#actionError = null;
    try {
      const { jobId } = await api['metrics.run']({ projectDir: dir, metrics: [{ id: `nr:${name}` }] });
      this.#applyJobs = { ...this.#applyJobs, [name]: jobId };
    } catch (err) {
      this.#actionError = oneLine(err);
    }
  }

  dismissActionError(): void {
    this.#actionError = null;
  }

  /** Another project: nothing of this one is kept. */
  clear(): void {
    this.#seq++;
    this.#predictors = [];
    this.#studies = [];
    this.#shown = null;
    this.#trainJobId = null;
    this.#trainError = null;
    this.#actionError = null;
    this.#applyJobs = {};
    this.form = defaultNrForm();
  }
}
