/**
 * Metrics state of the open project: the metric descriptors, the stored results (pivoted for the
 * results table), their export, and the compute dialog's form (remembered per project,
 * lib/compute-form-store.ts) and submission. Views read the getters and call the methods; only this
 * class and AppState call the api.
 */
import type { JobSnapshot, MetricResultRow, Stimulus } from '../../../../src-main/common/domain';
import type { MetricDescriptor } from '../../../../src-main/common/metric-registry';
import type { ResultsExportFormat } from '../../../../src-main/common/contract-names';
import { api } from '../api';
import { formStorageKey, restoreForm, serializeForm } from '../compute-form-store';
import { downloadText } from '../download';
import { buildRunInput, initialForm, pairedDistorted, type ComputeForm } from '../metric-form';
import { planRuns, type AlignFix } from '../alignment-check';
import { AlignmentCheckState } from './alignment.svelte';
import { pivotResults } from '../results-table';
import { ShardsState } from './shards.svelte';

/** What ResultsState needs from the application state. */
export interface ResultsHost {
  projectDir(): string | null;
  stimuli(): readonly Stimulus[];
  /** Shows a failure in the app's error banner. */
  fail(message: string): void;
}

/** While a metrics job runs, stored values are re-read at most this often (values commit per pair). */
const LIVE_REFRESH_MS = 1500;

export class ResultsState {
  #host: ResultsHost;
  #descriptors = $state.raw<MetricDescriptor[]>([]);
  #rows = $state.raw<MetricResultRow[]>([]);
  #loadedFor = $state<string | null>(null);
  #dialogOpen = $state(false);
  #submitting = $state(false);
  #submitError = $state<string | null>(null);
  #lastLiveRefresh = 0;
  #liveTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshSeq = 0;
  #exporting = $state<ResultsExportFormat | null>(null);
  #exportError = $state<string | null>(null);
  /** The project the form's choices belong to (null: not read for any yet). */
  #formFor: string | null = null;

  /** The compute dialog's choices; kept between openings, remembered per project. */
  form = $state<ComputeForm>(initialForm([]));
  /** The dialog's temporal alignment check of the video pairs, before computing. */
  readonly alignment = new AlignmentCheckState();
  /** Runs sharded over several machines (iqa run --shard, iqa slurm submit) and their merge. */
  readonly shards: ShardsState;

  #table = $derived.by(() => pivotResults(this.#rows, this.#descriptors, this.#host.stimuli()));

  constructor(host: ResultsHost) {
    this.#host = host;
    this.shards = new ShardsState({ projectDir: () => host.projectDir(), merged: () => void this.#readRows() });
  }

  get descriptors() { return this.#descriptors; }
  get rows() { return this.#rows; }
  get table() { return this.#table; }
  /** True once the results of the open project have been read. */
  get loaded() { return this.#loadedFor !== null && this.#loadedFor === this.#host.projectDir(); }
  get dialogOpen() { return this.#dialogOpen; }
  get submitting() { return this.#submitting; }
  get submitError() { return this.#submitError; }
  get exporting() { return this.#exporting; }
  get exportError() { return this.#exportError; }

  async loadDescriptors(): Promise<void> {
    if (this.#descriptors.length) return;
    try {
      this.#descriptors = await api['metrics.list']({});
      this.form = initialForm(this.#descriptors, this.form);
    } catch (err) {
      this.#host.fail((err as Error).message);
    }
  }

  /** Re-reads the stored values of the open project, and its sharded runs' progress. */
  async refresh(): Promise<void> {
    void this.shards.refresh();
    await this.#readRows();
  }

  async #readRows(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    const seq = ++this.#refreshSeq;
    try {
      const rows = await api['metrics.results']({ projectDir: dir });
      // a slower, older answer (or one for a project since closed) must not win
      if (seq !== this.#refreshSeq || dir !== this.#host.projectDir()) return;
      this.#rows = rows;
      this.#loadedFor = dir;
    } catch (err) {
      this.#host.fail((err as Error).message);
    }
  }

  clear(): void {
    this.shards.clear();
    this.#rows = [];
    this.#loadedFor = null;
    this.#refreshSeq++;
    this.#dialogOpen = false;
    this.#exportError = null;
    this.alignment.forget();
    // Another project's choices are never carried over: the next dialog reads this project's.
    this.form = initialForm(this.#descriptors);
    this.#formFor = null;
  }

  /** Downloads the stored values as `iqa results --format <format>` writes them. */
  async exportResults(format: ResultsExportFormat): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir || this.#exporting) return;
    this.#exporting = format;
    this.#exportError = null;
    try {
      downloadText(await api['results.export']({ projectDir: dir, format }));
    } catch (err) {
      this.#exportError = (err as Error).message;
    } finally {
      this.#exporting = null;
    }
  }

  async openDialog(): Promise<void> {
    this.#submitError = null;
    this.alignment.stop();
    this.#dialogOpen = true;
    await this.loadDescriptors();
    const dir = this.#host.projectDir();
    if (dir && this.#formFor !== dir) {
      this.form = restoreForm(this.#descriptors, localStorage.getItem(formStorageKey(dir)));
      this.#formFor = dir;
    }
  }

  closeDialog(): void {
    this.#rememberForm();
    this.alignment.stop();
    this.#dialogOpen = false;
    this.#submitError = null;
  }

  #rememberForm(): void {
    const dir = this.#host.projectDir();
    if (dir && this.#formFor === dir) localStorage.setItem(formStorageKey(dir), serializeForm(this.form));
  }

  /**
   * Starts the metrics job (with `fixes`, the alignment check's fixes by distorted stimulus id: one more
   * job per distinct fix, lib/alignment-check.ts planRuns); closes the dialog and returns the first job
   * id, or keeps it open with the engine's message.
   */
  async submit(stimulusIds?: readonly number[], fixes: ReadonlyMap<number, AlignFix> = new Map()): Promise<string | null> {
    const dir = this.#host.projectDir();
    if (!dir || this.#submitting) return null;
    this.#submitting = true;
    this.#submitError = null;
    try {
      const stimuli = this.#host.stimuli();
      const base = buildRunInput(this.form, this.#descriptors, dir, stimulusIds);
      const inScope = stimulusIds ? new Set(stimulusIds) : null;
      const runs = planRuns(
        base,
        { allIds: stimuli.map((s) => s.id), pairIds: pairedDistorted(stimuli).filter((s) => !inScope || inScope.has(s.id)).map((s) => s.id) },
        fixes,
        this.#descriptors,
      );
      let first: string | null = null;
      for (const input of runs) {
        const { jobId } = await api['metrics.run'](input);
        first ??= jobId;
      }
      this.#rememberForm();
      this.alignment.stop();
      this.#dialogOpen = false;
      return first;
    } catch (err) {
      this.#submitError = (err as Error).message;
      return null;
    } finally {
      this.#submitting = false;
    }
  }

  /** Called for every job.update: a metrics job of this project refreshes the table as values commit. */
  onJob(job: JobSnapshot): void {
    if (job.kind !== 'metrics' || job.projectDir !== this.#host.projectDir()) return;
    if (job.state === 'running') {
      const wait = this.#lastLiveRefresh + LIVE_REFRESH_MS - Date.now();
      if (this.#liveTimer) return;
      this.#liveTimer = setTimeout(() => {
        this.#liveTimer = null;
        this.#lastLiveRefresh = Date.now();
        void this.#readRows();
      }, Math.max(0, wait));
    } else if (job.state !== 'queued') {
      if (this.#liveTimer) clearTimeout(this.#liveTimer);
      this.#liveTimer = null;
      void this.refresh();
    }
  }
}
