/**
 * The fitted mapping curves q(x) of the analysis, for drawing. The formulas are the engine's own
 * (src-main/common/mapping-models.ts, evaluated by the kernels too); this module only names the kinds
 * a report may carry ('cubic' is the monotonic cubic, which the engine reports as 'cubic-monotonic';
 * 'none' has no curve) and samples a curve for a line plot.
 */
import type { JsonNum } from '../../../src-main/common/domain';
import { evaluateMapping, MAPPING_PARAMETER_COUNT, type MappingKind } from '../../../src-main/common/mapping-models';
import { MAPPING_FITS } from '../../../src-main/common/contract-names';

export type CurveKind = MappingKind | 'cubic';

// The 'cubic' alias resolves through the contract's one table of mapping names.
const engineKind = (kind: CurveKind): MappingKind => (kind === 'cubic' ? MAPPING_FITS.cubic : kind);

export function isCurveKind(kind: string): kind is CurveKind {
  return kind === 'cubic' || Object.hasOwn(MAPPING_PARAMETER_COUNT, kind);
}

const parameterCount = (kind: CurveKind): number => MAPPING_PARAMETER_COUNT[engineKind(kind)];

/** q(x) of a fitted mapping; NaN for a kind without a curve or missing parameters. */
export function mappingValue(kind: string, params: readonly number[], x: number): number {
  if (!isCurveKind(kind) || params.length < parameterCount(kind)) return Number.NaN;
  return evaluateMapping(engineKind(kind), params, x);
}

/** Parameters as numbers when every one is finite; null otherwise (a failed or undefined fit). */
export function finiteParams(params: readonly JsonNum[]): number[] | null {
  const out: number[] = [];
  for (const v of params) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    out.push(v);
  }
  return out;
}

/**
 * The curve sampled at `steps` + 1 evenly spaced x over [xMin, xMax], for a line plot; null when
 * there is nothing to draw ('none', an unknown kind, non-finite parameters or range). Points where
 * q is not finite are left out.
 */
export function sampleMappingCurve(
  mapping: { kind: string; params: readonly JsonNum[] } | null,
  xMin: number,
  xMax: number,
  steps = 120,
): { x: number; y: number }[] | null {
  if (!mapping || !isCurveKind(mapping.kind)) return null;
  const params = finiteParams(mapping.params);
  if (!params || params.length < parameterCount(mapping.kind)) return null;
  if (!Number.isFinite(xMin) || !Number.isFinite(xMax) || xMax < xMin) return null;
  const n = xMax === xMin ? 1 : Math.max(1, Math.floor(steps));
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i <= n; i++) {
    const x = xMin + ((xMax - xMin) * i) / n;
    const y = mappingValue(mapping.kind, params, x);
    if (Number.isFinite(y)) out.push({ x, y });
  }
  return out.length ? out : null;
}
