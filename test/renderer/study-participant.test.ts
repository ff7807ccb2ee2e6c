import { describe, expect, it } from 'vitest';
import { defaultScale, type TrialMedia } from '../../src-main/common/study';
import { trialSteps, unsupportedReason } from '../../src-renderer/src/lib/study/trial-steps';
import { categories, continuousValueAt, dscqsKey, voteKey, type PairScores } from '../../src-renderer/src/lib/study/vote-keys';
import { centredOffset, colorGamut, cssSizeForDevicePixels, measureDisplay, rgbToRgba } from '../../src-renderer/src/lib/study/display';

const img = (role: TrialMedia['role'], stimulusId = 1): TrialMedia => ({ role, stimulusId, kind: 'image', width: 64, height: 48, durationS: null });
const timing = { imageMs: 8000, greyMs: 2000 };

describe('a trial schedule', () => {
  it('shows an ACR stimulus then the vote, without grey before the first trial of a run', () => {
    expect(trialSteps([img('test')], timing, true)).toEqual([{ kind: 'show', media: 0, ms: 8000 }, { kind: 'vote' }]);
  });
  it('starts every later trial with the grey screen for the designed duration', () => {
    expect(trialSteps([img('test')], timing, false)).toEqual([{ kind: 'grey', ms: 2000 }, { kind: 'show', media: 0, ms: 8000 }, { kind: 'vote' }]);
  });
  it('puts the grey screen between the reference and the test of a DCR trial', () => {
    expect(trialSteps([img('reference', 1), img('test', 2)], timing, true)).toEqual([
      { kind: 'show', media: 0, ms: 8000 },
      { kind: 'grey', ms: 2000 },
      { kind: 'show', media: 1, ms: 8000 },
      { kind: 'vote' },
    ]);
  });
  it('leaves out grey screens of zero length', () => {
    expect(trialSteps([img('first'), img('second')], { imageMs: 500, greyMs: 0 }, false)).toEqual([
      { kind: 'show', media: 0, ms: 500 },
      { kind: 'show', media: 1, ms: 500 },
      { kind: 'vote' },
    ]);
  });
  it('plays a video to its end (no fixed duration) and keeps the grey screens around it', () => {
    const video = { ...img('test', 2), kind: 'video' as const, durationS: 1 };
    expect(trialSteps([img('reference', 1), video], timing, false)).toEqual([
      { kind: 'grey', ms: 2000 },
      { kind: 'show', media: 0, ms: 8000 },
      { kind: 'grey', ms: 2000 },
      { kind: 'show', media: 1, ms: null },
      { kind: 'vote' },
    ]);
  });
  it('loops the last video on the voting screen with timing "until-vote" (an earlier one plays once)', () => {
    const video = (role: TrialMedia['role'], id: number) => ({ ...img(role, id), kind: 'video' as const, durationS: 1 });
    expect(trialSteps([video('test', 1)], { ...timing, video: 'until-vote' }, true)).toEqual([{ kind: 'vote', loop: 0 }]);
    expect(trialSteps([video('reference', 1), video('test', 2)], { ...timing, video: 'until-vote' }, false)).toEqual([
      { kind: 'grey', ms: 2000 },
      { kind: 'show', media: 0, ms: null },
      { kind: 'grey', ms: 2000 },
      { kind: 'vote', loop: 1 },
    ]);
    expect(trialSteps([img('test', 1)], { ...timing, video: 'until-vote' }, true)).toEqual([{ kind: 'show', media: 0, ms: 8000 }, { kind: 'vote' }]);
  });
  it('DSCQS with "until-vote": A, grey, B once, then both cycle behind the vote; with images or play-once, as ever', () => {
    const video = (role: TrialMedia['role'], id: number) => ({ ...img(role, id), kind: 'video' as const, durationS: 1 });
    expect(trialSteps([video('A', 1), video('B', 2)], { ...timing, video: 'until-vote' }, false, true)).toEqual([
      { kind: 'grey', ms: 2000 },
      { kind: 'show', media: 0, ms: null },
      { kind: 'grey', ms: 2000 },
      { kind: 'show', media: 1, ms: null },
      { kind: 'vote', cycle: [0, 1] },
    ]);
    expect(trialSteps([video('A', 1), video('B', 2)], { ...timing, video: 'play-once' }, true, true)).toEqual([
      { kind: 'show', media: 0, ms: null },
      { kind: 'grey', ms: 2000 },
      { kind: 'show', media: 1, ms: null },
      { kind: 'vote' },
    ]);
    expect(trialSteps([img('A', 1), img('B', 2)], { ...timing, video: 'until-vote' }, true, true)).toEqual([
      { kind: 'show', media: 0, ms: 8000 },
      { kind: 'grey', ms: 2000 },
      { kind: 'show', media: 1, ms: 8000 },
      { kind: 'vote' },
    ]);
  });
  it('refuses, with the reason, what the page cannot present', () => {
    const video = { ...img('test'), kind: 'video' as const, durationS: 1 };
    expect(unsupportedReason({ media: [img('test')], answer: 'value' }, { video: 'play-once' })).toBeNull();
    expect(unsupportedReason({ media: [video], answer: 'value' }, { video: 'play-once' })).toBeNull();
    expect(unsupportedReason({ media: [video], answer: 'value' }, { video: 'until-vote' })).toBeNull();
    expect(unsupportedReason({ media: [video, video], answer: 'value-and-ref' }, { video: 'until-vote' })).toBeNull();
    expect(unsupportedReason({ media: [img('A'), video], answer: 'value-and-ref' }, { video: 'until-vote' })).toMatch(/DSCQS with "until-vote" cycles two videos/);
    expect(unsupportedReason({ media: [], answer: 'value' }, { video: 'play-once' })).toMatch(/nothing/);
    expect(unsupportedReason({ media: [video], answer: 'samples' }, { video: 'play-once' })).toBeNull();
    expect(unsupportedReason({ media: [img('test')], answer: 'samples' }, { video: 'play-once' })).toMatch(/SSCQE rates one video/);
  });
});

describe('a continuous scale under the mouse', () => {
  const scale = defaultScale('dscqs100');
  it('reads whole points from the bottom (0) to the top (100) of the line, clamped', () => {
    expect(continuousValueAt(scale, 0)).toBe(0);
    expect(continuousValueAt(scale, 1)).toBe(100);
    expect(continuousValueAt(scale, 0.254)).toBe(25);
    expect(continuousValueAt(scale, -0.5)).toBe(0);
    expect(continuousValueAt(scale, 7)).toBe(100);
    expect(continuousValueAt(scale, Number.NaN)).toBe(50);
  });
});

describe('the DSCQS keys (two continuous scales, A and B)', () => {
  const scale = defaultScale('dscqs100');
  const start: PairScores = { active: 'A', A: null, B: null };
  it('moves the selected scale from the middle, by 1 or 10 with Shift, within 0..100', () => {
    expect(dscqsKey(scale, 'ArrowUp', start)).toEqual({ kind: 'set', scores: { active: 'A', A: 50, B: null } });
    expect(dscqsKey(scale, 'ArrowUp', { ...start, A: 95 }, true)).toEqual({ kind: 'set', scores: { active: 'A', A: 100, B: null } });
    expect(dscqsKey(scale, 'ArrowDown', { active: 'B', A: 50, B: 3 }, true)).toEqual({ kind: 'set', scores: { active: 'B', A: 50, B: 0 } });
  });
  it('selects A with ← or A and B with → or B', () => {
    expect(dscqsKey(scale, 'ArrowRight', start)).toEqual({ kind: 'set', scores: { ...start, active: 'B' } });
    expect(dscqsKey(scale, 'b', start)).toEqual({ kind: 'set', scores: { ...start, active: 'B' } });
    expect(dscqsKey(scale, 'A', { ...start, active: 'B' })).toEqual({ kind: 'set', scores: start });
  });
  it('Enter goes on from a scored scale to the other, and submits only when both are scored', () => {
    expect(dscqsKey(scale, 'Enter', start)).toBeNull();
    expect(dscqsKey(scale, 'Enter', { ...start, A: 40 })).toEqual({ kind: 'set', scores: { active: 'B', A: 40, B: null } });
    expect(dscqsKey(scale, 'Enter', { active: 'B', A: 40, B: 60 })).toEqual({ kind: 'submit' });
    expect(dscqsKey(scale, '5', start)).toBeNull();
  });
});

describe('the voting keys', () => {
  const acr5 = defaultScale('acr5');
  it('submits a digit of a 5-point scale at once and ignores digits outside it', () => {
    expect(voteKey(acr5, '4', null)).toEqual({ kind: 'submit', value: 4 });
    expect(voteKey(acr5, '6', null)).toBeNull();
    expect(voteKey(acr5, '0', null)).toBeNull();
  });
  it('moves a highlight with the arrows, from the middle, within the scale, and Enter confirms it', () => {
    expect(voteKey(acr5, 'ArrowUp', null)).toEqual({ kind: 'move', value: 3 });
    expect(voteKey(acr5, 'ArrowUp', 5)).toEqual({ kind: 'move', value: 5 });
    expect(voteKey(acr5, 'ArrowDown', 1)).toEqual({ kind: 'move', value: 1 });
    expect(voteKey(acr5, 'Enter', null)).toBeNull();
    expect(voteKey(acr5, 'Enter', 2)).toEqual({ kind: 'confirm' });
  });
  it('reaches 10 on the 11-point scale only with the arrows, and 0 with its digit', () => {
    const acr11 = defaultScale('acr11');
    expect(voteKey(acr11, '0', null)).toEqual({ kind: 'submit', value: 0 });
    expect(voteKey(acr11, 'ArrowRight', 9)).toEqual({ kind: 'move', value: 10 });
    expect(categories(acr11)).toHaveLength(11);
  });
  it('chooses the first with left or A and the second with right or B; a tie only when allowed', () => {
    const pc = defaultScale('pc');
    expect(voteKey(pc, 'ArrowLeft', null)).toEqual({ kind: 'choose', choice: 0 });
    expect(voteKey(pc, 'a', null)).toEqual({ kind: 'choose', choice: 0 });
    expect(voteKey(pc, 'B', null)).toEqual({ kind: 'choose', choice: 1 });
    expect(voteKey(pc, '=', null)).toBeNull();
    expect(voteKey({ ...pc, allowTie: true }, '=', null)).toEqual({ kind: 'choose', choice: null });
  });
  it('moves a continuous slider by 1, or 10 with Shift, within 0..100', () => {
    const d = defaultScale('dscqs100');
    expect(voteKey(d, 'ArrowRight', 50)).toEqual({ kind: 'move', value: 51 });
    expect(voteKey(d, 'ArrowRight', 95, true)).toEqual({ kind: 'move', value: 100 });
    expect(voteKey(d, '5', 50)).toBeNull();
  });
});

describe('the display and the 1:1 canvas', () => {
  const probe = (dpr: number, gamuts: string[]) => ({
    screen: { width: 1280, height: 720 },
    devicePixelRatio: dpr,
    matchMedia: (q: string) => ({ matches: gamuts.some((g) => q === `(color-gamut: ${g})`) }),
    userAgent: 'UA',
  });
  it('reports the screen in device pixels, the ratio, the widest gamut and the user agent', () => {
    expect(measureDisplay(probe(2, ['srgb', 'p3']))).toEqual({ screenWidth: 2560, screenHeight: 1440, devicePixelRatio: 2, colorGamut: 'p3', userAgent: 'UA' });
    expect(colorGamut(probe(1, []))).toBe('unknown');
  });
  it('sizes the canvas at width / devicePixelRatio CSS pixels, never rounded', () => {
    expect(cssSizeForDevicePixels(64, 48, 2)).toEqual({ width: 32, height: 24 });
    expect(cssSizeForDevicePixels(65, 49, 1.25)).toEqual({ width: 52, height: 39.2 });
  });
  it('centres the canvas on a whole device pixel', () => {
    const at = centredOffset(97, 48, { width: 1280, height: 900 }, 1.25);
    expect(Number.isInteger(at.left * 1.25)).toBe(true);
    expect(Number.isInteger(at.top * 1.25)).toBe(true);
    expect(centredOffset(64, 48, { width: 1280, height: 900 }, 1)).toEqual({ left: 608, top: 426 });
  });
  it('turns RGB bytes into opaque RGBA unchanged', () => {
    expect([...rgbToRgba(new Uint8Array([1, 2, 3, 250, 251, 252]), 2, 1)]).toEqual([1, 2, 3, 255, 250, 251, 252, 255]);
    expect(() => rgbToRgba(new Uint8Array(5), 2, 1)).toThrow(/expected 6 bytes/);
  });
});
