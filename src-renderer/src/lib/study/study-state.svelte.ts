/**
 * The Study tab: the designer's form, the project's studies with their design, estimate, validation and
 * per-participant progress, and the participant screen when a session runs on this machine.
 * Views read the getters and call the methods; only this class (and ParticipantState) call the api.
 */
import type { Stimulus, StudySummary } from '../../../../src-main/common/domain';
import type { SessionNotes, StudyDetail, StudyProgress, StudyValidation } from '../../../../src-main/common/study';
import { api } from '../api';
import { createInput, defaultForm, formProblems, type DesignForm } from './design-form';
import { quickScreening, type QuickScreening } from './quick-screening';
import type { DisplayProbe } from './display';
import { ParticipantState, readStoredParticipant } from './participant-state.svelte';

export interface StudyHost {
  projectDir(): string | null;
  stimuli(): readonly Stimulus[];
  /** Opens the Analysis tab on the study. */
  analyse(studyName: string): void;
  probe(): DisplayProbe;
}

export class StudyState {
  #host: StudyHost;
  form = $state<DesignForm>(defaultForm());
  #studies = $state.raw<StudySummary[]>([]);
  #details = $state.raw<Record<number, StudyDetail>>({});
  #progress = $state.raw<Record<number, StudyProgress>>({});
  #validation = $state.raw<Record<number, StudyValidation>>({});
  #validating = $state<number | null>(null);
  /** The quick screening per study, recomputed when its number of ratings changes. */
  #screening = $state.raw<Record<number, QuickScreening>>({});
  #screeningFor = new Map<number, number>();
  #formError = $state<string | null>(null);
  #error = $state<string | null>(null);
  #creating = $state(false);
  #participant = $state.raw<ParticipantState | null>(null);
  #loadedFor: string | null = null;

  constructor(host: StudyHost) {
    this.#host = host;
  }

  /** The open project's folder (null without one). */
  projectDir(): string | null { return this.#host.projectDir(); }
  /** Studies the engine runs (imported ratings are studies too, but have no design to run). */
  get studies() { return this.#studies; }
  detail(id: number): StudyDetail | null { return this.#details[id] ?? null; }
  progress(id: number): StudyProgress | null { return this.#progress[id] ?? null; }
  validation(id: number): StudyValidation | null { return this.#validation[id] ?? null; }
  screening(id: number): QuickScreening | null { return this.#screening[id] ?? null; }
  get validating() { return this.#validating; }
  get formProblems() { return formProblems(this.form); }
  get formError() { return this.#formError; }
  get error() { return this.#error; }
  get creating() { return this.#creating; }
  /** The participant screen, while a session runs here. */
  get participant() { return this.#participant; }

  /** Called when the tab is shown: reads the studies, and comes back to a session this tab was running. */
  async activate(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    if (this.#loadedFor !== dir) this.clear();
    this.#loadedFor = dir;
    await this.refresh();
    const stored = readStoredParticipant(dir);
    if (stored && !this.#participant && this.#studies.some((s) => s.id === stored.studyId)) {
      const p = this.#open(stored.studyId);
      if (p) {
        p.code = stored.code;
        await p.enrol(true);
      }
    }
  }

  async refresh(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    try {
      const studies = await api['studies.list']({ projectDir: dir });
      const details: Record<number, StudyDetail> = {};
      const progress: Record<number, StudyProgress> = {};
      for (const s of studies) {
        // An imported study has no stored design: it lists without one.
        const d = await api['studies.get']({ projectDir: dir, studyId: s.id }).catch(() => null);
        if (d) details[s.id] = d;
        const p = await api['studies.progress']({ projectDir: dir, studyId: s.id }).catch(() => null);
        if (p) progress[s.id] = p;
      }
      if (dir !== this.#host.projectDir()) return;
      this.#studies = studies;
      this.#details = details;
      this.#progress = progress;
      this.#error = null;
      // A PC study's answers are choices: no MOS, so no screening of scores.
      for (const s of studies) if (s.method !== 'PC' && s.ratings > 0 && this.#screeningFor.get(s.id) !== s.ratings) void this.#screen(dir, s);
    } catch (err) {
      this.#error = (err as Error).message;
    }
  }

  /**
   * BT.500 screening and the P.913 subject model of the study's ratings so far (the analysis in the
   * compute worker, without resamples or mapping: fast, and cached by its inputs).
   */
  async #screen(dir: string, s: StudySummary): Promise<void> {
    this.#screeningFor.set(s.id, s.ratings);
    if (s.participants < 2) {
      // Neither screening compares one observer with anyone: say so without asking.
      const none = { error: 'it needs the ratings of at least 2 participants' };
      this.#screening = { ...this.#screening, [s.id]: quickScreening(s.ratings, none, none) };
      return;
    }
    const base = { projectDir: dir, study: s.name, mapping: 'none' as const, resamples: 0 };
    const run = (o: { mos: 'screened' | 'mle'; screening?: 'bt500' }) => api['analysis.run']({ ...base, ...o }).catch((err: unknown) => ({ error: (err as Error).message }));
    const [bt500, mle] = await Promise.all([run({ mos: 'screened', screening: 'bt500' }), run({ mos: 'mle' })]);
    if (dir !== this.#host.projectDir() || this.#screeningFor.get(s.id) !== s.ratings) return;
    this.#screening = { ...this.#screening, [s.id]: quickScreening(s.ratings, bt500, mle) };
  }

  /** Creates the study the form describes, then validates it (problems per stimulus, with the fix). */
  async create(): Promise<number | null> {
    const dir = this.#host.projectDir();
    if (!dir || this.formProblems.length > 0 || this.#creating) return null;
    this.#creating = true;
    this.#formError = null;
    try {
      const { studyId } = await api['studies.create'](createInput(dir, this.form));
      this.form = { ...defaultForm(this.form.method), method: this.form.method };
      await this.refresh();
      await this.validate(studyId);
      return studyId;
    } catch (err) {
      this.#formError = (err as Error).message;
      return null;
    } finally {
      this.#creating = false;
    }
  }

  /** studies.validate against this screen (its size in device pixels), else the design's display. */
  async validate(studyId: number): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    this.#validating = studyId;
    try {
      const probe = this.#host.probe();
      const display = { width: Math.round(probe.screen.width * probe.devicePixelRatio), height: Math.round(probe.screen.height * probe.devicePixelRatio) };
      const v = await api['studies.validate']({ projectDir: dir, studyId, display });
      this.#validation = { ...this.#validation, [studyId]: v };
    } catch (err) {
      this.#error = (err as Error).message;
    } finally {
      this.#validating = null;
    }
  }

  /** The researcher's notes on a session (viewing distance, room conditions, free text), then its study's progress again. */
  async saveNotes(studyId: number, sessionId: number, notes: SessionNotes): Promise<boolean> {
    const dir = this.#host.projectDir();
    if (!dir) return false;
    try {
      await api['sessions.update']({ projectDir: dir, sessionId, notes });
      const p = await api['studies.progress']({ projectDir: dir, studyId });
      if (dir === this.#host.projectDir()) this.#progress = { ...this.#progress, [studyId]: p };
      this.#error = null;
      return true;
    } catch (err) {
      this.#error = (err as Error).message;
      return false;
    }
  }

  analyse(studyId: number): void {
    const s = this.#studies.find((x) => x.id === studyId);
    if (s) this.#host.analyse(s.name);
  }

  /** Opens the participant screen for a study (the participant enters a code). */
  runSession(studyId: number): void {
    this.#open(studyId);
  }

  #open(studyId: number): ParticipantState | null {
    const dir = this.#host.projectDir();
    const s = this.#studies.find((x) => x.id === studyId);
    if (!dir || !s) return null;
    const p = new ParticipantState({ projectDir: dir, studyId, studyName: s.name, probe: () => this.#host.probe() });
    this.#participant = p;
    return p;
  }

  /** Closes the participant screen and reads the progress again. */
  closeSession(): void {
    this.#participant?.close();
    this.#participant = null;
    void this.refresh();
  }

  clear(): void {
    this.#participant?.close();
    this.#participant = null;
    this.#studies = [];
    this.#details = {};
    this.#progress = {};
    this.#validation = {};
    this.#screening = {};
    this.#screeningFor.clear();
    this.#error = null;
    this.#formError = null;
  }
}
