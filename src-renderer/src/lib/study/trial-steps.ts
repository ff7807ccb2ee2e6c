/**
 * What a participant's screen does in one trial, as data: grey screens and presentations in order, then
 * the vote. Pure (test/renderer/study-trial-steps.test.ts).
 *
 * Rule (docs/studies.md, "Running a session"): every trial but the session's first starts with the
 * mid-grey screen for `greyMs` (the grey after the previous vote); each medium is shown for `imageMs`,
 * with the grey screen between two media (DCR: reference, grey, test; DSCQS: A, grey, B; PC: first,
 * grey, second); then the voting screen. The grey screen never shows any UI.
 */
import type { StudyTiming, TrialMedia } from '../../../../src-main/common/study';

export type TrialStep =
  | { kind: 'grey'; ms: number }
  | { kind: 'show'; media: number; ms: number }
  | { kind: 'vote' };

export function trialSteps(media: readonly TrialMedia[], timing: Pick<StudyTiming, 'imageMs' | 'greyMs'>, first: boolean): TrialStep[] {
  const steps: TrialStep[] = [];
  if (!first && timing.greyMs > 0) steps.push({ kind: 'grey', ms: timing.greyMs });
  media.forEach((_m, i) => {
    if (i > 0 && timing.greyMs > 0) steps.push({ kind: 'grey', ms: timing.greyMs });
    steps.push({ kind: 'show', media: i, ms: timing.imageMs });
  });
  steps.push({ kind: 'vote' });
  return steps;
}

/** The media the page can present (images only for now; video trials are refused, not faked). */
export function presentable(media: readonly TrialMedia[]): boolean {
  return media.length > 0 && media.every((m) => m.kind === 'image');
}
