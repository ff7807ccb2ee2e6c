/** An alignment report (align.check's answer) for tests of what the UI makes of it: aligned unless `over` says otherwise. */
import type { AlignmentReport } from '../../src-main/common/contract-types';

export function alignmentReport(over: Partial<AlignmentReport> = {}): AlignmentReport {
  return {
    offset: 0,
    dropped: [],
    duplicated: [],
    fps: { ref: 25, dist: 25 },
    confidence: 0.95,
    aligned: true,
    frames: { ref: 40, dist: 40, matched: 40 },
    matchedBy: 'frames',
    startTime: { ref: 0, dist: 0 },
    timeBase: { ref: '1/12800', dist: '1/12800' },
    maxOffset: 25,
    policy: { skipRef: 0, skipDist: 0, truncate: false, ignoreFps: false },
    policyExact: true,
    notes: [],
    ...over,
  };
}
