/**
 * Study designs in the project database: `createStudy` chooses the stimuli by a filter over the project
 * (common/set-spec.ts matching), resolves them to ids once, and stores the design as `studies.design`
 * and the scale as `studies.scale` (JSON, common/study.ts). A study's participants' playlists derive from
 * that stored design alone (kernels/study/playlist.ts), so stimuli imported later never change them.
 */
import { randomInt } from 'node:crypto';
import { IqaError } from '../../common/errors';
import { matchesFilter } from '../../common/set-spec';
import type { Stimulus } from '../../common/domain';
import type { StudyMethodName } from '../../common/contract-names';
import { DEFAULT_TIMING, NO_PARTICIPANT_PAGES, STUDY_METHOD_INFO, defaultScale, type ParticipantPages, type ScaleLabel, type StudyDesign, type StudyScale, type StudyCreateInput } from '../../common/study';
import { buildPlaylist, candidatePairs, pairsPerParticipant, type PlannedTrial, type PlaylistStimulus } from '../../kernels/study/playlist';
import type { Db } from '../store/project-db';
import { listStimuli } from '../store/stimuli-repo';

/** What `studies.create` takes besides the project: the contract's input (defaults in docs/studies.md). */
export type CreateStudyOptions = StudyCreateInput;

export interface StudyRecord {
  id: number;
  name: string;
  method: StudyMethodName;
  scale: StudyScale;
  design: StudyDesign;
  createdAt: string;
}

/** The content a stimulus belongs to, for the no-two-in-a-row rule and PC's pairs within a content. */
export function contentKey(s: Stimulus): string {
  return s.content ?? (s.role === 'reference' ? s.name : (s.referenceName ?? `#${s.id}`));
}

export function playlistStimuli(stimuli: readonly Stimulus[]): PlaylistStimulus[] {
  return stimuli.map((s) => ({ id: s.id, content: contentKey(s), referenceId: s.referenceId }));
}

function describeFilter(f: Record<string, string>): string {
  const e = Object.entries(f);
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(',') : '(all stimuli)';
}

/** The candidates of a method: ACR-HR/DCR/DSCQS need distorted stimuli with a reference. */
function eligible(method: StudyMethodName, s: Stimulus): boolean {
  return !STUDY_METHOD_INFO[method].needsReference || (s.role === 'distorted' && s.referenceId !== null);
}

export function createStudy(db: Db, o: CreateStudyOptions): StudyRecord {
  const info = STUDY_METHOD_INFO[o.method];
  const all = listStimuli(db);
  const filter = o.stimuli ?? { ...info.defaultFilter };
  const matched = all.filter((s) => matchesFilter(s, filter));
  if (matched.length === 0) throw new IqaError('E_INPUT', `no stimulus of the project matches ${describeFilter(filter)}`);
  const unfit = matched.filter((s) => !eligible(o.method, s));
  if (unfit.length) {
    throw new IqaError('E_INPUT', `${o.method} shows each test stimulus with its reference: ${unfit.slice(0, 5).map((s) => s.name).join(', ')}${unfit.length > 5 ? ` and ${unfit.length - 5} more` : ''} ${unfit.length === 1 ? 'is' : 'are'} not a distorted stimulus with a reference (choose with --stimuli role=distorted)`);
  }
  if (o.method === 'SSCQE') {
    const images = matched.filter((s) => s.kind !== 'video');
    if (images.length) throw new IqaError('E_INPUT', `SSCQE rates videos continuously: ${images[0]!.name} is an image (choose with --stimuli kind=video)`);
  }
  const stimulusIds = matched.map((s) => s.id).sort((a, b) => a - b);
  const hiddenReferenceIds = o.method === 'ACR-HR' ? [...new Set(matched.map((s) => s.referenceId!))].sort((a, b) => a - b) : [];

  const trainingCount = o.training ?? 0;
  const inTest = new Set([...stimulusIds, ...hiddenReferenceIds]);
  const trainingFilter = o.trainingStimuli ?? filter;
  const trainingIds = trainingCount > 0 ? all.filter((s) => !inTest.has(s.id) && matchesFilter(s, trainingFilter) && eligible(o.method, s)).map((s) => s.id) : [];
  if (trainingCount > 0 && trainingIds.length === 0) {
    throw new IqaError('E_INPUT', `${trainingCount} training trial(s) need stimuli outside the test set: none matches ${describeFilter(trainingFilter)} (narrow --stimuli, or name them with --training-stimuli)`);
  }

  const pairs = o.method === 'PC' ? (o.pairs ?? { kind: 'full' }) : null;
  if (o.pairs && o.method !== 'PC') throw new IqaError('E_INPUT', `--pairs applies to PC studies, not ${o.method}`);
  const pairsWithin = o.pairsWithin ?? 'content';
  if (o.method === 'PC') {
    const byId = new Map(playlistStimuli(matched).map((s) => [s.id, s]));
    if (candidatePairs(stimulusIds, byId, pairsWithin).length === 0) throw new IqaError('E_INPUT', `no pair to compare: the stimuli matching ${describeFilter(filter)} share no content (use pairs across contents)`);
    if (trainingCount > 0) {
      const tb = new Map(playlistStimuli(all.filter((s) => trainingIds.includes(s.id))).map((s) => [s.id, s]));
      if (candidatePairs(trainingIds, tb, pairsWithin).length === 0) throw new IqaError('E_INPUT', 'no training pair: the training stimuli share no content');
    }
  }

  const scaleId = o.scale ?? info.scales[0]!;
  if (!info.scales.includes(scaleId)) throw new IqaError('E_INPUT', `${o.method} uses the scale ${info.scales.join(' or ')}, not ${scaleId}`);
  const scale = defaultScale(scaleId);
  if (o.labels) scale.labels = checkLabels(scale, o.labels);
  if (o.allowTie !== undefined) {
    if (scale.kind !== 'choice') throw new IqaError('E_INPUT', '"no difference" answers apply to PC studies');
    scale.allowTie = o.allowTie;
  }

  const design: StudyDesign = {
    version: 1,
    filter,
    stimulusIds,
    hiddenReferenceIds,
    repetitions: o.repetitions ?? 1,
    training: { count: trainingCount, filter: trainingFilter, stimulusIds: trainingIds },
    order: o.order ?? 'random',
    seed: o.seed ?? randomInt(0, 2 ** 31 - 1),
    pairs,
    pairsWithin,
    plannedParticipants: o.plannedParticipants ?? 15,
    timing: { ...DEFAULT_TIMING, ...o.timing },
    display: o.display ?? null,
    pages: checkPages({ ...NO_PARTICIPANT_PAGES, ...o.pages }),
  };
  const now = new Date().toISOString();
  const id = db.transaction(() => {
    if (db.prepare('SELECT 1 FROM studies WHERE name = ?').get(o.name)) throw new IqaError('E_EXISTS', `study "${o.name}" already exists: choose another name`);
    return Number(db.prepare('INSERT INTO studies (name, method, scale, design, created_at) VALUES (?, ?, ?, ?, ?)').run(o.name, o.method, JSON.stringify(scale), JSON.stringify(design), now).lastInsertRowid);
  })();
  return { id, name: o.name, method: o.method, scale, design, createdAt: now };
}

/** The pages as stored: texts trimmed (blank: none), each choice field with its options, keys unique. */
function checkPages(p: ParticipantPages): ParticipantPages {
  const text = (t: string | null) => (t === null || !t.trim() ? null : t.trim());
  const keys = new Set<string>();
  for (const f of p.demographics) {
    if (keys.has(f.key)) throw new IqaError('E_INPUT', `demographics: two fields have the key "${f.key}"`);
    keys.add(f.key);
    if (f.kind === 'choice' && f.options.length < 2) throw new IqaError('E_INPUT', `demographics field "${f.label}": a choice needs at least two options`);
    if (f.kind !== 'choice' && f.options.length > 0) throw new IqaError('E_INPUT', `demographics field "${f.label}": only a choice field has options`);
  }
  return { consent: text(p.consent), demographics: p.demographics.map((f) => ({ ...f, options: [...f.options] })), visionCheck: p.visionCheck, instructions: text(p.instructions) };
}

function checkLabels(scale: StudyScale, labels: ScaleLabel[]): ScaleLabel[] {
  for (const l of labels) {
    if (!(l.value >= scale.min && l.value <= scale.max)) throw new IqaError('E_INPUT', `scale label "${l.label}" at ${l.value} lies outside the scale ${scale.min}..${scale.max}`);
  }
  return [...labels].sort((a, b) => a.value - b.value);
}

/** A study designed here (not an imported one: those have no design to run). */
export function readStudy(db: Db, studyId: number): StudyRecord {
  const row = db.prepare('SELECT id, name, method, scale, design, created_at FROM studies WHERE id = ?').get(studyId) as
    | { id: number; name: string; method: StudyMethodName; scale: string; design: string; created_at: string }
    | undefined;
  if (!row) throw new IqaError('E_NOT_FOUND', `no study ${studyId} in this project`);
  const design = JSON.parse(row.design) as Partial<StudyDesign> & { importedFrom?: string };
  if (design.version !== 1) throw new IqaError('E_INPUT', `study "${row.name}" was imported${design.importedFrom ? ` from ${design.importedFrom}` : ''}: it has no design to run`);
  return { id: row.id, name: row.name, method: row.method, scale: JSON.parse(row.scale) as StudyScale, design: design as StudyDesign, createdAt: row.created_at };
}

/** The study by id or name (the CLI's --study). */
export function studyIdOf(db: Db, ref: string | number): number {
  if (typeof ref === 'number' || /^\d+$/.test(ref)) return Number(ref);
  const row = db.prepare('SELECT id FROM studies WHERE name = ?').get(ref) as { id: number } | undefined;
  if (!row) throw new IqaError('E_NOT_FOUND', `no study "${ref}" in this project`);
  return row.id;
}

/** Replaces the scale's labels. Allowed at any time: every rating records the scale (labels included) it was given on. */
export function setScaleLabels(db: Db, studyId: number, labels: ScaleLabel[]): StudyScale {
  const study = readStudy(db, studyId);
  const scale = { ...study.scale, labels: checkLabels(study.scale, labels) };
  db.prepare('UPDATE studies SET scale = ? WHERE id = ?').run(JSON.stringify(scale), studyId);
  return scale;
}

/** The stimuli a study's playlists name (test, hidden references, training), by id. */
export function studyStimuli(db: Db, design: StudyDesign): Map<number, Stimulus> {
  const ids = new Set([...design.stimulusIds, ...design.hiddenReferenceIds, ...design.training.stimulusIds]);
  const all = listStimuli(db);
  const byId = new Map(all.map((s) => [s.id, s]));
  for (const s of all) if (ids.has(s.id) && s.referenceId !== null) ids.add(s.referenceId);
  const out = new Map<number, Stimulus>();
  for (const id of ids) {
    const s = byId.get(id);
    if (!s) throw new IqaError('E_NOT_FOUND', `stimulus ${id} of this study is no longer in the project`);
    out.set(id, s);
  }
  return out;
}

/** A participant's planned trials (what sessions.enrol stores; PC active: the training block only). */
export function planFor(study: StudyRecord, stimuli: ReadonlyMap<number, Stimulus>, seed: number): PlannedTrial[] {
  return buildPlaylist(study.method, study.design, playlistStimuli([...stimuli.values()]), seed);
}

/** Test trials a PC active session asks its pair chooser for. */
export function activeTrialCount(study: StudyRecord, stimuli: ReadonlyMap<number, Stimulus>): number {
  const pd = study.design.pairs;
  if (!pd || pd.kind !== 'active') return 0;
  const byId = new Map(playlistStimuli([...stimuli.values()]).map((s) => [s.id, s]));
  return pairsPerParticipant(candidatePairs(study.design.stimulusIds, byId, study.design.pairsWithin).length, pd, study.design.plannedParticipants);
}

/** Assumed time to vote when the study sets no limit (for the duration estimate only). */
export const ASSUMED_VOTE_MS = 4000;
/** BT.500 §2.6: a session should last at most 30 minutes. */
export const SESSION_WARN_MINUTES = 30;

/** Estimated duration of one session: each trial's presentations, grey screens and vote. */
export function estimateMinutes(study: StudyRecord, stimuli: ReadonlyMap<number, Stimulus>): { minutes: number; trials: number; warning: string | null } {
  const t = study.design.timing;
  const show = (id: number) => {
    const s = stimuli.get(id)!;
    return s.kind === 'video' ? (s.durationS ?? 10) * 1000 : t.imageMs;
  };
  const vote = t.voteLimitMs ?? ASSUMED_VOTE_MS;
  const trialMs = (tr: PlannedTrial): number => {
    switch (STUDY_METHOD_INFO[study.method].presentation) {
      case 'single':
        return show(tr.stimulusId) + t.greyMs + vote;
      case 'reference-then-test':
        return show(tr.referenceId!) + t.greyMs + show(tr.stimulusId) + t.greyMs + vote;
      case 'ab-pair':
        // BT.500 DSCQS: the A/B pair is shown twice, the vote during the second showing and after.
        return 2 * (show(tr.referenceId!) + t.greyMs + show(tr.stimulusId) + t.greyMs) + vote;
      case 'continuous':
        return show(tr.stimulusId) + t.greyMs;
      case 'pair':
        return show(tr.stimulusId) + t.greyMs + show(tr.otherId!) + t.greyMs + vote;
    }
  };
  const plan = planFor(study, stimuli, study.design.seed);
  let ms = plan.reduce((sum, tr) => sum + trialMs(tr), 0);
  let trials = plan.length;
  const active = activeTrialCount(study, stimuli);
  if (active > 0) {
    const ids = study.design.stimulusIds;
    const mean = ids.reduce((s, id) => s + show(id), 0) / ids.length;
    ms += active * (2 * mean + 2 * t.greyMs + vote);
    trials += active;
  }
  const minutes = Math.round((ms / 60000) * 10) / 10;
  const warning = minutes > SESSION_WARN_MINUTES ? `a session is estimated at ${minutes} minutes, over the ${SESSION_WARN_MINUTES} minutes ITU-R BT.500 recommends: split the study or offer breaks` : null;
  return { minutes, trials, warning };
}
