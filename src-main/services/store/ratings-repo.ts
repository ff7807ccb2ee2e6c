/**
 * Studies and their ratings in the project database. Imported ratings (from CSV, or later from the
 * study runner) go through the same tables: study -> participants -> sessions -> trials -> ratings.
 * Each import is one transaction: a file is stored whole or not at all.
 */
import { IqaError } from '../../common/errors';
import type { StudyMethodName } from '../../common/contract-names';
import type { Db } from './project-db';

/** The test methods: the contract's list (common/contract-names.ts, STUDY_METHOD_NAMES). */
export type StudyMethod = StudyMethodName;

export interface StudyScale {
  min: number;
  max: number;
}

export interface StudyRow {
  id: number;
  name: string;
  method: StudyMethod;
  scale: StudyScale;
  createdAt: string;
  ratings: number;
  participants: number;
}

export function listStudies(db: Db): StudyRow[] {
  const rows = db
    .prepare(
      `SELECT st.id, st.name, st.method, st.scale, st.created_at,
              (SELECT COUNT(*) FROM ratings r JOIN trials t ON t.id = r.trial_id JOIN sessions s ON s.id = t.session_id WHERE s.study_id = st.id) AS ratings,
              (SELECT COUNT(*) FROM participants p WHERE p.study_id = st.id) AS participants
       FROM studies st ORDER BY st.id`,
    )
    .all() as { id: number; name: string; method: StudyMethod; scale: string; created_at: string; ratings: number; participants: number }[];
  return rows.map((r) => ({ id: r.id, name: r.name, method: r.method, scale: JSON.parse(r.scale) as StudyScale, createdAt: r.created_at, ratings: r.ratings, participants: r.participants }));
}

/** The study by name, or the only study when no name is given. */
export function findStudy(db: Db, name: string | undefined, projectDir: string): StudyRow {
  const studies = listStudies(db);
  if (studies.length === 0) throw new IqaError('E_NOT_FOUND', `${projectDir} has no subjective study yet: import ratings first (iqa ratings import)`);
  if (name === undefined) {
    if (studies.length > 1) throw new IqaError('E_INPUT', `${projectDir} has ${studies.length} studies (${studies.map((s) => s.name).join(', ')}): name one`);
    return studies[0]!;
  }
  const s = studies.find((x) => x.name === name);
  if (!s) throw new IqaError('E_NOT_FOUND', `no study "${name}" in ${projectDir} (studies: ${studies.map((x) => x.name).join(', ')})`);
  return s;
}

export interface ImportedRating {
  participant: string;
  session: string;
  stimulusId: number;
  /** NaN = the participant gave no (usable) score: stored as NULL, excluded from analysis. */
  value: number;
  responseMs: number | null;
  /** DSCQS: the score the participant gave the reference of the pair (NaN or absent: none). */
  valueRef?: number;
}

export function saveImportedStudy(
  db: Db,
  study: { name: string; method: StudyMethod; scale: StudyScale; source: string },
  ratings: readonly ImportedRating[],
  replace: boolean,
): number {
  return db.transaction(() => {
    const existing = db.prepare('SELECT id FROM studies WHERE name = ?').get(study.name) as { id: number } | undefined;
    if (existing) {
      if (!replace) throw new IqaError('E_EXISTS', `study "${study.name}" already exists: choose another name or replace it`);
      db.prepare('DELETE FROM studies WHERE id = ?').run(existing.id);
    }
    const now = new Date().toISOString();
    const studyId = Number(
      db.prepare('INSERT INTO studies (name, method, scale, design, created_at) VALUES (?, ?, ?, ?, ?)').run(study.name, study.method, JSON.stringify(study.scale), JSON.stringify({ importedFrom: study.source }), now).lastInsertRowid,
    );
    const putParticipant = db.prepare('INSERT INTO participants (study_id, code, created_at) VALUES (?, ?, ?)');
    const putSession = db.prepare("INSERT INTO sessions (study_id, participant_id, state, seed, client, started_at, finished_at) VALUES (?, ?, 'finished', 0, 'import', ?, ?)");
    const putTrial = db.prepare('INSERT INTO trials (session_id, idx, stimulus_id, reference_id) VALUES (?, ?, ?, (SELECT reference_id FROM pairs WHERE distorted_id = ?))');
    const putRating = db.prepare('INSERT INTO ratings (trial_id, value, value_ref, response_ms, rated_at) VALUES (?, ?, ?, ?, ?)');
    const participantIds = new Map<string, number>();
    const sessionIds = new Map<string, { id: number; next: number }>();
    for (const r of ratings) {
      let pid = participantIds.get(r.participant);
      if (pid === undefined) {
        pid = Number(putParticipant.run(studyId, r.participant, now).lastInsertRowid);
        participantIds.set(r.participant, pid);
      }
      const key = `${r.participant}\u0000${r.session}`;
      let session = sessionIds.get(key);
      if (!session) {
        session = { id: Number(putSession.run(studyId, pid, now, now).lastInsertRowid), next: 0 };
        sessionIds.set(key, session);
      }
      const trialId = Number(putTrial.run(session.id, session.next++, r.stimulusId, r.stimulusId).lastInsertRowid);
      putRating.run(trialId, Number.isNaN(r.value) ? null : r.value, r.valueRef === undefined || Number.isNaN(r.valueRef) ? null : r.valueRef, r.responseMs, now);
    }
    return studyId;
  })();
}

export interface StoredRating {
  participant: string;
  stimulusId: number;
  stimulus: string;
  referenceId: number | null;
  value: number;
  /** DSCQS: the score given to the reference (NaN when none was stored). */
  valueRef: number;
}

/** Every rating of a study (NULL values come back as NaN), in participant and trial order. */
export function studyRatings(db: Db, studyId: number): StoredRating[] {
  const rows = db
    .prepare(
      `SELECT p.code AS participant, t.stimulus_id, s.name AS stimulus, t.reference_id, r.value, r.value_ref
       FROM ratings r JOIN trials t ON t.id = r.trial_id JOIN sessions se ON se.id = t.session_id
       JOIN participants p ON p.id = se.participant_id JOIN stimuli s ON s.id = t.stimulus_id
       WHERE se.study_id = ? AND t.is_training = 0 ORDER BY p.id, se.id, t.idx`,
    )
    .all(studyId) as { participant: string; stimulus_id: number; stimulus: string; reference_id: number | null; value: number | null; value_ref: number | null }[];
  return rows.map((r) => ({ participant: r.participant, stimulusId: r.stimulus_id, stimulus: r.stimulus, referenceId: r.reference_id, value: r.value ?? Number.NaN, valueRef: r.value_ref ?? Number.NaN }));
}
