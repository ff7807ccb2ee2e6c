/**
 * Ratings from a CSV file (columns participant, stimulus, score; optional session, response_ms and, for
 * DSCQS, score_ref: the score the participant gave the reference of the pair) into a study of the project. Stimuli are matched by name (file stem) or by project path; rows that
 * name no known stimulus are reported one by one and the rest is imported. An empty or NA score is
 * kept as "not rated" (excluded from the analysis and counted there); any other score that is not a
 * plain decimal number refuses the file, naming the first such line and how many there are.
 */
import type { RatingsImportSummary } from '../../common/contract-types';
import { IqaError } from '../../common/errors';
import type { Db } from '../store/project-db';
import { saveImportedStudy, type ImportedRating, type StudyMethod, type StudyScale } from '../store/ratings-repo';
import { listStimuli } from '../store/stimuli-repo';
import { checkScoreColumn, readCsvRows, scoreCell } from './read-table';

/** The usual scales (ITU-T P.910: 5-grade ACR/DCR; ITU-R BT.500 DSCQS: 0..100 continuous). */
const DEFAULT_SCALES: Partial<Record<StudyMethod, StudyScale>> = {
  ACR: { min: 1, max: 5 },
  'ACR-HR': { min: 1, max: 5 },
  DCR: { min: 1, max: 5 },
  DSCQS: { min: 0, max: 100 },
};

/** What an import reports: the contract's summary (the scale is the study's). */
export type RatingsImportReport = RatingsImportSummary;

export function importRatingsCsv(
  db: Db,
  csv: string,
  options: { study: string; method: StudyMethod; scale?: StudyScale; replace?: boolean },
): RatingsImportReport {
  const rows = readCsvRows(csv, ['participant', 'stimulus', 'score'], ['session', 'response_ms', 'score_ref']);
  // Every numeric cell is checked before anything is stored: one bad score refuses the file.
  for (const column of ['score', 'score_ref', 'response_ms']) checkScoreColumn(csv, rows, column);
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
  for (const { cells: r, line } of rows) {
    const where = `${csv}:${line}`;
    const name = r.stimulus ?? '';
    if (!r.participant) {
      issues.push({ row: where, reason: 'empty participant' });
      continue;
    }
    if (ambiguous.has(name)) {
      issues.push({ row: where, reason: `stimulus "${name}" is ambiguous (several files have that name): use its project path` });
      continue;
    }
    const id = byName.get(name);
    if (id === undefined) {
      issues.push({ row: where, reason: `no stimulus "${name}" in the project` });
      continue;
    }
    const responseMs = scoreCell(r.response_ms)!;
    const rating: ImportedRating = { participant: r.participant, session: r.session || 'imported', stimulusId: id, value: scoreCell(r.score)!, responseMs: Number.isFinite(responseMs) ? responseMs : null };
    if (options.method === 'DSCQS' && r.score_ref !== undefined) rating.valueRef = scoreCell(r.score_ref)!;
    ratings.push(rating);
  }
  // The error quotes no cell: the file may not be a ratings file at all.
  if (ratings.length === 0) throw new IqaError('E_INPUT', `${csv}: no row names a stimulus of the project (${issues.length} row${issues.length === 1 ? '' : 's'} skipped, the first at ${issues[0]?.row ?? csv}; see the stimulus names with "iqa stimuli")`, { file: csv });
  const values = ratings.map((r) => r.value).filter((v) => Number.isFinite(v));
  if (values.length === 0) throw new IqaError('E_INPUT', `${csv}: no numeric score`, { file: csv });
  const scale = options.scale ?? DEFAULT_SCALES[options.method] ?? rangeOf(values);
  const refValues = ratings.map((r) => r.valueRef ?? Number.NaN).filter((v) => Number.isFinite(v));
  const outside = values.filter((v) => v < scale.min || v > scale.max).length + refValues.filter((v) => v < scale.min || v > scale.max).length;
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

/** Smallest and largest of the scores, in one pass (a spread into Math.min overflows the stack on large studies). */
function rangeOf(values: readonly number[]): StudyScale {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
