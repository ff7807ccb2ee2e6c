/**
 * The results table: stored metric values (long format, one row per stimulus × metric
 * configuration) pivoted into one row per distorted stimulus and one column per configuration,
 * with formatting, search/filter and sorting. Pure functions, tested without a browser
 * (test/renderer/results-table.test.ts).
 */
import type { MetricResultRow, Stimulus } from '../../../src-main/common/domain';
import type { ClassDistribution } from '../../../src-main/common/metric-summary';
import { POOLINGS, type MetricDescriptor, type MetricParams } from '../../../src-main/common/metric-registry';
import { matchesQuery } from './stimuli-table';

export type CellValue = MetricResultRow['value'];

export interface ResultColumn {
  /** metric id, version, canonical parameters and pooling: one column per distinct configuration. */
  key: string;
  metricId: string;
  metricVersion: string;
  name: string;
  unit: string;
  /** null when the metric is not in the registry (a value stored by another version of the app). */
  higherIsBetter: boolean | null;
  params: MetricParams;
  pooling: string;
  /** Compact text under the name: non-default parameters, a pooling other than mean, a version when two are stored. */
  detail: string;
  /** Everything about the configuration, for a tooltip. */
  title: string;
  /**
   * Digits after the point, the same for every value of the column: the descriptor's (dB: 2, bounded
   * by 1: 4), else enough for five significant digits of the column's largest value (columnDecimals);
   * null: no finite value, or magnitudes for exponent notation (4 significant digits each).
   */
  decimals: number | null;
  /** The execution provider a neural metric ran on (cpu, cuda); null for kernel metrics. */
  provider: string | null;
}

export interface ResultRow {
  stimulusId: number;
  name: string;
  path?: string;
  codec?: string | null;
  referenceName: string | null;
  attributes: Record<string, string>;
  /** By column key; a missing key means not computed for this configuration. */
  values: Record<string, CellValue>;
  frames: Record<string, number>;
  /** By column key: the distortion-type distribution a metric reported (IQA-CNN++), where it did. */
  distortion: Record<string, ClassDistribution>;
}

export interface ResultsTable {
  columns: ResultColumn[];
  rows: ResultRow[];
  /** Attribute names over all rows, sorted: one column each. */
  attributeKeys: string[];
}

/** Canonical text of parameters (sorted keys), as the engine's paramsKey. */
export function canonicalParams(params: MetricParams): string {
  return JSON.stringify(Object.fromEntries(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export function columnKey(r: Pick<MetricResultRow, 'metricId' | 'metricVersion' | 'params' | 'pooling'>): string {
  return `${r.metricId}@${r.metricVersion}|${canonicalParams(r.params)}|${r.pooling}`;
}

/** Parameters that differ from the descriptor's defaults, as `name=value`. */
export function nonDefaultParams(d: MetricDescriptor | undefined, params: MetricParams): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(params).sort(([a], [b]) => a.localeCompare(b))) {
    const spec = d?.params.find((p) => p.name === k);
    if (!spec || spec.default !== v) out.push(`${k}=${v}`);
  }
  return out;
}

/** PSNR-like (dB): 2 decimals; bounded by 1 (SSIM-like): 4; anything else: 5 significant digits. */
export function decimalsFor(d: MetricDescriptor | undefined): number | null {
  if (!d) return null;
  if (d.unit === 'dB') return 2;
  if (d.range[1] !== null && d.range[1] <= 1) return 4;
  return null;
}

/** Significant digits of the largest value in a column without descriptor decimals. */
export const COLUMN_SIGNIFICANT_DIGITS = 5;

/**
 * Decimals that give the column's largest finite value COLUMN_SIGNIFICANT_DIGITS significant digits,
 * so that every value of the column has the same decimals (and lines up on the point); null when the
 * column has no finite value or its magnitude calls for exponent notation (formatValue's range).
 */
export function columnDecimals(values: readonly (CellValue | undefined)[]): number | null {
  let max = 0;
  let any = false;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    any = true;
    max = Math.max(max, Math.abs(v));
  }
  if (!any) return null;
  if (max === 0) return 0;
  if (max >= 1e6 || max < 1e-4) return null;
  return Math.min(10, Math.max(0, COLUMN_SIGNIFICANT_DIGITS - 1 - Math.floor(Math.log10(max))));
}

export function formatValue(v: CellValue | undefined, decimals: number | null): string {
  if (v === undefined) return '';
  if (v === null) return 'NaN';
  if (v === 'Infinity') return '∞';
  if (v === '-Infinity') return '−∞';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '−∞';
  if (decimals !== null) return v.toFixed(decimals);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

/** A cell as a number for sorting: ±Infinity for the strings, NaN for null, undefined when not computed. */
export function numericValue(v: CellValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === null) return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return v;
}

const POOLING_ORDER: readonly string[] = POOLINGS;

/**
 * Rows per distorted stimulus, columns per metric configuration, ordered as the registry lists the
 * metrics (default parameters first). `stimuli` (optional) adds path and codec for the search box.
 * When a stimulus has two values for one column (it cannot, short of a store edited by hand), the
 * later run wins.
 */
export function pivotResults(
  results: readonly MetricResultRow[],
  descriptors: readonly MetricDescriptor[],
  stimuli: readonly Stimulus[] = [],
): ResultsTable {
  const byId = new Map(descriptors.map((d, i) => [d.id, { d, i }]));
  const stimulusById = new Map(stimuli.map((s) => [s.id, s]));
  const columns = new Map<string, ResultColumn & { order: [number, number, string, number] }>();
  const rows = new Map<number, ResultRow & { runs: Record<string, number> }>();
  const versions = new Map<string, Set<string>>();

  for (const r of results) {
    const key = columnKey(r);
    const versionless = `${r.metricId}|${canonicalParams(r.params)}|${r.pooling}`;
    (versions.get(versionless) ?? versions.set(versionless, new Set()).get(versionless)!).add(r.metricVersion);
    if (!columns.has(key)) {
      const entry = byId.get(r.metricId);
      const d = entry?.d;
      const nonDefault = nonDefaultParams(d, r.params);
      const paramText = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(', ');
      columns.set(key, {
        key,
        metricId: r.metricId,
        metricVersion: r.metricVersion,
        name: d?.name ?? r.metricId,
        unit: d?.unit ?? '',
        higherIsBetter: d ? d.higherIsBetter : null,
        params: r.params,
        pooling: r.pooling,
        detail: '',
        title: [
          `${d?.name ?? r.metricId} (${r.metricId} v${r.metricVersion})`,
          d ? (d.higherIsBetter ? 'higher is better' : 'lower is better') : '',
          paramText ? `parameters: ${paramText}` : 'no parameters',
          `pooling: ${r.pooling}`,
          r.modelSha256 ? `model file sha256 ${r.modelSha256}` : '',
          r.provider ? `ran on ${r.provider === 'cuda' ? 'the GPU (CUDA)' : 'the CPU'}` : '',
        ].filter(Boolean).join('\n'),
        provider: r.provider,
        decimals: decimalsFor(d),
        order: [entry?.i ?? Number.MAX_SAFE_INTEGER, nonDefault.length, canonicalParams(r.params), POOLING_ORDER.indexOf(r.pooling) >>> 0],
      });
    }
    let row = rows.get(r.stimulusId);
    if (!row) {
      const s = stimulusById.get(r.stimulusId);
      row = {
        stimulusId: r.stimulusId,
        name: r.stimulus,
        ...(s ? { path: s.path, codec: s.codec } : {}),
        referenceName: r.reference,
        attributes: r.attributes,
        values: {},
        frames: {},
        distortion: {},
        runs: {},
      };
      rows.set(r.stimulusId, row);
    }
    if (row.runs[key] === undefined || r.runId >= row.runs[key]!) {
      row.values[key] = r.value;
      row.frames[key] = r.frames;
      row.runs[key] = r.runId;
      if (r.summary?.distortion) row.distortion[key] = r.summary.distortion;
      else delete row.distortion[key];
    }
  }

  for (const c of columns.values()) {
    if (c.decimals === null) c.decimals = columnDecimals([...rows.values()].map((r) => r.values[c.key]));
    const parts = nonDefaultParams(byId.get(c.metricId)?.d, c.params);
    if (c.pooling !== 'mean') parts.push(c.pooling);
    if (c.provider) parts.push(c.provider);
    if ((versions.get(`${c.metricId}|${canonicalParams(c.params)}|${c.pooling}`)?.size ?? 0) > 1) parts.push(`v${c.metricVersion}`);
    c.detail = parts.join(' · ');
  }
  const cmp = (a: (string | number)[], b: (string | number)[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return 0;
  };
  const sortedColumns = [...columns.values()]
    .sort((a, b) => cmp([a.order[0], a.metricId, ...a.order.slice(1)], [b.order[0], b.metricId, ...b.order.slice(1)]) || cmp([a.metricVersion], [b.metricVersion]))
    .map(({ order: _order, ...c }) => c);
  const attributeKeys = [...new Set([...rows.values()].flatMap((r) => Object.keys(r.attributes)))].sort((a, b) => a.localeCompare(b));
  return {
    columns: sortedColumns,
    rows: [...rows.values()].map(({ runs: _runs, ...r }) => r),
    attributeKeys,
  };
}

/** 'name', 'reference', 'attr:<name>' or 'col:<column key>'. */
export type ResultSortKey = string;

export interface ResultsQuery {
  search: string;
  filters: Record<string, string>;
  sort: ResultSortKey;
  descending: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Sorted copy. Text sorts naturally (level 2 before level 10); numbers by value with ∞ above every
 * finite value. NaN and not-computed cells go last in both directions; ties keep the name order.
 */
export function sortResultRows(rows: readonly ResultRow[], sort: ResultSortKey, descending: boolean): ResultRow[] {
  const dir = descending ? -1 : 1;
  const byName = (a: ResultRow, b: ResultRow) => collator.compare(a.name, b.name) || a.stimulusId - b.stimulusId;
  if (sort.startsWith('col:')) {
    const key = sort.slice(4);
    const rank = (v: number | undefined) => (v === undefined ? 2 : Number.isNaN(v) ? 1 : 0);
    return [...rows].sort((a, b) => {
      const va = numericValue(a.values[key]);
      const vb = numericValue(b.values[key]);
      const ra = rank(va);
      const rb = rank(vb);
      if (ra !== rb) return ra - rb;
      if (ra === 0 && va !== vb) return (va! < vb! ? -1 : 1) * dir;
      return byName(a, b);
    });
  }
  const text = (r: ResultRow): string =>
    sort === 'reference' ? (r.referenceName ?? '') : sort.startsWith('attr:') ? (r.attributes[sort.slice(5)] ?? '') : r.name;
  return [...rows].sort((a, b) => {
    const ta = text(a);
    const tb = text(b);
    if (!ta !== !tb) return ta ? -1 : 1; // empty last
    return collator.compare(ta, tb) * dir || byName(a, b);
  });
}

/** Rows the search box and attribute filters keep (the same rules as the stimuli table), sorted. */
export function queryResults(rows: readonly ResultRow[], q: ResultsQuery): ResultRow[] {
  return sortResultRows(
    rows.filter((r) => matchesQuery(r, q.search, q.filters)),
    q.sort,
    q.descending,
  );
}

/** Header text: name, direction arrow and unit, e.g. "PSNR ↑ dB". */
export function columnHeading(c: Pick<ResultColumn, 'name' | 'higherIsBetter' | 'unit'>): string {
  const arrow = c.higherIsBetter === null ? '' : c.higherIsBetter ? ' ↑' : ' ↓';
  return `${c.name}${arrow}${c.unit ? ` ${c.unit}` : ''}`;
}

/** The most likely distortion type and, for a tooltip, every type's probability, most likely first. */
export function distortionText(d: ClassDistribution): { top: string; title: string } {
  const ranked = d.labels.map((l, i) => [l, d.probabilities[i] ?? Number.NaN] as const).sort((a, b) => b[1] - a[1]);
  return { top: d.top, title: `distortion type (mean of patch probabilities): ${ranked.map(([l, p]) => `${l} ${p.toFixed(3)}`).join(', ')}` };
}
