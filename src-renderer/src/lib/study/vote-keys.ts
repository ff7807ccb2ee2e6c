/**
 * The voting screen's keyboard, as data. Pure (test/renderer/study-vote-keys.test.ts).
 *
 * - Categorical scales (ACR 1–5, 1–9, 0–10; DCR 1–5): a digit key that is a value of the scale submits
 *   it at once; ←/→ (or ↓/↑) move a highlight over the categories and Enter submits it (the only way to
 *   10 on the 11-point scale).
 * - Continuous scales (DSCQS 0–100): ←/→ (or ↓/↑) move the slider by 1, with Shift by 10; Enter confirms.
 * - Pair choice (PC): ← or A is the first, → or B the second; with ties allowed, = or Space is "no difference".
 */
import type { StudyScale } from '../../../../src-main/common/study';

export type VoteKeyAction =
  | { kind: 'submit'; value: number }
  | { kind: 'move'; value: number }
  | { kind: 'confirm' }
  | { kind: 'choose'; choice: 0 | 1 | null }
  | null;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The categories of a categorical scale, low to high. */
export function categories(scale: StudyScale): number[] {
  const out: number[] = [];
  for (let v = scale.min; v <= scale.max; v++) out.push(v);
  return out;
}

/** The label of a value (the scale's own label, else the number). */
export function labelOf(scale: StudyScale, value: number): string {
  return scale.labels.find((l) => l.value === value)?.label ?? '';
}

/**
 * What a key does on the voting screen. `current` is the slider's (or highlighted category's) value,
 * null when nothing is chosen yet.
 */
export function voteKey(scale: StudyScale, key: string, current: number | null, shift = false): VoteKeyAction {
  if (scale.kind === 'choice') {
    const k = key.toLowerCase();
    if (k === 'arrowleft' || k === 'a' || k === '1') return { kind: 'choose', choice: 0 };
    if (k === 'arrowright' || k === 'b' || k === '2') return { kind: 'choose', choice: 1 };
    if (scale.allowTie && (k === '=' || k === ' ' || k === '0')) return { kind: 'choose', choice: null };
    return null;
  }
  if (scale.kind === 'categorical' && /^[0-9]$/.test(key)) {
    const v = Number(key);
    return v >= scale.min && v <= scale.max ? { kind: 'submit', value: v } : null;
  }
  const step = scale.kind === 'continuous' && shift ? 10 : 1;
  const mid = scale.kind === 'continuous' ? (scale.min + scale.max) / 2 : Math.round((scale.min + scale.max) / 2);
  if (key === 'ArrowRight' || key === 'ArrowUp') return { kind: 'move', value: current === null ? mid : clamp(current + step, scale.min, scale.max) };
  if (key === 'ArrowLeft' || key === 'ArrowDown') return { kind: 'move', value: current === null ? mid : clamp(current - step, scale.min, scale.max) };
  if (key === 'Enter' && current !== null) return { kind: 'confirm' };
  return null;
}

/**
 * The value of a continuous scale at a fraction of its line (0 the bottom, 1 the top), to a whole point
 * (the keys move by whole points too), within the scale.
 */
export function continuousValueAt(scale: Pick<StudyScale, 'min' | 'max'>, fraction: number): number {
  const f = Number.isFinite(fraction) ? clamp(fraction, 0, 1) : 0.5;
  return clamp(Math.round(scale.min + f * (scale.max - scale.min)), scale.min, scale.max);
}

/** DSCQS's voting screen: the scores of A and B (null until set) and the one the keys move now. */
export interface PairScores {
  active: 'A' | 'B';
  A: number | null;
  B: number | null;
}

export type PairKeyAction = { kind: 'set'; scores: PairScores } | { kind: 'submit' } | null;

/**
 * DSCQS's keys (two continuous scales, A and B): ← or A selects A's scale, → or B selects B's; ↑/↓ move
 * the selected one by 1, with Shift by 10 (the first press puts it in the middle); Enter goes from a
 * scored A to B, and submits once both are scored.
 */
export function dscqsKey(scale: StudyScale, key: string, s: PairScores, shift = false): PairKeyAction {
  const k = key.length === 1 ? key.toLowerCase() : key;
  if (k === 'ArrowLeft' || k === 'a') return { kind: 'set', scores: { ...s, active: 'A' } };
  if (k === 'ArrowRight' || k === 'b') return { kind: 'set', scores: { ...s, active: 'B' } };
  if (k === 'ArrowUp' || k === 'ArrowDown') {
    const a = voteKey(scale, k === 'ArrowUp' ? 'ArrowUp' : 'ArrowDown', s[s.active], shift);
    return a?.kind === 'move' ? { kind: 'set', scores: { ...s, [s.active]: a.value } } : null;
  }
  if (k === 'Enter') {
    if (s.A !== null && s.B !== null) return { kind: 'submit' };
    if (s[s.active] !== null) return { kind: 'set', scores: { ...s, active: s.active === 'A' ? 'B' : 'A' } };
  }
  return null;
}
