/**
 * Subjective study designs as data, shared by the engine, the CLI and (later) the participant UI: the
 * test methods and their default scales, the design stored in `studies.design`, and what a participant's
 * screen is told to show for a trial. Pure and zod-free (the renderer imports it).
 *
 * Methods and scales follow ITU-R BT.500-15 (DSIS/DCR, DSCQS, SSCQE; grading scales of Annex 1) and
 * ITU-T P.910 / P.913 (ACR, ACR-HR, DCR, PC; the 5-, 9- and 11-point ACR scales of P.910 §6.1 and
 * Annex B). A method's table row says how a trial is presented and which answer it takes; nothing
 * else in the code switches on the method name for that.
 */
import type { StudyMethodName } from './contract-names';

/** One labelled point of a scale (a category, or an anchor on a continuous line). */
export interface ScaleLabel {
  value: number;
  label: string;
}

/**
 * The rating scale: `categorical` (one of the labelled values), `continuous` (any number from min to
 * max; the labels are anchors, as DSCQS's Excellent…Bad marks on its 0–100 line) or `choice` (pairwise:
 * first or second, with `allowTie` a "no difference" answer).
 */
export interface StudyScale {
  kind: 'categorical' | 'continuous' | 'choice';
  min: number;
  max: number;
  labels: ScaleLabel[];
  allowTie?: boolean;
  /** A name for the scale ('acr5', 'acr9', 'acr11', 'impairment5', 'dscqs100', 'sscqe100', 'pc'). */
  id: string;
}

const labelled = (labels: readonly string[], first = 1): ScaleLabel[] => labels.map((label, i) => ({ value: first + i, label }));

/** The five ITU quality labels, best first as the participant reads them; values 5 (Excellent) … 1 (Bad). */
export const QUALITY_LABELS_5 = ['Bad', 'Poor', 'Fair', 'Good', 'Excellent'] as const;
/** The five impairment labels of BT.500 (DSIS) and P.910 (DCR), 1 … 5. */
export const IMPAIRMENT_LABELS_5 = ['Very annoying', 'Annoying', 'Slightly annoying', 'Perceptible but not annoying', 'Imperceptible'] as const;

/** The scales a study may use; `STUDY_SCALES[id]` is a fresh copy each time (labels are editable per study). */
export const STUDY_SCALE_IDS = ['acr5', 'acr9', 'acr11', 'impairment5', 'dscqs100', 'sscqe100', 'pc'] as const;
export type StudyScaleId = (typeof STUDY_SCALE_IDS)[number];

export function defaultScale(id: StudyScaleId): StudyScale {
  switch (id) {
    case 'acr5':
      return { id, kind: 'categorical', min: 1, max: 5, labels: labelled(QUALITY_LABELS_5) };
    case 'acr9':
      // P.910 §6.1.4: nine grades, the five labels on the odd ones.
      return { id, kind: 'categorical', min: 1, max: 9, labels: QUALITY_LABELS_5.map((label, i) => ({ value: 1 + 2 * i, label })) };
    case 'acr11':
      // P.910 Annex B: 0 … 10, labels on 1, 3, 5, 7, 9 (0 and 10 are the ends of the scale).
      return { id, kind: 'categorical', min: 0, max: 10, labels: QUALITY_LABELS_5.map((label, i) => ({ value: 1 + 2 * i, label })) };
    case 'impairment5':
      return { id, kind: 'categorical', min: 1, max: 5, labels: labelled(IMPAIRMENT_LABELS_5) };
    case 'dscqs100':
    case 'sscqe100':
      // BT.500 Annex 1: a continuous line in five equal parts, each labelled; 0 = bottom of Bad, 100 = top of Excellent.
      return { id, kind: 'continuous', min: 0, max: 100, labels: QUALITY_LABELS_5.map((label, i) => ({ value: 10 + 20 * i, label })) };
    case 'pc':
      return { id, kind: 'choice', min: 0, max: 1, labels: [{ value: 0, label: 'First' }, { value: 1, label: 'Second' }], allowTie: false };
  }
}

/** How a method presents a trial, what it records and its usual scale. */
export interface MethodInfo {
  method: StudyMethodName;
  title: string;
  standard: string;
  /** Media shown in one trial, in order. */
  presentation: 'single' | 'reference-then-test' | 'ab-pair' | 'continuous' | 'pair';
  /** What ratings.submit must carry. */
  answer: 'value' | 'value-and-ref' | 'samples' | 'choice';
  scales: readonly StudyScaleId[];
  /** Which stimuli a study takes when no filter is given. */
  defaultFilter: Readonly<Record<string, string>>;
  /** The test stimuli must be distorted ones with a reference. */
  needsReference: boolean;
}

export const STUDY_METHOD_INFO: Readonly<Record<StudyMethodName, MethodInfo>> = {
  ACR: { method: 'ACR', title: 'Absolute Category Rating', standard: 'ITU-T P.910 §6.1, P.913', presentation: 'single', answer: 'value', scales: ['acr5', 'acr9', 'acr11'], defaultFilter: { role: 'distorted' }, needsReference: false },
  'ACR-HR': { method: 'ACR-HR', title: 'ACR with Hidden Reference', standard: 'ITU-T P.910 §6.2, P.913', presentation: 'single', answer: 'value', scales: ['acr5', 'acr9', 'acr11'], defaultFilter: { role: 'distorted' }, needsReference: true },
  DCR: { method: 'DCR', title: 'Degradation Category Rating (DSIS)', standard: 'ITU-T P.910 §6.3; ITU-R BT.500-15 DSIS', presentation: 'reference-then-test', answer: 'value', scales: ['impairment5'], defaultFilter: { role: 'distorted' }, needsReference: true },
  DSCQS: { method: 'DSCQS', title: 'Double Stimulus Continuous Quality Scale', standard: 'ITU-R BT.500-15 Annex 2 §3', presentation: 'ab-pair', answer: 'value-and-ref', scales: ['dscqs100'], defaultFilter: { role: 'distorted' }, needsReference: true },
  SSCQE: { method: 'SSCQE', title: 'Single Stimulus Continuous Quality Evaluation', standard: 'ITU-R BT.500-15 Annex 2 §6', presentation: 'continuous', answer: 'samples', scales: ['sscqe100'], defaultFilter: { kind: 'video' }, needsReference: false },
  PC: { method: 'PC', title: 'Pair Comparison', standard: 'ITU-T P.910 §6.4', presentation: 'pair', answer: 'choice', scales: ['pc'], defaultFilter: {}, needsReference: false },
};

/** How pairs are chosen in a PC study: every pair, a random sample with a target count per pair, or actively. */
export type PairDesign = { kind: 'full' } | { kind: 'random'; perPair: number } | { kind: 'active'; perPair: number };

export interface StudyTiming {
  /** How long an image is shown (ms). */
  imageMs: number;
  /** A video plays once then the vote appears, or it loops until the vote. */
  video: 'play-once' | 'until-vote';
  /** Mid-grey screen between presentations and after the vote (ms). */
  greyMs: number;
  /** Time allowed to vote (ms), or null: no limit. */
  voteLimitMs: number | null;
  /** A break is offered every N minutes (null: none). */
  breakEveryMin: number | null;
  /** SSCQE: samples per second of the slider. */
  sampleRateHz: number;
}

export const DEFAULT_TIMING: Readonly<StudyTiming> = Object.freeze({ imageMs: 8000, video: 'play-once', greyMs: 2000, voteLimitMs: null, breakEveryMin: null, sampleRateHz: 2 });

/** The design of a study, stored as `studies.design` (JSON). `stimulusIds` is resolved once, at creation. */
export interface StudyDesign {
  version: 1;
  /** The filter the test stimuli were chosen by (common/set-spec.ts keys; empty: every candidate). */
  filter: Record<string, string>;
  /** The test stimuli (ACR-HR: the distorted ones; their references are added as hidden references). */
  stimulusIds: number[];
  /** ACR-HR: the hidden references (the references of stimulusIds). */
  hiddenReferenceIds: number[];
  /** Each test trial is presented this many times. */
  repetitions: number;
  /** Training trials before the test, on stimuli outside it (never analysed). */
  training: { count: number; filter: Record<string, string>; stimulusIds: number[] };
  /** 'random': each participant's own order from the study seed and their code; 'fixed': one order (from the seed) for all. */
  order: 'random' | 'fixed';
  seed: number;
  /** PC only. */
  pairs: PairDesign | null;
  /** PC: pairs are formed within each content (the usual design), or across all stimuli. */
  pairsWithin: 'content' | 'all';
  /** PC random/active: participants the study plans for (sets how many pairs each one sees). */
  plannedParticipants: number;
  timing: StudyTiming;
  /** The display the study is validated against (CSS pixels at devicePixelRatio 1). */
  display: { width: number; height: number } | null;
}

/** One medium of a trial, by role; never a file path (the participant's page asks for media by stimulus id). */
export interface TrialMedia {
  role: 'test' | 'reference' | 'A' | 'B' | 'first' | 'second';
  stimulusId: number;
  kind: 'image' | 'video';
  width: number;
  height: number;
  durationS: number | null;
}

/** What a participant's screen needs for the next trial. */
export interface TrialView {
  trialId: number;
  idx: number;
  training: boolean;
  /** In presentation order (DCR: reference then test; DSCQS: A then B; PC: first then second). */
  media: TrialMedia[];
  answer: MethodInfo['answer'];
}

export interface SessionState {
  sessionId: number;
  studyId: number;
  participant: string;
  state: 'created' | 'running' | 'finished' | 'aborted';
  /** Trials answered (training included) and in all. */
  answered: number;
  total: number;
  /** The next unanswered trial, or null when the session is finished. */
  trial: TrialView | null;
  method: StudyMethodName;
  scale: StudyScale;
  timing: StudyTiming;
}

/** The display a participant's browser reported (stored with the session). */
export interface SessionDisplay {
  screenWidth: number;
  screenHeight: number;
  devicePixelRatio: number;
  colorGamut?: string;
  userAgent?: string;
}

/** The researcher's notes on a session. */
export interface SessionNotes {
  viewingDistance?: string;
  room?: string;
  text?: string;
}

/** What `studies.create` takes besides the project (all but name and method optional; defaults in docs/studies.md). */
export interface StudyCreateInput {
  name: string;
  method: StudyMethodName;
  /** key=value filter over the project's stimuli (common/set-spec.ts keys: role, content, name, kind, codec, attributes…). */
  stimuli?: Record<string, string>;
  scale?: StudyScaleId;
  labels?: ScaleLabel[];
  allowTie?: boolean;
  repetitions?: number;
  training?: number;
  trainingStimuli?: Record<string, string>;
  order?: 'random' | 'fixed';
  seed?: number;
  pairs?: PairDesign;
  pairsWithin?: 'content' | 'all';
  plannedParticipants?: number;
  timing?: Partial<StudyTiming>;
  display?: { width: number; height: number };
}

export interface StudyEstimate {
  minutes: number;
  /** Trials in one session (training included). */
  trials: number;
  /** Set when a session is estimated over 30 minutes. */
  warning: string | null;
}

export interface StudyDetail {
  id: number;
  name: string;
  method: StudyMethodName;
  scale: StudyScale;
  design: StudyDesign;
  createdAt: string;
  estimate: StudyEstimate;
  /** The stimuli the study shows (test, hidden references, references shown, training), by id. */
  stimuli: { id: number; name: string; role: 'reference' | 'distorted'; content: string | null }[];
}

export interface StudyProblem {
  stimulusId: number;
  stimulus: string;
  problem: string;
  fix: string;
}

export interface StudyValidation {
  ok: boolean;
  display: { width: number; height: number } | null;
  checked: number;
  problems: StudyProblem[];
  /** Study-wide remarks that do not stop it (duration, unavoidable content repeats). */
  warnings: string[];
  estimate: { minutes: number; trials: number };
}

export interface ParticipantProgress {
  participant: string;
  sessionId: number;
  state: SessionState['state'];
  /** Trials done: answered, or timed out (no rating). */
  answered: number;
  /** Of those, the trials whose voting time ran out. */
  timedOut: number;
  total: number;
  startedAt: string | null;
  finishedAt: string | null;
  display: SessionDisplay | null;
  notes: SessionNotes | null;
}

export interface StudyProgress {
  studyId: number;
  name: string;
  participants: ParticipantProgress[];
  finished: number;
}

/** One trial of a previewed playlist, by stimulus names (as `iqa stimuli` lists them). */
export interface PlaylistTrial {
  idx: number;
  stimulus: string;
  /** The stimulus's reference (shown by DCR/DSCQS; recorded, not shown, by ACR); null for a hidden reference and PC. */
  reference: string | null;
  /** PC: the second of the pair. */
  other: string | null;
  training: boolean;
  /** DSCQS: the side (A shown first) the reference is on. */
  referenceSide: 'A' | 'B' | null;
}

/** What ratings.submit takes besides the project: exactly the answer the method asks for. */
export interface RatingSubmitInput {
  sessionId: number;
  trialId: number;
  /** ACR, ACR-HR, DCR: the score; DSCQS: the test's score. */
  value?: number;
  /** DSCQS: the reference's score. */
  valueRef?: number;
  /**
   * DSCQS, instead of `value` and `valueRef`: the scores of A and B as the participant saw them; the
   * engine stores them by the trial's stored reference side (the page is never told which is which).
   */
  sides?: { A: number; B: number };
  /** PC: 0 the first shown, 1 the second, null "no difference" (when allowed). */
  choice?: 0 | 1 | null;
  /** SSCQE: the slider's samples (ms from the start of the presentation). */
  samples?: { tMs: number; value: number }[];
  responseMs: number;
  /** ISO 8601 times on the participant's clock. */
  presentedAt: string;
  votedAt: string;
}
