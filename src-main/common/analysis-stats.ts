/**
 * The statistics of a correlation row (domain.CorrelationRow) as data, and which row of a group is best
 * for each: shared by the analysis export (services/export/analysis-export.ts, bold cells) and the
 * Analysis page (src-renderer/src/lib/analysis-table.ts, highlighted cells), so both mark the same one.
 * Best = the highest magnitude for a correlation (a lower-is-better metric's negative coefficients
 * count as they should), the lowest value for the mapped RMSE, RMSE* and the outlier ratio; NaN never wins;
 * tied rows are all best; the raw RMSE has no best (its units differ between metrics).
 */
import type { CorrelationRow, JsonNum } from './domain';
import { fromJsonNumber } from './json-numbers';

export const CORRELATION_STATS = [
  { key: 'srocc', lowerIsBetter: false },
  { key: 'krocc', lowerIsBetter: false },
  { key: 'plcc', lowerIsBetter: false },
  { key: 'rmse', lowerIsBetter: true },
  { key: 'plccMapped', lowerIsBetter: false },
  { key: 'rmseMapped', lowerIsBetter: true },
  { key: 'rmseStar', lowerIsBetter: true },
  { key: 'outlierRatio', lowerIsBetter: true },
] as const satisfies readonly { key: keyof CorrelationRow; lowerIsBetter: boolean }[];

export type StatKey = (typeof CORRELATION_STATS)[number]['key'];

/** A statistic as a number (NaN for null or a missing value). */
export const statNumber = (v: JsonNum | undefined): number => (v === null || v === undefined ? Number.NaN : fromJsonNumber(v));

/**
 * Statistics that get no "best" mark: the raw RMSE is in each metric's own units against the MOS (dB for
 * PSNR, squared pixel values for MSE, SSIM's 0..1), so across metrics it is not comparable; the mapped
 * RMSE, on the MOS scale, is.
 */
export const UNRANKED_STATS: ReadonlySet<StatKey> = new Set<StatKey>(['rmse']);

/**
 * The best rows per statistic within a group: every row that ties for the best value (all of them are
 * marked), empty when no row has a finite value and for the unranked statistics (UNRANKED_STATS).
 */
export function bestRows(rows: readonly CorrelationRow[]): Record<StatKey, number[]> {
  const best = {} as Record<StatKey, number[]>;
  for (const s of CORRELATION_STATS) {
    let idx: number[] = [];
    let bestScore = Number.NaN;
    if (!UNRANKED_STATS.has(s.key)) {
      rows.forEach((r, i) => {
        const v = statNumber(r[s.key]);
        if (!Number.isFinite(v)) return;
        const score = s.lowerIsBetter ? -v : Math.abs(v);
        if (idx.length === 0 || score > bestScore) {
          idx = [i];
          bestScore = score;
        } else if (score === bestScore) idx.push(i);
      });
    }
    best[s.key] = idx;
  }
  return best;
}

/**
 * What became of a row's mapping when it is not simply the kind asked for: a fallback, or a degenerate fit
 * whose values are kept (extreme parameters); '' otherwise (a fit that gives no values is the row's
 * mappingReason). Shared by the exports (a † on the mapped values, the note below the table) and the
 * Analysis page (a flag in the metric cell).
 */
export function mappingNote(r: Pick<CorrelationRow, 'mapping' | 'mappingReason'>): string {
  const m = r.mapping;
  if (!m || r.mappingReason) return '';
  const parts: string[] = [];
  if (m.fallback) parts.push(`fitted ${m.kind} instead of ${m.fallback.from} (${m.fallback.because})`);
  if (m.degenerate) parts.push(`degenerate fit, ${m.degenerate.issue}: ${m.degenerate.detail}`);
  return parts.join('; ');
}
