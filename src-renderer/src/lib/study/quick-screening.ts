/**
 * The researcher's quick screening of a study's ratings as they come in (the Study tab): ITU-R BT.500
 * observer screening (who would be rejected, and why) and the ITU-T P.913 subject model (each
 * participant's bias and inconsistency), both from the analysis ('analysis.run' without resamples and
 * without a mapping: only the MOS side is read). Pure: the reports in, the lines the card shows out.
 */
import type { AnalysisReport } from '../../../../src-main/common/domain';
import { num } from '../analysis-table';

export interface QuickScreening {
  /** The study's number of ratings when it was computed (a new rating asks for a new screening). */
  ratings: number;
  participants: number;
  /** BT.500: the participants it rejects, with the reason; null when it could not run (error). */
  bt500: { rejected: { participant: string; reason: string }[] } | null;
  bt500Error: string | null;
  /** P.913: participants by inconsistency, most inconsistent first; null when the model could not be fitted. */
  subjects: { participant: string; bias: number; inconsistency: number }[] | null;
  subjectsError: string | null;
}

export function quickScreening(
  ratings: number,
  bt500: AnalysisReport | { error: string },
  mle: AnalysisReport | { error: string },
): QuickScreening {
  const participants = 'error' in bt500 ? ('error' in mle ? 0 : mle.counts.participants) : bt500.counts.participants;
  return {
    ratings,
    participants,
    bt500: 'error' in bt500 ? null : { rejected: bt500.screening.rejected.map((p) => ({ participant: p, reason: bt500.screening.reasons[p] ?? 'rejected' })) },
    bt500Error: 'error' in bt500 ? bt500.error : null,
    subjects:
      'error' in mle || !mle.subjects
        ? null
        : mle.subjects
            .map((s) => ({ participant: s.participant, bias: num(s.bias), inconsistency: num(s.inconsistency) }))
            .sort((a, b) => b.inconsistency - a.inconsistency || a.participant.localeCompare(b.participant)),
    subjectsError: 'error' in mle ? mle.error : mle.subjects ? null : 'no subject model in the report',
  };
}

const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;

/** The card's lines: BT.500's verdict, then the P.913 model's most inconsistent participants. */
export function screeningLines(s: QuickScreening, shown = 3): string[] {
  const lines: string[] = [];
  if (s.bt500) {
    lines.push(
      s.bt500.rejected.length === 0
        ? `BT.500 screening: nobody rejected (${s.participants} participants)`
        : `BT.500 screening: ${s.bt500.rejected.length} of ${s.participants} rejected — ${s.bt500.rejected.map((r) => `${r.participant} (${r.reason})`).join('; ')}`,
    );
  } else lines.push(`BT.500 screening: not yet (${s.bt500Error})`);
  if (s.subjects && s.subjects.length) {
    const top = s.subjects.slice(0, shown).map((p) => `${p.participant} ${p.inconsistency.toFixed(2)} (bias ${signed(p.bias)})`);
    lines.push(`P.913 subject model, most inconsistent: ${top.join(', ')}${s.subjects.length > shown ? ` … of ${s.subjects.length}` : ''}`);
  } else lines.push(`P.913 subject model: not yet (${s.subjectsError})`);
  return lines;
}
