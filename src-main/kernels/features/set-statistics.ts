/**
 * The statistics of FID, KID, IS and FVD from feature matrices already extracted: one pure, synchronous
 * call that the compute worker runs (services/sets/ hands it the matrices, transferring their buffers).
 * Each statistic is the kernel the services used before, called in the same order with the same
 * arguments, so the numbers do not depend on where it runs:
 *  - Fréchet distance A–B (frechet.ts), or A's Gaussian against stored statistics of B, and optionally
 *    its percentile bootstrap interval (frechet-bootstrap.ts);
 *  - KID over the full sets (kid.ts unbiasedMmd2) or over seeded subsets (kid-gram.ts);
 *  - IS from set A's logits (inception-score.ts);
 *  - set A's μ and Σ, for saving them.
 */
import type { IntervalJson } from '../../common/domain';
import { gaussianStats, type FeatureMatrix, type GaussianStats } from './feature-matrix';
import { frechetDistance, frechetDistanceFromStats } from './frechet';
import { bootstrapFrechet, type BootstrapRequest } from './frechet-bootstrap';
import { inceptionScoreFromLogits } from './inception-score';
import { unbiasedMmd2 } from './kid';
import { kidWithGram } from './kid-gram';

export type KidRequest = { mode: 'full-sets' } | { mode: 'subsets'; subsetSize: number; subsets: number; seed: number };

export interface SetStatisticsRequest {
  /** Set A's features (Inception pool3 for FID/KID, I3D logits for FVD). */
  a: FeatureMatrix;
  /** Set B's features, when set B is images or videos (null when it is stored statistics or absent). */
  b: FeatureMatrix | null;
  /** The Fréchet distance: A–B, or A's Gaussian against `against` (B's stored statistics). */
  frechet?: { against?: GaussianStats; bootstrap?: BootstrapRequest };
  kid?: KidRequest;
  inceptionScore?: { logits: FeatureMatrix; splits: number };
  /** Also return set A's μ and Σ. */
  statsA?: boolean;
}

export interface SetStatisticsResult {
  frechet?: number;
  frechetCi?: IntervalJson;
  kid?: { mean: number; std: number };
  inceptionScore?: { mean: number; std: number };
  statsA?: GaussianStats;
}

/** Throws RangeError (shapes, non-finite features) or E_INPUT (bootstrap settings). */
export function setStatistics(req: SetStatisticsRequest): SetStatisticsResult {
  const out: SetStatisticsResult = {};
  let statsA: GaussianStats | undefined;
  if (req.frechet) {
    if (req.b) {
      out.frechet = frechetDistance(req.a, req.b).fid;
      if (req.frechet.bootstrap) out.frechetCi = bootstrapFrechet(req.a, req.b, req.frechet.bootstrap);
    } else if (req.frechet.against) {
      statsA = gaussianStats(req.a);
      out.frechet = frechetDistanceFromStats(statsA, req.frechet.against).fid;
    } else throw new RangeError('the Fréchet distance needs set B or its statistics');
  }
  if (req.kid) {
    if (!req.b) throw new RangeError('KID needs the features of set B');
    if (req.kid.mode === 'full-sets') out.kid = { mean: unbiasedMmd2(req.a, req.b), std: 0 };
    else {
      const k = kidWithGram(req.a, req.b, req.kid.subsetSize, req.kid.subsets, req.kid.seed);
      out.kid = { mean: k.mean, std: k.std };
    }
  }
  if (req.inceptionScore) {
    const r = inceptionScoreFromLogits(req.inceptionScore.logits, req.inceptionScore.splits);
    out.inceptionScore = { mean: r.mean, std: r.std };
  }
  if (req.statsA) out.statsA = statsA ?? gaussianStats(req.a);
  return out;
}
