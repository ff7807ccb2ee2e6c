/**
 * A metrics run's progress weighed by pixels, for the job's ETA (job-manager.ts, WorkProgress).
 *
 * The run reports done/total in frames, with "i/n: name" for the task in hand
 * (services/metrics/run-project-metrics.ts): full-reference pairs first, then no-reference singles, in
 * the project's stimulus order. A frame of a 1080p pair costs about 700 times one of 64×48, so the
 * ETA weighs each frame by the pixels compared (the reference's size for a pair: the distorted is
 * scaled to it; the file's own for a single). A task whose frames all arrive in its first report
 * (skipped as stored, or failed before decoding) is done but unmeasured: it must not make the
 * estimate look faster than computing is.
 */
import type { Stimulus } from '../../common/domain';
import { metricById } from '../../common/metric-registry';
import type { WorkProgress } from './job-manager';

interface Task {
  name: string;
  frames: number;
  pixels: number;
}

export interface MetricsWorkInput {
  stimuli: readonly Stimulus[];
  metricIds: readonly string[];
  stimulusIds?: readonly number[];
}

/** The tasks of a run, in the order the run takes them. */
export function metricsTasks({ stimuli, metricIds, stimulusIds }: MetricsWorkInput): Task[] {
  const wanted = stimulusIds ? new Set(stimulusIds) : null;
  const byId = new Map(stimuli.map((s) => [s.id, s]));
  const hasFr = metricIds.some((id) => metricById(id)?.kind !== 'NR');
  const hasNr = metricIds.some((id) => metricById(id)?.kind === 'NR');
  const pairs = hasFr
    ? stimuli
        .filter((s) => s.role === 'distorted' && s.referenceId !== null && (!wanted || wanted.has(s.id)))
        .map((s) => {
          const ref = byId.get(s.referenceId!) ?? s;
          return { name: s.name, frames: s.frameCount ?? 1, pixels: ref.width * ref.height };
        })
    : [];
  const singles = hasNr ? stimuli.filter((s) => !wanted || wanted.has(s.id)).map((s) => ({ name: s.name, frames: s.frameCount ?? 1, pixels: s.width * s.height })) : [];
  return [...pairs, ...singles];
}

/** Turns the run's (done frames, total frames, "i/n: name") reports into pixel-weighted work. */
export function metricsWorkTracker(input: MetricsWorkInput): (done: number, total: number, label: string) => WorkProgress {
  const tasks = metricsTasks(input);
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const meanPixels = tasks.length ? tasks.reduce((n, t) => n + t.pixels, 0) / tasks.length : 1;
  const planned = tasks.reduce((n, t) => n + t.frames * t.pixels, 0);
  let lastDone = 0;
  let work = 0;
  let unmeasured = 0;
  // The task in hand: its label, its reports so far, and whether its first report brought all its frames.
  let current: { label: string; calls: number; whole: number } | null = null;
  return (done, total, label) => {
    const m = /^(\d+)\/\d+: (.*)$/.exec(label);
    const byIndex = m ? tasks[Number(m[1]) - 1] : undefined;
    const task = m ? (byIndex?.name === m[2] ? byIndex : byName.get(m[2]!)) : undefined;
    const pixels = task?.pixels ?? meanPixels;
    const delta = Math.max(0, done - lastDone);
    lastDone = done;
    work += delta * pixels;
    if (current?.label !== label) {
      // A task that ended in the one report that started it was skipped or failed early: not measured.
      // (A computed image also brings its one frame in its first report, but reports again when stored.)
      if (current && current.calls === 1) unmeasured += current.whole;
      current = { label, calls: 0, whole: delta > 0 && delta >= (task?.frames ?? Number.POSITIVE_INFINITY) ? delta * pixels : 0 };
    }
    current.calls += 1;
    // Frames the plan did not foresee (files changed since it was made), at the mean size.
    const rest = Math.max(0, total - done) * meanPixels;
    return { done: work, total: Math.max(planned, work + rest), unmeasured };
  };
}
