/**
 * The open project's sharded runs (docs/cluster.md): what `iqa run --shard I/N` or `iqa slurm submit`
 * computed into shard stores beside the project, each shard's progress, and the merge that folds the
 * finished ones into the project (`shards.merge`, the same as `iqa merge`). Read from the shard stores
 * alone: the page never needs Slurm. Views read the getters and call the methods.
 */
import type { ShardMergeReport, ShardRun, ShardState } from '../../../../src-main/common/contract-types';
import { api } from '../api';

export interface ShardsHost {
  projectDir(): string | null;
  /** Called after a merge changed the project's values (the results table re-reads them). */
  merged(): void;
}

/** Per state, how many shards of a run are in it. */
export function shardCounts(run: ShardRun): Record<ShardState['state'], number> {
  const counts = { missing: 0, unfinished: 0, done: 0, merged: 0 };
  for (const s of run.shards) counts[s.state]++;
  return counts;
}

/** Stimuli computed of those planned, over a run's shards. */
export function shardProgress(run: ShardRun): { computed: number; planned: number } {
  return run.shards.reduce((a, s) => ({ computed: a.computed + s.computed, planned: a.planned + s.planned }), { computed: 0, planned: 0 });
}

/** A merge's outcome in one line per run: what was folded in now, before, and what is still missing. */
export function mergeSummary(report: ShardMergeReport): string[] {
  return report.runs.map((r) => {
    const counts = shardCounts(r);
    const waiting = counts.missing + counts.unfinished;
    const parts = [
      r.merged.length ? `merged shard${r.merged.length === 1 ? '' : 's'} ${r.merged.join(', ')}` : 'nothing new to merge',
      r.alreadyMerged.length ? `${r.alreadyMerged.length} merged before` : '',
      waiting ? `${waiting} of ${r.count} not finished yet` : '',
    ].filter(Boolean);
    return `${r.metrics.join(', ')}: ${parts.join('; ')}`;
  });
}

export class ShardsState {
  #host: ShardsHost;
  #runs = $state.raw<ShardRun[]>([]);
  #merging = $state(false);
  #error = $state<string | null>(null);
  #lastMerge = $state<string[] | null>(null);
  #seq = 0;

  constructor(host: ShardsHost) {
    this.#host = host;
  }

  get runs() { return this.#runs; }
  get merging() { return this.#merging; }
  get error() { return this.#error; }
  /** The last merge's summary lines (null before one). */
  get lastMerge() { return this.#lastMerge; }
  /** Whether any shard is finished and not yet merged. */
  get mergeable() { return this.#runs.some((r) => r.shards.some((s) => s.state === 'done')); }

  async refresh(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir) return;
    const seq = ++this.#seq;
    try {
      const runs = await api['shards.status']({ projectDir: dir });
      if (seq !== this.#seq || dir !== this.#host.projectDir()) return;
      this.#runs = runs;
      this.#error = null;
    } catch (err) {
      if (seq === this.#seq) this.#error = (err as Error).message;
    }
  }

  /** Folds every finished shard into the project; a refusal (another configuration, moved media) changes nothing and is shown. */
  async merge(): Promise<void> {
    const dir = this.#host.projectDir();
    if (!dir || this.#merging) return;
    this.#merging = true;
    this.#error = null;
    try {
      const report = await api['shards.merge']({ projectDir: dir });
      if (dir !== this.#host.projectDir()) return;
      this.#lastMerge = mergeSummary(report);
      this.#host.merged();
    } catch (err) {
      this.#error = (err as Error).message;
    } finally {
      this.#merging = false;
      await this.refresh();
    }
  }

  clear(): void {
    this.#seq++;
    this.#runs = [];
    this.#error = null;
    this.#lastMerge = null;
  }
}
