/**
 * The metrics runs that apply per-pair alignment fixes, shared by the compute dialog (the renderer's
 * lib/alignment-check.ts) and `iqa run` (the CLI), so both compute the same pairs the same way.
 *
 * `metrics.run` takes one alignment policy per run, so pairs whose detected (or confirmed) policy is
 * applied are computed by one extra run per distinct policy (restricted to those pairs, and forced: a
 * value stored before was computed out of step), and the other pairs by the run the form or the command
 * line describes, without them. Pure; tested in test/renderer/alignment-check.test.ts and through the CLI.
 */
import type { AlignmentDecision, AlignmentReport, MetricsRunInput } from './contract-types';
import type { MetricDescriptor } from './metric-registry';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The part of a metrics run's policy the check fills in (the scaler stays the form's). */
export type AlignFix = AlignmentReport['policy'];
/**
 * The decisions that hold for these files (not stale), by distorted stimulus id: what the user
 * confirmed or rejected in the viewer.
 */
export function currentDecisions(decisions: readonly AlignmentDecision[]): Map<number, AlignmentDecision> {
  return new Map(decisions.filter((d) => !d.stale).map((d) => [d.stimulusId, d]));
}


/** The fix in words: "skip 3 reference frames · truncate to the shorter". */
export function fixText(fix: AlignFix): string {
  const parts: string[] = [];
  if (fix.skipRef > 0) parts.push(`skip ${plural(fix.skipRef, 'reference frame')}`);
  if (fix.skipDist > 0) parts.push(`skip ${plural(fix.skipDist, 'distorted frame')}`);
  if (fix.truncate) parts.push('truncate to the shorter');
  if (fix.ignoreFps) parts.push('ignore the frame-rate mismatch');
  return parts.length ? parts.join(' · ') : 'compare as they are';
}


/** The run's policy for a fixed pair: the detected timing, the form's scaler. */
export function fixedPolicy(base: MetricsRunInput['policy'], fix: AlignFix): MetricsRunInput['policy'] {
  const policy: MetricsRunInput['policy'] = {};
  if (base.scale) policy.scale = base.scale;
  if (fix.truncate) policy.truncate = true;
  if (fix.skipRef > 0) policy.skipRef = fix.skipRef;
  if (fix.skipDist > 0) policy.skipDist = fix.skipDist;
  if (fix.ignoreFps) policy.ignoreFps = true;
  return policy;
}


export interface RunScope {
  /** Every stimulus of the project (a run over all of them, without the fixed pairs, lists them). */
  allIds: readonly number[];
  /** The paired distorted stimuli in scope. */
  pairIds: readonly number[];
}

/**
 * The metrics runs for the form's run (`base`: its stimulusIds the scope, none for every pair) with these pairs fixed: the form's run without them
 * (dropped when nothing is left for it), then one forced run per distinct fix over its pairs.
 */
export function planRuns(base: MetricsRunInput, scope: RunScope, fixes: ReadonlyMap<number, AlignFix>, descriptors: readonly Pick<MetricDescriptor, 'id' | 'kind'>[]): MetricsRunInput[] {
  if (fixes.size === 0) return [base];
  const kindOf = new Map(descriptors.map((d) => [d.id, d.kind]));
  const hasNoReference = base.metrics.some((m) => kindOf.get(m.id) === 'NR');
  const rest = (base.stimulusIds ?? scope.allIds).filter((id) => !fixes.has(id));
  const restPairs = scope.pairIds.filter((id) => !fixes.has(id));
  const runs: MetricsRunInput[] = [];
  // No-reference metrics also run on the references and unpaired stimuli the scope holds.
  if (restPairs.length > 0 || (hasNoReference && rest.length > 0)) runs.push({ ...base, stimulusIds: rest });
  const groups = new Map<string, { policy: MetricsRunInput['policy']; ids: number[] }>();
  for (const [id, fix] of fixes) {
    const policy = fixedPolicy(base.policy, fix);
    const key = JSON.stringify(policy);
    const g = groups.get(key) ?? { policy, ids: [] };
    g.ids.push(id);
    groups.set(key, g);
  }
  for (const g of groups.values()) runs.push({ ...base, stimulusIds: g.ids, force: true, policy: g.policy });
  return runs;
}
