/**
 * A collected study as a file: `csv` (one row per answer; the columns `iqa ratings import` reads:
 * participant, session, stimulus, score, score_ref, response_ms; for PC the columns `iqa pairwise`
 * reads: participant, a, b, choice = a|b|tie; then the trial's details), `json` (the study, its design
 * and every answer with SSCQE's samples and each session's display and notes), or `sureal` (the
 * SUREAL dataset of services/export/sureal-export.ts; not for PC). The json's sessions carry what
 * each participant recorded before the trials (consent, demographics, vision check). Training trials are in csv/json,
 * flagged, and never in the SUREAL dataset (nor in the analysis). Deterministic: participant, then
 * trial order.
 */
import { IqaError } from '../../common/errors';
import type { StudyExportFormat } from '../../common/contract-names';
import { exportSureal } from '../export/sureal-export';
import type { Db } from '../store/project-db';
import { readStudy } from './designs';


interface AnswerRow {
  participant: string;
  session_id: number;
  trial_id: number;
  idx: number;
  is_training: number;
  stimulus: string;
  reference: string | null;
  other: string | null;
  reference_side: 'A' | 'B' | null;
  value: number | null;
  value_ref: number | null;
  choice: number | null;
  response_ms: number | null;
  presented_at: string | null;
  voted_at: string | null;
  rated_at: string;
  method: string | null;
  rating_id: number;
}

function answers(db: Db, studyId: number): AnswerRow[] {
  return db
    .prepare(
      `SELECT p.code AS participant, se.id AS session_id, t.id AS trial_id, t.idx, t.is_training, s.name AS stimulus, rs.name AS reference,
              os.name AS other, t.reference_side, r.value, r.value_ref, r.choice, r.response_ms, t.presented_at, r.voted_at, r.rated_at, r.method,
              r.id AS rating_id
       FROM ratings r JOIN trials t ON t.id = r.trial_id JOIN sessions se ON se.id = t.session_id JOIN participants p ON p.id = se.participant_id
       JOIN stimuli s ON s.id = t.stimulus_id LEFT JOIN stimuli rs ON rs.id = t.reference_id LEFT JOIN stimuli os ON os.id = t.other_stimulus_id
       WHERE se.study_id = ? ORDER BY p.id, se.id, t.idx`,
    )
    .all(studyId) as AnswerRow[];
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const t = String(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

export function exportStudy(db: Db, projectDir: string, studyId: number, format: StudyExportFormat): { filename: string; mime: string; content: string } {
  const study = readStudy(db, studyId);
  const safe = study.name.replace(/[^A-Za-z0-9._-]+/g, '_');
  if (format === 'sureal') {
    if (study.method === 'PC') throw new IqaError('E_UNSUPPORTED', 'a SUREAL dataset holds scores, not pair comparisons: export PC studies as csv (for iqa pairwise) or json');
    return { filename: `sureal-${safe}.py`, mime: 'text/x-python', content: exportSureal(db, projectDir, study.name) };
  }
  const rows = answers(db, studyId);
  if (format === 'json') {
    const samples = db.prepare('SELECT t_ms, value FROM rating_samples WHERE rating_id = ? ORDER BY idx');
    const sessions = db
      .prepare('SELECT se.id, p.code, p.info, se.state, se.seed, se.started_at, se.finished_at, se.display, se.notes FROM sessions se JOIN participants p ON p.id = se.participant_id WHERE se.study_id = ? ORDER BY p.id, se.id')
      .all(studyId) as { id: number; code: string; info: string; state: string; seed: number; started_at: string | null; finished_at: string | null; display: string | null; notes: string | null }[];
    const doc = {
      study: { id: study.id, name: study.name, method: study.method, scale: study.scale, design: study.design, createdAt: study.createdAt },
      sessions: sessions.map((s) => ({ sessionId: s.id, participant: s.code, state: s.state, seed: s.seed, startedAt: s.started_at, finishedAt: s.finished_at, display: s.display ? JSON.parse(s.display) : null, notes: s.notes ? JSON.parse(s.notes) : null, participantInfo: JSON.parse(s.info) })),
      ratings: rows.map((r) => ({
        participant: r.participant,
        sessionId: r.session_id,
        trialId: r.trial_id,
        idx: r.idx,
        training: r.is_training === 1,
        stimulus: r.stimulus,
        reference: r.reference,
        other: r.other,
        referenceSide: r.reference_side,
        value: r.value,
        valueRef: r.value_ref,
        choice: r.choice,
        responseMs: r.response_ms,
        presentedAt: r.presented_at,
        votedAt: r.voted_at,
        ratedAt: r.rated_at,
        method: r.method,
        ...(study.method === 'SSCQE' ? { samples: (samples.all(r.rating_id) as { t_ms: number; value: number }[]).map((x) => ({ tMs: x.t_ms, value: x.value })) } : {}),
      })),
    };
    return { filename: `study-${safe}.json`, mime: 'application/json', content: JSON.stringify(doc, null, 2) + '\n' };
  }
  const detail = ['trial', 'training', 'reference_side', 'presented_at', 'voted_at', 'rated_at'];
  const head = study.method === 'PC' ? ['participant', 'session', 'a', 'b', 'choice', 'response_ms', ...detail] : ['participant', 'session', 'stimulus', 'reference', 'score', 'score_ref', 'response_ms', ...detail];
  const lines = [head.join(',')];
  for (const r of rows) {
    const tail = [r.idx, r.is_training, r.reference_side, r.presented_at, r.voted_at, r.rated_at];
    const values =
      study.method === 'PC'
        ? [r.participant, r.session_id, r.stimulus, r.other, r.choice === null ? 'tie' : r.choice === 0 ? 'a' : 'b', r.response_ms, ...tail]
        : [r.participant, r.session_id, r.stimulus, r.reference, r.value, r.value_ref, r.response_ms, ...tail];
    lines.push(values.map(cell).join(','));
  }
  return { filename: `study-${safe}.csv`, mime: 'text/csv', content: lines.join('\n') + '\n' };
}
