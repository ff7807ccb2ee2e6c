/**
 * Ratings with repetitions kept apart: an observers × stimuli × repetitions array (SUREAL's opinion-score
 * 3-D array, here observer-major), NaN where an observer gave no r-th rating of a stimulus. Repetition r
 * is the observer's r-th rating of that stimulus (in the order given); `repetitions` = R, the most any
 * observer gave one stimulus. With R = 1 it holds the same values as a RatingMatrix.
 *
 * The two views the kernels need, each a plain RatingMatrix:
 * - `stackedObservations`: (R·observers) × stimuli, row r·observers + o = observer o's r-th ratings (SUREAL's
 *   `_stack_repetitions_along_axis`): per-stimulus statistics over it treat every rating as a separate
 *   observation (n = number of ratings, not of observers);
 * - `presentationMatrix`: observers × (stimuli·R), column s·R + r = the r-th presentation of stimulus s:
 *   the presentations (j, k, r) of ITU-R BT.500 Annex 2 §2.3.1, each screened over its own observers.
 */
import { checkRatingMatrix, type RatingMatrix } from './rating-matrix';

export interface RepeatedRatings {
  /** values[(o · stimuli + s) · repetitions + r]; NaN = no such rating. */
  readonly values: Float64Array;
  readonly observers: number;
  readonly stimuli: number;
  readonly repetitions: number;
}

export function checkRepeatedRatings(m: RepeatedRatings): void {
  if (!Number.isInteger(m.repetitions) || m.repetitions < 1) throw new RangeError(`repetitions must be a positive integer, got ${m.repetitions}`);
  if (!Number.isInteger(m.observers) || !Number.isInteger(m.stimuli) || m.observers < 1 || m.stimuli < 1) {
    throw new RangeError(`repeated ratings size must be positive integers, got ${m.observers}x${m.stimuli}`);
  }
  if (m.values.length !== m.observers * m.stimuli * m.repetitions) {
    throw new RangeError(`repeated ratings hold ${m.values.length} values, ${m.observers}x${m.stimuli}x${m.repetitions} needs ${m.observers * m.stimuli * m.repetitions}`);
  }
}

/** A rating matrix as repeated ratings with R = 1 (the same values). */
export function withoutRepetitions(m: RatingMatrix): RepeatedRatings {
  checkRatingMatrix(m);
  return { values: m.values, observers: m.observers, stimuli: m.stimuli, repetitions: 1 };
}

/** (R·observers) × stimuli: row r·observers + o holds observer o's r-th ratings. */
export function stackedObservations(m: RepeatedRatings): RatingMatrix {
  checkRepeatedRatings(m);
  const { observers, stimuli, repetitions } = m;
  const values = new Float64Array(observers * stimuli * repetitions);
  for (let r = 0; r < repetitions; r++) {
    for (let o = 0; o < observers; o++) {
      for (let s = 0; s < stimuli; s++) values[(r * observers + o) * stimuli + s] = m.values[(o * stimuli + s) * repetitions + r]!;
    }
  }
  return { values, observers: observers * repetitions, stimuli };
}

/** observers × (stimuli·R): column s·R + r is the r-th presentation of stimulus s. */
export function presentationMatrix(m: RepeatedRatings): RatingMatrix {
  checkRepeatedRatings(m);
  // The observer-major layout already is this matrix, row by row.
  return { values: m.values, observers: m.observers, stimuli: m.stimuli * m.repetitions };
}
