import { describe, expect, it } from 'vitest';
import {
  findings,
  fixProblem,
  fixText,
  frameRanges,
  needsAlignmentCheck,
  offsetText,
  outcomeOf,
  planRuns,
  videoPairs,
} from '../../src-renderer/src/lib/alignment-check';
import { buildRunInput, initialForm } from '../../src-renderer/src/lib/metric-form';
import { metricsRunSchema } from '../../src-main/common/contract';
import { alignmentReport } from '../helpers/alignment-report';
import type { AlignmentReport } from '../../src-main/common/contract-types';
import { METRICS } from '../../src-main/common/metric-registry';

/** This file's default report: 40 frames. */
const report = (over: Partial<AlignmentReport> = {}): AlignmentReport =>
  alignmentReport({ frames: { ref: 40, dist: 40, matched: 40 }, ...over });

const stim = (id: number, name: string, kind: 'video' | 'image', referenceId: number | null) => ({ id, name, kind, referenceId, sha256: `h${id}` });

describe('compute dialog alignment check: which pairs', () => {
  it('checks only video pairs, and only when a full-reference metric is chosen', () => {
    const all = [stim(1, 'clip', 'video', null), stim(2, 'clip_late', 'video', 1), stim(3, 'pic', 'image', null), stim(4, 'pic_blur', 'image', 3), stim(5, 'lonely', 'video', null)];
    const pairs = videoPairs([all[1]!, all[3]!], all);
    expect(pairs).toEqual([{ id: 2, name: 'clip_late', referenceName: 'clip', key: '2:h2:h1' }]);
    expect(needsAlignmentCheck([{ kind: 'FR' }, { kind: 'NR' }])).toBe(true);
    expect(needsAlignmentCheck([{ kind: 'NR' }])).toBe(false);
  });
});

describe('compute dialog alignment check: what a report means', () => {
  it('raises no alarm for an aligned pair, flags an out-of-step one, and says a low-confidence one could not be checked', () => {
    expect(outcomeOf(report()).state).toBe('aligned');
    expect(outcomeOf(report({ aligned: false, offset: 3 })).state).toBe('misaligned');
    const still = outcomeOf(report({ aligned: null, confidence: 0.1, notes: ['low confidence (0.10): the frames are too similar to tell apart'] }));
    expect(still).toMatchObject({ state: 'unknown', reason: 'low confidence (0.10): the frames are too similar to tell apart' });
  });

  it('words the offset with its sign, drops and duplicates as reference-frame ranges, and a frame-rate mismatch', () => {
    expect(offsetText(3)).toBe('+3');
    expect(offsetText(-2)).toBe('-2');
    expect(frameRanges([9, 3, 4, 5])).toBe('3–5, 9');
    const r = report({
      aligned: false,
      offset: 3,
      dropped: [10, 11, 12],
      duplicated: [20],
      fps: { ref: 25, dist: 30 },
      frames: { ref: 40, dist: 37, matched: 34 },
      policy: { skipRef: 3, skipDist: 0, truncate: true, ignoreFps: true },
    });
    expect(findings(r)).toEqual([
      'offset +3: the distorted starts 3 frames into the reference',
      'dropped: reference frames 10–12',
      'duplicated: reference frame 20',
      'frame rates differ: reference 25 fps, distorted 30 fps',
      'lengths differ: reference 40 frames, distorted 37',
    ]);
    expect(findings(report({ aligned: false, offset: -1 }))[0]).toBe("offset -1: the distorted shows 1 frame before the reference's first");
    expect(fixText(r.policy)).toBe('skip 3 reference frames · truncate to the shorter · ignore the frame-rate mismatch');
    expect(fixText({ skipRef: 0, skipDist: 2, truncate: false, ignoreFps: false })).toBe('skip 2 distorted frames');
  });

  it('refuses an edited fix whose skip is not a whole number from 0', () => {
    expect(fixProblem({ skipRef: 3, skipDist: 0, truncate: true, ignoreFps: false })).toBeNull();
    expect(fixProblem({ skipRef: -1, skipDist: 0, truncate: true, ignoreFps: false })).toMatch(/whole numbers/);
    expect(fixProblem({ skipRef: 1.5, skipDist: 0, truncate: true, ignoreFps: false })).toMatch(/whole numbers/);
  });
});

describe('compute dialog alignment check: the runs a computation with fixes becomes', () => {
  const form = initialForm(METRICS);
  form.metrics['psnr-y']!.checked = true;
  form.scale = 'bicubic';
  // Project: 1 reference video, 3 distorted (ids 2–4), 1 picture reference 5 with its distorted 6.
  const scope = { allIds: [1, 2, 3, 4, 5, 6], pairIds: [2, 3, 4, 6] };

  it('is the form’s one run when nothing is fixed', () => {
    const base = buildRunInput(form, METRICS, '/p');
    expect(planRuns(base, scope, new Map(), METRICS)).toEqual([base]);
  });

  it('runs the other pairs as set, and each distinct fix as its own forced run over its pairs, keeping the scaler', () => {
    const base = buildRunInput(form, METRICS, '/p');
    const fix = { skipRef: 3, skipDist: 0, truncate: true, ignoreFps: false };
    const runs = planRuns(base, scope, new Map([[2, fix], [3, { ...fix }], [4, { skipRef: 0, skipDist: 1, truncate: false, ignoreFps: true }]]), METRICS);
    expect(runs.map((r) => ({ ids: r.stimulusIds, force: r.force, policy: r.policy }))).toEqual([
      { ids: [1, 5, 6], force: false, policy: { scale: 'bicubic' } },
      { ids: [2, 3], force: true, policy: { scale: 'bicubic', skipRef: 3, truncate: true } },
      { ids: [4], force: true, policy: { scale: 'bicubic', skipDist: 1, ignoreFps: true } },
    ]);
    // Every run is a valid metrics.run input.
    for (const r of runs) expect(metricsRunSchema.safeParse(r).success).toBe(true);
  });

  it('keeps the filtered scope, and drops the form’s run when every pair in it is fixed and no no-reference metric runs', () => {
    const base = buildRunInput(form, METRICS, '/p', [2, 3]);
    const fix = { skipRef: 3, skipDist: 0, truncate: true, ignoreFps: false };
    expect(planRuns(base, { ...scope, pairIds: [2, 3] }, new Map([[2, fix]]), METRICS).map((r) => r.stimulusIds)).toEqual([[3], [2]]);
    const onlyFixed = planRuns(base, { ...scope, pairIds: [2, 3] }, new Map([[2, fix], [3, fix]]), METRICS);
    expect(onlyFixed.map((r) => r.stimulusIds)).toEqual([[2, 3]]);
  });

  it('keeps the form’s run over the references when a no-reference metric is chosen', () => {
    const f = initialForm(METRICS, form);
    f.metrics['psnr-y']!.checked = true;
    f.metrics.niqe!.checked = true;
    const base = buildRunInput(f, METRICS, '/p');
    const fix = { skipRef: 3, skipDist: 0, truncate: true, ignoreFps: false };
    const runs = planRuns(base, { allIds: [1, 2], pairIds: [2] }, new Map([[2, fix]]), METRICS);
    expect(runs.map((r) => r.stimulusIds)).toEqual([[1], [2]]);
  });
});
