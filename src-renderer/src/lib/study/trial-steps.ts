/**
 * What a participant's screen does in one trial, as data: grey screens and presentations in order, then
 * the vote. Pure (test/renderer/study-participant.test.ts).
 *
 * Rule (docs/studies.md, "Running a session"): every trial but the session's first starts with the
 * mid-grey screen for `greyMs` (the grey after the previous vote); each image is shown for `imageMs`
 * and each video plays once, to its end (`ms: null`), with the grey screen between two media (DCR:
 * reference, grey, test; DSCQS: A, grey, B; PC: first, grey, second); then the voting screen. With
 * `video: 'until-vote'`, a trial's last medium, if a video, is not played on its own: it loops on the
 * voting screen until the vote (`loop`). DSCQS (`cycle`: both media are rated) with videos and
 * "until-vote" plays A, grey, B once as with play-once, then keeps cycling grey, A, grey, B behind the
 * voting screen until the vote (BT.500 DSCQS: the pair is shown again while the observer votes). The
 * grey screen never shows any UI.
 */
import type { StudyTiming, TrialView } from '../../../../src-main/common/study';

export type TrialStep =
  | { kind: 'grey'; ms: number }
  /** `ms: null`: a video, shown until it has played to its end. */
  | { kind: 'show'; media: number; ms: number | null }
  /**
   * `loop`: the medium (a video) that plays in a loop while the vote is taken (timing "until-vote");
   * `cycle`: the media (videos) played in turn, a grey screen before each, while the vote is taken.
   */
  | { kind: 'vote'; loop?: number; cycle?: number[] };

export function trialSteps(
  media: readonly Pick<TrialView['media'][number], 'kind'>[],
  timing: Pick<StudyTiming, 'imageMs' | 'greyMs'> & Partial<Pick<StudyTiming, 'video'>>,
  first: boolean,
  /** The vote rates every medium (DSCQS): with "until-vote", all of them cycle behind the vote. */
  ratesEach = false,
): TrialStep[] {
  const steps: TrialStep[] = [];
  if (!first && timing.greyMs > 0) steps.push({ kind: 'grey', ms: timing.greyMs });
  if (ratesEach && timing.video === 'until-vote' && media.length > 0 && media.every((m) => m.kind === 'video')) {
    media.forEach((_, i) => {
      if (i > 0 && timing.greyMs > 0) steps.push({ kind: 'grey', ms: timing.greyMs });
      steps.push({ kind: 'show', media: i, ms: null });
    });
    steps.push({ kind: 'vote', cycle: media.map((_, i) => i) });
    return steps;
  }
  media.forEach((m, i) => {
    if (i > 0 && timing.greyMs > 0) steps.push({ kind: 'grey', ms: timing.greyMs });
    if (i === media.length - 1 && m.kind === 'video' && timing.video === 'until-vote') steps.push({ kind: 'vote', loop: i });
    else steps.push({ kind: 'show', media: i, ms: m.kind === 'video' ? null : timing.imageMs });
  });
  if (steps[steps.length - 1]?.kind !== 'vote') steps.push({ kind: 'vote' });
  return steps;
}

/**
 * Why this page cannot present a trial, or null when it can. What it cannot do is refused with the
 * reason, never faked.
 */
export function unsupportedReason(trial: Pick<TrialView, 'media' | 'answer'>, timing: Pick<StudyTiming, 'video'>): string | null {
  if (trial.media.length === 0) return 'the trial has nothing to show';
  const video = trial.media.some((m) => m.kind === 'video');
  if (video && timing.video === 'until-vote' && trial.answer === 'value-and-ref' && trial.media.some((m) => m.kind !== 'video')) return 'DSCQS with "until-vote" cycles two videos behind the vote, and this trial shows an image';
  if (trial.answer === 'samples' && (trial.media.length !== 1 || trial.media[0]!.kind !== 'video')) return 'SSCQE rates one video continuously, and this trial shows an image';
  return null;
}
