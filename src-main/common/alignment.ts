/**
 * The alignment policy a stored full-reference value was computed under, read back from its provenance.
 *
 * What the store keeps per value is the decoder command (services/metrics/compute-pair.ts: the decode
 * jobs joined by " ; ", the two sides of a pair by " | ", each side's filters after `-vf` or
 * `-filter_complex`): a scaler shows as `scale=W:H:flags=<scaler>` on the distorted side, skipped frames
 * as `trim=start_frame=N` on their side. Truncation is not a filter: it shows as fewer frames compared
 * than one side has after its skip, which needs the two files' frame counts (null when they are not
 * known). Used by the results export (services/export/results-export.ts) and the stimulus detail in the
 * UI, so both say the same thing.
 */
import { metricById } from './metric-registry';

export interface AppliedAlignment {
  /** The scaler the distorted was scaled with (ffmpeg's flags name), null when it was not scaled. */
  scaler: string | null;
  /** The size it was scaled to, `WxH`, null when not scaled. */
  scaledTo: string | null;
  /** Frames dropped from the start of each side. */
  skipRef: number;
  skipDist: number;
  /** Whether the longer side was cut to the shorter; null when the frame counts are not known. */
  truncated: boolean | null;
}

/** The filter chain of one side's ffmpeg command ('' when it has none). */
function sideFilters(side: string): string {
  const m = / -(?:vf|filter_complex) (\S+)/.exec(side);
  return m ? m[1]! : '';
}

/** The frame counts the truncation is judged against (the stored media properties). */
export interface AlignmentFrames {
  /** Frames compared (stored per value). */
  compared: number;
  refFrames: number | null;
  distFrames: number | null;
}

/**
 * The alignment of one stored value, or null when none applies: a no-reference metric (computed on the
 * file as it is), or a value without a pair decode in its decoder command (stored before schema 2).
 */
export function appliedAlignment(metricId: string, decoder: string | null, frames?: AlignmentFrames): AppliedAlignment | null {
  if (!decoder || metricById(metricId)?.kind === 'NR') return null;
  const pair = decoder.split(' ; ').find((job) => job.includes(' | '));
  if (!pair) return null;
  const [ref = '', dist = ''] = pair.split(' | ');
  const refFilters = sideFilters(ref);
  const distFilters = sideFilters(dist);
  const scale = /(?:^|[,;\]])scale=(\d+):(\d+):flags=([a-z_]+)/.exec(distFilters);
  const skip = (filters: string) => Number(/trim=start_frame=(\d+)/.exec(filters)?.[1] ?? 0);
  const skipRef = skip(refFilters);
  const skipDist = skip(distFilters);
  let truncated: boolean | null = null;
  if (frames) {
    const refLeft = frames.refFrames === null ? null : Math.max(0, frames.refFrames - skipRef);
    const distLeft = frames.distFrames === null ? null : Math.max(0, frames.distFrames - skipDist);
    const known = [refLeft, distLeft].filter((n): n is number => n !== null);
    if (known.length === 2) truncated = refLeft !== distLeft && frames.compared < Math.max(...known);
    else if (known.length === 1 && frames.compared < known[0]!) truncated = true;
  }
  return {
    scaler: scale ? scale[3]! : null,
    scaledTo: scale ? `${scale[1]}x${scale[2]}` : null,
    skipRef,
    skipDist,
    truncated,
  };
}

/** One line for people: "as they are", or what was done, e.g. "distorted scaled (bicubic) to 64x48 · 2 reference frames skipped". */
export function alignmentText(a: AppliedAlignment | null): string {
  if (!a) return 'not applicable (no reference)';
  const parts: string[] = [];
  if (a.scaler) parts.push(`distorted scaled (${a.scaler}) to ${a.scaledTo}`);
  if (a.skipRef) parts.push(`${a.skipRef} reference frame${a.skipRef === 1 ? '' : 's'} skipped`);
  if (a.skipDist) parts.push(`${a.skipDist} distorted frame${a.skipDist === 1 ? '' : 's'} skipped`);
  if (a.truncated) parts.push('truncated to the shorter');
  if (parts.length === 0) return a.truncated === null ? 'compared as they are (frame counts not known)' : 'compared as they are';
  return parts.join(' · ');
}
