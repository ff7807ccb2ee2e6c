/**
 * Seeded presentation orders for subjective studies, pure (no database): the same seed gives the same
 * order on every platform (kernels/stats/rng.ts is 32-bit integer arithmetic only).
 *
 * The constraint: the same content never appears twice in a row. A multiset of n items whose largest
 * content group has m items can be ordered that way iff m ≤ ⌈n/2⌉; with a given previous content p the
 * first item must also differ from p, which fails only when n is odd and p is the group of (n+1)/2
 * (`canContinue`). The order is built item by item: each step draws uniformly among the remaining items
 * whose content differs from the previous one and after which the rest can still be ordered. When no
 * such order exists (one content fills more than half the trials), each step takes an item of the
 * largest remaining group that differs from the previous content, else a forced repeat: that gives the
 * fewest possible same-content neighbours (m − 1 − (n − m) of them).
 */
import { createRng, type Rng } from '../stats/rng';

/** A 48-bit seed for one participant from the study's seed and the participant's code (FNV-1a over UTF-16 units, twice). */
export function participantSeed(studySeed: number, code: string): number {
  let h1 = 0x811c9dc5 ^ (studySeed >>> 0);
  let h2 = 0x01000193 ^ Math.floor(studySeed / 4294967296);
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c ^ 0x5bd1e995, 0x01000193);
  }
  return (h1 >>> 0) + (h2 & 0xffff) * 4294967296;
}

/** Counts per content, and whether an order with no two neighbours of one content exists after `prev`. */
export function canContinue(counts: ReadonlyMap<string, number>, prev: string | null): boolean {
  let n = 0;
  let max = 0;
  let maxKey: string | null = null;
  for (const [k, c] of counts) {
    n += c;
    if (c > max) {
      max = c;
      maxKey = k;
    }
  }
  if (n === 0) return true;
  const half = Math.ceil(n / 2);
  if (max > half) return false;
  if (n % 2 === 1 && max === half && maxKey === prev) return false;
  return true;
}

/** The number of neighbours of one content in `contents` (the constraint's violations). */
export function sameContentNeighbours(contents: readonly string[]): number {
  let k = 0;
  for (let i = 1; i < contents.length; i++) if (contents[i] === contents[i - 1]) k++;
  return k;
}

/** The fewest same-content neighbours any order of these contents can have. */
export function minimumNeighbours(contents: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const c of contents) counts.set(c, (counts.get(c) ?? 0) + 1);
  const max = Math.max(0, ...counts.values());
  return Math.max(0, max - 1 - (contents.length - max));
}

/**
 * A seeded order of `items` (returned as a new array) where neighbours never share a content when
 * that is possible, and share it as rarely as possible when it is not. `prev`: the content shown just
 * before the first item (null: none).
 */
export function orderWithoutRepeats<T>(items: readonly T[], contentOf: (item: T) => string, rng: Rng, prev: string | null = null): T[] {
  const remaining = items.slice();
  const counts = new Map<string, number>();
  for (const it of remaining) counts.set(contentOf(it), (counts.get(contentOf(it)) ?? 0) + 1);
  const out: T[] = [];
  const take = (i: number) => {
    const it = remaining[i]!;
    remaining[i] = remaining[remaining.length - 1]!;
    remaining.pop();
    const c = contentOf(it);
    counts.set(c, counts.get(c)! - 1);
    if (counts.get(c) === 0) counts.delete(c);
    out.push(it);
    prev = c;
  };
  // A content is a valid next step when it differs from prev and the rest stays orderable after it.
  const validAfter = (c: string): boolean => {
    if (c === prev) return false;
    const n = counts.get(c)!;
    if (n === 1) counts.delete(c);
    else counts.set(c, n - 1);
    const ok = canContinue(counts, c);
    counts.set(c, n);
    return ok;
  };
  while (remaining.length > 0) {
    const valid = new Map<string, boolean>();
    for (const c of [...counts.keys()]) valid.set(c, validAfter(c));
    let candidates: number[] = [];
    for (let i = 0; i < remaining.length; i++) if (valid.get(contentOf(remaining[i]!))) candidates.push(i);
    if (candidates.length === 0) {
      // No repeat-free order exists: the largest group other than prev's, else a forced repeat.
      let best: string | null = null;
      for (const [c, n] of counts) if (c !== prev && (best === null || n > counts.get(best)!)) best = c;
      const target = best ?? prev;
      candidates = [];
      for (let i = 0; i < remaining.length; i++) if (contentOf(remaining[i]!) === target) candidates.push(i);
    }
    take(candidates[rng.nextInt(candidates.length)]!);
  }
  return out;
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

export { createRng };
export type { Rng };
