import { describe, expect, it } from 'vitest';
import { canContinue, createRng, minimumNeighbours, orderWithoutRepeats, participantSeed, sameContentNeighbours } from '../../src-main/kernels/study/order';
import { buildPlaylist, candidatePairs, type PlaylistDesign, type PlaylistStimulus } from '../../src-main/kernels/study/playlist';
import { informationGainPair, leastComparedPair } from '../../src-main/kernels/study/pair-chooser';

/** 4 contents: a reference and 3 distorted versions each (ids 1..16; references 1, 5, 9, 13). */
const stimuli: PlaylistStimulus[] = Array.from({ length: 16 }, (_, i) => ({ id: i + 1, content: `c${Math.floor(i / 4)}`, referenceId: i % 4 === 0 ? null : i - (i % 4) + 1 }));
const distorted = stimuli.filter((s) => s.referenceId !== null).map((s) => s.id);
const references = stimuli.filter((s) => s.referenceId === null).map((s) => s.id);

const design = (over: Partial<PlaylistDesign> = {}): PlaylistDesign => ({
  stimulusIds: distorted,
  hiddenReferenceIds: [],
  repetitions: 1,
  training: { count: 0, filter: {}, stimulusIds: [] },
  pairs: null,
  pairsWithin: 'content',
  plannedParticipants: 10,
  ...over,
});

/** Every arrangement of a small multiset, to check canContinue exactly. */
function someOrderExists(counts: Map<string, number>, prev: string | null): boolean {
  const keys = [...counts.keys()].filter((k) => counts.get(k)! > 0);
  if (keys.length === 0) return true;
  for (const k of keys) {
    if (k === prev) continue;
    counts.set(k, counts.get(k)! - 1);
    const ok = someOrderExists(counts, k);
    counts.set(k, counts.get(k)! + 1);
    if (ok) return true;
  }
  return false;
}

describe('study playlist orders', () => {
  it('the feasibility rule agrees with an exhaustive search on every small multiset', () => {
    for (let a = 0; a <= 5; a++)
      for (let b = 0; b <= 4; b++)
        for (let c = 0; c <= 3; c++)
          for (const prev of [null, 'a', 'b', 'c']) {
            const counts = new Map([['a', a], ['b', b], ['c', c]].filter(([, n]) => (n as number) > 0) as [string, number][]);
            expect(canContinue(counts, prev), `a=${a} b=${b} c=${c} prev=${prev}`).toBe(someOrderExists(new Map(counts), prev));
          }
  });

  it('for 1,000 seeds, no content appears twice in a row and each stimulus appears exactly its repetitions', () => {
    const d = design({ repetitions: 3, hiddenReferenceIds: references, training: { count: 4, filter: {}, stimulusIds: [2, 6, 10] } });
    const content = new Map(stimuli.map((s) => [s.id, s.content]));
    for (let seed = 0; seed < 1000; seed++) {
      const plan = buildPlaylist('ACR-HR', d, stimuli, seed);
      expect(sameContentNeighbours(plan.map((t) => content.get(t.stimulusId)!)), `seed ${seed}`).toBe(0);
      const test = plan.filter((t) => !t.training);
      expect(test).toHaveLength(3 * (distorted.length + references.length));
      const counts = new Map<number, number>();
      for (const t of test) counts.set(t.stimulusId, (counts.get(t.stimulusId) ?? 0) + 1);
      for (const id of [...distorted, ...references]) expect(counts.get(id)).toBe(3);
      // Training comes first, on its own stimuli; hidden references carry no reference.
      expect(plan.slice(0, 4).every((t) => t.training)).toBe(true);
      expect(test.every((t) => (references.includes(t.stimulusId) ? t.referenceId === null : t.referenceId !== null))).toBe(true);
    }
  });

  it('for 1,000 seeds, DSCQS puts the reference on a recorded side and PC full designs hold every pair once per repetition', () => {
    const pairs = candidatePairs(distorted, new Map(stimuli.map((s) => [s.id, s])), 'content');
    expect(pairs).toHaveLength(4 * 3);
    let sideA = 0;
    for (let seed = 0; seed < 1000; seed++) {
      const dscqs = buildPlaylist('DSCQS', design(), stimuli, seed);
      expect(dscqs.every((t) => t.referenceSide === 'A' || t.referenceSide === 'B')).toBe(true);
      sideA += dscqs.filter((t) => t.referenceSide === 'A').length;
      const pc = buildPlaylist('PC', design({ pairs: { kind: 'full' }, repetitions: 2 }), stimuli, seed);
      expect(sameContentNeighbours(pc.map((t) => t.content))).toBe(0);
      const seen = pc.map((t) => [Math.min(t.stimulusId, t.otherId!), Math.max(t.stimulusId, t.otherId!)].join('-')).sort();
      expect(seen).toEqual(pairs.flatMap(([a, b]) => [`${a}-${b}`, `${a}-${b}`]).sort());
    }
    // The side is a fair draw: 12,000 trials, within 5 standard deviations of half.
    expect(Math.abs(sideA - 6000)).toBeLessThan(5 * Math.sqrt(12000 * 0.25));
  });

  it('the same seed gives the same playlist, and different participant codes give different orders', () => {
    const a = buildPlaylist('ACR', design(), stimuli, participantSeed(7, 'P01'));
    expect(buildPlaylist('ACR', design(), stimuli, participantSeed(7, 'P01'))).toEqual(a);
    expect(buildPlaylist('ACR', design(), stimuli, participantSeed(7, 'P02'))).not.toEqual(a);
    expect(participantSeed(7, 'P01')).not.toBe(participantSeed(8, 'P01'));
    expect(Number.isSafeInteger(participantSeed(2 ** 31 - 1, 'x'.repeat(100)))).toBe(true);
  });

  it('when one content fills more than half the trials, the order has the fewest possible repeats', () => {
    const items = ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'c'];
    expect(minimumNeighbours(items)).toBe(3);
    for (let seed = 0; seed < 1000; seed++) {
      const order = orderWithoutRepeats(items, (x) => x, createRng(seed));
      expect(order.slice().sort()).toEqual(items.slice().sort());
      expect(sameContentNeighbours(order)).toBe(3);
    }
  });

  it('PC random designs give each participant the planned share of pairs, and the fallback active chooser picks the least compared pair', () => {
    const plan = buildPlaylist('PC', design({ pairs: { kind: 'random', perPair: 5 }, plannedParticipants: 10 }), stimuli, 3);
    expect(plan).toHaveLength(Math.ceil((5 * 12) / 10));
    const n = 3;
    const wins = new Float64Array(9);
    wins[0 * 3 + 1] = 2;
    wins[1 * 3 + 2] = 1;
    const ties = new Float64Array(9);
    ties[1 * 3 + 2] = ties[2 * 3 + 1] = 1;
    expect(leastComparedPair({ n, allowed: [[0, 1], [0, 2], [1, 2]], wins, ties, rng: createRng(1) })).toEqual([0, 2]);
  });

  it('the information-gain chooser asks an allowed pair never compared before one compared ten times', () => {
    const n = 4;
    const wins = new Float64Array(n * n);
    wins[0 * n + 1] = 5;
    wins[1 * n + 0] = 5;
    const ties = new Float64Array(n * n);
    for (let seed = 0; seed < 20; seed++) {
      expect(informationGainPair({ n, allowed: [[0, 1], [2, 3]], wins, ties, rng: createRng(seed) })).toEqual([2, 3]);
    }
  });
});
