/**
 * Percentile bootstrap interval of the Fréchet distance (FID, FVD): each set resampled with replacement
 * B times from one seeded generator (set A's indices, then set B's, per resample), the distance
 * recomputed each time; the interval is the (1 ∓ confidence)/2 quantiles of the B values. The seed is
 * returned with the interval, so the same seed gives the same interval.
 */
import type { IntervalJson } from '../../common/domain';
import { IqaError } from '../../common/errors';
import { toJsonNumber } from '../../common/json-numbers';
import { quantileSorted } from '../stats/bootstrap';
import { createRng, resampleIndices } from '../stats/rng';
import { featureMatrix, type FeatureMatrix } from './feature-matrix';
import { frechetDistance } from './frechet';

export const DEFAULT_BOOTSTRAP_SEED = 0;

export interface BootstrapRequest {
  /** Resamples B (≥ 2). */
  resamples: number;
  seed?: number;
  /** Two-sided level, default 0.95. */
  confidence?: number;
}

function rowsOf(data: Float32Array, d: number, idx: Uint32Array, out: Float32Array): FeatureMatrix {
  for (let i = 0; i < idx.length; i++) out.set(data.subarray(idx[i]! * d, (idx[i]! + 1) * d), i * d);
  return featureMatrix(out, idx.length, d);
}

/** Float32 feature rows (as the networks give them). `signal` (an AbortSignal) is checked between resamples. */
export function bootstrapFrechet(a: FeatureMatrix, b: FeatureMatrix, req: BootstrapRequest, signal?: { readonly aborted: boolean }): IntervalJson {
  const resamples = req.resamples;
  if (!Number.isInteger(resamples) || resamples < 2) throw new IqaError('E_INPUT', `bootstrap needs at least 2 resamples, got ${resamples}`);
  const confidence = req.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new IqaError('E_INPUT', `bootstrap confidence must be between 0 and 1, got ${confidence}`);
  const seed = req.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const rng = createRng(seed);
  const d = a.cols;
  const ia = new Uint32Array(a.rows);
  const ib = new Uint32Array(b.rows);
  const ba = new Float32Array(a.rows * d);
  const bb = new Float32Array(b.rows * d);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    if (signal?.aborted) throw new IqaError('E_CANCELLED', 'bootstrap cancelled');
    resampleIndices(rng, a.rows, ia);
    resampleIndices(rng, b.rows, ib);
    values.push(frechetDistance(rowsOf(a.data as Float32Array, d, ia, ba), rowsOf(b.data as Float32Array, d, ib, bb)).fid);
  }
  values.sort((x, y) => x - y);
  return {
    low: toJsonNumber(quantileSorted(values, (1 - confidence) / 2)),
    high: toJsonNumber(quantileSorted(values, (1 + confidence) / 2)),
    confidence,
    resamples,
    seed,
    method: 'percentile',
  };
}
