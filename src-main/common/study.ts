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

/** One field of a study's optional demographics form. */
export interface DemographicField {
  /** The answer's key in the stored record (from the label: lower case, words joined by '_'). */
  key: string;
  label: string;
  kind: 'text' | 'number' | 'choice';
  /** `choice`: the answers offered, in order. */
  options: string[];
  /** The participant must answer it (otherwise it may be left empty). */
  required: boolean;
}

/**
 * What a participant goes through before the trials, besides the method's own instructions, in this
 * order: consent, the demographics form, the vision check record (taken by the experimenter), then the
 * instructions. Each is asked once per participant; a resumed session skips what is recorded.
 */
export interface ParticipantPages {
  /** The consent text to agree to before any trial; null: none asked. */
  consent: string | null;
  demographics: DemographicField[];
  /** Record the participant's visual acuity and colour vision (BT.500 §2.5: observers are screened for both). */
  visionCheck: boolean;
  /** The study's own instructions, shown above the method's; null: the method's only. */
  instructions: string | null;
}

export const NO_PARTICIPANT_PAGES: Readonly<ParticipantPages> = Object.freeze({ consent: null, demographics: [], visionCheck: false, instructions: null });

/** The pages of a design (designs stored before pages existed have none). */
export const participantPages = (d: Pick<StudyDesign, 'pages'>): ParticipantPages => d.pages ?? { ...NO_PARTICIPANT_PAGES };

export const COLOUR_VISION = ['normal', 'deficient', 'not tested'] as const;
export type ColourVision = (typeof COLOUR_VISION)[number];

/** What is recorded about a participant before the trials (participants.info). */
export interface ParticipantInfo {
  /** The answer to the consent text, with the text as it was shown. */
  consent?: { agreed: boolean; at: string; text: string };
  /** By field key; null: left empty. */
  demographics?: Record<string, string | number | null>;
  /** Acuity as the chart gives it (e.g. 20/20, 6/6, 1.0), colour vision, and the tests used. */
  vision?: { acuity: string; colour: ColourVision; test: string; at: string };
}

/** The first page a participant still has to go through before the trials, or null when none is left. */
export function pendingParticipantPage(pages: ParticipantPages, info: ParticipantInfo): 'consent' | 'demographics' | 'vision' | null {
  if (pages.consent !== null && !info.consent) return 'consent';
  if (pages.demographics.length > 0 && !info.demographics) return 'demographics';
  if (pages.visionCheck && !info.vision) return 'vision';
  return null;
}

/** A field key from its label: 'Years of experience' → 'years_of_experience'. */
export const fieldKey = (label: string): string =>
  label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '') || 'field';

/**
 * Demographics fields from their one-line spec, fields separated by ';' or new lines:
 * `Label` (free text), `Label (number)`, `Label: option | option | …` (a choice); a '*' after the
 * label makes the field required. E.g. `Age* (number); Gender: female | male | other | prefer not to say`.
 * Throws an Error naming the field at fault.
 */
export function parseDemographicFields(spec: string): DemographicField[] {
  const fields: DemographicField[] = [];
  for (const raw of spec.split(/[;\n]/)) {
    const item = raw.trim();
    if (!item) continue;
    const colon = item.indexOf(':');
    let head = (colon >= 0 ? item.slice(0, colon) : item).trim();
    let kind: DemographicField['kind'] = 'text';
    const typed = /\((number|text)\)\s*$/i.exec(head);
    if (typed) {
      kind = typed[1]!.toLowerCase() as 'number' | 'text';
      head = head.slice(0, typed.index).trim();
    }
    const required = head.endsWith('*');
    const label = required ? head.slice(0, -1).trim() : head;
    if (!label) throw new Error(`demographics field "${item}": give it a label`);
    let options: string[] = [];
    if (colon >= 0) {
      if (typed) throw new Error(`demographics field "${label}": a choice (after ':') cannot also be ${kind}`);
      options = item.slice(colon + 1).split('|').map((o) => o.trim()).filter(Boolean);
      if (options.length < 2) throw new Error(`demographics field "${label}": a choice needs at least two options separated by '|'`);
      if (new Set(options).size !== options.length) throw new Error(`demographics field "${label}": an option is listed twice`);
      kind = 'choice';
    }
    const key = fieldKey(label);
    if (fields.some((f) => f.key === key)) throw new Error(`demographics field "${label}": two fields have the same name`);
    fields.push({ key, label, kind, options, required });
  }
  return fields;
}

/** The spec a field list comes from (parseDemographicFields's inverse). */
export function formatDemographicFields(fields: readonly DemographicField[]): string {
  return fields.map((f) => `${f.label}${f.required ? '*' : ''}${f.kind === 'number' ? ' (number)' : f.kind === 'choice' ? `: ${f.options.join(' | ')}` : ''}`).join('; ');
}

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
  /** Consent, demographics, vision check and the study's instructions (absent in designs made before them: none). */
  pages?: ParticipantPages;
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
  /** What the participant goes through before the trials, and what of it is recorded already. */
  pages: ParticipantPages;
  info: ParticipantInfo;
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
  pages?: Partial<ParticipantPages>;
}

/** What `sessions.participant` records (each part once; the page sends them as the participant goes through). */
export interface ParticipantPagesInput {
  sessionId: number;
  consent?: { agreed: boolean; at: string };
  demographics?: Record<string, string | number | null>;
  vision?: { acuity: string; colour: ColourVision; test?: string; at: string };
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
  /** Consent, demographics and vision check as recorded. */
  info: ParticipantInfo;
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
