/**
 * The monotonic mappings q(x) fitted from an objective score x to a subjective score y before PLCC/RMSE
 * are reported (VQEG FR-TV Phase II final report 2003; ITU-T P.1401). Parameter vectors are plain
 * number arrays so that they can be stored with a result.
 *
 * - 'logistic5' (VQEG / Sheikh et al. 2006, LIVE): q = b1·(½ − 1/(1 + exp(b2·(x − b3)))) + b4·x + b5.
 * - 'logistic4': q = (b1 − b2)/(1 + exp(−(x − b3)/|b4|)) + b2.
 * - 'cubic-monotonic': q = c0 + c1·x + c2·x² + c3·x³, constrained to be monotonic (in the direction of the
 *   PLCC) over the observed range of x (P.1401's "monotonic 3rd-order polynomial").
 * - 'linear': q = c0 + c1·x.
 * The logistic sigmoid is evaluated in the overflow-free form σ(z) = 1/(1 + e^−z) for z ≥ 0,
 * e^z/(1 + e^z) otherwise.
 *
 * Pure formulas, no Node and no zod: the engine's kernels (kernels/stats/mapping-models.ts adds the
 * gradients for the fit) and the renderer's curves (src-renderer/src/lib/mapping-curve.ts) evaluate the
 * same functions.
 */

export type MappingKind = 'logistic5' | 'logistic4' | 'cubic-monotonic' | 'linear';

export const MAPPING_PARAMETER_COUNT: Readonly<Record<MappingKind, number>> = {
  logistic5: 5,
  logistic4: 4,
  'cubic-monotonic': 4,
  linear: 2,
};

/** Logistic sigmoid without overflow. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export function logistic5(params: ArrayLike<number>, x: number): number {
  const [b1, b2, b3, b4, b5] = [params[0], params[1], params[2], params[3], params[4]];
  // ½ − 1/(1 + e^{b2(x−b3)}) = ½ − σ(−b2(x−b3)).
  return b1 * (0.5 - sigmoid(-b2 * (x - b3))) + b4 * x + b5;
}

export function logistic4(params: ArrayLike<number>, x: number): number {
  const b1 = params[0];
  const b2 = params[1];
  return (b1 - b2) * sigmoid((x - params[2]) / Math.abs(params[3])) + b2;
}

/** c0 + c1 x + … (Horner), for 'linear' and 'cubic-monotonic'. */
export function polynomial(coefficients: ArrayLike<number>, x: number): number {
  let v = 0;
  for (let k = coefficients.length - 1; k >= 0; k--) v = v * x + coefficients[k];
  return v;
}

/** q(x) for a fitted mapping. */
export function evaluateMapping(kind: MappingKind, params: ArrayLike<number>, x: number): number {
  switch (kind) {
    case 'logistic5':
      return logistic5(params, x);
    case 'logistic4':
      return logistic4(params, x);
    case 'cubic-monotonic':
    case 'linear':
      return polynomial(params, x);
  }
}
