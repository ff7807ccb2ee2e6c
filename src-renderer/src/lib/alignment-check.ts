/**
 * The compute dialog's temporal alignment check, as pure functions (the state that runs it is
 * lib/state/alignment.svelte.ts): which pairs are checked, what a report (`align.check`,
 * docs/alignment.md) means for the dialog, how it is put in words, and the metrics runs a computation
 * with per-pair fixes becomes.
 *
 * The runs a computation with per-pair fixes becomes (planRuns), the fix in words and the current
 * decisions live in common/alignment-runs.ts, shared with `iqa run`; re-exported here for the views.
 * Tested without a browser (test/renderer/alignment-check.test.ts).
 */
import type { AlignmentDecision, AlignmentReport, MetricsRunInput } from '../../../src-main/common/contract-types';
import type { Stimulus } from '../../../src-main/common/domain';
import type { AlignFix } from '../../../src-main/common/alignment-runs';
import type { MetricDescriptor } from '../../../src-main/common/metric-registry';

export { currentDecisions, fixedPolicy, fixText, planRuns, type AlignFix, type RunScope } from '../../../src-main/common/alignment-runs';

export interface PairToCheck {
  id: number;
  name: string;
  referenceName: string;
  /** Changes when either file changes: a report is reused only for the same two files. */
  key: string;
}

/**
 * What the dialog makes of one pair: in step (no alarm), out of step (with what was found and the
 * policy that fixes it), or not checked (low confidence, still content, or a failure), with why.
 */
export type CheckOutcome =
  | { state: 'aligned'; report: AlignmentReport }
  | { state: 'misaligned'; report: AlignmentReport }
  | { state: 'unknown'; reason: string; report?: AlignmentReport };

type Pairable = Pick<Stimulus, 'id' | 'name' | 'kind' | 'referenceId' | 'sha256'>;

/** Only full-reference metrics compare frames in step; a run of no-reference metrics needs no check. */
export function needsAlignmentCheck(chosen: readonly Pick<MetricDescriptor, 'kind'>[]): boolean {
  return chosen.some((d) => d.kind === 'FR');
}

/** The video pairs among these distorted stimuli (images have one frame: nothing to align). */
export function videoPairs(pairs: readonly Pairable[], stimuli: readonly Pairable[]): PairToCheck[] {
  const byId = new Map(stimuli.map((s) => [s.id, s]));
  const out: PairToCheck[] = [];
  for (const d of pairs) {
    const ref = d.referenceId === null ? undefined : byId.get(d.referenceId);
    if (!ref || d.kind !== 'video' || ref.kind !== 'video') continue;
    out.push({ id: d.id, name: d.name, referenceName: ref.name, key: `${d.id}:${d.sha256}:${ref.sha256}` });
  }
  return out;
}

export function outcomeOf(report: AlignmentReport): CheckOutcome {
  if (report.aligned === true) return { state: 'aligned', report };
  if (report.aligned === false) return { state: 'misaligned', report };
  return { state: 'unknown', reason: report.notes[0] ?? `low confidence (${report.confidence.toFixed(2)})`, report };
}

/** Frame numbers as short ranges: [3, 4, 5, 9] → "3–5, 9". */
export function frameRanges(frames: readonly number[]): string {
  const sorted = [...frames].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! - sorted[j]! <= 1) j++;
    parts.push(sorted[i] === sorted[j] ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const fmtFps = (f: number | null) => (f === null ? '?' : String(+f.toFixed(3)));

/** The offset with its sign (docs/alignment.md: +k, the distorted starts k frames into the reference). */
export function offsetText(offset: number): string {
  return offset > 0 ? `+${offset}` : String(offset);
}

/** What is out of step, one short phrase each (frames numbered in the reference). */
export function findings(report: AlignmentReport): string[] {
  const out: string[] = [];
  const k = report.offset;
  if (k > 0) out.push(`offset ${offsetText(k)}: the distorted starts ${plural(k, 'frame')} into the reference`);
  if (k < 0) out.push(`offset ${offsetText(k)}: the distorted shows ${plural(-k, 'frame')} before the reference's first`);
  if (report.dropped.length) out.push(`dropped: reference frame${report.dropped.length === 1 ? '' : 's'} ${frameRanges(report.dropped)}`);
  if (report.duplicated.length) out.push(`duplicated: reference frame${report.duplicated.length === 1 ? '' : 's'} ${frameRanges(report.duplicated)}`);
  if (report.policy.ignoreFps) out.push(`frame rates differ: reference ${fmtFps(report.fps.ref)} fps, distorted ${fmtFps(report.fps.dist)} fps`);
  if (report.frames.ref !== report.frames.dist) out.push(`lengths differ: reference ${report.frames.ref} frames, distorted ${report.frames.dist}`);
  return out;
}

/**
 * The viewer's one line about a pair's alignment: "aligned (confidence 0.98)", or what is off, e.g.
 * "offset +3 frames, 2 dropped (ref frames 40, 41), fps 25 vs 30 (confidence 0.91)", or that the check
 * cannot tell.
 */
export function alignmentLine(report: AlignmentReport): string {
  const conf = confidenceText(report);
  if (report.aligned === true) return `aligned (${conf})`;
  if (report.aligned === null) return `cannot tell (${conf})${report.notes[0] ? `: ${report.notes[0]}` : ''}`;
  const parts: string[] = [];
  if (report.offset !== 0) parts.push(`offset ${offsetText(report.offset)} frame${Math.abs(report.offset) === 1 ? '' : 's'}`);
  const refFrames = (list: readonly number[]) => `(ref frame${list.length === 1 ? '' : 's'} ${frameRanges(list)})`;
  if (report.dropped.length) parts.push(`${report.dropped.length} dropped ${refFrames(report.dropped)}`);
  if (report.duplicated.length) parts.push(`${report.duplicated.length} duplicated ${refFrames(report.duplicated)}`);
  if (report.policy.ignoreFps) parts.push(`fps ${fmtFps(report.fps.ref)} vs ${fmtFps(report.fps.dist)}`);
  if (report.frames.ref !== report.frames.dist) parts.push(`${report.frames.ref} vs ${report.frames.dist} frames`);
  return `${parts.length ? parts.join(', ') : 'not aligned'} (${conf})`;
}

/** A stored decision as the dialog and the viewer say it. */
export function decisionText(decision: Pick<AlignmentDecision, 'verdict' | 'decidedAt'>): string {
  const day = decision.decidedAt.slice(0, 10);
  return decision.verdict === 'accepted' ? `confirmed by flicker on ${day}` : `rejected by flicker on ${day}`;
}

export function confidenceText(report: AlignmentReport): string {
  return `confidence ${report.confidence.toFixed(2)}`;
}

const isCount = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1_000_000;

/** Whether an edited fix can be sent (skips are whole numbers from 0). */
export function fixProblem(fix: AlignFix): string | null {
  return isCount(fix.skipRef) && isCount(fix.skipDist) ? null : 'Frames to skip must be whole numbers from 0.';
}

