/**
 * Expected information gain of one Thurstone Case V comparison under a Gaussian posterior over the scores.
 *
 * Criterion (ASAP: Mikhailiuk, Wilmot, Perez-Ortiz, Yue & Mantiuk 2021, "Active sampling for pairwise
 * comparisons via approximate message passing and information gain maximization", ICPR 2020; reference
 * code github.com/gfxdisp/asap): the expected Kullback–Leibler divergence from the current posterior to the
 * posterior after comparing i with j, the expectation over the predicted outcome,
 *   EIG(i, j) = P(i ≻ j)·KL(p(q | i ≻ j) ‖ p(q)) + P(j ≻ i)·KL(p(q | j ≻ i) ‖ p(q)).
 *
 * Closed form. With the current posterior N(μ, Σ), the comparison informs only d = q_i − q_j ~ N(m, s²),
 * m = μ_i − μ_j, s² = Σ_ii + Σ_jj − 2Σ_ij. The updated posterior is approximated by one moment-matching
 * step (assumed density filtering, the TrueSkill update: Herbrich, Minka & Graepel 2006, "TrueSkill: a
 * Bayesian skill rating system", NIPS; the update of a probit factor), which changes the marginal of d and keeps
 * the conditional of the other directions given d; the KL of the joint then equals the KL of the marginal
 * of d. With c² = σ² + s², r = s²/c², z = ±m/c for outcome i ≻ j / j ≻ i, λ = φ(z)/Φ(z):
 *   P(outcome) = Φ(z),  new mean of d = m ± s²λ/c,  new variance = s²(1 − r·λ(λ + z)),
 *   KL = ½[−r·λ·z − ln(1 − r·λ(λ + z))]   (the Gaussian KL ½[v′/v − 1 − ln(v′/v) + Δm²/v], simplified).
 * So the EIG is a function of (m, s²) only: O(1) and allocation-free per candidate pair. ASAP instead
 * reruns its message passing per candidate and sums per-condition KLs of a factorized posterior; the
 * criterion is the same, the arithmetic is not.
 *
 * Ties are not part of the predicted outcomes (Case V has none); an observed tie is entered by the posterior
 * as half a win each way (thurstone-posterior.ts).
 */
import { normalCdf, normalPdf } from '../stats/normal-distribution';
import { THURSTONE_JND_SIGMA } from '../stats/pairwise-scaling';

/** Below this predictive probability an outcome's term is dropped: Φ(z)·KL → 0 as z → −∞ (KL grows as z²). */
const NEGLIGIBLE_PROBABILITY = 1e-300;

function outcomeTerm(z: number, r: number): number {
  const p = normalCdf(z);
  if (p < NEGLIGIBLE_PROBABILITY) return 0;
  const lambda = normalPdf(z) / p;
  // λ(λ + z) ∈ (0, 1), so 1 − r·λ(λ + z) ∈ (1 − r, 1): the log is finite for s² < ∞.
  const shrink = r * lambda * (lambda + z);
  return p * 0.5 * (-r * lambda * z - Math.log1p(-shrink));
}

/**
 * EIG in nats of one comparison of a pair whose score difference has posterior mean `meanDiff` and
 * variance `varDiff` (JND units). 0 when varDiff ≤ 0 (nothing left to learn).
 */
export function comparisonInformationGain(meanDiff: number, varDiff: number): number {
  if (!(varDiff > 0)) return 0;
  const c2 = THURSTONE_JND_SIGMA * THURSTONE_JND_SIGMA + varDiff;
  const c = Math.sqrt(c2);
  const r = varDiff / c2;
  const z = meanDiff / c;
  return outcomeTerm(z, r) + outcomeTerm(-z, r);
}

/** P(i ≻ j) predicted by the Gaussian posterior on d = q_i − q_j: Φ(m/√(σ² + s²)). */
export function predictedPreference(meanDiff: number, varDiff: number): number {
  return normalCdf(meanDiff / Math.sqrt(THURSTONE_JND_SIGMA * THURSTONE_JND_SIGMA + Math.max(varDiff, 0)));
}
