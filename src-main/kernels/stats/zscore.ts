/**
 * Per-participant z-scores rescaled to the rating scale, the normalisation of the LIVE databases
 * (Sheikh, Sabir & Bovik 2006, IEEE TIP 15(11); Seshadrinathan et al. 2010, IEEE TIP 19(6)):
 *   z_ij = (s_ij − μ_i) / σ_i, with μ_i and σ_i (ddof = 1) over every finite score of participant i;
 *   rescaled  s'_ij = min + (max − min) · (z_ij + 3) / 6,
 * so that z = ±3 land on the ends of the scale. Values beyond |z| = 3 fall outside the scale and are
 * kept (not clipped). A participant with fewer than 2 finite scores or constant scores has no σ: their
 * scores become NaN (excluded downstream and counted), and they are listed in `undefinedFor`.
 */
export interface ZScoreResult {
  /** Rescaled z-score per input score (NaN where undefined). */
  readonly values: Float64Array;
  /** μ, σ and n of each participant, in order of first appearance. */
  readonly participants: { participant: string; mean: number; std: number; n: number }[];
  /** Participants whose scores could not be standardised (fewer than 2 scores, or all equal). */
  readonly undefinedFor: string[];
}

export function zScoresPerParticipant(participant: readonly string[], score: ArrayLike<number>, scale: { min: number; max: number }): ZScoreResult {
  if (participant.length !== score.length) throw new RangeError(`participant and score must have the same length, got ${participant.length} and ${score.length}`);
  if (!(scale.max > scale.min)) throw new RangeError(`the scale needs min < max, got ${scale.min}..${scale.max}`);
  const acc = new Map<string, { sum: number; n: number; ss: number; mean: number; std: number }>();
  for (let i = 0; i < score.length; i++) {
    const p = participant[i]!;
    let a = acc.get(p);
    if (!a) acc.set(p, (a = { sum: 0, n: 0, ss: 0, mean: NaN, std: NaN }));
    if (Number.isFinite(score[i]!)) {
      a.sum += score[i]!;
      a.n += 1;
    }
  }
  for (const a of acc.values()) a.mean = a.n > 0 ? a.sum / a.n : NaN;
  for (let i = 0; i < score.length; i++) {
    if (!Number.isFinite(score[i]!)) continue;
    const a = acc.get(participant[i]!)!;
    a.ss += (score[i]! - a.mean) ** 2;
  }
  const undefinedFor: string[] = [];
  for (const [p, a] of acc) {
    a.std = a.n > 1 ? Math.sqrt(a.ss / (a.n - 1)) : NaN;
    if (!(a.std > 0)) undefinedFor.push(p);
  }
  const width = scale.max - scale.min;
  const values = new Float64Array(score.length);
  for (let i = 0; i < score.length; i++) {
    const a = acc.get(participant[i]!)!;
    const v = score[i]!;
    values[i] = Number.isFinite(v) && a.std > 0 ? scale.min + (width * ((v - a.mean) / a.std + 3)) / 6 : NaN;
  }
  return { values, participants: [...acc].map(([p, a]) => ({ participant: p, mean: a.mean, std: a.std, n: a.n })), undefinedFor };
}
