/**
 * Numeric work yields the CPU to the engine's own thread: each worker thread lowers its scheduling
 * priority once at start, so on a busy machine a participant's rating or a click is still answered
 * at once while kernels, statistics and inference fill the cores.
 *
 * Linux keeps the nice value per thread (setpriority(PRIO_PROCESS, 0) names the calling thread under
 * NPTL; see setpriority(2), BUGS), so this touches only the worker. Elsewhere it would lower the whole
 * process, the engine's thread included, so it is left alone there.
 */
import { setPriority } from 'node:os';

/** A nice value of 10: the engine thread (0) gets about nine times a worker's share when both run. */
export const WORKER_NICE = 10;

export function yieldToEngineThread(platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux') return false;
  try {
    setPriority(WORKER_NICE);
    return true;
  } catch {
    return false; // a sandbox that forbids it: the work still runs, at the default priority
  }
}
