/**
 * What the MOS-vs-metric scatter plot shows, independent of how it is drawn: points per breakdown
 * value (coloured), each with its MOS 95 % interval, the fitted mapping curve, axis ranges and
 * labels. The chart.js canvas (views/ScatterChart.svelte) and the SVG export (scatter-svg.ts) both
 * draw this model. Pure, tested in test/renderer/scatter.test.ts.
 */
import type { CorrelationRow, MosRow } from '../../../src-main/common/domain';
import { configDetail, formatStat, groupColors, metricHeading, num } from './analysis-table';
import { sampleMappingCurve } from './mapping-curve';
import { metricById } from '../../../src-main/common/metric-registry';

export interface ScatterPoint {
  stimulusId: number;
  label: string;
  x: number;
  y: number;
  /** MOS 95 % interval; null when not finite. */
  lo: number | null;
  hi: number | null;
}

export interface ScatterSeries {
  /** The breakdown value; '' when there is no breakdown (or a stimulus lacks the attribute). */
  name: string;
  color: string;
  points: ScatterPoint[];
}

export interface ScatterModel {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: ScatterSeries[];
  curve: { x: number; y: number }[] | null;
  curveLabel: string;
  /** Why there is no curve, in words (null when there is one). */
  curveNote: string | null;
  xRange: [number, number];
  yRange: [number, number];
  /** Tick spacing: the ranges are whole multiples of it. */
  xStep: number;
  yStep: number;
  /** The breakdown attribute the colours stand for (null: one colour). */
  colourBy: string | null;
}

export interface ScatterContext {
  /** The breakdown of the report (the row's group belongs to it). */
  by: string | null;
  differential: boolean;
  scale: { min: number; max: number };
  mapping: string;
  /**
   * Colour the points by this breakdown name (common/analysis-breakdown.ts) instead of `by`; null: one
   * colour. Needs `groupOf` unless it equals `by`.
   */
  colourBy?: string | null;
  /** The value of `colourBy` for a stimulus. */
  groupOf?: (stimulusId: number) => string | null;
}

function paddedRange(values: number[], pad = 0.05): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    const d = Math.abs(lo) * 0.05 || 0.5;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * pad;
  lo -= d;
  hi += d;
  return [lo, hi];
}

const MAPPING_LABEL: Record<string, string> = {
  logistic5: '5-parameter logistic',
  logistic4: '4-parameter logistic',
  'cubic-monotonic': 'monotonic cubic',
  cubic: 'monotonic cubic',
  linear: 'linear',
};

export function buildScatterModel(row: CorrelationRow, mos: readonly MosRow[], ctx: ScatterContext): ScatterModel {
  const mosById = new Map(mos.map((m) => [m.stimulusId, m]));
  const colourBy = ctx.colourBy === undefined ? ctx.by : ctx.colourBy;
  const valueOf = (p: CorrelationRow['points'][number]): string | null => (colourBy === ctx.by || !ctx.groupOf ? p.group : ctx.groupOf(p.stimulusId));
  const names = row.points.map((p) => (colourBy ? (valueOf(p) ?? '') : ''));
  const colors = groupColors(names.map((n) => n || null));
  const seriesByName = new Map<string, ScatterSeries>();
  row.points.forEach((p, i) => {
    const name = names[i]!;
    let s = seriesByName.get(name);
    if (!s) seriesByName.set(name, (s = { name, color: colors.get(name || null)!, points: [] }));
    const m = mosById.get(p.stimulusId);
    const lo = m ? num(m.ci95[0]) : Number.NaN;
    const hi = m ? num(m.ci95[1]) : Number.NaN;
    s.points.push({
      stimulusId: p.stimulusId,
      label: m?.stimulus ?? `#${p.stimulusId}`,
      x: p.x,
      y: p.y,
      lo: Number.isFinite(lo) ? lo : null,
      hi: Number.isFinite(hi) ? hi : null,
    });
  });
  const series = [...seriesByName.values()].sort((a, b) => (a.name === '' ? -1 : b.name === '' ? 1 : a.name.localeCompare(b.name, undefined, { numeric: true })));
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const x = niceRange(paddedRange(xs, 0.04));
  const ys = all.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]);
  const [ylo, yhi] = paddedRange(ys, 0.03);
  const y = niceRange([Math.min(ylo, ctx.scale.min), Math.max(yhi, ctx.scale.max)], 5);
  // Axes stay inside what each quantity can be: the metric's range (no MSE below 0, no SSIM above 1), and
  // the rating scale for the MOS (or the difference scores' range).
  const xRange = withinDomain(x.range, metricById(row.metricId)?.range ?? [null, null], xs);
  const yRange = withinDomain(y.range, [ctx.scale.min, ctx.scale.max], ys);

  const kind = row.mapping?.kind ?? ctx.mapping;
  const curve = all.length && !row.mappingReason ? sampleMappingCurve(row.mapping, xRange[0], xRange[1]) : null;
  let curveNote: string | null = null;
  if (!curve) {
    if (kind === 'none') curveNote = 'No mapping chosen: no fitted curve.';
    else if (all.length === 0) curveNote = 'No stimulus has both a metric value and a MOS.';
    else if (row.mappingReason) curveNote = `No fitted curve: ${row.mappingReason}.`;
    else curveNote = `No fitted curve: the ${MAPPING_LABEL[kind] ?? kind} fit is undefined${row.reason ? ` (${row.reason})` : ''}.`;
  }
  const detail = configDetail(row);
  const yName = ctx.differential ? 'DMOS' : 'MOS';
  return {
    title: `${row.metricName}${detail ? ` (${detail})` : ''} vs ${yName}${row.group !== null ? ` — ${ctx.by ?? 'group'} = ${row.group}` : ''}`,
    subtitle: `SROCC ${formatStat(row.srocc, 3)} · PLCC (mapped) ${formatStat(row.plccMapped, 3)} · RMSE (mapped) ${formatStat(row.rmseMapped, 3)} · n = ${row.n}`,
    xLabel: metricHeading(row),
    yLabel: `${yName} (95 % CI)`,
    series,
    curve,
    curveLabel: `fitted ${MAPPING_LABEL[kind] ?? kind}`,
    curveNote,
    xRange,
    yRange,
    xStep: x.step,
    yStep: y.step,
    colourBy,
  };
}

/**
 * The axis range cut to the quantity's domain (null: open), never so far that a value drawn falls off it
 * (a value outside the domain, which should not happen, stays visible).
 */
export function withinDomain([lo, hi]: [number, number], [min, max]: readonly [number | null, number | null], values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  const dataLo = finite.length ? Math.min(...finite) : lo;
  const dataHi = finite.length ? Math.max(...finite) : hi;
  const a = min !== null && lo < min ? Math.min(min, dataLo) : lo;
  const b = max !== null && hi > max ? Math.max(max, dataHi) : hi;
  return b > a ? [a, b] : [lo, hi];
}

/** The range widened to whole tick steps (so both axis ends carry a round label), and the step. */
export function niceRange([lo, hi]: [number, number], target = 6): { range: [number, number]; step: number } {
  const { step } = niceTicks(lo, hi, target);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) return { range: [lo, hi], step };
  const round = (v: number) => Number(v.toPrecision(12));
  return { range: [round(Math.floor(lo / step + 1e-9) * step), round(Math.ceil(hi / step - 1e-9) * step)], step };
}

/** Evenly spaced "nice" tick values (steps of 1, 2 or 5 × 10^k) within [min, max]. */
export function niceTicks(min: number, max: number, target = 6): { ticks: number[]; step: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return { ticks: [min], step: 1 };
  const raw = (max - min) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { ticks, step };
}

/** A tick label with as many decimals as the step needs. */
export function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals).replace(/^-/, '−');
}
