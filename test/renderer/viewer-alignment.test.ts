/**
 * The viewer's alignment line and decisions as words (lib/alignment-check.ts), and the address's route
 * (common/ui-route.ts) that `iqa view` writes and the page reads and keeps.
 */
import { describe, expect, it } from 'vitest';
import { alignmentLine, currentDecisions, decisionText } from '../../src-renderer/src/lib/alignment-check';
import { alignmentReport } from '../helpers/alignment-report';
import type { AlignmentDecision, AlignmentReport } from '../../src-main/common/contract-types';
import { parseUiRoute, withUiRoute } from '../../src-main/common/ui-route';

/** This file's default report: confidence 0.98, 60 frames. */
const report = (over: Partial<AlignmentReport> = {}): AlignmentReport =>
  alignmentReport({ confidence: 0.98, frames: { ref: 60, dist: 60, matched: 60 }, ...over });

describe('alignmentLine', () => {
  it('says aligned with the confidence', () => {
    expect(alignmentLine(report())).toBe('aligned (confidence 0.98)');
  });
  it('says the offset with its sign, drops and duplicates in reference frames, and both frame rates', () => {
    const r = report({
      aligned: false,
      offset: 3,
      dropped: [40, 41],
      duplicated: [7],
      fps: { ref: 25, dist: 30 },
      confidence: 0.91,
      policy: { skipRef: 3, skipDist: 0, truncate: true, ignoreFps: true },
    });
    expect(alignmentLine(r)).toBe('offset +3 frames, 2 dropped (ref frames 40–41), 1 duplicated (ref frame 7), fps 25 vs 30 (confidence 0.91)');
    expect(alignmentLine(report({ aligned: false, offset: -1, confidence: 0.9 }))).toBe('offset -1 frame (confidence 0.90)');
    expect(alignmentLine(report({ aligned: false, frames: { ref: 60, dist: 55, matched: 55 }, confidence: 0.9 }))).toBe('60 vs 55 frames (confidence 0.90)');
  });
  it('says when the check cannot tell, with its reason', () => {
    expect(alignmentLine(report({ aligned: null, confidence: 0.1, notes: ['still content'] }))).toBe('cannot tell (confidence 0.10): still content');
  });
});

describe('decisions', () => {
  const decision = (over: Partial<AlignmentDecision>): AlignmentDecision => ({
    stimulusId: 2,
    referenceId: 1,
    verdict: 'accepted',
    offset: 3,
    policy: { skipRef: 3, skipDist: 0, truncate: true, ignoreFps: false },
    report: null,
    decidedAt: '2025-05-06T07:08:09.000Z',
    stale: false,
    ...over,
  });
  it('say what was decided and when', () => {
    expect(decisionText(decision({}))).toBe('confirmed by flicker on 2025-05-06');
    expect(decisionText(decision({ verdict: 'rejected' }))).toBe('rejected by flicker on 2025-05-06');
  });
  it('only those made on the current files apply', () => {
    const m = currentDecisions([decision({}), decision({ stimulusId: 3, stale: true })]);
    expect([...m.keys()]).toEqual([2]);
  });
});

describe('the UI route in the address fragment', () => {
  it('reads the project and the stimulus beside the token, and keeps the token when writing', () => {
    expect(parseUiRoute('#token=abc&project=%2Fdata%2Fmy+study&stimulus=12')).toEqual({ project: '/data/my study', stimulus: 12 });
    expect(withUiRoute('token=abc', { project: '/data/my study', stimulus: 12 })).toBe('token=abc&project=%2Fdata%2Fmy%20study&stimulus=12');
    expect(parseUiRoute('#project=%2Fbad%E0')).toEqual({ project: null, stimulus: null });
    expect(parseUiRoute(`#${withUiRoute('', { project: '/a&b=c/#d', stimulus: 3 })}`)).toEqual({ project: '/a&b=c/#d', stimulus: 3 });
  });
  it('removes what is null, and ignores a stimulus without a project or that is not an id', () => {
    expect(withUiRoute('token=abc&project=%2Fp&stimulus=1', { project: '/p', stimulus: null })).toBe('token=abc&project=%2Fp');
    expect(withUiRoute('project=%2Fp&stimulus=1', { project: null, stimulus: 1 })).toBe('');
    expect(parseUiRoute('#stimulus=4')).toEqual({ project: null, stimulus: null });
    expect(parseUiRoute('#project=%2Fp&stimulus=x1')).toEqual({ project: '/p', stimulus: null });
    expect(parseUiRoute('')).toEqual({ project: null, stimulus: null });
  });
});
