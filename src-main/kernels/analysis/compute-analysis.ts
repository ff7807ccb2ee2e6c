/**
 * The computing half of a project's analysis, on plain data (services/analysis/analyze-project.ts reads
 * it from the project database): MOS (or DMOS, or difference scores) per stimulus, observer screening,
 * and how well every stored metric configuration predicts it (ITU-T P.1401 statistics), overall and per
 * value of one breakdown. Pure and synchronous, so it runs unchanged in the compute worker
 * (workers/compute.worker.ts) or on the calling thread; the input is structured-clone data.
 */
import type { MosChoice } from '../../common/contract';
import type { AnalysisReport, CorrelationRow, GroupMosRow, JsonNum, MosRow } from '../../common/domain';
import { breakdownValue, type BreakdownSubject } from '../../common/analysis-breakdown';
import { IqaError } from '../../common/errors';
import { fromJsonNumber, toJsonNumber } from '../../common/json-numbers';
import { metricById } from '../../common/metric-registry';
import { APP_VERSION } from '../../common/version';
import { metricVsMos, type MappingChoice } from '../stats/metric-vs-mos';
import { clipMosInterval, mosFromRatings, mosFromSubjectModel, ratingMatrix, type MosReport, type RatingRow, type Screening } from './mos-from-ratings';
import { applyMapping, MAPPING_PARAMETER_COUNT, type MappingKind } from '../stats/mapping-models';
import { epsilonInsensitiveRmse, outlierRatio, p1401Rmse } from '../stats/outlier-ratio';
import { compactLetterDisplay, compareMetrics, DEFAULT_SIGNIFICANCE_LEVEL, williamsTTest, type MetricPerformance } from '../stats/metric-significance';
import { pearsonCoefficient } from '../stats/correlation';
import { averageRanks } from '../stats/ranks';
import { isConstant, MIN_PAIRS } from '../stats/paired-samples';
import { zScoresPerParticipant } from '../stats/zscore';
import { groupRatingMatrix, mosPerStimulus } from '../stats/mos';

/** One rating as the store returns it (NaN for a missing value or reference score). */
export interface AnalysisRating {
  participant: string;
  stimulusId: number;
  referenceId: number | null;
  value: number;
  /** DSCQS: the score given to the reference. */
  valueRef: number;
}

/** What the analysis needs of a stimulus: its names and what a breakdown may group it by. */
export interface AnalysisStimulus extends BreakdownSubject {
  id: number;
  name: string;
  referenceName: string | null;
}

/** One stored pooled value of one metric configuration (as the store returns it). */
export interface AnalysisMetricValue {
  metricId: string;
  params: Record<string, string | number>;
  pooling: string;
  stimulusId: number;
  value: JsonNum;
}

/** Everything an analysis reads from a project, already checked (study found, breakdown name valid). */
export interface AnalysisInput {
  study: { name: string; method: string; scale: { min: number; max: number } };
  ratings: AnalysisRating[];
  choice: MosChoice;
  choiceSource: 'given' | 'stored' | 'default';
  stimuli: AnalysisStimulus[];
  values: AnalysisMetricValue[];
  mapping: MappingChoice;
  by?: string;
  seed: number;
  resamples: number;
}

const j = (v: number): JsonNum => toJsonNumber(v);
const jPair = (p: [number, number]): [JsonNum, JsonNum] => [j(p[0]), j(p[1])];

export const SIGNIFICANCE_CORRELATION_TEST =
  "Williams' t for dependent correlations sharing the MOS (Steiger 1980 eq. 7, df = n - 3), on the stimuli both metrics cover: PLCC of the mapped predictions with r23 = PLCC between the two metrics' predictions; SROCC with r23 = SROCC between the two metrics' values (an approximation for ranks); a pair that cannot be tested (n <= 3, |r| = 1) counts as not different";
export const SIGNIFICANCE_RMSE_TEST = 'ITU-T P.1401 F-test on the RMSE of the mapped predictions with N - d degrees of freedom';

/**
 * ACR-HR (ITU-T P.910): each participant's differential score V(PVS) − V(REF) + scale max, using
 * the same participant's rating of the hidden reference; references themselves drop out.
 */
function differentialRows(ratings: readonly AnalysisRating[], scaleMax: number): RatingRow[] {
  const refScore = new Map<string, number>();
  const refSum = new Map<string, { sum: number; n: number }>();
  for (const r of ratings) {
    if (r.referenceId !== null || Number.isNaN(r.value)) continue;
    const key = `${r.participant}\u0000${r.stimulusId}`;
    const cur = refSum.get(key) ?? { sum: 0, n: 0 };
    cur.sum += r.value;
    cur.n += 1;
    refSum.set(key, cur);
  }
  for (const [k, v] of refSum) refScore.set(k, v.sum / v.n);
  return ratings
    .filter((r) => r.referenceId !== null)
    .map((r) => {
      const ref = refScore.get(`${r.participant}\u0000${r.referenceId}`);
      return { participant: r.participant, stimulus: String(r.stimulusId), score: ref === undefined ? Number.NaN : r.value - ref + scaleMax };
    });
}

interface Scores {
  rows: RatingRow[];
  kind: 'absolute' | 'difference';
  range: { min: number; max: number };
  description: string;
  /** Participants whose scores could not be z-scored. */
  notStandardised: string[];
  /** True when the scores were z-scored and rescaled to the scale. */
  rescaled: boolean;
}

/** The per-participant scores the MOS averages, as the choice says. */
function studyScores(study: AnalysisInput['study'], ratings: readonly AnalysisRating[], choice: MosChoice): Scores {
  // A pair comparison's answers are choices, not scores: no MOS to average (its scale is iqa pairwise's).
  if (study.method === 'PC') {
    throw new IqaError('E_UNSUPPORTED', `study "${study.name}" is a pair comparison: its answers are choices, not scores, so it has no MOS; scale them with iqa pairwise on its CSV export (iqa study export --format csv)`);
  }
  const { min, max } = study.scale;
  let kind: 'absolute' | 'difference';
  if (choice.scores === 'absolute') kind = 'absolute';
  else if (study.method === 'ACR-HR') kind = 'difference';
  else if (study.method === 'DSCQS') {
    const hasRef = ratings.some((r) => Number.isFinite(r.valueRef));
    if (choice.scores === 'difference' && !hasRef) {
      throw new IqaError('E_INPUT', `study "${study.name}" (DSCQS) has no reference scores: import them as the score_ref column to get difference scores`);
    }
    kind = hasRef ? 'difference' : 'absolute';
  } else if (choice.scores === 'difference') {
    throw new IqaError('E_INPUT', `difference scores need a DSCQS or ACR-HR study; "${study.name}" is ${study.method}`);
  } else kind = 'absolute';

  let rows: RatingRow[];
  let range = { min, max };
  let description: string;
  if (kind === 'difference' && study.method === 'ACR-HR') {
    rows = differentialRows(ratings, max);
    description = `ACR-HR differential scores (ITU-T P.910): V(PVS) - V(REF) + ${max} per participant, then averaged`;
  } else if (kind === 'difference') {
    rows = ratings.map((r) => ({ participant: r.participant, stimulus: String(r.stimulusId), score: r.valueRef - r.value }));
    range = { min: -(max - min), max: max - min };
    description = 'DSCQS difference scores (ITU-R BT.500): reference score - test score per participant, then averaged (higher = more impaired)';
  } else {
    rows = ratings.map((r) => ({ participant: r.participant, stimulus: String(r.stimulusId), score: r.value }));
    description = study.method === 'DSCQS' ? 'DSCQS test scores as given (no reference scores subtracted)' : 'the scores as given';
  }
  if (rows.length === 0) throw new IqaError('E_INPUT', `study "${study.name}" (${study.method}) has no ratings of distorted stimuli`);
  let notStandardised: string[] = [];
  if (choice.zscore) {
    const z = zScoresPerParticipant(rows.map((r) => r.participant), rows.map((r) => r.score), { min, max });
    rows = rows.map((r, i) => ({ ...r, score: z.values[i]! }));
    notStandardised = z.undefinedFor;
    range = { min, max };
    description += `; z-scored per participant (mean and std, ddof = 1, of each participant's scores) and rescaled to the scale: ${min} + ${max - min} * (z + 3) / 6`;
  }
  return { rows, kind, range, description, notStandardised, rescaled: choice.zscore };
}

export const BOOTSTRAP_INTERVAL =
  'BCa (bias-corrected and accelerated, Efron 1987): z0 from the share of resamples below the estimate, acceleration from the jackknife over the resampled units; an interval that still excluded its estimate is extended to it and listed in ci95.widened';

/** What the scores can take: the scale, the DSCQS difference range, or the ACR-HR differential range. */
function scoreBounds(study: AnalysisInput['study'], scores: Scores): { min: number; max: number } {
  const { min, max } = study.scale;
  // ACR-HR (P.910): V(PVS) − V(REF) + max lies in [min, 2·max − min]; z-scores are rescaled to the scale.
  if (scores.kind === 'difference' && study.method === 'ACR-HR' && !scores.rescaled) return { min, max: 2 * max - min };
  return scores.range;
}

interface RowData {
  ids: number[];
  x: number[];
  y: number[];
  predictions: number[];
  p1401Rmse?: number;
  /** Average ranks of x and y over all of the row's stimuli (only when all are finite), made once for the letters. */
  ranks?: { x: Float64Array; y: Float64Array; xConstant: boolean; yConstant: boolean } | null;
}

/**
 * Why a row has no statistics at all: the minimum, and nothing that varies from group to group (the row's
 * n is the group's count), so that the exports can say it once for every such row.
 */
export function tooFewReason(withoutValue: number): string {
  return `too few stimuli: every statistic needs at least ${MIN_PAIRS} with both a metric value and a MOS (n is what the group has${withoutValue > 0 ? '; stimuli without a value are not counted' : ''})`;
}

/** The bootstrap intervals of a report's correlation rows, by row index (null: the row has none). */
export type RowIntervals = Record<number, CorrelationRow['ci95']>;

/**
 * Which part of the analysis to compute: all of it; everything but the bootstrap intervals (the point
 * estimates: MOS, correlations, mappings, letters; provenance as the full report's); or only the
 * intervals of some correlation rows (their rows' fits and bootstraps, nothing else).
 */
type Part = { kind: 'full' } | { kind: 'point' } | { kind: 'intervals'; rows: ReadonlySet<number> };

/** The analysis report of the gathered data (throws E_INPUT when the ratings give no scores). */
export function computeAnalysis(input: AnalysisInput): AnalysisReport {
  return analysisPart(input, { kind: 'full' }) as AnalysisReport;
}

/**
 * The point estimates: the report computeAnalysis gives, with every ci95 null. Each row's interval is a
 * function of that row's data alone (the bootstrap is seeded per row), so the intervals can be computed
 * apart (computeRowIntervals, in several workers) and put in (withRowIntervals): the result equals
 * computeAnalysis(input) exactly.
 */
export function computePointAnalysis(input: AnalysisInput): AnalysisReport {
  return analysisPart(input, { kind: 'point' }) as AnalysisReport;
}

/** What a report says of its bootstrap (null without resamples). */
export function bootstrapProvenance(input: Pick<AnalysisInput, 'seed' | 'resamples'>): AnalysisReport['provenance']['bootstrap'] {
  return input.resamples > 0
    ? {
        seed: input.seed,
        resamples: input.resamples,
        resampling: 'source contents (cluster bootstrap); single stimuli when a group has fewer than 2 contents; the mapping is refitted on every resample, warm-started from the full-data fit',
        interval: BOOTSTRAP_INTERVAL,
      }
    : null;
}

/**
 * The point report of an input with resamples from the report of the same input without (what the page
 * asks for first): they differ only in what the provenance says of the bootstrap.
 */
export function pointFromUnresampled(unresampled: AnalysisReport, input: Pick<AnalysisInput, 'seed' | 'resamples'>): AnalysisReport {
  return { ...unresampled, provenance: { ...unresampled.provenance, bootstrap: bootstrapProvenance(input) } };
}

/** The rows of a point report whose bootstrap runs (those with enough stimuli for the statistics). */
export function intervalRows(point: AnalysisReport, resamples: number): number[] {
  if (resamples <= 0) return [];
  return point.correlations.flatMap((r, i) => (r.n >= MIN_PAIRS ? [i] : []));
}

/** The intervals of the given rows (indices into the report's correlations). */
export function computeRowIntervals(input: AnalysisInput, rows: readonly number[]): RowIntervals {
  return analysisPart(input, { kind: 'intervals', rows: new Set(rows) }) as RowIntervals;
}

/** The point report with the rows' intervals in: equal to computeAnalysis of the same input. */
export function withRowIntervals(point: AnalysisReport, intervals: RowIntervals): AnalysisReport {
  return { ...point, correlations: point.correlations.map((r, i) => (i in intervals ? { ...r, ci95: intervals[i] ?? null } : r)) };
}

function analysisPart(input: AnalysisInput, part: Part): AnalysisReport | RowIntervals {
  const { study, ratings, choice, by } = input;
  const intervals: RowIntervals = {};
  const scores = studyScores(study, ratings, choice);
  const differential = scores.kind === 'difference';
  const rows = scores.rows;
  const screening: Screening = choice.mos === 'screened' ? choice.screening : 'none';
  const report = choice.mos === 'mle' ? mosFromSubjectModel(rows) : mosFromRatings(rows, { screening, minCorrelation: choice.minCorrelation });

  const stimuli = new Map(input.stimuli.map((s) => [s.id, s]));
  const groupOf = (id: number): string | null => {
    const s = stimuli.get(id);
    return by === undefined || !s ? null : breakdownValue(s, by);
  };
  const mosById = new Map<number, number>();
  const ciHalfById = new Map<number, number>();
  // The MOS interval never runs past what the scores can take; P.1401's outlier ratio and RMSE* keep the
  // unclipped half-width (its definition).
  const bounds = scoreBounds(study, scores);
  let clipped = 0;
  const mos: MosRow[] = report.stimuli.map((m) => {
    const s = stimuli.get(Number(m.stimulus))!;
    mosById.set(s.id, m.mos);
    ciHalfById.set(s.id, (m.ci95[1] - m.ci95[0]) / 2);
    const ci = clipMosInterval(m.ci95, m.mos, bounds);
    if (ci[0] !== m.ci95[0] || ci[1] !== m.ci95[1]) clipped++;
    return { stimulusId: s.id, stimulus: s.name, reference: s.referenceName, attributes: s.attributes, mos: j(m.mos), std: j(m.std), n: m.n, ci95: jPair(ci) };
  });
  // The mapping's direction: the metric's (registry), turned for scores where higher means more impaired.
  const scoresRise = !(scores.kind === 'difference' && study.method === 'DSCQS');

  // Metric configurations: one per metric id + parameters + pooling.
  const configs = new Map<string, { metricId: string; params: Record<string, string | number>; pooling: string; values: Map<number, number> }>();
  for (const r of input.values) {
    const key = `${r.metricId}|${JSON.stringify(r.params)}|${r.pooling}`;
    let c = configs.get(key);
    if (!c) configs.set(key, (c = { metricId: r.metricId, params: r.params, pooling: r.pooling, values: new Map() }));
    c.values.set(r.stimulusId, r.value === null ? Number.NaN : fromJsonNumber(r.value));
  }
  const rated = [...mosById.keys()];
  const groups: (string | null)[] = [null];
  if (by !== undefined) groups.push(...[...new Set(rated.map(groupOf).filter((v): v is string => v !== null))].sort());
  const correlations: CorrelationRow[] = [];
  const data = new Map<CorrelationRow, RowData>();
  const mapping = input.mapping;
  for (const c of [...configs.values()].sort((a, b) => (a.metricId < b.metricId ? -1 : a.metricId > b.metricId ? 1 : 0))) {
    const descriptor = metricById(c.metricId);
    for (const group of groups) {
      const ids = rated.filter((id) => group === null || groupOf(id) === group);
      const x = ids.map((id) => c.values.get(id) ?? Number.NaN);
      const y = ids.map((id) => mosById.get(id)!);
      const finite = ids.flatMap((id, k) => (Number.isFinite(x[k]!) && Number.isFinite(y[k]!) ? [k] : []));
      const row: CorrelationRow = {
        metricId: c.metricId,
        metricName: descriptor?.name ?? c.metricId,
        params: c.params,
        pooling: c.pooling,
        higherIsBetter: descriptor?.higherIsBetter ?? true,
        group,
        n: 0,
        nExcluded: ids.length,
        srocc: null,
        krocc: null,
        plcc: null,
        rmse: null,
        plccMapped: null,
        rmseMapped: null,
        mapping: null,
        ci95: null,
        reason: null,
        mappingReason: null,
        outlierRatio: null,
        rmseStar: null,
        letters: null,
        points: finite.map((k) => ({ stimulusId: ids[k]!, x: x[k]!, y: y[k]!, group: groupOf(ids[k]!) })),
      };
      const rowIndex = correlations.length;
      if (part.kind === 'intervals' && !part.rows.has(rowIndex)) {
        correlations.push(row);
        continue;
      }
      if (finite.length < MIN_PAIRS) {
        // A group too small for any statistic: its own n, and the minimum, never n = 0 and a kernel's error.
        row.n = finite.length;
        row.nExcluded = ids.length - finite.length;
        row.reason = tooFewReason(ids.length - finite.length);
        correlations.push(row);
        continue;
      }
      try {
        // Resample source contents (all versions of one picture together) when there are at least 2.
        const contents = ids.map((id) => stimuli.get(id)?.content ?? String(id));
        const finiteContents = new Set(finite.map((k) => contents[k]!));
        const clustered = finiteContents.size >= 2 && finiteContents.size < finite.length;
        const r = metricVsMos(x, y, {
          mapping,
          ...(descriptor ? { direction: descriptor.higherIsBetter === scoresRise ? 1 : -1 } : {}),
          bootstrap: input.resamples > 0 && part.kind !== 'point' ? { seed: input.seed, resamples: input.resamples } : undefined,
          clusters: clustered ? contents : undefined,
        });
        Object.assign(row, {
          n: r.n,
          nExcluded: r.nTotal - r.n,
          srocc: j(r.srocc),
          krocc: j(r.krocc),
          plcc: j(r.plcc),
          rmse: j(r.rmse),
          plccMapped: j(r.plccMapped),
          rmseMapped: j(r.rmseMapped),
          mapping: r.mapping && {
            kind: r.mapping.kind,
            params: r.mapping.params.map(j),
            sse: j(r.mapping.sse),
            converged: r.mapping.converged,
            solver: r.mapping.solver,
            requested: r.mapping.requested,
            direction: r.mapping.direction,
            fallback: r.mapping.fallback,
            degenerate: r.mapping.degenerate,
          },
          ci95: r.ci95
            ? {
                srocc: jPair(r.ci95.srocc),
                krocc: jPair(r.ci95.krocc),
                plcc: jPair(r.ci95.plcc),
                rmse: jPair(r.ci95.rmse),
                plccMapped: jPair(r.ci95.plccMapped),
                rmseMapped: jPair(r.ci95.rmseMapped),
                ...(r.ci95.widened.length ? { widened: [...r.ci95.widened] } : {}),
              }
            : null,
          reason: r.reason ?? null,
          mappingReason: r.mappingReason ?? null,
        });
        if (part.kind === 'intervals') {
          intervals[rowIndex] = row.ci95;
          correlations.push(row);
          continue;
        }
        const rowData: RowData = { ids: finite.map((k) => ids[k]!), x: finite.map((k) => x[k]!), y: finite.map((k) => y[k]!), predictions: Array.from(r.predictions) };
        data.set(row, rowData);
        if (!r.mappingReason) {
          // The kind actually fitted (a fallback has fewer parameters: P.1401's d follows it).
          const fitted = !r.mapping || r.mapping.kind === 'none' ? null : r.mapping.kind;
          const errors = p1401Errors(fitted, r.mapping?.params ?? [], x, y, ids.map((id) => ciHalfById.get(id)!));
          if (errors.p1401Rmse !== undefined) rowData.p1401Rmse = errors.p1401Rmse;
          if (errors.outlierRatio !== undefined) row.outlierRatio = errors.outlierRatio;
          if (errors.rmseStar !== undefined) row.rmseStar = errors.rmseStar;
        }
      } catch (err) {
        // Fewer than 3 stimuli with both a value and a MOS.
        row.reason = (err as Error).message;
      }
      if (part.kind === 'intervals') intervals[rowIndex] = null;
      correlations.push(row);
    }
  }
  if (part.kind === 'intervals') return intervals;

  addSignificanceLetters(correlations, data, mapping);

  return {
    provenance: {
      engineVersion: APP_VERSION,
      study: study.name,
      method: study.method,
      scale: study.scale,
      mos: choice.mos,
      screening,
      differential,
      mapping,
      by: by ?? null,
      bootstrap: bootstrapProvenance(input),
      mosInterval: `${choice.mos === 'mle' ? "the P.913 subject model's psi interval" : 't interval'} (95 %), clipped to the range the scores can take [${bounds.min}, ${bounds.max}]${clipped ? ` (${clipped} of ${mos.length} clipped)` : ' (none reached it)'}`,
      conventions:
        "MOS: mean over kept participants, 95% CI from the t-distribution (mle: the P.913 subject model's psi and its CI); MOS per group: each participant's mean over the group's stimuli (mle: ratings minus the participant's bias), averaged over participants, t CI; outlier ratio and RMSE* per ITU-T P.1401 from the MOS CIs; SROCC with average ranks, KROCC tau-b, PLCC/RMSE raw (from 3 stimuli) and after the monotone mapping fitted to the MOS in the metric's direction (ITU-T P.1401; several starts on standardised data, degenerate fits reported in mapping.degenerate, a fallback logistic5 -> logistic4 -> monotone cubic in mapping.fallback, docs/analysis.md; NaN with mappingReason when the mapping has too few stimuli for its parameters or no monotone fit exists)",
      scores: { kind: scores.kind, zscore: choice.zscore, range: scores.range, description: scores.description },
      minCorrelation: screening === 'corr' ? choice.minCorrelation : null,
      mosChoice: input.choiceSource,
      significance: { correlations: SIGNIFICANCE_CORRELATION_TEST, rmse: SIGNIFICANCE_RMSE_TEST, alpha: DEFAULT_SIGNIFICANCE_LEVEL, correction: 'none' },
    },
    counts: {
      participants: report.counts.participants,
      ratings: report.counts.ratings,
      excluded: report.counts.excluded,
      repetitionsAveraged: report.counts.repetitionsAveraged,
      ...(scores.notStandardised.length ? { notStandardised: scores.notStandardised } : {}),
    },
    screening: { rejected: report.rejected, reasons: report.reasons },
    subjects: report.subjects ? report.subjects.map((s) => ({ participant: s.participant, bias: j(s.bias), inconsistency: j(s.inconsistency) })) : null,
    mos,
    groupMos: by !== undefined ? groupMosRows(rows, report, groups.slice(1) as string[], (id) => groupOf(id)) : null,
    correlations,
  };
}

/** MOS per breakdown group, with the participant as the unit (see mos.ts groupRatingMatrix). */
function groupMosRows(
  rows: readonly RatingRow[],
  report: MosReport,
  groups: readonly string[],
  groupOf: (stimulusId: number) => string | null,
): GroupMosRow[] {
  if (groups.length === 0) return [];
  const { matrix, participants, stimuli } = ratingMatrix(rows);
  const rejected = new Set(report.rejected);
  const include = participants.map((p) => !rejected.has(p));
  let values = matrix.values;
  if (report.subjects) {
    // The subject model: remove each participant's bias before averaging.
    const bias = new Map(report.subjects.map((s) => [s.participant, s.bias]));
    values = values.map((v, i) => v - (bias.get(participants[Math.floor(i / matrix.stimuli)]!) ?? 0));
  }
  const index = new Map(groups.map((g, i) => [g, i]));
  const stimulusGroup = stimuli.map((s) => index.get(groupOf(Number(s)) ?? '\u0000') ?? -1);
  const gm = groupRatingMatrix({ ...matrix, values }, stimulusGroup, groups.length);
  const m = mosPerStimulus(gm, { includeObserver: include });
  const counts = groups.map((_, g) => stimulusGroup.filter((x) => x === g).length);
  return groups.map((group, g) => ({
    group,
    stimuli: counts[g]!,
    mos: j(m.mean[g]!),
    std: j(m.std[g]!),
    n: m.n[g]!,
    ci95: [j(m.ciLower[g]!), j(m.ciUpper[g]!)],
  }));
}

/** P.1401 outlier ratio and RMSE* of the mapped predictions (identity when there is no mapping). */
function p1401Errors(kind: MappingKind | null, params: readonly number[], x: number[], y: number[], ciHalf: number[]): { outlierRatio?: JsonNum; rmseStar?: JsonNum; p1401Rmse?: number } {
  const finite = x.map((v, i) => Number.isFinite(v) && Number.isFinite(y[i]!) && Number.isFinite(ciHalf[i]!));
  const xs = x.filter((_, i) => finite[i]);
  const ys = y.filter((_, i) => finite[i]);
  const cs = ciHalf.filter((_, i) => finite[i]);
  const d = kind ? MAPPING_PARAMETER_COUNT[kind] : 0;
  if (xs.length <= d + 1 || (kind && !params.every(Number.isFinite))) return {};
  const predicted = kind ? applyMapping(kind, params, xs) : Float64Array.from(xs);
  try {
    return {
      outlierRatio: j(outlierRatio(ys, predicted, cs).value),
      rmseStar: j(epsilonInsensitiveRmse(ys, predicted, cs, { mappingParameters: d }).value),
      p1401Rmse: p1401Rmse(ys, predicted, { mappingParameters: d }).value,
    };
  } catch {
    return {};
  }
}

const spearman = (a: number[], b: number[]): number => (isConstant(a) || isConstant(b) ? NaN : pearsonCoefficient(averageRanks(Float64Array.from(a)), averageRanks(Float64Array.from(b))));
const pearson = (a: number[], b: number[]): number => (isConstant(a) || isConstant(b) ? NaN : pearsonCoefficient(a, b));

/**
 * Are metrics a and b significantly different in one correlation? Williams' t on the stimuli both cover,
 * comparing magnitudes (a lower-is-better metric correlates negatively). Untestable pairs: false.
 */
function dependentDifference(a: RowData, b: RowData, statistic: 'plcc' | 'srocc'): boolean {
  const bIndex = indexOf(b);
  if (statistic === 'srocc') {
    const same = sameStimuliRanks(a, b, bIndex);
    if (same) return williams(same.r12, same.r13, same.r23, a.ids.length);
  }
  const va: number[] = [];
  const vb: number[] = [];
  const y: number[] = [];
  a.ids.forEach((id, ka) => {
    const kb = bIndex.get(id);
    if (kb === undefined) return;
    const xa = statistic === 'plcc' ? a.predictions[ka]! : a.x[ka]!;
    const xb = statistic === 'plcc' ? b.predictions[kb]! : b.x[kb]!;
    if (!Number.isFinite(xa) || !Number.isFinite(xb)) return;
    va.push(xa);
    vb.push(xb);
    y.push(a.y[ka]!);
  });
  if (va.length <= 3) return false;
  const corr = statistic === 'plcc' ? pearson : spearman;
  return williams(corr(va, y), corr(vb, y), corr(va, vb), va.length);
}

function williams(r12: number, r13: number, r23: number, n: number): boolean {
  if (n <= 3 || ![r12, r13, r23].every(Number.isFinite)) return false;
  try {
    return williamsTTest(Math.abs(r12), Math.abs(r13), r23 * Math.sign(r12) * Math.sign(r13), n).significant;
  } catch {
    return false;
  }
}

const indexes = new WeakMap<RowData, Map<number, number>>();
function indexOf(row: RowData): Map<number, number> {
  let m = indexes.get(row);
  if (!m) indexes.set(row, (m = new Map(row.ids.map((id, k) => [id, k]))));
  return m;
}

function ranksOf(row: RowData): RowData['ranks'] {
  if (row.ranks !== undefined) return row.ranks;
  const finite = row.x.every(Number.isFinite) && row.y.every(Number.isFinite);
  row.ranks = finite ? { x: averageRanks(Float64Array.from(row.x)), y: averageRanks(Float64Array.from(row.y)), xConstant: isConstant(row.x), yConstant: isConstant(row.y) } : null;
  return row.ranks;
}

/**
 * SROCC's three correlations for two rows over the same stimuli, all finite (the usual case: every metric
 * computed on every stimulus), from ranks made once per row: average ranks follow their values through
 * any reordering, so b's ranks put in a's order are the ranks of b's values in a's order, and the
 * coefficients equal those of `spearman` on the gathered values. Null when the rows differ in stimuli.
 */
function sameStimuliRanks(a: RowData, b: RowData, bIndex: Map<number, number>): { r12: number; r13: number; r23: number } | null {
  if (a.ids.length !== b.ids.length) return null;
  const ra = ranksOf(a);
  const rb = ranksOf(b);
  if (!ra || !rb) return null;
  const rbInA = new Float64Array(a.ids.length);
  for (let k = 0; k < a.ids.length; k++) {
    const kb = bIndex.get(a.ids[k]!);
    if (kb === undefined) return null;
    rbInA[k] = rb.x[kb]!;
  }
  const corr = (p: Float64Array, q: Float64Array, constant: boolean) => (constant ? NaN : pearsonCoefficient(p, q));
  return { r12: corr(ra.x, ra.y, ra.xConstant || ra.yConstant), r13: corr(rbInA, ra.y, rb.xConstant || ra.yConstant), r23: corr(ra.x, rbInA, ra.xConstant || rb.xConstant) };
}

/** Letters per group: metrics sharing a letter do not differ significantly (alpha 0.05). */
function addSignificanceLetters(rows: CorrelationRow[], data: Map<CorrelationRow, RowData>, mapping: string): void {
  const requested = mapping === 'none' ? 0 : MAPPING_PARAMETER_COUNT[mapping as MappingKind];
  // P.1401's d is the number of parameters of the mapping each metric actually got (a fallback has fewer).
  const dOf = (r: CorrelationRow): number => (mapping === 'none' ? 0 : (r.mapping?.params.length ?? requested));
  const groups = new Map<string | null, CorrelationRow[]>();
  for (const r of rows) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  for (const members of groups.values()) {
    const usable = members.filter((r) => typeof r.plccMapped === 'number' && typeof r.srocc === 'number' && typeof r.rmseMapped === 'number' && r.n > dOf(r) + 1 && data.has(r));
    if (usable.length < 2) continue;
    const letters = (statistic: 'plcc' | 'srocc'): string[] => {
      const merit = usable.map((r) => Math.abs((statistic === 'plcc' ? r.plccMapped : r.srocc) as number));
      // Williams' test is symmetric in the two metrics: each pair is tested once.
      const significant = usable.map(() => usable.map(() => false));
      for (let a = 0; a < usable.length; a++) {
        for (let b = a + 1; b < usable.length; b++) {
          significant[a]![b] = significant[b]![a] = dependentDifference(data.get(usable[a]!)!, data.get(usable[b]!)!, statistic);
        }
      }
      const ranking = merit.map((_, i) => i).sort((p, q) => merit[q]! - merit[p]! || p - q);
      return compactLetterDisplay(significant, ranking);
    };
    const perf: MetricPerformance[] = usable.map((r, i) => ({ id: String(i), n: r.n, rmse: data.get(r)!.p1401Rmse ?? (r.rmseMapped as number), mappingParameters: dOf(r) }));
    let rmse: string[];
    try {
      rmse = compareMetrics(perf, { statistic: 'rmse' }).letters;
    } catch {
      continue; // an RMSE that cannot be tested (N - d < 1) leaves the letters out
    }
    const plcc = letters('plcc');
    const srocc = letters('srocc');
    usable.forEach((r, i) => (r.letters = { plcc: plcc[i]!, srocc: srocc[i]!, rmse: rmse[i]! }));
  }
}

