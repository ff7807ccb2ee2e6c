/**
 * The split of a project's metric work into N shards (issue 17): pure, so that every machine that plans
 * the same project state gets the same shards. Work is estimated as decoded pixels (frames × width ×
 * height, both sides of a pair for full-reference metrics), not as a count of pairs: one 4K video
 * outweighs a hundred small pictures. The split is the longest-processing-time rule: tasks by
 * decreasing weight (ties by path), each to the lightest shard so far (ties to the lowest index); it is
 * within 4/3 of the best possible maximum load.
 *
 * The run key names one metric configuration set (ids, versions, canonical parameters, pooling,
 * alignment, engine version): shards of different configurations live in different folders and can
 * never be merged into each other's runs.
 */
import { createHash } from 'node:crypto';
import { paramsKey, type MetricParams } from '../../common/metric-registry';

export interface ShardTask {
  stimulusId: number;
  /** Project-relative path: the tie-break, so the order does not depend on row ids. */
  path: string;
  /** Estimated work: decoded pixels. */
  weight: number;
}

/** Shard k (0-based) holds the stimulus ids of result[k], in path order. */
export function splitShards(tasks: readonly ShardTask[], count: number): number[][] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be a positive integer, got ${count}`);
  const order = [...tasks].sort((a, b) => b.weight - a.weight || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const load = new Array<number>(count).fill(0);
  const shards: ShardTask[][] = Array.from({ length: count }, () => []);
  for (const t of order) {
    let best = 0;
    for (let k = 1; k < count; k++) if (load[k]! < load[best]!) best = k;
    load[best]! += t.weight;
    shards[best]!.push(t);
  }
  return shards.map((s) => s.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((t) => t.stimulusId));
}

/** What a sharded run computes: everything that decides a stored value. */
export interface ShardRunConfig {
  metrics: readonly { id: string; version: string; params: MetricParams }[];
  pooling: string;
  policy: Record<string, unknown>;
  acceptDecodeErrors: boolean;
  engineVersion: string;
}

/** Canonical JSON of a run configuration (sorted keys at every level). */
export function canonicalConfig(c: ShardRunConfig): string {
  const policy = Object.fromEntries(Object.entries(c.policy).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify({
    acceptDecodeErrors: c.acceptDecodeErrors,
    engineVersion: c.engineVersion,
    metrics: c.metrics.map((m) => ({ id: m.id, params: JSON.parse(paramsKey(m.params)) as MetricParams, version: m.version })),
    policy,
    pooling: c.pooling,
  });
}

/** The folder name of a configuration's shards: 16 hex digits of the SHA-256 of its canonical JSON. */
export function runKeyOf(c: ShardRunConfig): string {
  return createHash('sha256').update(canonicalConfig(c)).digest('hex').slice(0, 16);
}
