/**
 * Pairwise-comparison results from a CSV (columns a, b, choice; choice = a, b or tie; optional
 * participant) into a quality scale: Thurstone Case V (JND units) or Bradley–Terry (log-odds) by
 * maximum likelihood, with seeded bootstrap intervals. Ties count half a win for each side. A row whose
 * optional `training` column says 1 (a study export's training trial) is listed and left out: training
 * answers are never analysed.
 */
import { IqaError } from '../../common/errors';
import { scalePairwise, type PairwiseScaling } from '../../kernels/stats/pairwise-scaling';
import { readCsvRows } from './read-table';

export interface PairwiseReport {
  model: 'thurstone-case-v' | 'bradley-terry';
  unit: string;
  anchor: string;
  conditions: { condition: string; score: number; ci95: [number, number] | null; standardError: number | null; wins: number; comparisons: number }[];
  comparisons: number;
  ties: number;
  issues: { row: string; reason: string }[];
  logLikelihood: number;
  converged: boolean;
  bootstrap: { seed: number; resamples: number; method: string } | null;
}

export function pairwiseFromCsv(
  csv: string,
  options: { model: 'thurstone-case-v' | 'bradley-terry'; seed: number; resamples: number },
): PairwiseReport {
  const rows = readCsvRows(csv, ['a', 'b', 'choice'], ['participant', 'training']);
  const names: string[] = [];
  const index = new Map<string, number>();
  const id = (n: string) => {
    if (!index.has(n)) index.set(n, names.push(n) - 1);
    return index.get(n)!;
  };
  const issues: PairwiseReport['issues'] = [];
  const events: [number, number, number][] = []; // [i, j, wins of i over j: 1, 0 or 0.5]
  let ties = 0;
  rows.forEach(({ cells: r, line }) => {
    const where = `${csv}:${line}`;
    const training = r.training?.trim().toLowerCase();
    if (training === '1' || training === 'true') return void issues.push({ row: where, reason: 'a training trial (not analysed)' });
    const a = r.a?.trim();
    const b = r.b?.trim();
    const c = r.choice?.trim().toLowerCase();
    if (!a || !b) return void issues.push({ row: where, reason: 'empty a or b' });
    if (a === b) return void issues.push({ row: where, reason: `"${a}" compared with itself` });
    const winner = c === 'a' || c === a.toLowerCase() ? 1 : c === 'b' || c === b.toLowerCase() ? 0 : c === 'tie' || c === '=' ? 0.5 : null;
    if (winner === null) return void issues.push({ row: where, reason: `choice must be a, b or tie (or a stimulus name), got "${r.choice ?? ''}"` });
    if (winner === 0.5) ties += 1;
    events.push([id(a), id(b), winner]);
  });
  if (names.length < 2) throw new IqaError('E_INPUT', `${csv}: fewer than 2 conditions were compared`, { file: csv });
  const n = names.length;
  const wins = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const [i, j, w] of events) {
    wins[i]![j]! += w;
    wins[j]![i]! += 1 - w;
  }
  let s: PairwiseScaling;
  try {
    s = scalePairwise(wins, {
      model: options.model,
      bootstrap: options.resamples > 0 ? { seed: options.seed, resamples: options.resamples } : undefined,
    });
  } catch (err) {
    if (err instanceof RangeError) throw new IqaError('E_INPUT', `${csv}: ${err.message}`, { file: csv });
    throw err;
  }
  return {
    model: options.model,
    unit: s.unit,
    anchor: s.anchor,
    conditions: names.map((name, i) => ({
      condition: name,
      score: s.scores[i]!,
      ci95: s.ci ? [s.ci.lower[i]!, s.ci.upper[i]!] : null,
      standardError: s.ci ? s.ci.standardError[i]! : null,
      wins: wins[i]!.reduce((a, b) => a + b, 0),
      comparisons: wins[i]!.reduce((a, b, j) => a + b + wins[j]![i]!, 0),
    })),
    comparisons: events.length,
    ties,
    issues,
    logLikelihood: s.logLikelihood,
    converged: s.converged,
    bootstrap: s.ci ? { seed: options.seed, resamples: options.resamples, method: 'percentile, resampling comparisons within each pair' } : null,
  };
}
