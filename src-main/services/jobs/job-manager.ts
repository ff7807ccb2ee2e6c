/**
 * Background jobs: anything that takes longer than a click (import, metric runs). Each job has an
 * AbortController for cancel, reports progress as snapshots (throttled), and ends done, failed
 * (with a typed error) or cancelled. Listeners receive every snapshot; transports forward them as
 * `job.update` events.
 *
 * The ETA: from the work a job reports (`progress(…, work)`: its own weights, e.g. frames × pixels for
 * a metrics run, so a pair of 4K videos weighs more than one of small images), and of that only the
 * work done at the job's pace: work that finished without being done (a pair skipped as already
 * stored) counts as done but does not make the estimate faster. A job that reports no work gets the
 * estimate from its done/total counts.
 */
import { randomUUID } from 'node:crypto';
import { IqaError, toIqaError } from '../../common/errors';
import type { JobKind } from '../../common/contract-names';
import type { JobResults, JobSnapshot } from '../../common/domain';

/** Progress in a job's own weights (cumulative), for the ETA. */
export interface WorkProgress {
  done: number;
  total: number;
  /** Of `done`, the work that finished without being done at the job's pace (skipped, failed early). */
  unmeasured?: number;
}

export interface JobContext {
  signal: AbortSignal;
  /** Reports progress; cheap to call often (snapshots are throttled). `work` weighs it for the ETA. */
  progress(done: number, total: number, message?: string, work?: WorkProgress): void;
}

/** Seconds left at the pace measured so far; null until some work has been measured. */
export function estimateSeconds(elapsedS: number, done: number, total: number, unmeasured = 0): number | null {
  const measured = done - unmeasured;
  if (!(measured > 0) || !(total >= done) || !(elapsedS > 0)) return null;
  return (elapsedS / measured) * (total - done);
}

const isFinished = (s: { state: string }) => s.state === 'done' || s.state === 'failed' || s.state === 'cancelled';

/** A job of kind K: its run resolves with that kind's result type (domain.ts, JobResults). */
export interface StartJob<K extends JobKind> {
  kind: K;
  label: string;
  projectDir?: string | null;
  unit?: string;
  run: (ctx: JobContext) => Promise<JobResults[K]>;
}

/** The snapshot as the manager updates it; handed out as a JobSnapshot (kind and result agree by construction). */
type LiveSnapshot = Omit<JobSnapshot, 'kind' | 'result'> & { kind: JobKind; result: JobResults[JobKind] | null };

type Listener = (job: JobSnapshot) => void;

const EMIT_INTERVAL_MS = 100;
const KEEP_FINISHED = 50;

export class JobManager {
  readonly #jobs = new Map<string, { snapshot: LiveSnapshot; controller: AbortController; promise: Promise<unknown> }>();
  readonly #listeners = new Set<Listener>();

  onUpdate(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(): JobSnapshot[] {
    return [...this.#jobs.values()].map((j) => ({ ...j.snapshot }) as JobSnapshot);
  }

  get(id: string): JobSnapshot | undefined {
    const j = this.#jobs.get(id);
    return j ? ({ ...j.snapshot } as JobSnapshot) : undefined;
  }

  /** Resolves with the job's result, or rejects with its typed error. */
  wait(id: string): Promise<unknown> {
    const j = this.#jobs.get(id);
    if (!j) return Promise.reject(new IqaError('E_NOT_FOUND', `no job ${id}`));
    return j.promise;
  }

  cancel(id: string): boolean {
    const j = this.#jobs.get(id);
    if (!j || (j.snapshot.state !== 'running' && j.snapshot.state !== 'queued')) return false;
    j.controller.abort();
    return true;
  }

  start<K extends JobKind>(spec: StartJob<K>): string {
    const id = randomUUID();
    const controller = new AbortController();
    const startedMs = Date.now();
    const snapshot: LiveSnapshot = {
      id,
      kind: spec.kind,
      label: spec.label,
      projectDir: spec.projectDir ?? null,
      state: 'running',
      done: 0,
      total: 0,
      unit: spec.unit ?? 'items',
      message: '',
      startedAt: new Date(startedMs).toISOString(),
      finishedAt: null,
      etaS: null,
      error: null,
      result: null,
    };
    let lastEmit = 0;
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (done, total, message, work) => {
        snapshot.done = done;
        snapshot.total = total;
        if (message !== undefined) snapshot.message = message;
        const elapsed = (Date.now() - startedMs) / 1000;
        snapshot.etaS = work ? estimateSeconds(elapsed, work.done, work.total, work.unmeasured) : estimateSeconds(elapsed, done, total);
        const now = Date.now();
        if (now - lastEmit >= EMIT_INTERVAL_MS || done === total) {
          lastEmit = now;
          this.#emit(snapshot);
        }
      },
    };
    const promise = (async () => {
      try {
        const result = await spec.run(ctx);
        if (controller.signal.aborted) throw new IqaError('E_CANCELLED', `${spec.label}: cancelled`);
        snapshot.state = 'done';
        snapshot.result = result ?? null;
        return result;
      } catch (err) {
        const e = controller.signal.aborted ? new IqaError('E_CANCELLED', `${spec.label}: cancelled`) : toIqaError(err);
        snapshot.state = e.code === 'E_CANCELLED' ? 'cancelled' : 'failed';
        snapshot.error = e.toWire();
        throw e;
      } finally {
        snapshot.finishedAt = new Date().toISOString();
        snapshot.etaS = null;
        this.#emit(snapshot);
        this.#prune();
      }
    })();
    promise.catch(() => undefined); // the failure is in the snapshot; waiters get it through wait()
    this.#jobs.set(id, { snapshot, controller, promise });
    this.#emit(snapshot);
    return id;
  }

  /**
   * Forgets the finished jobs of one project (or, with null, those of no project); running ones stay.
   * Returns how many were forgotten.
   */
  clearFinished(projectDir: string | null): number {
    let n = 0;
    for (const [id, j] of this.#jobs) {
      if (isFinished(j.snapshot) && j.snapshot.projectDir === projectDir) {
        this.#jobs.delete(id);
        n += 1;
      }
    }
    return n;
  }

  #emit(snapshot: LiveSnapshot): void {
    const copy = { ...snapshot } as JobSnapshot;
    for (const l of this.#listeners) {
      try {
        l(copy);
      } catch {
        // a broken listener (a closed socket) must not break the job
      }
    }
  }

  #prune(): void {
    const finished = [...this.#jobs.entries()].filter(([, j]) => j.snapshot.finishedAt !== null);
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.#jobs.delete(id);
  }
}
