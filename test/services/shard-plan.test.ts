/** The split of a sharded run (services/shards/shard-plan.ts): deterministic, balanced by work, complete. */
import { describe, expect, it } from 'vitest';
import { runKeyOf, splitShards, type ShardRunConfig, type ShardTask } from '../../src-main/services/shards/shard-plan';
import { parseShardSpec } from '../../src-main/common/shard-spec';

const task = (id: number, weight: number): ShardTask => ({ stimulusId: id, path: `dist/s${String(id).padStart(3, '0')}.mp4`, weight });

describe('splitShards', () => {
  it('puts every task in exactly one shard, whatever the input order', () => {
    const tasks = Array.from({ length: 37 }, (_, i) => task(i + 1, ((i * 7919) % 101) + 1));
    const a = splitShards(tasks, 5);
    const b = splitShards([...tasks].reverse(), 5);
    expect(b).toEqual(a);
    expect(a.flat().sort((x, y) => x - y)).toEqual(tasks.map((t) => t.stimulusId));
  });

  it('balances work, not counts: one heavy pair is a shard of its own', () => {
    const tasks = [task(1, 1000), ...Array.from({ length: 10 }, (_, i) => task(i + 2, 100))];
    const shards = splitShards(tasks, 2);
    expect(shards[0]).toEqual([1]);
    expect(shards[1]).toHaveLength(10);
  });

  it('stays within 4/3 of the best maximum load (longest processing time first)', () => {
    const weights = [9, 8, 7, 6, 5, 4, 3, 3, 2, 2, 1, 1];
    const shards = splitShards(weights.map((w, i) => task(i + 1, w)), 3);
    const load = shards.map((ids) => ids.reduce((s, id) => s + weights[id - 1]!, 0));
    const best = Math.ceil(weights.reduce((s, w) => s + w, 0) / 3);
    expect(Math.max(...load)).toBeLessThanOrEqual((4 / 3) * best);
  });

  it('leaves shards empty when there are fewer tasks than shards, and refuses a count below 1', () => {
    expect(splitShards([task(1, 5)], 3)).toEqual([[1], [], []]);
    expect(() => splitShards([], 0)).toThrow(/positive integer/);
  });
});

describe('runKeyOf', () => {
  const config: ShardRunConfig = { metrics: [{ id: 'ssim', version: '1', params: { variant: 'wang', downsample: 'none' } }], pooling: 'mean', policy: {}, acceptDecodeErrors: false, engineVersion: '0.1.0' };
  it('is the same for the same configuration in any key order, and differs for other parameters', () => {
    expect(runKeyOf({ ...config, metrics: [{ id: 'ssim', version: '1', params: { downsample: 'none', variant: 'wang' } }] })).toBe(runKeyOf(config));
    expect(runKeyOf({ ...config, metrics: [{ id: 'ssim', version: '1', params: { variant: 'wang', downsample: 'matlab-auto' } }] })).not.toBe(runKeyOf(config));
    expect(runKeyOf({ ...config, pooling: 'harmonic' })).not.toBe(runKeyOf(config));
    expect(runKeyOf({ ...config, engineVersion: '0.2.0' })).not.toBe(runKeyOf(config));
    expect(runKeyOf(config)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('parseShardSpec', () => {
  it('reads I/N with 1 <= I <= N and nothing else', () => {
    expect(parseShardSpec('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', '2/0', '-1/3', 'a/b', '1/2/3']) expect(parseShardSpec(bad)).toBeNull();
  });
});
