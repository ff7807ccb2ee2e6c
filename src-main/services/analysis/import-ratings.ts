/**
 * Ratings from a CSV file (columns participant, stimulus, score; optional session, response_ms and, for
 * DSCQS, score_ref: the score the participant gave the reference of the pair) into a study of the project. Stimuli are matched by name (file stem) or by project path; rows that
 * name no known stimulus are reported one by one and the rest is imported. A missing or non-numeric
 * score is kept as "not rated" (excluded from the analysis and counted there).
 */
import { IqaError } from '../../common/errors';
import type { Db } from '../store/project-db';
import { saveImportedStudy, type ImportedRating, type StudyMethod, type StudyScale } from '../store/ratings-repo';
import { listStimuli } from '../store/stimuli-repo';
import { cellNumber, readCsvTable } from './read-table';

/** The usual scales (ITU-T P.910: 5-grade ACR/DCR; ITU-R BT.500 DSCQS: 0..100 continuous). */
const DEFAULT_SCALES: Partial<Record<StudyMethod, StudyScale>> = {
  ACR: { min: 1, max: 5 },
  'ACR-HR': { min: 1, max: 5 },
  DCR: { min: 1, max: 5 },
  DSCQS: { min: 0, max: 100 },
};

export interface RatingsImportReport {
  study: string;
  studyId: number;
  ratings: number;
  participants: number;
  notRated: number;
  issues: { row: string; reason: string }[];
  scale: StudyScale;
}

export function importRatingsCsv(
  db: Db,
  csv: string,
  options: { study: string; method: StudyMethod; scale?: StudyScale; replace?: boolean },
): RatingsImportReport {
  const rows = readCsvTable(csv, ['participant', 'stimulus', 'score']);
  const stimuli = listStimuli(db);
  const byName = new Map<string, number>();
  const ambiguous = new Set<string>();
  for (const s of stimuli) {
    if (byName.has(s.name)) ambiguous.add(s.name);
    byName.set(s.name, s.id);
    byName.set(s.path, s.id);
  }
  const issues: RatingsImportReport['issues'] = [];
  const ratings: ImportedRating[] = [];
  rows.forEach((r, i) => {
    const where = `${csv}:${i + 2}`;
    const name = r.stimulus ?? '';
    if (!r.participant) return void issues.push({ row: where, reason: 'empty participant' });
    if (ambiguous.has(name)) return void issues.push({ row: where, reason: `stimulus "${name}" is ambiguous (several files have that name): use its project path` });
    const id = byName.get(name);
    if (id === undefined) return void issues.push({ row: where, reason: `no stimulus "${name}" in the project` });
    const responseMs = r.response_ms !== undefined ? cellNumber(r.response_ms) : Number.NaN;
    const rating: ImportedRating = { participant: r.participant, session: r.session || 'imported', stimulusId: id, value: cellNumber(r.score), responseMs: Number.isFinite(responseMs) ? responseMs : null };
    if (options.method === 'DSCQS' && r.score_ref !== undefined) rating.valueRef = cellNumber(r.score_ref);
    ratings.push(rating);
  });
  if (ratings.length === 0) throw new IqaError('E_INPUT', `${csv}: no row names a stimulus of the project (first problem: ${issues[0]?.reason ?? 'none'})`, { file: csv });
  const values = ratings.map((r) => r.value).filter((v) => Number.isFinite(v));
  if (values.length === 0) throw new IqaError('E_INPUT', `${csv}: no numeric score`, { file: csv });
  const scale = options.scale ?? DEFAULT_SCALES[options.method] ?? { min: Math.min(...values), max: Math.max(...values) };
  const refValues = ratings.map((r) => r.valueRef ?? Number.NaN).filter((v) => Number.isFinite(v));
  const outside = [...values, ...refValues].filter((v) => v < scale.min || v > scale.max).length;
  if (outside > 0) {
    throw new IqaError('E_INPUT', `${csv}: ${outside} scores lie outside the ${scale.min}..${scale.max} scale of ${options.method}: give the study's scale`, { file: csv });
  }
  const studyId = saveImportedStudy(db, { name: options.study, method: options.method, scale, source: csv }, ratings, options.replace ?? false);
  return {
    study: options.study,
    studyId,
    ratings: ratings.length,
    participants: new Set(ratings.map((r) => r.participant)).size,
    notRated: ratings.length - values.length,
    issues,
    scale,
  };
}
