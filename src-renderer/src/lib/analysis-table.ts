/**
 * The Analysis page's tables as data: the correlation table (metric configurations × statistics,
 * grouped by the breakdown value, best value per column), the MOS table (sortable), and number
 * formatting. Pure functions, tested in test/renderer/analysis-table.test.ts.
 */
import type { CorrelationRow, JsonNum, MosRow } from '../../../src-main/common/domain';
import { metricById } from '../../../src-main/common/metric-registry';
import { bestRows, mappingNote, type StatKey } from '../../../src-main/common/analysis-stats';
import { canonicalParams, nonDefaultParams } from './results-table';

export type { StatKey };

export interface StatColumn {
  key: StatKey;
  label: string;
  /** RMSE: lower is better; correlations: higher magnitude is better. */
  lowerIsBetter: boolean;
  /** Which bootstrap interval belongs to the column. */
  ci: 'srocc' | 'krocc' | 'plcc' | 'rmse' | 'plccMapped' | 'rmseMapped' | null;
  /** The column depends on the fitted mapping (NaN with the row's mappingReason when it is not fitted). */
  mapped: boolean;
  title: string;
}

export const STAT_COLUMNS: readonly StatColumn[] = [
  { key: 'srocc', label: 'SROCC', lowerIsBetter: false, ci: 'srocc', mapped: false, title: "Spearman's rank-order correlation (average ranks)" },
  { key: 'krocc', label: 'KROCC', lowerIsBetter: false, ci: 'krocc', mapped: false, title: "Kendall's tau-b" },
  { key: 'plcc', label: 'PLCC', lowerIsBetter: false, ci: 'plcc', mapped: false, title: 'Pearson linear correlation of the raw scores' },
  { key: 'rmse', label: 'RMSE', lowerIsBetter: true, ci: 'rmse', mapped: false, title: 'Root mean square difference between the raw metric values and the MOS' },
  { key: 'plccMapped', label: 'PLCC (mapped)', lowerIsBetter: false, ci: 'plccMapped', mapped: true, title: 'Pearson correlation after the fitted mapping' },
  { key: 'rmseMapped', label: 'RMSE (mapped)', lowerIsBetter: true, ci: 'rmseMapped', mapped: true, title: 'RMSE after the fitted mapping (in MOS units)' },
  { key: 'rmseStar', label: 'RMSE*', lowerIsBetter: true, ci: null, mapped: true, title: 'ITU-T P.1401 epsilon-insensitive RMSE: errors reduced by each MOS 95 % interval, N − d degrees of freedom' },
  { key: 'outlierRatio', label: 'OR', lowerIsBetter: true, ci: null, mapped: true, title: 'ITU-T P.1401 outlier ratio: share of stimuli whose mapped prediction misses the MOS by more than its 95 % interval' },
];

/** The significance letters shown with a column (metrics sharing a letter do not differ, P.1401, α 0.05). */
export function significanceLetters(r: CorrelationRow, key: StatKey): string {
  if (!r.letters) return '';
  return key === 'srocc' ? r.letters.srocc : key === 'plccMapped' ? r.letters.plcc : key === 'rmseMapped' ? r.letters.rmse : '';
}

export const num = (v: JsonNum | undefined): number =>
  v === null || v === undefined ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v;

/** A statistic: fixed digits, NaN, ±∞. */
export function formatStat(v: JsonNum | undefined, digits = 4): string {
  const n = num(v);
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  return n.toFixed(digits).replace(/^-/, '−');
}

/** A 95 % interval compactly, e.g. "[0.81, 0.97]"; '' when there is none. */
export function formatCi(ci: readonly [JsonNum, JsonNum] | null | undefined, digits = 2): string {
  if (!ci) return '';
  const [lo, hi] = [num(ci[0]), num(ci[1])];
  if (Number.isNaN(lo) && Number.isNaN(hi)) return '';
  return `[${formatStat(lo, digits)}, ${formatStat(hi, digits)}]`;
}

/** One metric configuration (metric, parameters, pooling) across groups. */
export function configKey(r: Pick<CorrelationRow, 'metricId' | 'params' | 'pooling'>): string {
  return `${r.metricId}|${canonicalParams(r.params)}|${r.pooling}`;
}

/** One row of the correlation table (a configuration within a group). */
export function correlationKey(r: Pick<CorrelationRow, 'metricId' | 'params' | 'pooling' | 'group'>): string {
  return `${configKey(r)}|${r.group === null ? '' : `=${r.group}`}`;
}

/** Non-default parameters and a pooling other than mean, e.g. "variant=ffmpeg · p5"; '' for defaults. */
export function configDetail(r: Pick<CorrelationRow, 'metricId' | 'params' | 'pooling'>): string {
  const parts = nonDefaultParams(metricById(r.metricId), r.params);
  if (r.pooling !== 'mean') parts.push(r.pooling);
  return parts.join(' · ');
}

/** "PSNR ↑ dB", "SSIM-Y ↑": name, direction, unit. */
export function metricHeading(r: Pick<CorrelationRow, 'metricId' | 'metricName' | 'higherIsBetter'>): string {
  const unit = metricById(r.metricId)?.unit ?? '';
  return `${r.metricName} ${r.higherIsBetter ? '↑' : '↓'}${unit ? ` ${unit}` : ''}`;
}

/** The best rows per statistic, every tied one (empty when no finite value, and for the raw RMSE, not comparable across metrics): highest |r|, lowest mapped RMSE (common/analysis-stats.ts, as the export marks them). */
export { bestRows };

export interface CorrelationGroup {
  /** null = all stimuli. */
  group: string | null;
  rows: CorrelationRow[];
  best: Record<StatKey, number[]>;
}

/** Rows by group, all stimuli first, then the breakdown values in the engine's order. */
export function groupCorrelations(rows: readonly CorrelationRow[]): CorrelationGroup[] {
  const groups = new Map<string | null, CorrelationRow[]>();
  if (rows.some((r) => r.group === null)) groups.set(null, []);
  for (const r of rows) (groups.get(r.group) ?? groups.set(r.group, []).get(r.group)!).push(r);
  return [...groups].map(([group, rs]) => ({ group, rows: rs, best: bestRows(rs) }));
}

/**
 * Why RMSE* and the outlier ratio are NaN although the mapping was fitted: P.1401 counts N − d degrees
 * of freedom, and the engine computes them only from d + 2 stimuli on (d = the mapping's parameters).
 */
export function p1401Reason(r: CorrelationRow): string | null {
  if (r.mappingReason || !(Number.isNaN(num(r.rmseStar)) || Number.isNaN(num(r.outlierRatio)))) return null;
  const d = r.mapping?.params.length ?? 0;
  return r.n > 0 && r.n <= d + 1 ? `RMSE* and OR need at least ${d + 2} stimuli with a ${d}-parameter mapping (ITU-T P.1401, N − d degrees of freedom), got ${r.n}` : null;
}

/** Why a row's statistics are NaN, in words; null when they are not. */
export function nanReason(r: CorrelationRow): string | null {
  const anyNaN = STAT_COLUMNS.some((s) => Number.isNaN(num(r[s.key])));
  if (!anyNaN) return null;
  if (r.reason) return r.reason;
  const rawNaN = STAT_COLUMNS.some((s) => !s.mapped && Number.isNaN(num(r[s.key])));
  if (r.mappingReason && !rawNaN) return `mapped values NaN: ${r.mappingReason}`;
  const p1401 = p1401Reason(r);
  if (p1401) return p1401;
  if (r.n < 3) return `only ${r.n} ${r.n === 1 ? 'stimulus' : 'stimuli'} with both a metric value and a MOS`;
  return 'undefined for these values';
}

/**
 * The flag of a row whose mapping fell back (e.g. logistic5 → logistic4) or is degenerate but kept: a
 * short label for the metric cell and the full sentence for its title; null when there is nothing to say.
 */
export function mappingFlag(r: CorrelationRow): { label: string; title: string } | null {
  const note = mappingNote(r);
  if (!note) return null;
  const m = r.mapping!;
  const label = m.fallback ? `${m.kind} (fallback)` : `degenerate fit: ${m.degenerate!.issue}`;
  return { label, title: note };
}

/** Why one cell is NaN: the mapping's reason for the columns that depend on it, else the row's. */
export function cellReason(r: CorrelationRow, key: StatKey): string | null {
  if (!Number.isNaN(num(r[key]))) return null;
  const col = STAT_COLUMNS.find((s) => s.key === key);
  if (col?.mapped && r.mappingReason) return r.mappingReason;
  return nanReason(r);
}

// ---- MOS table ----

/** 'stimulus', 'reference', 'attr:<name>', 'mos', 'ci', 'std' or 'n'. */
export type MosSortKey = string;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function mosAttributeKeys(rows: readonly MosRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.attributes)))].sort((a, b) => a.localeCompare(b));
}

const ciWidth = (r: MosRow): number => num(r.ci95[1]) - num(r.ci95[0]);

/** Sorted copy; NaN last in both directions; ties by name. 'ci' sorts by the interval's width. */
export function sortMosRows(rows: readonly MosRow[], key: MosSortKey, descending: boolean): MosRow[] {
  const dir = descending ? -1 : 1;
  const byName = (a: MosRow, b: MosRow) => collator.compare(a.stimulus, b.stimulus) || a.stimulusId - b.stimulusId;
  const numeric: Record<string, (r: MosRow) => number> = { mos: (r) => num(r.mos), std: (r) => num(r.std), n: (r) => r.n, ci: ciWidth };
  const f = numeric[key];
  if (f) {
    return [...rows].sort((a, b) => {
      const va = f(a);
      const vb = f(b);
      const na = Number.isNaN(va);
      const nb = Number.isNaN(vb);
      if (na !== nb) return na ? 1 : -1;
      if (!na && va !== vb) return (va < vb ? -1 : 1) * dir;
      return byName(a, b);
    });
  }
  const text = (r: MosRow) => (key === 'reference' ? (r.reference ?? '') : key.startsWith('attr:') ? (r.attributes[key.slice(5)] ?? '') : r.stimulus);
  return [...rows].sort((a, b) => {
    const ta = text(a);
    const tb = text(b);
    if (!ta !== !tb) return ta ? -1 : 1;
    return collator.compare(ta, tb) * dir || byName(a, b);
  });
}

/** "3.42" with the scale's precision: two decimals. */
export const formatMos = (v: JsonNum): string => formatStat(v, 2);

// ---- colours ----

/** Qualitative palette (Tableau 10), readable on white. */
export const PALETTE = ['#2f6fdb', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];

/** A colour per group value, in order of first appearance (values sorted), null mapped to the first. */
export function groupColors(groups: readonly (string | null)[]): Map<string | null, string> {
  const values = [...new Set(groups)].sort((a, b) => (a === null ? -1 : b === null ? 1 : collator.compare(a, b)));
  return new Map(values.map((g, i) => [g, PALETTE[i % PALETTE.length]!]));
}
