/**
 * The analysis of a project in two halves: `gatherAnalysisInput` reads the study, its ratings, the MOS
 * choice, the stimuli and the stored metric values from the project database (short, on the caller's
 * thread, which owns the connection); `computeAnalysis` (kernels/analysis/compute-analysis.ts) turns
 * that plain data into the report: MOS, screening, correlations, mappings, bootstrap, significance.
 * The engine runs the second half in the compute worker (services/compute/compute-pool.ts), so a long
 * bootstrap never blocks its thread; `analyzeProject` runs both here (in the worker, or for callers
 * without a pool), and answers from the project's analysis cache when the inputs are unchanged.
 */
import type { MosChoice } from '../../common/contract';
import type { AnalysisReport } from '../../common/domain';
import { breakdownNames } from '../../common/analysis-breakdown';
import { IqaError } from '../../common/errors';
import { computeAnalysis, computePointAnalysis, computeRowIntervals, intervalRows, pointFromUnresampled, type AnalysisInput, type RowIntervals } from '../../kernels/analysis/compute-analysis';
import type { MosKind } from '../../kernels/analysis/mos-from-ratings';
import type { MappingChoice } from '../../kernels/stats/metric-vs-mos';
import type { Db } from '../store/project-db';
import { listScores } from '../store/metrics-repo';
import { findStudy, studyRatings } from '../store/ratings-repo';
import { listStimuli } from '../store/stimuli-repo';
import { analysisCacheKey, readCachedAnalysis, writeCachedAnalysis } from './analysis-cache';
import { resolveMosChoice } from './mos-choice';

export interface AnalyzeOptions {
  study?: string;
  /** The MOS choice; a field left out comes from the project's stored choice, then the defaults. */
  mos?: MosKind;
  screening?: 'bt500' | 'corr';
  minCorrelation?: number;
  scores?: MosChoice['scores'];
  zscore?: boolean;
  mapping: MappingChoice;
  by?: string;
  seed: number;
  resamples: number;
}

/** The database half: E_INPUT for a missing study, a study without ratings or an unknown breakdown. */
export function gatherAnalysisInput(db: Db, projectDir: string, options: AnalyzeOptions): AnalysisInput {
  const study = findStudy(db, options.study, projectDir);
  const ratings = studyRatings(db, study.id);
  if (ratings.length === 0) throw new IqaError('E_INPUT', `study "${study.name}" has no ratings`);
  const { choice, source } = resolveMosChoice(db, { mos: options.mos, screening: options.screening, minCorrelation: options.minCorrelation, scores: options.scores, zscore: options.zscore });
  const stimuli = listStimuli(db);
  const by = options.by;
  if (by !== undefined) {
    const names = breakdownNames(stimuli);
    if (!names.includes(by)) throw new IqaError('E_INPUT', `unknown breakdown "${by}": choose one of ${names.join(', ')}`, { details: { by, valid: names } });
  }
  // Only the fields the computation reads: the input is cloned to the worker.
  return {
    study: { name: study.name, method: study.method, scale: study.scale },
    ratings: ratings.map((r) => ({ participant: r.participant, stimulusId: r.stimulusId, referenceId: r.referenceId, value: r.value, valueRef: r.valueRef })),
    choice,
    choiceSource: source,
    stimuli: stimuli.map((s) => ({ id: s.id, name: s.name, referenceName: s.referenceName, content: s.content, codec: s.codec, width: s.width, height: s.height, attributes: s.attributes })),
    values: listScores(db),
    mapping: options.mapping,
    ...(by !== undefined ? { by } : {}),
    seed: options.seed,
    resamples: options.resamples,
  };
}

/**
 * The analysis in steps, for several workers (services/compute/compute-pool.ts): 'point' gathers the input
 * and answers the cached full report, or the point estimates (computePointAnalysis) with the input's key
 * and the rows whose bootstrap intervals remain; 'intervals' computes some rows' intervals, after checking
 * that the project's data still give the same key (a rating saved meanwhile would mix two analyses);
 * 'store' puts the merged report in the cache. The merged report equals analyzeProject's.
 */
export type AnalysisStep =
  | { step: 'point' }
  | { step: 'intervals'; key: string; rows: number[] }
  | { step: 'store'; key: string; report: AnalysisReport };

export type AnalysisStepResult =
  | { step: 'point'; key: string; report: AnalysisReport; complete: boolean; rows: number[] }
  | { step: 'intervals'; intervals: RowIntervals }
  | { step: 'store' };

/** The 'point' and 'intervals' steps ('store' is writeCachedAnalysis, which needs no database). */
export function analyzeProjectStep(db: Db, projectDir: string, options: AnalyzeOptions, step: Exclude<AnalysisStep, { step: 'store' }>): AnalysisStepResult {
  const input = gatherAnalysisInput(db, projectDir, options);
  const key = analysisCacheKey(input);
  if (step.step === 'intervals') {
    if (key !== step.key) throw new IqaError('E_STORE', "the project's ratings, metric values or MOS choice changed during the analysis: run it again");
    return { step: 'intervals', intervals: computeRowIntervals(input, step.rows) };
  }
  const cached = readCachedAnalysis(projectDir, key);
  if (cached) return { step: 'point', key, report: cached, complete: true, rows: [] };
  // The page asks for the point estimates first (resamples 0): that report, cached, is this one's point part.
  const unresampled = input.resamples > 0 ? readCachedAnalysis(projectDir, analysisCacheKey({ ...input, resamples: 0 })) : null;
  const report = unresampled ? pointFromUnresampled(unresampled, input) : computePointAnalysis(input);
  const rows = intervalRows(report, input.resamples);
  if (rows.length === 0) writeCachedAnalysis(projectDir, key, report);
  return { step: 'point', key, report, complete: rows.length === 0, rows };
}

/**
 * Both halves on the calling thread, through the project's analysis cache (analysis-cache.ts): the same
 * inputs give the stored report of an earlier run instead of a new bootstrap.
 */
export function analyzeProject(db: Db, projectDir: string, options: AnalyzeOptions): AnalysisReport {
  const input = gatherAnalysisInput(db, projectDir, options);
  const key = analysisCacheKey(input);
  const cached = readCachedAnalysis(projectDir, key);
  if (cached) return cached;
  const report = computeAnalysis(input);
  writeCachedAnalysis(projectDir, key, report);
  return report;
}
