/**
 * The hook through which a PC session with active pairs (`--pairs active:K`) asks for its next
 * comparison. The session (services/study/sessions.ts) builds a `PairState` from every answer the
 * study has so far (all participants) and calls `choosePair(state)`, which returns two item indices;
 * it stores the trial (first/second in a seeded random order) and shows it.
 *
 * The expected-information-gain chooser on a Thurstone model is `kernels/study/active-pairwise.ts`
 * (written separately); until it is wired in, `leastComparedPair` is used: the allowed pair with the
 * fewest comparisons so far, ties broken by the session's seeded generator (a balanced design, not an
 * adaptive one).
 */
import type { Rng } from '../stats/rng';

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
