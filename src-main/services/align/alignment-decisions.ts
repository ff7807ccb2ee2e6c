/**
 * The user's decisions about pairs' detected temporal alignment (table `alignment_decisions`,
 * migration 5): after the viewer's "Confirm by flicker", a pair's alignment is 'accepted' (its timing,
 * the metrics run's skipRef / skipDist / truncate / ignoreFps, is what a later run applies to the pair:
 * the compute dialog fills it in) or 'rejected' (the check's finding was wrong). One decision per
 * distorted stimulus, replaced by the next. A decision holds for the two contents it was made on: when
 * either file's hash has changed since, it is reported `stale` and nothing applies it.
 */
import type { AlignmentDecision, AlignmentReport } from '../../common/contract-types';
import type { AlignmentVerdict } from '../../common/contract-names';
import { IqaError } from '../../common/errors';
import type { Db } from '../store/project-db';
import { getStimulus } from '../store/stimuli-repo';

export type AlignTiming = AlignmentDecision['policy'];

interface DecisionRow {
  distorted_id: number;
  reference_id: number;
  dist_sha256: string;
  ref_sha256: string;
  verdict: AlignmentVerdict;
  offset_frames: number;
  skip_ref: number;
  skip_dist: number;
  truncate: number;
  ignore_fps: number;
  report: string | null;
  decided_at: string;
  /** The pair's current hashes (joined). */
  cur_dist_sha256: string;
  cur_ref_sha256: string | null;
  cur_reference_id: number | null;
}

const SELECT = `
SELECT d.*, s.sha256 AS cur_dist_sha256, r.sha256 AS cur_ref_sha256, p.reference_id AS cur_reference_id
FROM alignment_decisions d
JOIN stimuli s ON s.id = d.distorted_id
LEFT JOIN pairs p ON p.distorted_id = d.distorted_id
LEFT JOIN stimuli r ON r.id = p.reference_id`;

function toDecision(row: DecisionRow): AlignmentDecision {
  return {
    stimulusId: row.distorted_id,
    referenceId: row.reference_id,
    verdict: row.verdict,
    offset: row.offset_frames,
    policy: { skipRef: row.skip_ref, skipDist: row.skip_dist, truncate: row.truncate === 1, ignoreFps: row.ignore_fps === 1 },
    report: row.report === null ? null : (JSON.parse(row.report) as AlignmentReport),
    decidedAt: row.decided_at,
    // Re-paired to another reference, or either content changed: decided about other frames.
    stale: row.cur_reference_id !== row.reference_id || row.cur_dist_sha256 !== row.dist_sha256 || row.cur_ref_sha256 !== row.ref_sha256,
  };
}

/** Every stored decision (or the one of `stimulusId`), stale ones included and marked. */
export function listAlignmentDecisions(db: Db, stimulusId?: number): AlignmentDecision[] {
  const rows = (stimulusId === undefined
    ? db.prepare(`${SELECT} ORDER BY d.distorted_id`).all()
    : db.prepare(`${SELECT} WHERE d.distorted_id = ?`).all(stimulusId)) as DecisionRow[];
  return rows.map(toDecision);
}

export interface DecisionInput {
  stimulusId: number;
  verdict: AlignmentVerdict | null;
  policy?: AlignTiming;
  offset?: number;
  report?: AlignmentReport;
}

/**
 * Stores the decision about one pair (replacing an earlier one) for the pair's current contents, or
 * forgets it (`verdict: null`). The policy defaults to the report's, the offset to the report's.
 */
export function decideAlignment(db: Db, input: DecisionInput, now: () => Date = () => new Date()): AlignmentDecision | null {
  const dist = getStimulus(db, input.stimulusId);
  if (!dist) throw new IqaError('E_NOT_FOUND', `no stimulus ${input.stimulusId} in this project`);
  if (input.verdict === null) {
    db.prepare('DELETE FROM alignment_decisions WHERE distorted_id = ?').run(dist.id);
    return null;
  }
  const ref = dist.referenceId === null ? undefined : getStimulus(db, dist.referenceId);
  if (!ref) throw new IqaError('E_INPUT', `${dist.path} has no reference: an alignment decision is about a distorted video and its reference`);
  const policy = input.policy ?? input.report?.policy;
  if (!policy) throw new IqaError('E_INPUT', 'a decision needs the policy or the report it was made on');
  const offset = input.offset ?? input.report?.offset ?? policy.skipRef - policy.skipDist;
  db.prepare(
    `INSERT INTO alignment_decisions (distorted_id, reference_id, dist_sha256, ref_sha256, verdict, offset_frames, skip_ref, skip_dist, truncate, ignore_fps, report, decided_at)
     VALUES (@distorted_id, @reference_id, @dist_sha256, @ref_sha256, @verdict, @offset_frames, @skip_ref, @skip_dist, @truncate, @ignore_fps, @report, @decided_at)
     ON CONFLICT(distorted_id) DO UPDATE SET reference_id = excluded.reference_id, dist_sha256 = excluded.dist_sha256, ref_sha256 = excluded.ref_sha256,
       verdict = excluded.verdict, offset_frames = excluded.offset_frames, skip_ref = excluded.skip_ref, skip_dist = excluded.skip_dist,
       truncate = excluded.truncate, ignore_fps = excluded.ignore_fps, report = excluded.report, decided_at = excluded.decided_at`,
  ).run({
    distorted_id: dist.id,
    reference_id: ref.id,
    dist_sha256: dist.sha256,
    ref_sha256: ref.sha256,
    verdict: input.verdict,
    offset_frames: offset,
    skip_ref: policy.skipRef,
    skip_dist: policy.skipDist,
    truncate: policy.truncate ? 1 : 0,
    ignore_fps: policy.ignoreFps ? 1 : 0,
    report: input.report ? JSON.stringify(input.report) : null,
    decided_at: now().toISOString(),
  });
  return listAlignmentDecisions(db, dist.id)[0]!;
}
