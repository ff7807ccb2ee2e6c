/**
 * Background jobs: anything that takes longer than a click (import, metric runs). Each job has an
 * AbortController for cancel, reports progress as snapshots (throttled), and ends done, failed
 * (with a typed error) or cancelled. Listeners receive every snapshot; transports forward them as
 * `job.update` events.
 */
import { randomUUID } from 'node:crypto';
import { IqaError, toIqaError } from '../../common/errors';
import type { JobKind } from '../../common/contract-names';
import type { JobResults, JobSnapshot } from '../../common/domain';

export interface JobContext {
  signal: AbortSignal;
  /** Reports progress; cheap to call often (snapshots are throttled). */
  progress(done: number, total: number, message?: string): void;
}

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
      progress: (done, total, message) => {
        snapshot.done = done;
        snapshot.total = total;
        if (message !== undefined) snapshot.message = message;
        const elapsed = (Date.now() - startedMs) / 1000;
        snapshot.etaS = done > 0 && total >= done ? (elapsed / done) * (total - done) : null;
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
