/**
 * The viewer's prefetch policy, as a pure function shared by ViewerState and the bench
 * (bench/viewer-latency.ts times stepping with it): once frame k is on screen, while stepping or
 * playing, the next PREFETCH_AHEAD frames (their pixels and their map) are asked for, so that a step
 * forward finds them in the cache or on the way.
 */
export const PREFETCH_AHEAD = 1;

/** The frames to fetch ahead once `shown` is on screen, within a pair of `frameCount` frames. */
export function framesToPrefetch(shown: number, frameCount: number, ahead: number = PREFETCH_AHEAD): number[] {
  const out: number[] = [];
  for (let k = shown + 1; k <= shown + ahead && k < frameCount; k++) out.push(k);
  return out;
}
