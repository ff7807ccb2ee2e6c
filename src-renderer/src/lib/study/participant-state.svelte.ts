/**
 * A participant's session on this screen: code entry (a code already enrolled is offered "resume"),
 * instructions, the trials (grey screens, presentations, the vote: lib/study/trial-steps.ts), and the end.
 * The same class whatever the transport (IPC or the loopback host); it only calls lib/api.ts.
 *
 * Times: `presentedAt` is the wall-clock time the trial's first medium appeared, `votedAt` the time of
 * the vote, both ISO 8601 on this machine's clock; `responseMs` is measured with performance.now() from
 * the moment the voting screen appeared to the vote. The schedule's waits are the design's durations
 * (timers), never shortened; a grey screen lasts longer only while the next images are still decoding.
 *
 * Every medium a trial shows is ready before the trial starts: an image decoded to an ImageData, a video
 * fetched whole (`sessions.video`: the source, or its lossless copy verified frame-exact by the engine)
 * into a <video> element that can play through. The next trial's media are loaded while this one runs
 * (`sessions.upcoming`), so a presentation never waits. A video plays once, to its end, muted.
 */
import { pendingParticipantPage, type ColourVision, type ParticipantProgress, type SessionState } from '../../../../src-main/common/study';
import { api, ApiError } from '../api';
import { base64ToBytes, measureDisplay, rgbToRgba, type DisplayProbe } from './display';
import { trialSteps, unsupportedReason, type TrialStep } from './trial-steps';
import { dscqsKey, voteKey, type PairScores } from './vote-keys';

export type ParticipantPhase = 'code' | 'exists' | 'consent' | 'declined' | 'demographics' | 'vision' | 'instructions' | 'trial' | 'training-done' | 'break' | 'end' | 'unsupported' | 'failed';

export interface ParticipantHost {
  projectDir: string;
  studyId: number;
  studyName: string;
  probe(): DisplayProbe;
}

/** What sessionStorage keeps so that a reload of this tab comes back to the session (resume). */
export const PARTICIPANT_KEY = 'iqa.participant';
export interface StoredParticipant {
  projectDir: string;
  studyId: number;
  code: string;
}

export function readStoredParticipant(projectDir: string): StoredParticipant | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(PARTICIPANT_KEY) ?? 'null') as StoredParticipant | null;
    return v && v.projectDir === projectDir && typeof v.studyId === 'number' && typeof v.code === 'string' ? v : null;
  } catch {
    return null;
  }
}

type Answer = { value: number } | { choice: 0 | 1 | null } | { samples: Sample[] } | { sides: { A: number; B: number } };
type Sample = { tMs: number; value: number };

/** A medium ready to present: decoded image pixels, or a loaded video element (never in two places at once). */
export type Presented = { kind: 'image'; image: ImageData } | { kind: 'video'; video: HTMLVideoElement; width: number; height: number };

export class ParticipantState {
  readonly host: ParticipantHost;
  code = $state('');
  #phase = $state<ParticipantPhase>('code');
  #session = $state.raw<SessionState | null>(null);
  #existing = $state.raw<ParticipantProgress | null>(null);
  #resumed = $state(false);
  #error = $state<string | null>(null);
  #busy = $state(false);
  #step = $state.raw<TrialStep | null>(null);
  #media = $state.raw<Presented[]>([]);
  #unsupported = $state<string | null>(null);
  #highlight = $state<number | null>(null);
  /** SSCQE: the slider's position while the video plays. */
  #slider = $state<number | null>(null);
  #sampling = $state(false);
  /** DSCQS: the scores of A and B on the voting screen, and the scale the keys move. */
  #pair = $state.raw<PairScores>({ active: 'A', A: null, B: null });
  #showProgress = $state(true);
  /** The demographics form's answers by field key (a number input's binding gives a number, or null when empty). */
  demographics = $state<Record<string, string | number | null>>({});
  /** The vision check record, as the experimenter types it. */
  vision = $state<{ acuity: string; colour: ColourVision; test: string }>({ acuity: '', colour: 'normal', test: '' });
  /** Loaded media by stimulus id (a promise while fetching). Not reactive: a cache. */
  #loaded = new Map<number, Promise<Presented>>();
  #run = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #voteShownAt = 0;
  #presentedAt: string | null = null;
  #first = true;
  #sinceBreak = 0;
  /** The answer being sent; `answer: null` is a trial whose voting time ran out (sessions.timeout). */
  #pending: { trialId: number; answer: Answer | null; responseMs: number; votedAt: string; presentedAt: string } | null = null;
  /** The voting time limit's timer (timing.voteLimitMs), while the voting screen is up. */
  #voteTimer: ReturnType<typeof setTimeout> | null = null;
  /** The video looping on the voting screen (timing "until-vote"), or the one the DSCQS cycle plays now. */
  #looping: HTMLVideoElement | null = null;
  /** DSCQS "until-vote": the medium the cycle shows now (null: its grey screen), its run, timer and end listener. */
  #cycleShown = $state<number | null>(null);
  #cycleRun = 0;
  #cycleTimer: ReturnType<typeof setTimeout> | null = null;
  #cycleEnded: { video: HTMLVideoElement; listener: () => void } | null = null;

  constructor(host: ParticipantHost) {
    this.host = host;
  }

  get phase() { return this.#phase; }
  get session() { return this.#session; }
  get existing() { return this.#existing; }
  get resumed() { return this.#resumed; }
  get error() { return this.#error; }
  get busy() { return this.#busy; }
  /** The trial's current step (grey, show, vote); null outside trials. */
  get step() { return this.#step; }
  /** The current trial's media, ready, in presentation order. */
  get media() { return this.#media; }
  /** Why the current trial cannot be presented here (phase 'unsupported'). */
  get unsupported() { return this.#unsupported; }
  /** The category the arrow keys point at on the voting screen. */
  get highlight() { return this.#highlight; }
  /** SSCQE: the slider's position, and whether it is being sampled now (the video is playing). */
  get slider() { return this.#slider; }
  get sampling() { return this.#sampling; }
  get pair() { return this.#pair; }
  /** DSCQS "until-vote": which medium plays behind the vote now (null: the grey between them, or no cycle). */
  get cycleShown() { return this.#cycleShown; }
  get showProgress() { return this.#showProgress; }
  set showProgress(v: boolean) { this.#showProgress = v; }
  get training() { return this.#session?.trial?.training ?? false; }

  /** Enrols the code; an enrolled code is offered "resume" instead (phase 'exists'). */
  async enrol(resume = false): Promise<void> {
    const code = this.code.trim();
    if (!code || this.#busy) return;
    this.#busy = true;
    this.#error = null;
    try {
      // An enrolled code is offered "resume" before enrolling again (which the engine refuses: E_EXISTS).
      if (!resume) {
        const progress = await api['studies.progress']({ projectDir: this.host.projectDir, studyId: this.host.studyId });
        const existing = progress.participants.find((p) => p.participant === code);
        if (existing) {
          this.#existing = existing;
          this.#phase = 'exists';
          return;
        }
      }
      const display = measureDisplay(this.host.probe());
      const s = await api['sessions.enrol']({ projectDir: this.host.projectDir, studyId: this.host.studyId, participant: code, display, ...(resume ? { resume: true } : {}) });
      // The display is recorded for a resumed session too: it may be another screen now.
      const updated = await api['sessions.update']({ projectDir: this.host.projectDir, sessionId: s.sessionId, display });
      this.#resumed = resume;
      sessionStorage.setItem(PARTICIPANT_KEY, JSON.stringify({ projectDir: this.host.projectDir, studyId: this.host.studyId, code } satisfies StoredParticipant));
      this.#beforeTrials(updated);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'E_EXISTS' && !resume) {
        const progress = await api['studies.progress']({ projectDir: this.host.projectDir, studyId: this.host.studyId }).catch(() => null);
        this.#existing = progress?.participants.find((p) => p.participant === code) ?? null;
        this.#phase = 'exists';
      } else {
        this.#error = (err as Error).message;
      }
    } finally {
      this.#busy = false;
    }
  }

  /** The page before the trials the session is at: a declined consent, the end, what is still to record, or the instructions. */
  #beforeTrials(s: SessionState): void {
    this.#session = s;
    if (s.info.consent && !s.info.consent.agreed) {
      this.#phase = 'declined';
      sessionStorage.removeItem(PARTICIPANT_KEY);
      return;
    }
    this.#phase = s.trial === null ? 'end' : (pendingParticipantPage(s.pages, s.info) ?? 'instructions');
  }

  /** Records one page's answer (sessions.participant) and moves on to the next page. */
  async #record(part: { consent: { agreed: boolean; at: string } } | { demographics: Record<string, string | number | null> } | { vision: { acuity: string; colour: ColourVision; test: string; at: string } }): Promise<void> {
    const s = this.#session;
    if (!s || this.#busy) return;
    this.#busy = true;
    this.#error = null;
    try {
      this.#beforeTrials(await api['sessions.participant']({ projectDir: this.host.projectDir, sessionId: s.sessionId, ...part }));
    } catch (err) {
      // E_EXISTS: recorded already (a second click, a reload): carry on from the stored state.
      if (err instanceof ApiError && err.code === 'E_EXISTS') {
        const now = await api['sessions.current']({ projectDir: this.host.projectDir, sessionId: s.sessionId }).catch(() => null);
        if (now) {
          this.#beforeTrials(now);
          return;
        }
      }
      this.#error = (err as Error).message;
    } finally {
      this.#busy = false;
    }
  }

  /** The consent page's answer: agreeing goes on; declining ends the session (nothing else is asked or stored). */
  consent(agreed: boolean): Promise<void> {
    return this.#phase === 'consent' ? this.#record({ consent: { agreed, at: new Date().toISOString() } }) : Promise.resolve();
  }

  /** Fields of the demographics form left empty although required (the engine checks again). */
  get missingDemographics(): string[] {
    const fields = this.#session?.pages.demographics ?? [];
    return fields.filter((f) => f.required && this.#typed(f.key) === '').map((f) => f.label);
  }

  /** A form answer as text, trimmed ('' when empty). */
  #typed(key: string): string {
    return String(this.demographics[key] ?? '').trim();
  }

  submitDemographics(): Promise<void> {
    const fields = this.#session?.pages.demographics ?? [];
    if (this.#phase !== 'demographics' || this.missingDemographics.length > 0) return Promise.resolve();
    const answers: Record<string, string | number | null> = {};
    for (const f of fields) {
      const v = this.#typed(f.key);
      answers[f.key] = v === '' ? null : f.kind === 'number' ? Number(v) : v;
    }
    return this.#record({ demographics: answers });
  }

  submitVision(): Promise<void> {
    if (this.#phase !== 'vision' || !this.vision.acuity.trim()) return Promise.resolve();
    return this.#record({ vision: { acuity: this.vision.acuity.trim(), colour: this.vision.colour, test: this.vision.test.trim(), at: new Date().toISOString() } });
  }

  /** Back to the code screen (another code). */
  otherCode(): void {
    this.#phase = 'code';
    this.#existing = null;
    this.#error = null;
  }

  /** Starts (or continues) the trials: from the instructions, the end of training, or a break. */
  begin(): void {
    if (this.#phase !== 'instructions' && this.#phase !== 'training-done' && this.#phase !== 'break') return;
    this.#sinceBreak = performance.now();
    void this.#runTrial();
  }

  /** DSCQS: the mouse set one side's score (and selects that side for the keys). */
  setSide(side: 'A' | 'B', value: number): void {
    if (this.#step?.kind !== 'vote' || this.#busy) return;
    this.#pair = { ...this.#pair, [side]: value, active: side };
  }

  /** DSCQS: sends both scores, by side, once both are set. */
  async submitPair(): Promise<void> {
    const { A, B } = this.#pair;
    if (A === null || B === null) return;
    await this.vote({ sides: { A, B } });
  }

  /** SSCQE: the mouse moved the slider. */
  setSlider(value: number): void {
    if (this.#sampling) this.#slider = value;
  }

  /** The voting screen's keyboard (vote-keys.ts), and SSCQE's slider while it is sampled. Returns whether the key was used. */
  key(key: string, shift = false): boolean {
    const s = this.#session;
    if (this.#sampling && s) {
      const a = voteKey(s.scale, key, this.#slider, shift);
      if (a?.kind === 'move') this.#slider = a.value;
      return a?.kind === 'move';
    }
    if (this.#phase !== 'trial' || this.#step?.kind !== 'vote' || !s || this.#busy) return false;
    if (s.trial?.answer === 'value-and-ref') {
      const d = dscqsKey(s.scale, key, this.#pair, shift);
      if (d?.kind === 'set') this.#pair = d.scores;
      else if (d?.kind === 'submit') void this.submitPair();
      return d !== null;
    }
    const a = voteKey(s.scale, key, this.#highlight, shift);
    if (!a) return false;
    if (a.kind === 'submit') void this.vote({ value: a.value });
    else if (a.kind === 'move') this.#highlight = a.value;
    else if (a.kind === 'confirm' && this.#highlight !== null) void this.vote({ value: this.#highlight });
    else if (a.kind === 'choose') void this.vote({ choice: a.choice });
    return true;
  }

  /** One answer to the current trial (keyboard or mouse). */
  async vote(answer: Answer): Promise<void> {
    const s = this.#session;
    const trial = s?.trial;
    if (!s || !trial || this.#step?.kind !== 'vote' || this.#busy) return;
    this.#stopVoteTimer();
    const responseMs = Math.max(0, Math.round(performance.now() - this.#voteShownAt));
    this.#pending = { trialId: trial.trialId, answer, responseMs, votedAt: new Date().toISOString(), presentedAt: this.#presentedAt ?? new Date().toISOString() };
    await this.#submit();
  }

  /**
   * The voting time ran out with no answer: the trial is recorded as timed out (no rating is made up)
   * and the session goes on to the next trial.
   */
  async #timeOut(trialId: number): Promise<void> {
    this.#voteTimer = null;
    const trial = this.#session?.trial;
    if (!trial || trial.trialId !== trialId || this.#step?.kind !== 'vote' || this.#busy || this.#phase !== 'trial') return;
    const responseMs = Math.max(0, Math.round(performance.now() - this.#voteShownAt));
    this.#pending = { trialId, answer: null, responseMs, votedAt: new Date().toISOString(), presentedAt: this.#presentedAt ?? new Date().toISOString() };
    await this.#submit();
  }

  /** Timing "until-vote": plays the video from its start, over and over, until the vote. */
  #loop(v: HTMLVideoElement): void {
    this.#stopLoop();
    this.#looping = v;
    v.loop = true;
    v.currentTime = 0;
    v.play().catch((err: unknown) => this.#fail(err));
  }

  /**
   * DSCQS "until-vote": behind the voting screen, a grey screen then each video once, in turn (A, B, A,
   * …), until the vote. Event-driven (each video's end schedules the next), so stopping leaves nothing
   * waiting; `cycleShown` is the medium on screen, null during the grey.
   */
  #cycle(order: number[], media: Presented[], greyMs: number): void {
    this.#stopLoop();
    const token = this.#cycleRun;
    let k = 0;
    const next = () => {
      if (token !== this.#cycleRun) return;
      this.#cycleShown = null;
      this.#cycleTimer = setTimeout(() => {
        this.#cycleTimer = null;
        if (token !== this.#cycleRun) return;
        const i = order[k]!;
        k = (k + 1) % order.length;
        const m = media[i];
        if (m?.kind !== 'video') return;
        const v = m.video;
        this.#looping = v;
        this.#cycleShown = i;
        v.loop = false;
        v.currentTime = 0;
        v.addEventListener('ended', next, { once: true });
        this.#cycleEnded = { video: v, listener: next };
        v.play().catch((err: unknown) => {
          if (token === this.#cycleRun) this.#fail(err);
        });
      }, greyMs);
    };
    next();
  }

  #stopLoop(): void {
    this.#cycleRun++;
    if (this.#cycleTimer) clearTimeout(this.#cycleTimer);
    this.#cycleTimer = null;
    this.#cycleShown = null;
    if (this.#cycleEnded) this.#cycleEnded.video.removeEventListener('ended', this.#cycleEnded.listener);
    this.#cycleEnded = null;
    const v = this.#looping;
    this.#looping = null;
    if (!v) return;
    v.loop = false;
    v.pause();
  }

  #stopVoteTimer(): void {
    if (this.#voteTimer) clearTimeout(this.#voteTimer);
    this.#voteTimer = null;
  }

  /** Sends the answer again after a failure (the engine keeps at most one per trial). */
  async retry(): Promise<void> {
    if (this.#phase === 'failed' && this.#pending) await this.#submit();
  }

  async #submit(): Promise<void> {
    const p = this.#pending;
    const s = this.#session;
    if (!p || !s) return;
    this.#busy = true;
    this.#error = null;
    const wasTraining = s.trial?.training ?? false;
    try {
      const next =
        p.answer === null
          ? await api['sessions.timeout']({ projectDir: this.host.projectDir, sessionId: s.sessionId, trialId: p.trialId, presentedAt: p.presentedAt, timedOutAt: p.votedAt })
          : await api['ratings.submit']({ projectDir: this.host.projectDir, sessionId: s.sessionId, trialId: p.trialId, ...p.answer, responseMs: p.responseMs, presentedAt: p.presentedAt, votedAt: p.votedAt });
      this.#accept(next, wasTraining);
    } catch (err) {
      // E_EXISTS: the answer did reach the engine before the failure was seen; carry on from its state.
      if (err instanceof ApiError && err.code === 'E_EXISTS') {
        try {
          this.#accept(await api['sessions.current']({ projectDir: this.host.projectDir, sessionId: s.sessionId }), wasTraining);
          return;
        } catch (again) {
          err = again;
        }
      }
      this.#error = (err as Error).message;
      this.#phase = 'failed';
      this.#step = null;
    } finally {
      this.#busy = false;
    }
  }

  #accept(next: SessionState, wasTraining: boolean): void {
    this.#stopLoop();
    this.#pending = null;
    this.#session = next;
    this.#first = false;
    this.#step = null;
    this.#media = [];
    if (next.trial === null) {
      this.#phase = 'end';
      sessionStorage.removeItem(PARTICIPANT_KEY);
      return;
    }
    if (wasTraining && !next.trial.training) {
      this.#phase = 'training-done';
      this.#first = true;
      return;
    }
    const every = next.timing.breakEveryMin;
    if (every !== null && performance.now() - this.#sinceBreak >= every * 60_000) {
      this.#phase = 'break';
      this.#first = true;
      return;
    }
    void this.#runTrial();
  }

  async #runTrial(): Promise<void> {
    const s = this.#session;
    const trial = s?.trial;
    if (!s || !trial) return;
    const run = ++this.#run;
    const reason = unsupportedReason(trial, s.timing);
    if (reason) {
      this.#unsupported = reason;
      this.#phase = 'unsupported';
      return;
    }
    this.#phase = 'trial';
    this.#highlight = null;
    this.#pair = { active: 'A', A: null, B: null };
    this.#presentedAt = null;
    // SSCQE's video plays once whatever the timing says: its samples are the answer, there is no vote to loop for.
    const steps = trialSteps(trial.media, trial.answer === 'samples' ? { ...s.timing, video: 'play-once' } : s.timing, this.#first, trial.answer === 'value-and-ref');
    // Grey while this trial's media load (normally already done during the previous trial).
    this.#step = { kind: 'grey', ms: 0 };
    const loaded = Promise.all(trial.media.map((m) => this.#load(s.sessionId, m)));
    void this.#prefetch(s.sessionId);
    let media: Presented[];
    try {
      const head = steps[0];
      if (head?.kind === 'grey') {
        steps.shift();
        await Promise.all([loaded, this.#wait(head.ms)]);
      }
      media = await loaded;
      for (const [i, m] of media.entries()) {
        const want = trial.media[i]!;
        const got = m.kind === 'image' ? m.image : m;
        // Never rescaled: a medium whose size is not the imported one is not presented.
        if (got.width !== want.width || got.height !== want.height) throw new Error(`stimulus ${want.stimulusId} is ${got.width}×${got.height} here, not ${want.width}×${want.height} as imported: it is not shown rescaled`);
      }
    } catch (err) {
      if (run !== this.#run) return;
      this.#fail(err);
      return;
    }
    if (run !== this.#run) return;
    this.#media = media;
    let samples: Sample[] | null = null;
    let shownAt = 0;
    try {
      for (const step of steps) {
        if (run !== this.#run) return;
        if (step.kind === 'vote' && samples) {
          // SSCQE: the samples are the answer; it is sent the moment the video ends.
          this.#step = { kind: 'grey', ms: 0 };
          this.#pending = { trialId: trial.trialId, answer: { samples }, responseMs: Math.max(0, Math.round(performance.now() - shownAt)), votedAt: new Date().toISOString(), presentedAt: this.#presentedAt ?? new Date().toISOString() };
          await this.#submit();
          return;
        }
        this.#step = step;
        if (step.kind === 'show' && this.#presentedAt === null) {
          this.#presentedAt = new Date().toISOString();
          shownAt = performance.now();
        }
        if (step.kind === 'vote') {
          const looped = step.loop !== undefined ? media[step.loop] : undefined;
          if (looped?.kind === 'video') {
            this.#presentedAt ??= new Date().toISOString();
            this.#loop(looped.video);
          }
          if (step.cycle) this.#cycle(step.cycle, media, s.timing.greyMs);
          this.#voteShownAt = performance.now();
          const limit = s.timing.voteLimitMs;
          if (limit !== null) {
            this.#stopVoteTimer();
            const id = trial.trialId;
            this.#voteTimer = setTimeout(() => void this.#timeOut(id), limit);
          }
          return;
        }
        const m = step.kind === 'show' ? media[step.media]! : null;
        if (m?.kind === 'video' && trial.answer === 'samples') samples = await this.#playSampled(m.video, s);
        else if (m?.kind === 'video') await this.#play(m.video);
        else await this.#wait(step.ms ?? 0);
      }
    } catch (err) {
      this.#sampling = false;
      if (run !== this.#run) return;
      this.#fail(err);
    }
  }

  /**
   * SSCQE: plays the video once while the slider is sampled `sampleRateHz` times a second. Each sample's
   * `tMs` is the video's own time (ms) when it was taken, so samples line up with frames even if playback
   * stalls; a tick while the video does not advance takes no sample. The first sample is at 0 (the
   * slider's starting point, the middle of the scale), the last at the video's end.
   */
  async #playSampled(v: HTMLVideoElement, s: SessionState): Promise<Sample[]> {
    const mid = Math.round((s.scale.min + s.scale.max) / 2);
    this.#slider = mid;
    const samples: Sample[] = [{ tMs: 0, value: mid }];
    const take = (final: boolean) => {
      const tMs = Math.round(v.currentTime * 1000);
      const last = samples[samples.length - 1]!;
      const value = this.#slider ?? mid;
      if (tMs > last.tMs) samples.push({ tMs, value });
      else if (final && tMs === last.tMs) last.value = value;
    };
    this.#sampling = true;
    const timer = setInterval(() => take(false), 1000 / Math.max(0.1, s.timing.sampleRateHz));
    try {
      await this.#play(v);
    } finally {
      clearInterval(timer);
      this.#sampling = false;
    }
    take(true);
    return samples;
  }

  #fail(err: unknown): void {
    this.#stopLoop();
    this.#error = (err as Error).message;
    this.#phase = 'failed';
    this.#step = null;
  }

  /** Plays a loaded video once from its first frame and resolves at its end. */
  async #play(v: HTMLVideoElement): Promise<void> {
    if (v.currentTime !== 0) {
      const seeked = new Promise((done) => v.addEventListener('seeked', done, { once: true }));
      v.currentTime = 0;
      await seeked;
    }
    await new Promise<void>((done, fail) => {
      const onError = () => fail(new Error(`the video stopped: ${v.error?.message || `media error ${v.error?.code ?? '?'}`}`));
      v.addEventListener('ended', () => {
        v.removeEventListener('error', onError);
        done();
      }, { once: true });
      v.addEventListener('error', onError, { once: true });
      v.play().catch(fail);
    });
  }

  #wait(ms: number): Promise<void> {
    return new Promise((done) => {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        done();
      }, ms);
    });
  }

  #load(sessionId: number, m: { stimulusId: number; kind: 'image' | 'video' }): Promise<Presented> {
    const { stimulusId } = m;
    let p = this.#loaded.get(stimulusId);
    if (!p) {
      p =
        m.kind === 'video'
          ? this.#video(sessionId, stimulusId).then((video): Presented => ({ kind: 'video', video, width: video.videoWidth, height: video.videoHeight }))
          : api['sessions.stimulus']({ projectDir: this.host.projectDir, sessionId, stimulusId }).then(
              (px): Presented => ({ kind: 'image', image: new ImageData(rgbToRgba(base64ToBytes(px.rgb), px.width, px.height) as Uint8ClampedArray<ArrayBuffer>, px.width, px.height) }),
            );
      p.catch(() => this.#loaded.delete(stimulusId));
      this.#loaded.set(stimulusId, p);
      // A small cache: the current and next trials' media are what matters. Videos hold their whole
      // file, so the oldest entries not shown now are let go (and their blob URLs revoked).
      const current = new Set(this.#session?.trial?.media.map((x) => x.stimulusId) ?? []);
      for (const [id, old] of this.#loaded) {
        if (this.#loaded.size <= 8) break;
        if (current.has(id) || id === stimulusId) continue;
        this.#loaded.delete(id);
        void old.then((x) => x.kind === 'video' && release(x.video), () => undefined);
      }
    }
    return p;
  }

  /** A video's playable file, fetched whole (in chunks), in a <video> element that can play through. */
  async #video(sessionId: number, stimulusId: number): Promise<HTMLVideoElement> {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    let offset = 0;
    let size = Number.POSITIVE_INFINITY;
    let mime = 'video/webm';
    while (offset < size) {
      const c = await api['sessions.video']({ projectDir: this.host.projectDir, sessionId, stimulusId, offset });
      size = c.size;
      mime = c.mime;
      const bytes = base64ToBytes(c.data) as Uint8Array<ArrayBuffer>;
      if (bytes.length === 0 && offset < size) throw new Error(`stimulus ${stimulusId}: the video ended early (${offset} of ${size} bytes)`);
      parts.push(bytes);
      offset += bytes.length;
    }
    const v = document.createElement('video');
    v.muted = true;
    v.playsInline = true;
    v.preload = 'auto';
    v.controls = false;
    v.disablePictureInPicture = true;
    v.dataset.stimulusId = String(stimulusId);
    v.src = URL.createObjectURL(new Blob(parts, { type: mime }));
    try {
      await new Promise<void>((done, fail) => {
        if (v.readyState >= HTMLMediaElement.HAVE_ENOUGH_DATA) return done();
        v.addEventListener('canplaythrough', () => done(), { once: true });
        v.addEventListener('error', () => fail(new Error(`this browser cannot play stimulus ${stimulusId} (${v.error?.message || `media error ${v.error?.code ?? '?'}`})`)), { once: true });
      });
    } catch (err) {
      release(v);
      throw err;
    }
    return v;
  }

  async #prefetch(sessionId: number): Promise<void> {
    try {
      const { stimulusIds, videos } = await api['sessions.upcoming']({ projectDir: this.host.projectDir, sessionId, count: 1 });
      await Promise.all(stimulusIds.map((id) => this.#load(sessionId, { stimulusId: id, kind: videos.includes(id) ? 'video' : 'image' }).catch(() => undefined)));
    } catch {
      // Prefetching is an optimisation: the trial fetches what it needs itself.
    }
  }

  /** Leaves the screen: stops timers (nothing unanswered is lost; the code resumes later). */
  close(): void {
    this.#run++;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#stopVoteTimer();
    this.#stopLoop();
    sessionStorage.removeItem(PARTICIPANT_KEY);
    for (const p of this.#loaded.values()) void p.then((x) => x.kind === 'video' && release(x.video), () => undefined);
    this.#loaded.clear();
  }
}

/** Stops a video and frees its file (the blob URL). */
function release(v: HTMLVideoElement): void {
  v.pause();
  const url = v.src;
  v.removeAttribute('src');
  v.load();
  if (url.startsWith('blob:')) URL.revokeObjectURL(url);
}
