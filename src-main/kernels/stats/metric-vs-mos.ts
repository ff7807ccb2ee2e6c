/**
 * How well one objective metric predicts the MOS, per ITU-T P.1401 / VQEG: SROCC (average ranks),
 * KROCC (tau-b), PLCC and RMSE on the raw scores, then PLCC and RMSE after a monotonic mapping fitted
 * to the MOS (VQEG 5-parameter logistic by default), with bootstrap 95 % intervals (seed stored).
 * Metrics where lower is better need no special case: the correlations come out negative and the
 * logistic's start takes the sign of the PLCC.
 *
 * Decided cases:
 * - fewer than 3 finite pairs: RangeError (a caller error, as for every correlation kernel);
 * - from 3 pairs on, the raw SROCC, KROCC, PLCC and RMSE are always computed (NaN with `reason` only for
 *   a constant vector);
 * - a mapping that cannot be fitted — fewer than d + 1 pairs for its d parameters (6 for logistic5,
 *   5 for logistic4 and cubic, 3 for linear), a failed fit, or an iteration that did not converge — leaves
 *   only the mapped PLCC / RMSE NaN, with the cause in `mappingReason`; nothing throws;
 * - bootstrap intervals for all six statistics on the same resamples (multi-bootstrap.ts); the mapping is
 *   refitted on every resample (at most 2000 residual evaluations there), and a resample where it cannot
 *   be fitted is skipped for the mapped statistics and counted in `ci95.skipped`.
 */
import { plcc, rmse, srocc, rootMeanSquareDifference, type UndefinedCorrelationReason } from './correlation';
import { krocc } from './kendall';
import { fitMapping, type MappingFit, type MappingFitOptions } from './mapping-fit';
import { MAPPING_PARAMETER_COUNT, type MappingKind } from './mapping-models';
import { bootstrapStatistic } from './bootstrap';
import { bootstrapStatistics } from './multi-bootstrap';

export type MappingChoice = MappingKind | 'none';

export interface MetricVsMosOptions {
  mapping?: MappingChoice;
  /** Bootstrap resampling for the intervals; omit to skip them. */
  bootstrap?: { seed: number; resamples?: number; confidence?: number };
  /** Source content of each stimulus: the bootstrap then resamples whole contents (cluster bootstrap). */
  clusters?: ArrayLike<string>;
  /** Options of the point fit (the start, iteration limits); the defaults of mapping-fit.ts otherwise. */
  fit?: MappingFitOptions;
}

/** The statistics that get a bootstrap interval. */
export const INTERVAL_STATISTICS = ['srocc', 'krocc', 'plcc', 'rmse', 'plccMapped', 'rmseMapped'] as const;
export type IntervalStatistic = (typeof INTERVAL_STATISTICS)[number];

export interface MetricVsMos {
  nTotal: number;
  n: number;
  srocc: number;
  krocc: number;
  plcc: number;
  rmse: number;
  pValues: { srocc: number; krocc: number; plcc: number };
  /** The fitted mapping; when it could not be fitted its params are NaN and `converged` is false. */
  mapping: { kind: MappingChoice; params: number[]; sse: number; converged: boolean; solver: string; iterations: number } | null;
  plccMapped: number;
  rmseMapped: number;
  /** Present when a coefficient is NaN because a vector is constant. */
  reason?: UndefinedCorrelationReason;
  /** Present when the mapped PLCC / RMSE are NaN: why the mapping could not be fitted or used. */
  mappingReason?: string;
  /** The mapped prediction q(x) of each finite pair, in input order (the raw x for mapping 'none'); NaN when unfitted. */
  predictions: Float64Array;
  ci95?: Record<IntervalStatistic, [number, number]> & { seed: number; resamples: number; skipped: Record<IntervalStatistic, number>; clusters: number | null };
}

/** Fewest pairs the mapping can be fitted to: one more than its parameters, and at least 3. */
export function minimumPairsForMapping(kind: MappingChoice): number {
  return kind === 'none' ? 3 : Math.max(3, MAPPING_PARAMETER_COUNT[kind] + 1);
}

interface MappedOutcome {
  fit: MappingFit | null;
  plccMapped: number;
  rmseMapped: number;
  reason?: string;
}

/** The mapping fitted to finite pairs, or why it cannot be (never throws). */
function mapped(kind: MappingKind, x: Float64Array, y: Float64Array, options: MappingFitOptions = {}): MappedOutcome {
  const d = MAPPING_PARAMETER_COUNT[kind];
  const need = minimumPairsForMapping(kind);
  if (x.length < need) {
    return { fit: null, plccMapped: NaN, rmseMapped: NaN, reason: `the ${kind} mapping has ${d} parameters and needs at least ${need} stimuli, got ${x.length}` };
  }
  let fit: MappingFit;
  try {
    fit = fitMapping(kind, x, y, options);
  } catch (err) {
    return { fit: null, plccMapped: NaN, rmseMapped: NaN, reason: `the ${kind} mapping cannot be fitted: ${(err as Error).message}` };
  }
  if (fit.reason) return { fit, plccMapped: NaN, rmseMapped: NaN, reason: `the ${kind} mapping is undefined (${fit.reason})` };
  if (!fit.converged) {
    return { fit, plccMapped: NaN, rmseMapped: NaN, reason: `the ${kind} fit did not converge (${fit.stop} after ${fit.iterations} iterations)` };
  }
  if (!Number.isFinite(fit.rmseMapped)) return { fit, plccMapped: NaN, rmseMapped: NaN, reason: `the ${kind} fit gave non-finite predictions` };
  return { fit, plccMapped: fit.plccMapped, rmseMapped: fit.rmseMapped };
}

export function metricVsMos(metric: ArrayLike<number>, mos: ArrayLike<number>, options: MetricVsMosOptions = {}): MetricVsMos {
  const s = srocc(metric, mos);
  const k = krocc(metric, mos);
  const p = plcc(metric, mos);
  const r = rmse(metric, mos);
  // The finite pairs, in input order.
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < metric.length; i++) {
    if (Number.isFinite(metric[i]!) && Number.isFinite(mos[i]!)) {
      xs.push(metric[i]!);
      ys.push(mos[i]!);
    }
  }
  const x = Float64Array.from(xs);
  const y = Float64Array.from(ys);
  const kind = options.mapping ?? 'logistic5';
  const out: MetricVsMos = {
    nTotal: p.nTotal,
    n: p.nUsed,
    srocc: s.value,
    krocc: k.value,
    plcc: p.value,
    rmse: r.value,
    pValues: { srocc: s.pValue, krocc: k.pValue, plcc: p.pValue },
    mapping: null,
    plccMapped: NaN,
    rmseMapped: NaN,
    predictions: new Float64Array(x.length).fill(NaN),
  };
  if (kind === 'none') {
    out.mapping = { kind: 'none', params: [], sse: NaN, converged: true, solver: 'identity', iterations: 0 };
    out.plccMapped = p.value;
    out.rmseMapped = r.value;
    out.predictions = x.slice();
    if (p.reason) out.mappingReason = `PLCC undefined (${p.reason})`;
  } else {
    const m = mapped(kind, x, y, options.fit);
    out.mapping = m.fit
      ? { kind, params: m.fit.params, sse: m.fit.sse, converged: m.fit.converged, solver: m.fit.solver, iterations: m.fit.iterations }
      : { kind, params: new Array<number>(MAPPING_PARAMETER_COUNT[kind]).fill(NaN), sse: NaN, converged: false, solver: 'none', iterations: 0 };
    out.plccMapped = m.plccMapped;
    out.rmseMapped = m.rmseMapped;
    if (m.reason) out.mappingReason = m.reason;
    else if (m.fit) out.predictions = Float64Array.from(m.fit.predictions);
  }
  const reason = p.reason ?? s.reason;
  if (reason) out.reason = reason;
  if (options.bootstrap) {
    const b = options.bootstrap;
    const res = bootstrapStatistics(
      metric,
      mos,
      INTERVAL_STATISTICS,
      (bx, by) => {
        const raw = {
          srocc: bootstrapStatistic('srocc', bx, by),
          krocc: bootstrapStatistic('krocc', bx, by),
          plcc: bootstrapStatistic('plcc', bx, by),
          rmse: rootMeanSquareDifference(bx, by),
        };
        if (kind === 'none') return { ...raw, plccMapped: raw.plcc, rmseMapped: raw.rmse };
        // Skip the refit when the point fit is undefined: its interval is NaN too.
        if (out.mappingReason) return { ...raw, plccMapped: NaN, rmseMapped: NaN };
        const m = mapped(kind, bx, by, { maxEvaluations: 2000 });
        return { ...raw, plccMapped: m.plccMapped, rmseMapped: m.rmseMapped };
      },
      { seed: b.seed, resamples: b.resamples, confidence: b.confidence, clusters: options.clusters },
    );
    out.ci95 = { ...res.intervals, seed: b.seed, resamples: res.resamples, skipped: res.skipped, clusters: res.clusters };
  }
  return out;
}

