/**
 * The compute dialog's alignment check: runs `align.check` on each video pair in scope (one at a time:
 * each decodes both videos), shows its progress, and keeps what it found for the dialog to show and the
 * fixes the user picks. Reports are kept for the session per pair and file hashes, so computing again
 * does not decode again. Pure parts: lib/alignment-check.ts.
 */
import { api } from '../api';
import type { AlignmentDecision } from '../../../../src-main/common/contract-types';
import { currentDecisions, outcomeOf, fixProblem, type AlignFix, type CheckOutcome, type PairToCheck } from '../alignment-check';

export interface AlignmentRow {
  pair: PairToCheck;
  outcome: CheckOutcome;
  /** Whether the fix is applied when computing (out-of-step pairs only). */
  apply: boolean;
  /** The fix, filled with the detected values (or those the user accepted in the viewer); editable. */
  fix: AlignFix;
  /** What the user decided about this pair in the viewer (a confirmed alignment is applied by default). */
  decision: AlignmentDecision | null;
}

export type AlignmentPhase = 'idle' | 'checking' | 'review';

export class AlignmentCheckState {
  phase = $state<AlignmentPhase>('idle');
  done = $state(0);
  total = $state(0);
  current = $state<string | null>(null);
  rows = $state<AlignmentRow[]>([]);
  #cache = new Map<string, CheckOutcome>();
  #seq = 0;

  get flagged(): AlignmentRow[] { return this.rows.filter((r) => r.outcome.state === 'misaligned'); }
  get unchecked(): AlignmentRow[] { return this.rows.filter((r) => r.outcome.state === 'unknown'); }
  get alignedCount(): number { return this.rows.filter((r) => r.outcome.state === 'aligned').length; }
  /** The fixes to apply, by distorted stimulus id. */
  get fixes(): Map<number, AlignFix> {
    return new Map(this.flagged.filter((r) => r.apply).map((r) => [r.pair.id, { ...r.fix }]));
  }
  get fixProblem(): string | null {
    for (const r of this.flagged) {
      const p = r.apply ? fixProblem(r.fix) : null;
      if (p) return `${r.pair.name}: ${p}`;
    }
    return null;
  }

  /**
   * Checks these pairs. 'clean': every pair is in step (or there is none): compute at once; 'review':
   * something is out of step or could not be checked, shown in `rows`; 'stopped': stop() was called.
   */
  async check(projectDir: string, pairs: readonly PairToCheck[]): Promise<'clean' | 'review' | 'stopped'> {
    const seq = ++this.#seq;
    this.rows = [];
    this.done = 0;
    this.total = pairs.length;
    this.phase = 'checking';
    const rows: AlignmentRow[] = [];
    // Pairs the user confirmed or rejected in the viewer: their stored report is the check (no decode).
    const decisions = pairs.length ? currentDecisions(await api['align.decisions']({ projectDir }).catch(() => [])) : new Map<number, AlignmentDecision>();
    if (seq !== this.#seq) return 'stopped';
    for (const pair of pairs) {
      const decision = decisions.get(pair.id) ?? null;
      let outcome = decision?.report ? outcomeOf(decision.report) : this.#cache.get(pair.key);
      if (!outcome) {
        this.current = pair.name;
        try {
          outcome = outcomeOf(await api['align.check']({ projectDir, stimulusId: pair.id }));
          this.#cache.set(pair.key, outcome);
        } catch (err) {
          // Not cached: a failure (a file being replaced, a busy engine) may not happen again.
          outcome = { state: 'unknown', reason: (err as Error).message };
        }
      }
      if (seq !== this.#seq) return 'stopped';
      const accepted = decision?.verdict === 'accepted';
      const fix = accepted ? { ...decision.policy } : outcome.report ? { ...outcome.report.policy } : { skipRef: 0, skipDist: 0, truncate: false, ignoreFps: false };
      rows.push({ pair, outcome, apply: accepted && outcome.state === 'misaligned', fix, decision });
      this.done = rows.length;
    }
    this.current = null;
    this.rows = rows;
    const clean = rows.every((r) => r.outcome.state === 'aligned');
    this.phase = clean ? 'idle' : 'review';
    return clean ? 'clean' : 'review';
  }

  /** Applies the fix to every out-of-step pair. */
  applyAll(): void {
    for (const r of this.rows) if (r.outcome.state === 'misaligned') r.apply = true;
  }

  /** Back to the form: a check under way is abandoned (its finished pairs stay known). */
  stop(): void {
    this.#seq++;
    this.phase = 'idle';
    this.current = null;
    this.rows = [];
  }

  /** Another project: nothing known carries over. */
  forget(): void {
    this.stop();
    this.#cache.clear();
  }
}
