/**
 * Analysis state of the open project: its studies, the page's controls (the MOS choice stored in the
 * project through 'analysis.mosChoice' / 'analysis.setMosChoice', so the CLI analyses the same MOS;
 * the other controls remembered per project in localStorage), the report of 'analysis.run' (recomputed, debounced, when a control changes or new
 * metric values arrive), ratings import, exports, and the selections that drive the scatter plot and
 * the per-frame curves. Views read the getters and call the methods; only the state classes call the api.
 */
import type { FrameSeries, RatingsImportSummary } from '../../../../src-main/common/contract-types';
import type { AnalysisReport, CorrelationRow, JobSnapshot, MosRow, Stimulus, StudySummary } from '../../../../src-main/common/domain';
import { api, ApiError } from '../api';
import {
  analysisInput,
  DEFAULT_CONTROLS,
  isMosChoiceKey,
  mosChoiceOf,
  parseStoredControls,
  withMosChoice,
  ratingsImportInput,
  reconcileControls,
  storageKey,
  type AnalysisControls,
  type RatingsForm,
} from '../analysis-options';
import { correlationKey } from '../analysis-table';
import { breakdownNames } from '../../../../src-main/common/analysis-breakdown';

/** What AnalysisState needs from the application state. */
export interface AnalysisHost {
  projectDir(): string | null;
  stimuli(): readonly Stimulus[];
}

export type ExportFormat = 'csv' | 'json' | 'latex' | 'md';

/** A control change waits this long for the next before the analysis runs. */
const DEBOUNCE_MS = 350;

export interface AnalysisError {
  code: string;
  message: string;
}

const toError = (err: unknown): AnalysisError =>
  err instanceof ApiError ? { code: err.code, message: err.message } : { code: 'E_INTERNAL', message: (err as Error)?.message ?? String(err) };

export class AnalysisState {
  #host: AnalysisHost;
  #studies = $state.raw<StudySummary[]>([]);
  #studiesFor = $state<string | null>(null);
  #controls = $state.raw<AnalysisControls>({ ...DEFAULT_CONTROLS });
  #controlsFor: string | null = null;
  #active = false;
  #report = $state.raw<AnalysisReport | null>(null);
  #running = $state(false);
  #pending = $state(false);
  #error = $state<AnalysisError | null>(null);
  #runSeq = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** The job computing the bootstrap intervals of the report on screen ('analysis.start'), and its progress in rows. */
  #intervalJob: string | null = null;
  #intervals = $state.raw<{ done: number; total: number } | null>(null);
  #intervalError = $state<string | null>(null);
  /**
   * The last snapshot of analysis jobs not (yet) known as ours: a small job can finish, and its update
   * arrive, before the reply of 'analysis.start' that names it.
   */
  #earlyJobs = new Map<string, JobSnapshot>();

  #selected = $state<string | null>(null);
  #stimulusId = $state<number | null>(null);
  #frames = $state.raw<FrameSeries[] | null>(null);
  #framesLoading = $state(false);
  #framesError = $state<string | null>(null);
  #framesSeq = 0;

  #importing = $state(false);
  #importReport = $state.raw<RatingsImportSummary | null>(null);
  #importError = $state<string | null>(null);
  #exporting = $state<ExportFormat | null>(null);
  #exportError = $state<string | null>(null);
  #choiceError = $state<string | null>(null);
  #choiceStored = $state(false);

  /** The breakdown (and scatter colour) choices: content, codec, resolution and the stored attributes. */
  #breakdowns = $derived.by(() => breakdownNames(this.#host.stimuli()));

  constructor(host: AnalysisHost) {
    this.#host = host;
  }

  get studies() { return this.#studies; }
  /** True once the studies of the open project have been read. */
  get studiesLoaded() { return this.#studiesFor !== null && this.#studiesFor === this.#host.projectDir(); }
  get controls() { return this.#controls; }
  /** Names the analysis can be broken down and the scatter coloured by. */
  get breakdowns() { return this.#breakdowns; }
  /** Storing the MOS choice in the project failed (the analysis still uses it). */
  get choiceError() { return this.#choiceError; }
  /** The project holds a stored MOS choice (the controls show it). */
  get choiceStored() { return this.#choiceStored; }
  /** The stimuli of the project (for colouring the scatter plot by any breakdown). */
  get stimuli() { return this.#host.stimuli(); }
  get report() { return this.#report; }
  /** An analysis is being computed (or a control change waits for its debounce). */
  get busy() { return this.#running || this.#pending; }
  get error() { return this.#error; }
  /** The bootstrap intervals being computed for the report on screen (its point estimates are shown meanwhile). */
  get intervals() { return this.#intervals; }
  /** Why the intervals of the report on screen failed (the point estimates stand). */
  get intervalError() { return this.#intervalError; }
  get importing() { return this.#importing; }
  get importReport() { return this.#importReport; }
  get importError() { return this.#importError; }
  get exporting() { return this.#exporting; }
  get exportError() { return this.#exportError; }
  get selectedKey() { return this.#selected; }
  get frames() { return this.#frames; }
  get framesLoading() { return this.#framesLoading; }
  get framesError() { return this.#framesError; }

  /** The correlation row the scatter plot shows (null until one is clicked). */
  get selectedRow(): CorrelationRow | null {
    const key = this.#selected;
    return (key && this.#report?.correlations.find((r) => correlationKey(r) === key)) || null;
  }

  /** The MOS row of the stimulus whose per-frame curves are shown. */
  get selectedMos(): MosRow | null {
    const id = this.#stimulusId;
    return (id !== null && this.#report?.mos.find((m) => m.stimulusId === id)) || null;
  }

  get selectedStimulus(): Stimulus | null {
    const id = this.#stimulusId;
    return (id !== null && this.#host.stimuli().find((s) => s.id === id)) || null;
  }

  /** Called when the Analysis tab is shown: reads the studies and the remembered controls, then runs. */
  async activate(): Promise<void> {
    this.#active = true;
    const dir = this.#host.projectDir();
    if (!dir) return;
    if (this.#controlsFor !== dir) {
      this.#controls = parseStoredControls(localStorage.getItem(storageKey(dir)));
      this.#controlsFor = dir;
      // The project's stored MOS choice wins over what this browser remembered.
      try {
        const { choice, stored } = await api['analysis.mosChoice']({ projectDir: dir });
        if (dir === this.#host.projectDir()) {
          this.#controls = withMosChoice(this.#controls, choice);
          this.#choiceStored = stored;
        }
      } catch (err) {
        this.#choiceError = toError(err).message;
      }
    }
    await this.loadStudies();
    this.#schedule(0);
  }

  deactivate(): void {
    this.#active = false;
  }

  async loadStudies(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    try {
      const studies = await api['studies.list']({ projectDir: dir });
      if (dir !== this.#host.projectDir()) return;
      this.#studies = studies;
      this.#studiesFor = dir;
    } catch (err) {
      this.#error = toError(err);
    }
  }

  /**
   * Changes one control: remembered for the project (a MOS choice control in the project itself), and
   * the analysis runs again shortly.
   */
  set<K extends keyof AnalysisControls>(key: K, value: AnalysisControls[K]): void {
    if (this.#controls[key] === value) return;
    this.#controls = { ...this.#controls, [key]: value };
    this.#persist();
    if (isMosChoiceKey(key)) void this.#storeChoice();
    this.#schedule(DEBOUNCE_MS);
  }

  /** Writes the MOS choice into the project ('analysis.setMosChoice'). */
  async #storeChoice(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    try {
      await api['analysis.setMosChoice']({ projectDir: dir, choice: mosChoiceOf(this.#controls) });
      if (dir !== this.#host.projectDir()) return;
      this.#choiceStored = true;
      this.#choiceError = null;
    } catch (err) {
      this.#choiceError = `the MOS choice could not be stored in the project: ${toError(err).message}`;
    }
  }

  /** Runs the analysis now (the Retry button). */
  rerun(): void {
    this.#schedule(0);
  }

  #persist(): void {
    const dir = this.#host.projectDir();
    if (dir) localStorage.setItem(storageKey(dir), JSON.stringify(this.#controls));
  }

  #schedule(delay: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#pending = true;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pending = false;
      void this.#run();
    }, delay);
  }

  async #run(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir || !this.studiesLoaded) return;
    this.#cancelIntervals();
    if (this.#studies.length === 0) {
      this.#report = null;
      this.#error = null;
      return;
    }
    const controls = reconcileControls(this.#controls, this.#studies.map((s) => s.name), this.#breakdowns);
    if (controls !== this.#controls) this.#controls = controls;
    const seq = ++this.#runSeq;
    this.#running = true;
    const input = analysisInput(dir, controls);
    const stale = () => seq !== this.#runSeq || dir !== this.#host.projectDir();
    try {
      // The point estimates first (correlations, mapped values, letters: seconds at most, or the cached
      // report); the bootstrap intervals follow as a job, with progress, and replace the report when done.
      const point = await api['analysis.run']({ ...input, resamples: 0 });
      if (stale()) return;
      this.#report = point;
      this.#error = null;
      if ((input.resamples ?? 0) > 0) {
        this.#intervals = { done: 0, total: 0 };
        const { jobId } = await api['analysis.start'](input);
        if (stale()) {
          void api['jobs.cancel']({ jobId }).catch(() => undefined);
          return;
        }
        this.#intervalJob = jobId;
        const early = this.#earlyJobs.get(jobId);
        this.#earlyJobs.clear();
        if (early) this.onJob(early);
      }
    } catch (err) {
      if (stale()) return;
      this.#report = null;
      this.#intervals = null;
      this.#error = toError(err);
    } finally {
      if (seq === this.#runSeq) this.#running = false;
    }
  }

  /** Stops the intervals of the report on screen (a control changed, or the user asked): the point estimates stay. */
  cancelIntervals(): void {
    this.#cancelIntervals();
  }

  #cancelIntervals(): void {
    const job = this.#intervalJob;
    this.#intervalJob = null;
    this.#intervals = null;
    this.#intervalError = null;
    if (job) void api['jobs.cancel']({ jobId: job }).catch(() => undefined);
  }

  /** Imports a ratings CSV; on success the new study is chosen and analysed. */
  async importRatings(form: RatingsForm): Promise<boolean> {
    const dir = this.#host.projectDir();
    if (!dir || this.#importing) return false;
    const checked = ratingsImportInput(dir, form);
    if ('error' in checked) {
      this.#importError = checked.error;
      return false;
    }
    this.#importing = true;
    this.#importError = null;
    this.#importReport = null;
    try {
      const report = await api['ratings.import'](checked.input);
      if (dir !== this.#host.projectDir()) return false;
      this.#importReport = report;
      await this.loadStudies();
      this.#controls = { ...this.#controls, study: report.study };
      this.#persist();
      this.#schedule(0);
      return true;
    } catch (err) {
      const e = toError(err);
      this.#importError = e.code === 'E_EXISTS' ? `${e.message} (tick “replace” to overwrite it)` : e.message;
      return false;
    } finally {
      this.#importing = false;
    }
  }

  dismissImportReport(): void {
    this.#importReport = null;
    this.#importError = null;
  }

  /** The analysis with the current controls as a file ('analysis.export'); null on failure (see exportError). */
  async exportFile(format: ExportFormat): Promise<{ filename: string; mime: string; content: string } | null> {
    const dir = this.#host.projectDir();
    if (!dir || this.#exporting) return null;
    this.#exporting = format;
    this.#exportError = null;
    try {
      return await api['analysis.export']({ ...analysisInput(dir, this.#controls), format });
    } catch (err) {
      this.#exportError = toError(err).message;
      return null;
    } finally {
      this.#exporting = null;
    }
  }

  /** Selects a correlation row for the scatter plot (clicking it again clears the selection). */
  select(row: CorrelationRow): void {
    const key = correlationKey(row);
    this.#selected = this.#selected === key ? null : key;
  }

  /** Selects a stimulus of the MOS table; for a video its per-frame values are fetched. */
  async selectStimulus(stimulusId: number): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    if (this.#stimulusId === stimulusId) {
      this.#stimulusId = null;
      this.#frames = null;
      this.#framesError = null;
      return;
    }
    this.#stimulusId = stimulusId;
    this.#frames = null;
    this.#framesError = null;
    const s = this.#host.stimuli().find((x) => x.id === stimulusId);
    if (s && s.kind !== 'video') return;
    const seq = ++this.#framesSeq;
    this.#framesLoading = true;
    try {
      const frames = await api['metrics.frames']({ projectDir: dir, stimulusId });
      if (seq === this.#framesSeq) this.#frames = frames;
    } catch (err) {
      if (seq === this.#framesSeq) this.#framesError = toError(err).message;
    } finally {
      if (seq === this.#framesSeq) this.#framesLoading = false;
    }
  }

  /** The project closed or changed: forget everything of the last one. */
  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#runSeq++;
    this.#framesSeq++;
    this.#studies = [];
    this.#studiesFor = null;
    this.#controlsFor = null;
    this.#controls = { ...DEFAULT_CONTROLS };
    this.#cancelIntervals();
    this.#report = null;
    this.#error = null;
    this.#running = false;
    this.#pending = false;
    this.#selected = null;
    this.#stimulusId = null;
    this.#frames = null;
    this.#framesError = null;
    this.#framesLoading = false;
    this.#importReport = null;
    this.#importError = null;
    this.#exportError = null;
    this.#choiceError = null;
    this.#choiceStored = false;
  }

  /** New metric values (a metrics job ended) change the correlations: run again if the page is open. */
  onJob(job: JobSnapshot): void {
    if (job.kind === 'analysis' && job.id !== this.#intervalJob) {
      this.#earlyJobs.set(job.id, job);
      if (this.#earlyJobs.size > 20) this.#earlyJobs.delete(this.#earlyJobs.keys().next().value!);
      return;
    }
    if (job.kind === 'analysis' && job.id === this.#intervalJob) {
      if (job.state === 'running' || job.state === 'queued') {
        this.#intervals = { done: job.done, total: job.total };
        return;
      }
      this.#intervalJob = null;
      this.#intervals = null;
      if (job.state === 'done' && job.result) this.#report = job.result;
      else if (job.state === 'failed') this.#intervalError = job.error?.message ?? 'the bootstrap intervals failed';
      return;
    }
    if (!this.#active || job.projectDir !== this.#host.projectDir()) return;
    if ((job.kind === 'metrics' || job.kind === 'import') && (job.state === 'done' || job.state === 'cancelled' || job.state === 'failed')) {
      this.#schedule(DEBOUNCE_MS);
    }
  }
}
