/**
 * How well one objective metric predicts the MOS, per ITU-T P.1401 / VQEG: SROCC (average ranks),
 * KROCC (tau-b), PLCC and RMSE on the raw scores, then PLCC and RMSE after a monotone mapping fitted
 * to the MOS (VQEG 5-parameter logistic by default; the procedure, its diagnoses and fallbacks are in
 * mapping-fit.ts and docs/analysis.md), with bootstrap 95 % intervals (seed stored).
 * The mapping is monotone in `direction` (the metric's, from the caller; default the sign of the PLCC).
 *
 * Decided cases:
 * - fewer than 3 finite pairs: RangeError (a caller error, as for every correlation kernel);
 * - from 3 pairs on, the raw SROCC, KROCC, PLCC and RMSE are always computed (NaN with `reason` only for
 *   a constant vector);
 * - a mapping that cannot be fitted — fewer than d + 1 pairs for its d parameters (6 for logistic5,
 *   5 for logistic4 and cubic, 3 for linear), a fit that is degenerate after the fallbacks (flat, against the
 *   direction, or, with fallback off, not converged / not monotone / step-like) — leaves only the mapped
 *   PLCC / RMSE NaN, with the cause in `mappingReason`; nothing throws. A fit with extreme parameters is a
 *   usable monotone curve: its values are kept and `mapping.degenerate` says so. A fallback (logistic5 →
 *   logistic4 → monotone cubic) is in `mapping.fallback`;
 * - bootstrap intervals for all six statistics on the same resamples (multi-bootstrap.ts), BCa by default.
 *   On every resample (and every jackknife sample) the mapping of the kind actually fitted is refitted,
 *   warm-started from the full-data fit (at most 300 residual evaluations, curve_fit's tolerances); a
 *   logistic5 that leaves the monotone set is refitted on its boundary (logistic4, warm-started too); a
 *   resample where no monotone fit results is skipped for the mapped statistics and counted in
 *   `ci95.skipped`.
 */
import { plcc, rmse, srocc, rootMeanSquareDifference, type UndefinedCorrelationReason } from './correlation';
import { krocc } from './kendall';
import { fitMapping, type FitDiagnosis, type MappingFallback, type MappingFit, type MappingFitOptions } from './mapping-fit';
import { MAPPING_PARAMETER_COUNT, type MappingKind } from './mapping-models';
import { bootstrapStatistic } from './bootstrap';
import { bootstrapStatistics } from './multi-bootstrap';
import type { IntervalMethod } from './bca-interval';

export type MappingChoice = MappingKind | 'none';

export interface MetricVsMosOptions {
  mapping?: MappingChoice;
  /** The mapping rises (+1) or falls (−1) with the metric; default the sign of the PLCC. */
  direction?: 1 | -1;
  /** Bootstrap resampling for the intervals; omit to skip them. */
  bootstrap?: { seed: number; resamples?: number; confidence?: number; interval?: IntervalMethod };
  /** Source content of each stimulus: the bootstrap then resamples whole contents (cluster bootstrap). */
  clusters?: ArrayLike<string>;
  /** Options of the point fit (a start, iteration limits, fallback); the defaults of mapping-fit.ts otherwise. */
  fit?: MappingFitOptions;
}

/** The statistics that get a bootstrap interval. */
export const INTERVAL_STATISTICS = ['srocc', 'krocc', 'plcc', 'rmse', 'plccMapped', 'rmseMapped'] as const;
export type IntervalStatistic = (typeof INTERVAL_STATISTICS)[number];

/** The fitted mapping as a result carries it. */
export interface MappingSummary {
  /** The kind fitted (the requested one unless `fallback`). */
  kind: MappingChoice;
  /** The kind asked for. */
  requested: MappingChoice;
  params: number[];
  sse: number;
  converged: boolean;
  solver: string;
  iterations: number;
  /** +1 rising, −1 falling. */
  direction: 1 | -1;
  /** Starts tried (logistic fits). */
  starts: number;
  fallback: MappingFallback | null;
  degenerate: FitDiagnosis | null;
}

export interface MetricVsMos {
  nTotal: number;
  n: number;
  srocc: number;
  krocc: number;
  plcc: number;
  rmse: number;
  pValues: { srocc: number; krocc: number; plcc: number };
  /** The fitted mapping; when it could not be fitted its params are NaN and `converged` is false. */
  mapping: MappingSummary | null;
  plccMapped: number;
  rmseMapped: number;
  /** Present when a coefficient is NaN because a vector is constant. */
  reason?: UndefinedCorrelationReason;
  /** Present when the mapped PLCC / RMSE are NaN: why the mapping could not be fitted or used. */
  mappingReason?: string;
  /** The mapped prediction q(x) of each finite pair, in input order (the raw x for mapping 'none'); NaN when unfitted. */
  predictions: Float64Array;
  ci95?: Record<IntervalStatistic, [number, number]> & {
    seed: number;
    resamples: number;
    skipped: Record<IntervalStatistic, number>;
    clusters: number | null;
    method: IntervalMethod;
    /** Statistics whose interval was extended to reach its estimate (bca-interval.ts). */
    widened: IntervalStatistic[];
  };
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
  const via = fit.fallback ? `${fit.kind} (fallen back from ${kind}: ${fit.fallback.because})` : kind;
  if (fit.reason) return { fit, plccMapped: NaN, rmseMapped: NaN, reason: `the ${via} mapping is undefined (${fit.reason})` };
  if (fit.degenerate && fit.degenerate.issue !== 'extreme-parameters') {
    const d = fit.degenerate;
    const what = d.issue === 'not-converged' ? 'did not converge' : d.issue === 'not-monotone' ? 'is not monotone over the data range' : d.issue === 'step' ? 'is step-like' : 'is flat';
    return { fit, plccMapped: NaN, rmseMapped: NaN, reason: `the ${via} fit ${what} (${d.detail})` };
  }
  if (!Number.isFinite(fit.rmseMapped)) return { fit, plccMapped: NaN, rmseMapped: NaN, reason: `the ${via} fit gave non-finite predictions` };
  return { fit, plccMapped: fit.plccMapped, rmseMapped: fit.rmseMapped };
}

/** Iteration limits of a resample's refit: curve_fit's tolerances, and a budget a warm start needs. */
const RESAMPLE_FIT: MappingFitOptions = { maxEvaluations: 300, ftol: 1.49012e-8, xtol: 1.49012e-8, fallback: false };

/**
 * On a resample any monotone least-squares curve of the kind counts (a step-like one, or one whose
 * parameters run off, included): the resample's statistic is what the fit gives there.
 */
function usableOnResample(fit: MappingFit): boolean {
  const issue = fit.degenerate?.issue;
  return !fit.reason && (issue === undefined || issue === 'extreme-parameters' || issue === 'step') && Number.isFinite(fit.rmseMapped);
}

/**
 * The mapped statistics of one resample (or jackknife sample): the kind of the full-data fit, warm-started
 * from its parameters; a logistic5 that leaves the monotone set is refitted on its boundary b4 = 0 (the
 * logistic4, warm-started from the same sigmoid), as the full-data procedure does; NaN (skipped) when
 * neither gives a usable monotone curve.
 */
function refit(point: MappingFit, x: Float64Array, y: Float64Array): { plccMapped: number; rmseMapped: number } {
  const kind = point.kind;
  const none = { plccMapped: NaN, rmseMapped: NaN };
  if (x.length < minimumPairsForMapping(kind)) return none;
  const base: MappingFitOptions = { ...RESAMPLE_FIT, direction: point.direction };
  try {
    if (kind !== 'logistic5' && kind !== 'logistic4') {
      const fit = fitMapping(kind, x, y, base);
      return usableOnResample(fit) ? { plccMapped: fit.plccMapped, rmseMapped: fit.rmseMapped } : none;
    }
    let fit = fitMapping(kind, x, y, { ...base, p0: point.params });
    if (!usableOnResample(fit) && kind === 'logistic5' && x.length >= minimumPairsForMapping('logistic4')) {
      // With b4 = 0: b1·(½ − σ(−b2(x − b3))) + b5 = b1·σ(b2(x − b3)) + b5 − b1/2, and σ(−z) = 1 − σ(z).
      const [b1, b2, b3, , b5] = point.params as [number, number, number, number, number];
      const [hi, lo] = b2 >= 0 ? [b5 + b1 / 2, b5 - b1 / 2] : [b5 - b1 / 2, b5 + b1 / 2];
      fit = fitMapping('logistic4', x, y, { ...base, p0: [hi, lo, b3, 1 / Math.abs(b2)] });
    }
    return usableOnResample(fit) ? { plccMapped: fit.plccMapped, rmseMapped: fit.rmseMapped } : none;
  } catch {
    return none;
  }
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
  let pointFit: MappingFit | null = null;
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
    const direction: 1 | -1 = options.direction ?? (p.value < 0 ? -1 : 1);
    out.mapping = { kind: 'none', requested: 'none', params: [], sse: NaN, converged: true, solver: 'identity', iterations: 0, direction, starts: 0, fallback: null, degenerate: null };
    out.plccMapped = p.value;
    out.rmseMapped = r.value;
    out.predictions = x.slice();
    if (p.reason) out.mappingReason = `PLCC undefined (${p.reason})`;
  } else {
    const m = mapped(kind, x, y, { ...(options.direction ? { direction: options.direction } : {}), ...options.fit });
    pointFit = m.reason ? null : m.fit;
    out.mapping = m.fit
      ? {
          kind: m.fit.kind,
          requested: kind,
          params: m.fit.params,
          sse: m.fit.sse,
          converged: m.fit.converged,
          solver: m.fit.solver,
          iterations: m.fit.iterations,
          direction: m.fit.direction,
          starts: m.fit.starts,
          fallback: m.fit.fallback,
          degenerate: m.fit.degenerate,
        }
      : {
          kind,
          requested: kind,
          params: new Array<number>(MAPPING_PARAMETER_COUNT[kind]).fill(NaN),
          sse: NaN,
          converged: false,
          solver: 'none',
          iterations: 0,
          direction: options.direction ?? (p.value < 0 ? -1 : 1),
          starts: 0,
          fallback: null,
          degenerate: null,
        };
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
        if (!pointFit) return { ...raw, plccMapped: NaN, rmseMapped: NaN };
        return { ...raw, ...refit(pointFit, bx, by) };
      },
      { seed: b.seed, resamples: b.resamples, confidence: b.confidence, clusters: options.clusters, interval: b.interval },
    );
    out.ci95 = { ...res.intervals, seed: b.seed, resamples: res.resamples, skipped: res.skipped, clusters: res.clusters, method: res.method, widened: res.widened };
  }
  return out;
}

