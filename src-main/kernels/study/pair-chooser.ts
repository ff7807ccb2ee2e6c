/**
 * The hook through which a PC session with active pairs (`--pairs active:K`) asks for its next
 * comparison. The session (services/study/sessions.ts) builds a `PairState` from every answer the
 * study has so far (all participants) and calls `choosePair(state)`, which returns two item indices;
 * it stores the trial (first/second in a seeded random order) and shows it.
 *
 * Sessions use `informationGainPair`: ASAP's expected-information-gain criterion on the Thurstone Case V
 * posterior of `kernels/study/active-pairwise.ts` (docs/active-pairwise.md), restricted to the allowed
 * pairs (active-pairwise's own `nextPair` considers every pair, and PC pairs are usually within a
 * content). `leastComparedPair` is the balanced, non-adaptive alternative.
 */
import type { Rng } from '../stats/rng';
import { informationGain, stateFromCounts } from './active-pairwise';

export interface PairState {
  /** Number of items (stimuli) being compared; items are 0 … n−1. */
  n: number;
  /** The pairs that may be asked (i < j): PC pairs are usually formed within a content. */
  allowed: readonly (readonly [number, number])[];
  /** wins[i * n + j]: how often i was preferred to j (all participants, training excluded). */
  wins: Float64Array;
  /** ties[i * n + j] (symmetric): "no difference" answers. */
  ties: Float64Array;
  /** The session's generator, for tie-breaking and sampling. */
  rng: Rng;
}

/** Chooses the next pair as item indices [i, j] (i ≠ j; order does not matter). */
export type ChoosePair = (state: PairState) => [number, number];

/** The allowed pair compared least often so far (uniformly among the least compared). */
export const leastComparedPair: ChoosePair = (state) => {
  const { n, wins, ties, allowed, rng } = state;
  if (allowed.length === 0) throw new RangeError('no pair to compare');
  let best = Infinity;
  let ties_: (readonly [number, number])[] = [];
  for (const p of allowed) {
    const [i, j] = p;
    const count = wins[i * n + j]! + wins[j * n + i]! + ties[i * n + j]!;
    if (count < best) {
      best = count;
      ties_ = [p];
    } else if (count === best) ties_.push(p);
  }
  const [i, j] = ties_[rng.nextInt(ties_.length)]!;
  return [i, j];
};

/** Relative tolerance under which two gains count as equal (ties broken by the generator). */
const GAIN_TIE_RELATIVE = 1e-12;

/**
 * The allowed pair with the largest expected information gain under the posterior fitted to every
 * answer so far (ties as half a win each way, as active-pairwise takes them); equal gains broken
 * uniformly by the session's generator.
 */
export const informationGainPair: ChoosePair = (state) => {
  const { n, wins, ties, allowed, rng } = state;
  if (allowed.length === 0) throw new RangeError('no pair to compare');
  const counts = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : wins[i * n + j]! + ties[i * n + j]! / 2)));
  const posterior = stateFromCounts(counts);
  let best = -Infinity;
  let chosen: readonly [number, number] = allowed[0]!;
  let tied = 0;
  for (const p of allowed) {
    const g = informationGain(posterior, Math.min(p[0], p[1]), Math.max(p[0], p[1]));
    if (g > best * (1 + GAIN_TIE_RELATIVE) || tied === 0) {
      best = g;
      chosen = p;
      tied = 1;
    } else if (g >= best * (1 - GAIN_TIE_RELATIVE)) {
      tied++;
      if (rng.nextInt(tied) === 0) chosen = p;
    }
  }
  return [chosen[0], chosen[1]];
};
