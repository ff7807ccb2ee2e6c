/**
 * Sessions of a designed study over the `participants`, `sessions`, `trials` and `ratings` tables.
 *
 * - Enrolment stores the participant's whole playlist at once (one transaction): the order comes from
 *   the study seed and the participant's code alone (or the seed alone for a fixed order), so a code
 *   always gets the same order, and reopening the project reads it back as stored.
 * - Every answer is its own transaction, committed before the reply: a crash loses nothing answered.
 *   A trial takes exactly one rating (ratings.trial_id is UNIQUE; a second answer is E_EXISTS) and
 *   only the next unanswered trial may be answered, so the order is the order the participant saw.
 * - Resuming returns the first unanswered trial in playlist order.
 * - PC with active pairs: the test trials are created one at a time, in the transaction that stores
 *   the previous answer, by the pair chooser (kernels/study/pair-chooser.ts) from all answers so far.
 */
import { IqaError } from '../../common/errors';
import type { Stimulus } from '../../common/domain';
import { STUDY_METHOD_INFO, participantPages, type ParticipantInfo, type ParticipantPages, type ParticipantPagesInput, type ParticipantProgress, type RatingSubmitInput, type SessionDisplay, type SessionNotes, type SessionState, type StudyProgress, type TrialMedia, type TrialView } from '../../common/study';
import { participantSeed } from '../../kernels/study/order';
import { candidatePairs, type PlannedTrial } from '../../kernels/study/playlist';
import { informationGainPair, type ChoosePair } from '../../kernels/study/pair-chooser';
import { createRng } from '../../kernels/stats/rng';
import type { Db } from '../store/project-db';
import { activeTrialCount, contentKey, planFor, playlistStimuli, readStudy, studyStimuli, type StudyRecord } from './designs';

/** The chooser `--pairs active:K` sessions use (see pair-chooser.ts for the hook). */
let activeChooser: ChoosePair = informationGainPair;
export function setActivePairChooser(choose: ChoosePair): void {
  activeChooser = choose;
}

interface SessionRow {
  id: number;
  study_id: number;
  participant_id: number;
  code: string;
  state: SessionState['state'];
  seed: number;
  info: string;
}

const parseInfo = (json: string | null): ParticipantInfo => (json ? (JSON.parse(json) as ParticipantInfo) : {});

interface TrialRow {
  id: number;
  idx: number;
  stimulus_id: number;
  reference_id: number | null;
  other_stimulus_id: number | null;
  is_training: number;
  reference_side: 'A' | 'B' | null;
}

/** The seed of a participant's session: from the code, or the study's own for a fixed order. */
export function sessionSeed(study: StudyRecord, code: string): number {
  return study.design.order === 'fixed' ? study.design.seed : participantSeed(study.design.seed, code);
}

/** The playlist a code gets (what enrolment stores), without enrolling. */
export function previewPlaylist(db: Db, studyId: number, code: string): { plan: PlannedTrial[]; stimuli: Map<number, Stimulus>; activeTrials: number } {
  const study = readStudy(db, studyId);
  const stimuli = studyStimuli(db, study.design);
  return { plan: planFor(study, stimuli, sessionSeed(study, code)), stimuli, activeTrials: activeTrialCount(study, stimuli) };
}

function sessionRow(db: Db, sessionId: number): SessionRow {
  const row = db
    .prepare('SELECT se.id, se.study_id, se.participant_id, p.code, se.state, se.seed, p.info FROM sessions se JOIN participants p ON p.id = se.participant_id WHERE se.id = ?')
    .get(sessionId) as SessionRow | undefined;
  if (!row) throw new IqaError('E_NOT_FOUND', `no session ${sessionId} in this project`);
  return row;
}

export interface EnrolOptions {
  /** Reopen the code's existing session instead of refusing a second enrolment. */
  resume?: boolean;
  display?: SessionDisplay;
  notes?: SessionNotes;
}

export function enrol(db: Db, studyId: number, code: string, o: EnrolOptions = {}): SessionState {
  const study = readStudy(db, studyId);
  const stimuli = studyStimuli(db, study.design);
  const sessionId = db.transaction(() => {
    const existing = db
      .prepare('SELECT se.id FROM participants p JOIN sessions se ON se.participant_id = p.id WHERE p.study_id = ? AND p.code = ? ORDER BY se.id LIMIT 1')
      .get(studyId, code) as { id: number } | undefined;
    if (existing) {
      if (!o.resume) throw new IqaError('E_EXISTS', `participant "${code}" is already enrolled in study "${study.name}": resume their session (session ${existing.id}) instead`, { details: { sessionId: existing.id } });
      if (o.display) db.prepare('UPDATE sessions SET display = ? WHERE id = ?').run(JSON.stringify(o.display), existing.id);
      if (o.notes) db.prepare('UPDATE sessions SET notes = ? WHERE id = ?').run(JSON.stringify(o.notes), existing.id);
      return existing.id;
    }
    if (o.resume) throw new IqaError('E_NOT_FOUND', `participant "${code}" has no session in study "${study.name}" to resume`);
    const now = new Date().toISOString();
    const pid = Number(db.prepare('INSERT INTO participants (study_id, code, created_at) VALUES (?, ?, ?)').run(studyId, code, now).lastInsertRowid);
    const seed = sessionSeed(study, code);
    const sid = Number(
      db
        .prepare("INSERT INTO sessions (study_id, participant_id, state, seed, client, started_at, display, notes) VALUES (?, ?, 'running', ?, ?, ?, ?, ?)")
        .run(studyId, pid, seed, o.display?.userAgent ?? null, now, o.display ? JSON.stringify(o.display) : null, o.notes ? JSON.stringify(o.notes) : null).lastInsertRowid,
    );
    const put = db.prepare('INSERT INTO trials (session_id, idx, stimulus_id, reference_id, other_stimulus_id, is_training, reference_side) VALUES (?, ?, ?, ?, ?, ?, ?)');
    planFor(study, stimuli, seed).forEach((t, idx) => put.run(sid, idx, t.stimulusId, t.referenceId, t.otherId, t.training ? 1 : 0, t.referenceSide));
    ensureNext(db, study, stimuli, sid);
    return sid;
  })();
  return sessionState(db, sessionId);
}

/** PC active: a next test trial when none is left and the session has not made its comparisons; else finishes a session with none left. */
function ensureNext(db: Db, study: StudyRecord, stimuli: ReadonlyMap<number, Stimulus>, sessionId: number): void {
  if (nextTrialRow(db, sessionId)) return;
  const want = activeTrialCount(study, stimuli);
  const made = (db.prepare('SELECT COUNT(*) AS n FROM trials WHERE session_id = ? AND is_training = 0').get(sessionId) as { n: number }).n;
  if (want > made) {
    const s = sessionRow(db, sessionId);
    const items = study.design.stimulusIds;
    const index = new Map(items.map((id, i) => [id, i]));
    const n = items.length;
    const byId = new Map(playlistStimuli([...stimuli.values()]).map((x) => [x.id, x]));
    const allowed = candidatePairs(items, byId, study.design.pairsWithin).map(([a, b]) => [index.get(a)!, index.get(b)!] as const);
    const wins = new Float64Array(n * n);
    const ties = new Float64Array(n * n);
    const rows = db
      .prepare('SELECT t.stimulus_id AS a, t.other_stimulus_id AS b, r.choice FROM ratings r JOIN trials t ON t.id = r.trial_id JOIN sessions se ON se.id = t.session_id WHERE se.study_id = ? AND t.is_training = 0 AND t.other_stimulus_id IS NOT NULL')
      .all(study.id) as { a: number; b: number; choice: number | null }[];
    for (const r of rows) {
      const i = index.get(r.a);
      const j = index.get(r.b);
      if (i === undefined || j === undefined) continue;
      if (r.choice === null) {
        ties[i * n + j]! += 1;
        ties[j * n + i]! += 1;
      } else if (r.choice === 0) wins[i * n + j]! += 1;
      else wins[j * n + i]! += 1;
    }
    // Each new trial draws from its own generator (session seed + trial number): reproducible, stateless.
    const rng = createRng(participantSeed(s.seed, `active:${made}`));
    const [i, j] = activeChooser({ n, allowed, wins, ties, rng });
    const [first, second] = rng.nextInt(2) === 0 ? [items[i]!, items[j]!] : [items[j]!, items[i]!];
    const idx = (db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS idx FROM trials WHERE session_id = ?').get(sessionId) as { idx: number }).idx;
    db.prepare('INSERT INTO trials (session_id, idx, stimulus_id, other_stimulus_id, is_training) VALUES (?, ?, ?, ?, 0)').run(sessionId, idx, first, second);
    return;
  }
  db.prepare("UPDATE sessions SET state = 'finished', finished_at = COALESCE(finished_at, ?) WHERE id = ? AND state <> 'finished'").run(new Date().toISOString(), sessionId);
}

function nextTrialRow(db: Db, sessionId: number): TrialRow | undefined {
  return db
    .prepare(
      `SELECT t.id, t.idx, t.stimulus_id, t.reference_id, t.other_stimulus_id, t.is_training, t.reference_side FROM trials t
       WHERE t.session_id = ? AND t.timed_out_at IS NULL AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.trial_id = t.id) ORDER BY t.idx LIMIT 1`,
    )
    .get(sessionId) as TrialRow | undefined;
}

function media(s: Stimulus, role: TrialMedia['role']): TrialMedia {
  return { role, stimulusId: s.id, kind: s.kind, width: s.width, height: s.height, durationS: s.durationS };
}

/** What the participant's screen shows for a trial: stimulus ids by role, never paths. */
function trialView(study: StudyRecord, stimuli: ReadonlyMap<number, Stimulus>, t: TrialRow): TrialView {
  const info = STUDY_METHOD_INFO[study.method];
  const s = (id: number) => {
    const x = stimuli.get(id);
    if (!x) throw new IqaError('E_NOT_FOUND', `stimulus ${id} of this study is no longer in the project`);
    return x;
  };
  let m: TrialMedia[];
  switch (info.presentation) {
    case 'reference-then-test':
      m = [media(s(t.reference_id!), 'reference'), media(s(t.stimulus_id), 'test')];
      break;
    case 'ab-pair': {
      const ref = media(s(t.reference_id!), 'A');
      const test = media(s(t.stimulus_id), 'B');
      // The participant sees only A and B; which one is the reference is stored (trials.reference_side).
      m = t.reference_side === 'B' ? [{ ...test, role: 'A' }, { ...ref, role: 'B' }] : [ref, test];
      break;
    }
    case 'pair':
      m = [media(s(t.stimulus_id), 'first'), media(s(t.other_stimulus_id!), 'second')];
      break;
    default:
      m = [media(s(t.stimulus_id), 'test')];
  }
  return { trialId: t.id, idx: t.idx, training: t.is_training === 1, media: m, answer: info.answer };
}

export function sessionState(db: Db, sessionId: number): SessionState {
  const s = sessionRow(db, sessionId);
  const study = readStudy(db, s.study_id);
  const stimuli = studyStimuli(db, study.design);
  const counts = db
    .prepare('SELECT COUNT(*) AS total, SUM(t.timed_out_at IS NOT NULL OR EXISTS (SELECT 1 FROM ratings r WHERE r.trial_id = t.id)) AS answered FROM trials t WHERE t.session_id = ?')
    .get(sessionId) as { total: number; answered: number | null };
  const made = (db.prepare('SELECT COUNT(*) AS n FROM trials WHERE session_id = ? AND is_training = 0').get(sessionId) as { n: number }).n;
  const total = counts.total + Math.max(0, activeTrialCount(study, stimuli) - made);
  const next = nextTrialRow(db, sessionId);
  return {
    sessionId,
    studyId: study.id,
    participant: s.code,
    state: s.state,
    answered: counts.answered ?? 0,
    total,
    trial: next ? trialView(study, stimuli, next) : null,
    method: study.method,
    scale: study.scale,
    timing: study.design.timing,
    pages: participantPages(study.design),
    info: parseInfo(s.info),
  };
}

/** No answer is stored before the participant has agreed to the study's consent text (when it has one). */
function requireConsent(study: StudyRecord, s: SessionRow): void {
  const consent = participantPages(study.design).consent;
  if (consent === null) return;
  const given = parseInfo(s.info).consent;
  if (!given?.agreed) throw new IqaError('E_INPUT', `participant "${s.code}" has ${given ? 'declined' : 'not yet agreed to'} the consent text of study "${study.name}": no answer is stored without consent`);
}

/**
 * Records what the participant answered before the trials (participants.info), each part once, in one
 * transaction: consent (declining ends the session: state 'aborted', nothing else asked), the
 * demographics form (checked against the design's fields), the vision check (the experimenter's record).
 */
export function recordParticipantPages(db: Db, input: ParticipantPagesInput): SessionState {
  const s = sessionRow(db, input.sessionId);
  const study = readStudy(db, s.study_id);
  const pages = participantPages(study.design);
  db.transaction(() => {
    const info = parseInfo((db.prepare('SELECT info FROM participants WHERE id = ?').get(s.participant_id) as { info: string }).info);
    if (input.consent) {
      if (pages.consent === null) throw new IqaError('E_INPUT', `study "${study.name}" asks for no consent`);
      if (info.consent) throw new IqaError('E_EXISTS', `participant "${s.code}" has already ${info.consent.agreed ? 'agreed to' : 'declined'} the consent text (${info.consent.at})`);
      info.consent = { agreed: input.consent.agreed, at: input.consent.at, text: pages.consent };
      if (!input.consent.agreed) db.prepare("UPDATE sessions SET state = 'aborted', finished_at = ? WHERE id = ? AND state = 'running'").run(new Date().toISOString(), s.id);
    }
    if ((input.demographics || input.vision) && pages.consent !== null && !info.consent?.agreed) {
      throw new IqaError('E_INPUT', `participant "${s.code}" has not agreed to the consent text of study "${study.name}": nothing else is recorded before consent`);
    }
    if (input.demographics) {
      if (pages.demographics.length === 0) throw new IqaError('E_INPUT', `study "${study.name}" has no demographics form`);
      if (info.demographics) throw new IqaError('E_EXISTS', `participant "${s.code}" has already filled in the demographics form`);
      info.demographics = checkDemographics(pages.demographics, input.demographics);
    }
    if (input.vision) {
      if (!pages.visionCheck) throw new IqaError('E_INPUT', `study "${study.name}" records no vision check`);
      if (info.vision) throw new IqaError('E_EXISTS', `participant "${s.code}" has a vision check record already (${info.vision.at})`);
      const acuity = input.vision.acuity.trim();
      if (!acuity) throw new IqaError('E_INPUT', 'the vision check needs the acuity as the chart gives it (e.g. 20/20, 6/6 or 1.0)');
      info.vision = { acuity, colour: input.vision.colour, test: input.vision.test?.trim() ?? '', at: input.vision.at };
    }
    db.prepare('UPDATE participants SET info = ? WHERE id = ?').run(JSON.stringify(info), s.participant_id);
  })();
  return sessionState(db, input.sessionId);
}

/** The form's answers by field: every key a field of the design, numbers numeric, choices among the options, required ones given. */
function checkDemographics(fields: ParticipantPages['demographics'], given: Record<string, string | number | null>): Record<string, string | number | null> {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const k of Object.keys(given)) if (!byKey.has(k)) throw new IqaError('E_INPUT', `demographics: "${k}" is not a field of this study's form (${fields.map((f) => f.key).join(', ')})`);
  const out: Record<string, string | number | null> = {};
  for (const f of fields) {
    let v = given[f.key] ?? null;
    if (typeof v === 'string') v = v.trim() || null;
    if (v === null) {
      if (f.required) throw new IqaError('E_INPUT', `demographics: "${f.label}" must be answered`);
    } else if (f.kind === 'number') {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) throw new IqaError('E_INPUT', `demographics: "${f.label}" takes a number, not "${v}"`);
      v = n;
    } else if (f.kind === 'choice') {
      if (!f.options.includes(String(v))) throw new IqaError('E_INPUT', `demographics: "${f.label}" is one of ${f.options.join(', ')}, not "${v}"`);
      v = String(v);
    } else v = String(v);
    out[f.key] = v;
  }
  return out;
}

export type SubmitInput = RatingSubmitInput;

function inScale(study: StudyRecord, v: number | undefined, what: string): number {
  const sc = study.scale;
  if (v === undefined || !Number.isFinite(v)) throw new IqaError('E_INPUT', `${study.method} needs ${what}`);
  if (v < sc.min || v > sc.max) throw new IqaError('E_INPUT', `${what} ${v} lies outside the scale ${sc.min}..${sc.max}`);
  if (sc.kind === 'categorical' && !Number.isInteger(v)) throw new IqaError('E_INPUT', `${what} ${v} is not one of the scale's categories (whole numbers ${sc.min}..${sc.max})`);
  return v;
}

/** Stores one answer (its own transaction) and returns the session with its next trial. */
export function submitRating(db: Db, a: SubmitInput): SessionState {
  const s = sessionRow(db, a.sessionId);
  const study = readStudy(db, s.study_id);
  const stimuli = studyStimuli(db, study.design);
  const info = STUDY_METHOD_INFO[study.method];
  requireConsent(study, s);
  db.transaction(() => {
    const trial = db.prepare('SELECT id, idx, reference_side, timed_out_at FROM trials WHERE id = ? AND session_id = ?').get(a.trialId, a.sessionId) as { id: number; idx: number; reference_side: 'A' | 'B' | null; timed_out_at: string | null } | undefined;
    if (!trial) throw new IqaError('E_NOT_FOUND', `trial ${a.trialId} is not a trial of session ${a.sessionId}`);
    if (trial.timed_out_at !== null) throw new IqaError('E_EXISTS', `trial ${a.trialId} (number ${trial.idx + 1}) timed out: its voting time ran out at ${trial.timed_out_at}`);
    if (db.prepare('SELECT 1 FROM ratings WHERE trial_id = ?').get(a.trialId)) throw new IqaError('E_EXISTS', `trial ${a.trialId} (number ${trial.idx + 1}) is already answered: a trial takes exactly one rating`);
    const state = (db.prepare('SELECT state FROM sessions WHERE id = ?').get(a.sessionId) as { state: string }).state;
    if (state !== 'running') throw new IqaError('E_INPUT', `session ${a.sessionId} is ${state}: it takes no more ratings`);
    const next = nextTrialRow(db, a.sessionId);
    if (next && next.id !== a.trialId) throw new IqaError('E_INPUT', `trial ${a.trialId} is not the current trial of session ${a.sessionId} (trial ${next.id}, number ${next.idx + 1}, is)`);
    let value: number | null = null;
    let valueRef: number | null = null;
    let choice: number | null = null;
    let samples: { tMs: number; value: number }[] = [];
    switch (info.answer) {
      case 'value':
        value = inScale(study, a.value, 'a score (value)');
        break;
      case 'value-and-ref':
        if (a.sides) {
          // The page rates A and B as shown; the stored side says which one was the reference.
          if (a.value !== undefined || a.valueRef !== undefined) throw new IqaError('E_INPUT', 'DSCQS takes either the scores by side (sides) or value and valueRef, not both');
          const refSide = trial.reference_side ?? 'A';
          value = inScale(study, refSide === 'A' ? a.sides.B : a.sides.A, `the test's score (side ${refSide === 'A' ? 'B' : 'A'})`);
          valueRef = inScale(study, refSide === 'A' ? a.sides.A : a.sides.B, `the reference's score (side ${refSide})`);
          break;
        }
        value = inScale(study, a.value, 'the test score (value)');
        valueRef = inScale(study, a.valueRef, "the reference's score (valueRef)");
        break;
      case 'choice':
        if (a.choice === undefined) throw new IqaError('E_INPUT', 'PC needs a choice: 0 (first), 1 (second) or null (no difference)');
        if (a.choice === null && !study.scale.allowTie) throw new IqaError('E_INPUT', 'this PC study offers no "no difference" answer: choose 0 (first) or 1 (second)');
        choice = a.choice;
        break;
      case 'samples':
        if (!a.samples || a.samples.length === 0) throw new IqaError('E_INPUT', 'SSCQE needs the slider samples');
        samples = a.samples.map((x, i) => ({ tMs: x.tMs, value: inScale(study, x.value, `sample ${i}`) }));
        value = samples.reduce((sum, x) => sum + x.value, 0) / samples.length;
        break;
    }
    if (info.answer !== 'value-and-ref' && a.valueRef !== undefined) throw new IqaError('E_INPUT', `valueRef applies to DSCQS, not ${study.method}`);
    if (info.answer !== 'value-and-ref' && a.sides !== undefined) throw new IqaError('E_INPUT', `sides apply to DSCQS, not ${study.method}`);
    if (info.answer !== 'choice' && a.choice !== undefined) throw new IqaError('E_INPUT', `choice applies to PC, not ${study.method}`);
    if (info.answer !== 'samples' && a.samples !== undefined) throw new IqaError('E_INPUT', `samples apply to SSCQE, not ${study.method}`);
    const ratingId = Number(
      db
        .prepare('INSERT INTO ratings (trial_id, value, value_ref, choice, response_ms, rated_at, method, scale, voted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(a.trialId, value, valueRef, choice, a.responseMs, new Date().toISOString(), study.method, JSON.stringify(study.scale), a.votedAt).lastInsertRowid,
    );
    const put = db.prepare('INSERT INTO rating_samples (rating_id, idx, t_ms, value) VALUES (?, ?, ?, ?)');
    samples.forEach((x, i) => put.run(ratingId, i, x.tMs, x.value));
    db.prepare('UPDATE trials SET presented_at = ? WHERE id = ?').run(a.presentedAt, a.trialId);
    db.prepare('UPDATE sessions SET position = ? WHERE id = ?').run(trial.idx + 1, a.sessionId);
    ensureNext(db, study, stimuli, a.sessionId);
  })();
  return sessionState(db, a.sessionId);
}

/**
 * The current trial's voting time ran out (the design's `timing.voteLimitMs`, measured by the page):
 * recorded as timed out in its own transaction, with no rating (no value is made up), and the session
 * goes on to the next trial (PC active: chosen as after an answer). E_EXISTS if the trial was answered
 * or timed out already; E_INPUT if the study has no voting time limit, or for SSCQE (no vote).
 */
export function timeOutTrial(db: Db, a: { sessionId: number; trialId: number; presentedAt: string; timedOutAt: string }): SessionState {
  const s = sessionRow(db, a.sessionId);
  const study = readStudy(db, s.study_id);
  const stimuli = studyStimuli(db, study.design);
  if (study.design.timing.voteLimitMs === null) throw new IqaError('E_INPUT', `study "${study.name}" has no voting time limit: a trial cannot time out`);
  if (STUDY_METHOD_INFO[study.method].answer === 'samples') throw new IqaError('E_INPUT', 'an SSCQE trial has no vote to time out: its samples are its answer');
  requireConsent(study, s);
  db.transaction(() => {
    const trial = db.prepare('SELECT id, idx, timed_out_at FROM trials WHERE id = ? AND session_id = ?').get(a.trialId, a.sessionId) as { id: number; idx: number; timed_out_at: string | null } | undefined;
    if (!trial) throw new IqaError('E_NOT_FOUND', `trial ${a.trialId} is not a trial of session ${a.sessionId}`);
    if (trial.timed_out_at !== null || db.prepare('SELECT 1 FROM ratings WHERE trial_id = ?').get(a.trialId)) throw new IqaError('E_EXISTS', `trial ${a.trialId} (number ${trial.idx + 1}) is already answered or timed out`);
    const state = (db.prepare('SELECT state FROM sessions WHERE id = ?').get(a.sessionId) as { state: string }).state;
    if (state !== 'running') throw new IqaError('E_INPUT', `session ${a.sessionId} is ${state}: it takes no more answers`);
    const next = nextTrialRow(db, a.sessionId);
    if (next && next.id !== a.trialId) throw new IqaError('E_INPUT', `trial ${a.trialId} is not the current trial of session ${a.sessionId} (trial ${next.id}, number ${next.idx + 1}, is)`);
    db.prepare('UPDATE trials SET timed_out_at = ?, presented_at = ? WHERE id = ?').run(a.timedOutAt, a.presentedAt, a.trialId);
    db.prepare('UPDATE sessions SET position = ? WHERE id = ?').run(trial.idx + 1, a.sessionId);
    ensureNext(db, study, stimuli, a.sessionId);
  })();
  return sessionState(db, a.sessionId);
}

/** The researcher's notes and the participant's display, replaced field by field. */
export function updateSession(db: Db, sessionId: number, o: { display?: SessionDisplay; notes?: SessionNotes }): SessionState {
  sessionRow(db, sessionId);
  if (o.display) db.prepare('UPDATE sessions SET display = ?, client = ? WHERE id = ?').run(JSON.stringify(o.display), o.display.userAgent ?? null, sessionId);
  if (o.notes) db.prepare('UPDATE sessions SET notes = ? WHERE id = ?').run(JSON.stringify(o.notes), sessionId);
  return sessionState(db, sessionId);
}

/** Per-participant completion, in enrolment order. */
export function studyProgress(db: Db, studyId: number): StudyProgress {
  const study = readStudy(db, studyId);
  const stimuli = studyStimuli(db, study.design);
  const active = activeTrialCount(study, stimuli);
  const rows = db
    .prepare(
      `SELECT p.code, p.info, se.id, se.state, se.started_at, se.finished_at, se.display, se.notes,
              (SELECT COUNT(*) FROM trials t WHERE t.session_id = se.id) AS trials,
              (SELECT COUNT(*) FROM trials t WHERE t.session_id = se.id AND t.is_training = 0) AS test,
              (SELECT COUNT(*) FROM ratings r JOIN trials t ON t.id = r.trial_id WHERE t.session_id = se.id) AS answered,
              (SELECT COUNT(*) FROM trials t WHERE t.session_id = se.id AND t.timed_out_at IS NOT NULL) AS timed_out
       FROM participants p JOIN sessions se ON se.participant_id = p.id WHERE p.study_id = ? ORDER BY p.id, se.id`,
    )
    .all(studyId) as { code: string; info: string; id: number; state: SessionState['state']; started_at: string | null; finished_at: string | null; display: string | null; notes: string | null; trials: number; test: number; answered: number; timed_out: number }[];
  const participants = rows.map((r): ParticipantProgress => ({
    participant: r.code,
    sessionId: r.id,
    state: r.state,
    answered: r.answered + r.timed_out,
    timedOut: r.timed_out,
    total: r.trials + Math.max(0, active - r.test),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    display: r.display ? (JSON.parse(r.display) as SessionDisplay) : null,
    notes: r.notes ? (JSON.parse(r.notes) as SessionNotes) : null,
    info: parseInfo(r.info),
  }));
  return { studyId, name: study.name, participants, finished: participants.filter((p) => p.state === 'finished').length };
}

export { contentKey };
