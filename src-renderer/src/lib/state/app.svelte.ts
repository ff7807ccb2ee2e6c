/**
 * Application state: the open project, its stimuli, recent projects and background jobs, the project
 * page's tab and table filters; metrics and results live in `results` (ResultsState), studies and their
 * analysis in `analysis` (AnalysisState), FID/KID/IS/FVD runs in `sets` (SetsState), the Models page in
 * `models` (ModelsState). Views read the
 * getters and call the methods; only the state classes call the api.
 */
import type { AppInfo, JobSnapshot, JobSnapshotOf, MetricRunReport, ProjectInfo, RecentProject, Stimulus } from '../../../../src-main/common/domain';
import type { ImportOptions } from '../../../../src-main/common/contract-types';
import { api, authProblem, onAuthChange, onEvent, type AuthProblem } from '../api';
import { isFinished, panelJobs } from '../jobs-view';
import { pairedDistorted } from '../metric-form';
import { matchesQuery } from '../stimuli-table';
import { AnalysisState } from './analysis.svelte';
import { DetailState } from './detail.svelte';
import { ModelsState } from './models.svelte';
import { ResultsState } from './results.svelte';
import { SetsState } from './sets.svelte';
import { NrState } from './nr.svelte';
import { ViewerState } from '../viewer/viewer-state.svelte';
import { StudyState } from '../study/study-state.svelte';
import { parseUiRoute, withUiRoute, type UiRoute } from '../../../../src-main/common/ui-route';

const CURRENT_PROJECT_KEY = 'iqa.currentProject';
const TAB_KEY = 'iqa.tab';
const DISMISSED_KEY = 'iqa.dismissedReports';
const PAGE_KEY = 'iqa.page';

/** What the main area shows: the project (or projects) screen, or the Models page. */
export type Page = 'home' | 'models';

export type ProjectTab = 'stimuli' | 'results' | 'analysis' | 'sets' | 'study' | 'nr';
const TABS: readonly ProjectTab[] = ['stimuli', 'results', 'analysis', 'sets', 'study', 'nr'];

/** The forms whose failures are shown beside them rather than in the banner. */
export type FormName = 'create' | 'open' | 'import';

/** A finished metrics job and what it did. */
export interface FinishedMetricsJob {
  job: JobSnapshotOf<'metrics'>;
  /** null when the job was cancelled or failed as a whole. */
  report: MetricRunReport | null;
}

function readDismissed(): string[] {
  try {
    const v = JSON.parse(sessionStorage.getItem(DISMISSED_KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export class AppState {
  #info = $state<AppInfo | null>(null);
  #project = $state<ProjectInfo | null>(null);
  #recent = $state<RecentProject[]>([]);
  #stimuli = $state.raw<Stimulus[]>([]);
  #jobs = $state<JobSnapshot[]>([]);
  #error = $state<string | null>(null);
  #busy = $state(false);
  #tab = $state<ProjectTab>(TABS.find((t) => t === sessionStorage.getItem(TAB_KEY)) ?? 'stimuli');
  #dismissed = $state<string[]>(readDismissed());
  #page = $state<Page>(sessionStorage.getItem(PAGE_KEY) === 'models' ? 'models' : 'home');
  #auth = $state<AuthProblem | null>(authProblem());
  #formErrors = $state<Partial<Record<FormName, string>>>({});
  #subscribed = false;
  /** Where the page was asked to open (`iqa view`'s address, or a reload of an open viewer); read once. */
  #route: UiRoute | null = parseUiRoute(location.hash);

  /** Search text and attribute filters, shared by the stimuli and results tables (and the compute dialog's "matching" pairs). */
  search = $state('');
  filters = $state<Record<string, string>>({});

  readonly results = new ResultsState({
    projectDir: () => this.#project?.dir ?? null,
    stimuli: () => this.#stimuli,
    fail: (message) => (this.#error = message),
  });

  readonly analysis = new AnalysisState({
    projectDir: () => this.#project?.dir ?? null,
    stimuli: () => this.#stimuli,
  });

  readonly sets = new SetsState({
    projectDir: () => this.#project?.dir ?? null,
    stimuli: () => this.#stimuli,
    jobs: () => this.#jobs,
  });

  /** The Learned NR tab: predictors trained on the project's ratings (issue 16). */
  readonly nr = new NrState({
    projectDir: () => this.#project?.dir ?? null,
    jobs: () => this.#jobs,
  });

  /** The stimulus detail (a row clicked in Stimuli or Results). */
  readonly detail = new DetailState({
    projectDir: () => this.#project?.dir ?? null,
    stimuli: () => this.#stimuli,
    results: () => this.results.rows,
  });

  /** The viewer of one distorted stimulus against its reference (replaces the project page while open). */
  readonly viewer = new ViewerState({
    projectDir: () => this.#project?.dir ?? null,
    stimuli: () => this.#stimuli,
  });

  /** The Study tab: designer, studies and their progress, and the participant screen. */
  readonly study = new StudyState({
    projectDir: () => this.#project?.dir ?? null,
    stimuli: () => this.#stimuli,
    analyse: (name) => void this.#analyseStudy(name),
    probe: () => ({ screen, devicePixelRatio, matchMedia: (q) => matchMedia(q), userAgent: navigator.userAgent }),
  });

  readonly models = new ModelsState({
    jobs: () => this.#jobs,
    descriptors: () => this.results.descriptors,
  });

  get info() { return this.#info; }
  get project() { return this.#project; }
  get recent() { return this.#recent; }
  get stimuli() { return this.#stimuli; }
  get jobs() { return this.#jobs; }
  get error() { return this.#error; }
  get busy() { return this.#busy; }
  get activeJobs() { return this.#jobs.filter((j) => j.state === 'running' || j.state === 'queued'); }
  get tab() { return this.#tab; }
  get page() { return this.#page; }
  /** Web only: the page has no token, or the host refused it; nothing else can work until it is fixed. */
  get auth() { return this.#auth; }
  /** The failure of a form (create, open, import), shown beside it. */
  formError(form: FormName): string | null { return this.#formErrors[form] ?? null; }
  /** What the jobs panel lists: the open project's jobs and the jobs of no project. */
  get panelJobs(): JobSnapshot[] { return panelJobs(this.#jobs, this.#project?.dir ?? null); }

  /** Distorted stimuli with a reference: what "all pairs" computes. */
  get pairedStimuli(): Stimulus[] { return pairedDistorted(this.#stimuli); }
  /** Paired distorted stimuli that the current search and filters keep. */
  get filteredPairs(): Stimulus[] { return this.pairedStimuli.filter((s) => matchesQuery(s, this.search, this.filters)); }
  get filtersActive(): boolean { return this.search.trim() !== '' || Object.values(this.filters).some(Boolean); }

  /** The running metrics job of the open project, if any. */
  get runningMetricsJob(): JobSnapshot | null {
    return this.activeJobs.find((j) => j.kind === 'metrics' && j.projectDir === this.#project?.dir) ?? null;
  }

  /** The latest finished metrics job of the open project, until dismissed. */
  get lastMetricsReport(): FinishedMetricsJob | null {
    const dir = this.#project?.dir;
    const finished = this.#jobs
      .filter((j): j is JobSnapshotOf<'metrics'> => j.kind === 'metrics' && j.projectDir === dir && j.finishedAt !== null && j.state !== 'running' && j.state !== 'queued')
      .sort((a, b) => (a.finishedAt! < b.finishedAt! ? 1 : a.finishedAt! > b.finishedAt! ? -1 : 0));
    const job = finished[0];
    if (!job || this.#dismissed.includes(job.id)) return null;
    const report = job.state === 'done' ? job.result : null;
    return { job, report };
  }

  dismissReport(jobId: string): void {
    this.#dismissed = [...this.#dismissed, jobId].slice(-50);
    sessionStorage.setItem(DISMISSED_KEY, JSON.stringify(this.#dismissed));
  }

  setPage(page: Page): void {
    this.#page = page;
    sessionStorage.setItem(PAGE_KEY, page);
    if (page === 'models') void this.models.activate();
  }

  setTab(tab: ProjectTab): void {
    this.#tab = tab;
    sessionStorage.setItem(TAB_KEY, tab);
    if (tab === 'results') void this.results.refresh();
    if (tab === 'analysis') void this.analysis.activate();
    else this.analysis.deactivate();
    // the Sets tab shows which models are installed
    if (tab === 'sets') void this.models.activate();
    if (tab === 'study') void this.study.activate();
    if (tab === 'nr') void this.nr.activate();
  }

  /** The Study tab's "Analyse": the Analysis tab on that study. */
  async #analyseStudy(name: string): Promise<void> {
    this.setTab('analysis');
    await this.analysis.activate();
    this.analysis.set('study', name);
  }

  /** Submits the compute dialog: every paired distorted stimulus, or those the table's filters keep. */
  async computeMetrics(): Promise<string | null> {
    const ids = this.results.form.scope === 'filtered' ? this.filteredPairs.map((s) => s.id) : undefined;
    return this.results.submit(ids);
  }

  clearFilters(): void {
    this.search = '';
    this.filters = {};
  }

  async start(): Promise<void> {
    if (!this.#subscribed) {
      this.#subscribed = true;
      onEvent('job.update', (job) => this.#onJob(job));
      // A token refused, or a corrected link pasted into the address bar: the page follows without a reload.
      onAuthChange((problem, tokenChanged) => {
        this.#auth = problem;
        if (tokenChanged) {
          this.#error = null;
          void this.start().catch(() => undefined);
        }
      });
    }
    if (this.#auth === 'missing') return;
    await this.#guard(async () => {
      this.#info = await api['app.info']({});
      this.#recent = await api['projects.recent']({});
      this.#jobs = await api['jobs.list']({});
      this.sets.reconcile();
      if (this.#tab === 'sets') void this.models.activate();
      void this.results.loadDescriptors();
      if (this.#page === 'models') void this.models.activate();
      const route = this.#route;
      this.#route = null;
      if (route?.project) {
        await this.#openRoute(route);
        return;
      }
      const last = localStorage.getItem(CURRENT_PROJECT_KEY);
      // The last project reopens quietly; one that is gone is forgotten.
      if (last) await api['projects.open']({ dir: last }).then((info) => this.#setProject(info)).catch(() => localStorage.removeItem(CURRENT_PROJECT_KEY));
    });
  }

  /** Opens the project the address names and, when it names one, the viewer of that distorted stimulus. */
  async #openRoute(route: UiRoute): Promise<void> {
    await this.#setProject(await api['projects.open']({ dir: route.project! }));
    if (route.stimulus === null) return;
    const s = this.#stimuli.find((x) => x.id === route.stimulus);
    if (!s) throw new Error(`This project has no stimulus ${route.stimulus}: the Stimuli tab lists them.`);
    if (s.referenceId === null) throw new Error(`${s.name} has no reference: the viewer compares a distorted stimulus with its reference.`);
    await this.viewer.open(s.id);
  }

  /** The address's fragment for what is open now (the token, if still there, is kept). */
  routeFragment(fragment: string): string {
    return withUiRoute(fragment, { project: this.#project?.dir ?? null, stimulus: this.#project ? this.viewer.stimulusId : null });
  }

  /** Whether the address was read yet: before that, the page must not overwrite it. */
  get routePending(): boolean {
    return this.#route !== null;
  }

  dismissError(): void {
    this.#error = null;
  }

  async create(dir: string, name?: string): Promise<void> {
    await this.#guard(async () => this.#setProject(await api['projects.create']({ dir, name: name || undefined })), 'create');
  }

  async open(dir: string, form: FormName = 'open'): Promise<void> {
    await this.#guard(async () => this.#setProject(await api['projects.open']({ dir })), form);
  }

  close(): void {
    this.#project = null;
    this.#stimuli = [];
    this.results.clear();
    this.analysis.clear();
    this.study.clear();
    this.nr.clear();
    this.detail.close();
    this.viewer.close();
    this.clearFilters();
    localStorage.removeItem(CURRENT_PROJECT_KEY);
    void api['projects.recent']({}).then((r) => (this.#recent = r));
  }

  async importMedia(source: string, options: Partial<ImportOptions>): Promise<string | null> {
    const project = this.#project;
    if (!project) return null;
    let jobId: string | null = null;
    await this.#guard(async () => {
      jobId = (await api['import.start']({ projectDir: project.dir, source, options: { recursive: true, ...options } })).jobId;
    }, 'import');
    return jobId;
  }

  async refreshStimuli(): Promise<void> {
    const project = this.#project;
    if (!project) return;
    await this.#guard(async () => {
      this.#stimuli = await api['stimuli.list']({ projectDir: project.dir });
    });
  }

  async thumbnail(stimulusId: number): Promise<string | null> {
    const project = this.#project;
    if (!project) return null;
    try {
      return (await api['stimuli.thumbnail']({ projectDir: project.dir, stimulusId })).dataUrl;
    } catch {
      return null;
    }
  }

  async cancelJob(jobId: string): Promise<void> {
    await this.#guard(async () => void (await api['jobs.cancel']({ jobId })));
  }

  /** Forgets the finished jobs the panel shows (the open project's and those of no project), here and in the engine. */
  async clearFinishedJobs(): Promise<void> {
    const dir = this.#project?.dir ?? null;
    await this.#guard(async () => {
      await api['jobs.clearFinished']({ projectDir: null });
      if (dir) await api['jobs.clearFinished']({ projectDir: dir });
      this.#jobs = this.#jobs.filter((j) => !(isFinished(j) && (j.projectDir === null || j.projectDir === dir)));
    }).catch(() => undefined);
  }

  async #setProject(info: ProjectInfo): Promise<void> {
    if (info.dir !== this.#project?.dir) {
      this.results.clear();
      this.analysis.clear();
      this.detail.close();
      this.viewer.close();
      this.sets.reset();
      this.nr.clear();
      this.clearFilters();
    }
    this.#project = info;
    localStorage.setItem(CURRENT_PROJECT_KEY, info.dir);
    this.#stimuli = await api['stimuli.list']({ projectDir: info.dir });
    void this.results.refresh();
    if (this.#tab === 'analysis') void this.analysis.activate();
    if (this.#tab === 'study') void this.study.activate();
    if (this.#tab === 'nr') void this.nr.activate();
  }

  #onJob(job: JobSnapshot): void {
    const i = this.#jobs.findIndex((j) => j.id === job.id);
    if (i >= 0) this.#jobs[i] = job;
    else this.#jobs = [job, ...this.#jobs];
    // New rows appear as the import commits them; a final refresh when it ends.
    if (job.kind === 'import' && job.projectDir === this.#project?.dir) void this.refreshStimuli().catch(() => undefined);
    this.results.onJob(job);
    this.analysis.onJob(job);
    this.sets.onJob(job);
    this.nr.onJob(job);
    // A failed job is said where it was asked for (the import form, the metrics report, the Sets tab,
    // the Models page) and in the jobs panel, not in the banner.
  }

  /** Runs fn; a failure goes beside `form` when given, else to the banner (and is rethrown). */
  async #guard(fn: () => Promise<void>, form?: FormName): Promise<void> {
    this.#busy = true;
    if (form) this.#formErrors = { ...this.#formErrors, [form]: undefined };
    try {
      await fn();
      this.#error = null;
    } catch (err) {
      if (form) this.#formErrors = { ...this.#formErrors, [form]: (err as Error).message };
      else this.#error = (err as Error).message;
      throw err;
    } finally {
      this.#busy = false;
    }
  }
}
