/**
 * The mapping models of the analysis (the formulas and their references are in
 * common/mapping-models.ts, shared with the renderer), with the gradients the fit needs.
 */
import { evaluateMapping, sigmoid, type MappingKind } from '../../common/mapping-models';

export { MAPPING_PARAMETER_COUNT, evaluateMapping, logistic4, logistic5, polynomial, sigmoid, type MappingKind } from '../../common/mapping-models';

/** Gradient of logistic5 with respect to (b1..b5) into out[0..4]. */
export function logistic5Gradient(params: ArrayLike<number>, x: number, out: Float64Array, offset = 0): void {
  const b1 = params[0];
  const b2 = params[1];
  const b3 = params[2];
  const u = x - b3;
  const s = sigmoid(-b2 * u); // 1/(1 + e^{b2 u})
  const ds = s * (1 - s); // e^{b2 u}/(1 + e^{b2 u})²
  out[offset] = 0.5 - s;
  out[offset + 1] = b1 * ds * u;
  out[offset + 2] = -b1 * ds * b2;
  out[offset + 3] = x;
  out[offset + 4] = 1;
}

/** Gradient of logistic4 with respect to (b1..b4) into out[0..3] (d|b4|/db4 = sign(b4)). */
export function logistic4Gradient(params: ArrayLike<number>, x: number, out: Float64Array, offset = 0): void {
  const b1 = params[0];
  const b2 = params[1];
  const b4 = params[3];
  const w = Math.abs(b4);
  const u = (x - params[2]) / w;
  const s = sigmoid(u);
  const ds = s * (1 - s);
  out[offset] = s;
  out[offset + 1] = 1 - s;
  out[offset + 2] = (-(b1 - b2) * ds) / w;
  out[offset + 3] = (-(b1 - b2) * ds * u * Math.sign(b4)) / w;
}

/** q(x_i) for every x_i. */
export function applyMapping(kind: MappingKind, params: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = evaluateMapping(kind, params, x[i]);
  return out;
}
