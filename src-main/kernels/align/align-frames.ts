/**
 * Temporal alignment of a distorted video to its reference, from decimated luma frames.
 *
 * Input: both videos as packed 8-bit luma frames of one size (frame k at k·frameSize), typically
 * 64 px wide (services/align decodes them with ffmpeg's area scaler). Output: for every distorted
 * frame the reference frame it shows (or none), from which the constant offset, the dropped and the
 * duplicated reference frames follow, and a confidence in [0, 1].
 *
 * Convention: offset k means distorted frame j shows reference frame j + k at the start of the video
 * (k > 0: the distorted starts k frames into the reference; k < 0: it has −k frames before the
 * reference's first). Dropped and duplicated frames are numbered in the REFERENCE, from 0: a dropped
 * frame is one the distorted skips between two frames it shows; a duplicated frame is one it shows
 * again (listed once per extra showing). Frames before the first and after the last one shown are an
 * offset and a truncation, never drops.
 *
 * Method (a Viterbi path, i.e. DTW restricted to a monotone map from distorted to reference frames):
 *  - lag s of distorted frame j: it shows reference frame f(j) = round(j·rate) + s, where rate is 1
 *    (frame by frame) or fpsRef/fpsDist (by timestamps, for a frame-rate conversion); s stays within
 *    ±(maxOffset + maxDrift), and the first frame's lag within ±maxOffset;
 *  - cost of (j, s): the frame MSE against reference f(j), divided by MATCH_SCALE·σ² + NOISE_FLOOR_MSE
 *    and saturated at 1, where σ² is the typical MSE of a matching pair (the median over distorted
 *    frames of their best MSE); a lag that points outside the reference costs the frame's median cost
 *    over the lags (at least UNMATCHED_COST) plus UNMATCHED_MARGIN, so that a frame is outside the
 *    reference only when it matches nothing there better than a typical frame does;
 *  - transitions: keeping the lag is free; a lag change of +g (g reference frames dropped) costs
 *    CHANGE_PENALTY·(1 + BURST_FACTOR·(g − 1)); a step of 0 reference frames (a duplicate) costs
 *    CHANGE_PENALTY, or DUPLICATE_EVIDENCE_PENALTY when the distorted frame hardly differs from the
 *    previous one while the reference moves there (a frozen frame is visible directly);
 *  - the cheapest path wins; with different frame rates both hypotheses are tried and the cheaper one
 *    is kept.
 * Confidence: over the distorted frames the path matches, the mean of 1 − MSE(path) / median MSE
 * over the lags tried, clipped to [0, 1] (0 where every lag looks alike: still content, where no
 * alignment can be told apart), scaled down while fewer than MIN_MATCHED_FRAMES frames match.
 *
 * Limits: a drop or duplicate inside still content, or within the last couple of frames, cannot be
 * placed (still content: anywhere in it, confidence drops); a lag beyond the band is not found; a
 * distorted video made of other content is reported with a low confidence, not as an error.
 */
import { frameMse } from './frame-distance';

export interface AlignFramesInput {
  /** Reference frames, packed 8-bit luma. */
  ref: Uint8Array;
  refFrames: number;
  /** Distorted frames, same size. */
  dist: Uint8Array;
  distFrames: number;
  /** Samples per frame (width × height of the decimated frames). */
  frameSize: number;
  /** Largest |offset| searched (frames). */
  maxOffset: number;
  /** How far drops and duplicates may move the lag beyond maxOffset (default 16). */
  maxDrift?: number;
  /** Reference frames per distorted frame to try besides 1 (fpsRef / fpsDist when the rates differ). */
  rates?: number[];
}

export interface FrameAlignment {
  offset: number;
  /** Reference frames the distorted skips, ascending. */
  dropped: number[];
  /** Reference frames the distorted shows more than once (once per extra showing), ascending. */
  duplicated: number[];
  /** For each distorted frame, the reference frame it shows; −1 where it shows none. */
  mapping: Int32Array;
  /** Distorted frames that show a reference frame. */
  matched: number;
  confidence: number;
  /** The hypothesis kept: 1 = frame by frame, else fpsRef/fpsDist (by timestamps). */
  rate: number;
  /** The path's mean cost per distorted frame (0 = every frame a clean match, 1 = none). */
  cost: number;
  /** σ²: the typical MSE of a matching pair (8-bit code values², on the decimated frames). */
  matchMse: number;
}

/** A matching pair's MSE is scaled by this many σ² before saturating. */
export const MATCH_SCALE = 4;
/** MSE (8-bit²) below which two decimated frames count as the same picture (a lossless pair has σ² = 0). */
export const NOISE_FLOOR_MSE = 4;
/**
 * Cost of a distorted frame that shows no reference frame: at least this (between a match,
 * ≈ 1/MATCH_SCALE, and a mismatch, 1), and at least the frame's median cost over the lags, plus
 * UNMATCHED_MARGIN.
 */
export const UNMATCHED_COST = 0.5;
export const UNMATCHED_MARGIN = 0.05;
/** Cost of a lag change (one drop or one duplicate). */
export const CHANGE_PENALTY = 0.5;
/** Each further frame of a burst of drops adds this fraction of CHANGE_PENALTY. */
export const BURST_FACTOR = 0.25;
/** A duplicate the distorted frames show directly (next frame nearly unchanged while the reference moves). */
export const DUPLICATE_EVIDENCE_PENALTY = 0.1;
/** "Nearly unchanged": the distorted frames differ by less than this fraction of the reference's step. */
export const DUPLICATE_RATIO = 0.5;
/** A frozen frame (a duplicate that replaces the next frame) not shown directly: as one lag change. */
export const FREEZE_PENALTY = CHANGE_PENALTY;
/** Breaks ties between start lags towards 0 (still content). */
const START_TIE = 1e-6;
/** Fewer matched frames than this scale the confidence down proportionally. */
export const MIN_MATCHED_FRAMES = 8;

interface Hypothesis {
  path: Int32Array;
  /** 1 where the distorted frame is a frozen copy of the previous one (it shows the previous frame's reference frame). */
  frozen: Uint8Array;
  cost: number;
}

function median(values: Float64Array, count: number): number {
  if (count === 0) return NaN;
  const v = values.subarray(0, count).sort();
  return count % 2 ? v[count >> 1]! : 0.5 * (v[count / 2 - 1]! + v[count / 2]!);
}

function checkInput(input: AlignFramesInput): void {
  const { ref, dist, refFrames, distFrames, frameSize, maxOffset } = input;
  if (!Number.isInteger(frameSize) || frameSize <= 0) throw new RangeError('frameSize must be a positive integer');
  if (!Number.isInteger(refFrames) || refFrames < 0 || ref.length < refFrames * frameSize) throw new RangeError(`reference buffer holds fewer than ${refFrames} frames`);
  if (!Number.isInteger(distFrames) || distFrames < 0 || dist.length < distFrames * frameSize) throw new RangeError(`distorted buffer holds fewer than ${distFrames} frames`);
  if (!Number.isInteger(maxOffset) || maxOffset < 0) throw new RangeError('maxOffset must be a whole number ≥ 0');
  const drift = input.maxDrift ?? 16;
  if (!Number.isInteger(drift) || drift < 0) throw new RangeError('maxDrift must be a whole number ≥ 0');
  for (const r of input.rates ?? []) if (!(r > 0) || !Number.isFinite(r)) throw new RangeError('rates must be positive');
}

/** Aligns `dist` to `ref` (see the header). Pure; O(distFrames · lags · frameSize). */
export function alignFrames(input: AlignFramesInput): FrameAlignment {
  checkInput(input);
  const { ref, dist, refFrames: n, distFrames: m, frameSize } = input;
  const maxOffset = input.maxOffset;
  const band = maxOffset + (input.maxDrift ?? 16);
  const lags = 2 * band + 1;
  const rates = [1, ...(input.rates ?? []).filter((r) => Math.abs(r - 1) > 1e-6)];
  if (n === 0 || m === 0) {
    return { offset: 0, dropped: [], duplicated: [], mapping: new Int32Array(m).fill(-1), matched: 0, confidence: 0, rate: 1, cost: m ? UNMATCHED_COST : 0, matchMse: NaN };
  }

  // Consecutive differences: a frozen distorted frame is visible directly.
  const distStep = new Float64Array(m);
  for (let j = 1; j < m; j++) distStep[j] = frameMse(dist, j - 1, dist, j, frameSize);
  const refStep = new Float64Array(n);
  for (let i = 1; i < n; i++) refStep[i] = frameMse(ref, i - 1, ref, i, frameSize);

  // The MSE of every (distorted frame, lag) per hypothesis; NaN where the lag points outside the reference.
  const base = (rate: number, j: number) => Math.round(j * rate);
  const raws = rates.map((rate) => {
    const raw = new Float64Array(m * lags).fill(NaN);
    for (let j = 0; j < m; j++) {
      const b = base(rate, j);
      for (let l = 0; l < lags; l++) {
        const i = b + l - band;
        if (i >= 0 && i < n) raw[j * lags + l] = frameMse(ref, i, dist, j, frameSize);
      }
    }
    return raw;
  });

  // σ²: the typical MSE of a matching pair, over every hypothesis's best per frame.
  const scratch = new Float64Array(Math.max(lags, m));
  let count = 0;
  for (let j = 0; j < m; j++) {
    let best = Infinity;
    for (const raw of raws) for (let l = 0; l < lags; l++) {
      const v = raw[j * lags + l]!;
      if (v < best) best = v;
    }
    if (best < Infinity) scratch[count++] = best;
  }
  const matchMse = count ? median(scratch, count) : NaN;
  const scale = MATCH_SCALE * (Number.isNaN(matchMse) ? 0 : matchMse) + NOISE_FLOOR_MSE;

  let bestH: Hypothesis | null = null;
  let bestRate = 1;
  let bestRaw = raws[0]!;
  rates.forEach((rate, h) => {
    const hyp = viterbi({ raw: raws[h]!, rate, n, m, band, maxOffset, scale, moving: (Number.isNaN(matchMse) ? 0 : matchMse) + NOISE_FLOOR_MSE, distStep, refStep, ref, dist, frameSize });
    if (!bestH || hyp.cost < bestH.cost - 1e-9) {
      bestH = hyp;
      bestRate = rate;
      bestRaw = raws[h]!;
    }
  });
  const chosen = bestH as unknown as Hypothesis;

  // The mapping and what it says.
  const mapping = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const i = base(bestRate, j) + chosen.path[j]! - band - (chosen.frozen[j] ? base(bestRate, j) - base(bestRate, j - 1) : 0);
    mapping[j] = i >= 0 && i < n ? i : -1;
  }
  const dropped: number[] = [];
  const duplicated: number[] = [];
  let offset = 0;
  let first = -1;
  let matched = 0;
  let distinct = 0;
  for (let j = 0; j < m; j++) {
    const i = mapping[j]!;
    if (i < 0) continue;
    matched += 1;
    if (first < 0) {
      first = j;
      offset = i - base(bestRate, j);
    }
    // Distinctness: how far below the typical MSE over the lags tried this frame's match lies.
    let c = 0;
    for (let l = 0; l < lags; l++) {
      const v = bestRaw[j * lags + l]!;
      if (!Number.isNaN(v)) scratch[c++] = v;
    }
    const med = median(scratch, c);
    const own = chosen.frozen[j] ? frameMse(ref, i, dist, j, frameSize) : bestRaw[j * lags + chosen.path[j]!]!;
    if (c > 1 && med > NOISE_FLOOR_MSE) distinct += Math.min(1, Math.max(0, 1 - own / med));
    if (j > 0 && mapping[j - 1]! >= 0) {
      const prev = mapping[j - 1]!;
      if (i === prev) duplicated.push(i);
      for (let k = prev + 1; k < i; k++) dropped.push(k);
    }
  }
  dropped.sort((a, b) => a - b);
  duplicated.sort((a, b) => a - b);
  const confidence = matched ? (distinct / matched) * Math.min(1, matched / MIN_MATCHED_FRAMES) : 0;
  return { offset, dropped, duplicated, mapping, matched, confidence, rate: bestRate, cost: chosen.cost / m, matchMse };
}

interface ViterbiInput {
  raw: Float64Array;
  rate: number;
  n: number;
  m: number;
  band: number;
  maxOffset: number;
  scale: number;
  /** A reference step above this MSE is motion, not noise (σ² + NOISE_FLOOR_MSE). */
  moving: number;
  distStep: Float64Array;
  refStep: Float64Array;
  ref: Uint8Array;
  dist: Uint8Array;
  frameSize: number;
}

/**
 * The cheapest lag path of one hypothesis (see the header); path[j] is a lag index (lag + band).
 * Besides the lag transitions, a distorted frame may be a frozen copy of the previous one at an
 * unchanged lag (it shows the previous frame's reference frame: one duplicate and one drop in a
 * single event, the commonest freeze), for FREEZE_PENALTY or, shown directly, DUPLICATE_EVIDENCE_PENALTY.
 */
function viterbi(v: ViterbiInput): Hypothesis {
  const { raw, rate, n, m, band, maxOffset, scale, moving, distStep, refStep } = v;
  const lags = 2 * band + 1;
  const base = (j: number) => Math.round(j * rate);
  // Showing no reference frame costs what this frame costs at a typical lag (the median), at least
  // UNMATCHED_COST: a frame that matches badly everywhere (a poorly coded one, still content) is not
  // thereby outside the reference.
  const unmatched = new Float64Array(m);
  const scratch = new Float64Array(lags);
  for (let j = 0; j < m; j++) {
    let c = 0;
    for (let l = 0; l < lags; l++) {
      const x = raw[j * lags + l]!;
      if (!Number.isNaN(x)) scratch[c++] = Math.min(1, x / scale);
    }
    unmatched[j] = Math.max(UNMATCHED_COST, c ? median(scratch, c) : 0) + UNMATCHED_MARGIN;
  }
  const cost = (j: number, l: number) => {
    const x = raw[j * lags + l]!;
    return Number.isNaN(x) ? unmatched[j]! : Math.min(1, x / scale);
  };
  // A duplicate is shown directly when the distorted frame hardly moved while the reference moves (from reference frame i to i + 1).
  const shownDuplicate = (j: number, i: number) => {
    const rs = i >= 0 && i + 1 < n ? refStep[i + 1]! : 0;
    return rs > moving && distStep[j]! < DUPLICATE_RATIO * rs;
  };
  let prev = new Float64Array(lags);
  let cur = new Float64Array(lags);
  const back = new Int32Array(m * lags);
  const frozenAt = new Uint8Array(m * lags);
  for (let l = 0; l < lags; l++) {
    const lag = l - band;
    prev[l] = Math.abs(lag) <= maxOffset ? cost(0, l) + START_TIE * Math.abs(lag) : Infinity;
  }
  for (let j = 1; j < m; j++) {
    const e = base(j) - base(j - 1);
    for (let l = 0; l < lags; l++) {
      let best = Infinity;
      let arg = -1;
      // From lag index p: the reference step is e + (l − p) ≥ 0 frames.
      for (let p = 0; p < lags; p++) {
        const pc = prev[p]!;
        if (pc === Infinity) continue;
        const delta = l - p;
        const step = e + delta;
        if (step < 0) continue;
        let pen = 0;
        if (delta !== 0) {
          if (step === 0) pen = shownDuplicate(j, base(j - 1) + p - band) ? DUPLICATE_EVIDENCE_PENALTY : CHANGE_PENALTY;
          else pen = CHANGE_PENALTY * (1 + BURST_FACTOR * (Math.abs(delta) - 1));
        }
        const x = pc + pen;
        if (x < best) {
          best = x;
          arg = p;
        }
      }
      let c = cost(j, l);
      // A frozen frame at an unchanged lag: it shows reference frame i0 (the previous frame's) instead of i.
      const i = base(j) + l - band;
      const i0 = base(j - 1) + l - band;
      if (e > 0 && i0 >= 0 && i < n && prev[l]! !== Infinity) {
        const x = l - e >= 0 ? raw[j * lags + l - e]! : frameMse(v.ref, i0, v.dist, j, v.frameSize);
        const fc = Math.min(1, x / scale) + (shownDuplicate(j, i0) ? DUPLICATE_EVIDENCE_PENALTY : FREEZE_PENALTY);
        if (prev[l]! + fc < best + c) {
          best = prev[l]!;
          arg = l;
          c = fc;
          frozenAt[j * lags + l] = 1;
        }
      }
      cur[l] = best + c;
      back[j * lags + l] = arg;
    }
    [prev, cur] = [cur, prev];
  }
  let end = 0;
  for (let l = 1; l < lags; l++) if (prev[l]! < prev[end]!) end = l;
  const path = new Int32Array(m);
  const frozen = new Uint8Array(m);
  path[m - 1] = end;
  for (let j = m - 1; j > 0; j--) {
    frozen[j] = frozenAt[j * lags + path[j]!]!;
    path[j - 1] = back[j * lags + path[j]!]!;
  }
  return { path, frozen, cost: prev[end]! };
}
