/**
 * Per-frame curves of one video stimulus ('metrics.frames') as lines to plot: one per metric
 * configuration (poolings share their frames, so they are drawn once), titled with the stimulus and
 * its MOS. ±∞ and NaN frames cannot be plotted: they become gaps, counted in a note. Pure, tested in
 * test/renderer/analysis-table.test.ts.
 */
import type { FrameSeries } from '../../../src-main/common/contract-types';
import type { MosRow } from '../../../src-main/common/domain';
import { metricById } from '../../../src-main/common/metric-registry';
import { formatCi, formatMos, PALETTE } from './analysis-table';
import { canonicalParams, nonDefaultParams } from './results-table';

export interface FrameCurve {
  key: string;
  title: string;
  yLabel: string;
  values: (number | null)[];
  color: string;
  note: string;
}

export function frameCurves(series: readonly FrameSeries[], stimulus: string, mos: MosRow | null, differential = false): FrameCurve[] {
  const seen = new Set<string>();
  const out: FrameCurve[] = [];
  const mosText = mos ? ` · ${differential ? 'DMOS' : 'MOS'} ${formatMos(mos.mos)}${formatCi(mos.ci95) ? ` ${formatCi(mos.ci95)}` : ''}` : '';
  for (const s of series) {
    const key = `${s.metricId}|${canonicalParams(s.params)}`;
    if (seen.has(key) || s.values.length === 0) continue;
    seen.add(key);
    const d = metricById(s.metricId);
    const detail = nonDefaultParams(d, s.params).join(' · ');
    const name = `${d?.name ?? s.metricId}${d ? (d.higherIsBetter ? ' ↑' : ' ↓') : ''}`;
    let inf = 0;
    let nan = 0;
    const values = s.values.map((v) => {
      if (v === null) return nan++, null;
      if (typeof v === 'string') return inf++, null;
      return v;
    });
    const notes: string[] = [];
    if (inf) notes.push(`${inf} frame${inf === 1 ? '' : 's'} infinite (identical to the reference), not drawn`);
    if (nan) notes.push(`${nan} frame${nan === 1 ? '' : 's'} NaN, not drawn`);
    out.push({
      key,
      title: `${name}${detail ? ` (${detail})` : ''} — ${stimulus}${mosText}`,
      yLabel: `${d?.name ?? s.metricId}${d?.unit ? ` (${d.unit})` : ''}`,
      values,
      color: PALETTE[out.length % PALETTE.length]!,
      note: notes.join('; '),
    });
  }
  return out;
}
