/**
 * Fit a monotone mapping q(x) ≈ y (mapping-models.ts, ITU-T P.1401 §7) and report the mapped statistics:
 * plccMapped = PLCC(q(x), y), rmseMapped = √(mean((q(x) − y)²)), sroccMapped = SROCC(q(x), y).
 * The procedure is documented for users in docs/analysis.md ("Mapping fits").
 *
 * Conventions (those of `stats/correlation.json`):
 * - NaN pairs dropped first (nUsed reported); fewer than max(3, nParams + 1) pairs → RangeError;
 * - constant x or y → a result with NaN statistics and a `reason`, no throw;
 * - the mapping is monotone over [min x, max x] in `direction` (+1 rising, −1 falling; default the sign of
 *   the PLCC, the convention of the golden curve_fit runs; the analysis passes the metric's direction).
 *
 * Logistic fits (logistic5, logistic4), in this order:
 * 1. x and y are standardised (u = (x − mean x)/std x, v likewise, std with ddof = 0). Both logistic families
 *    are closed under these affine maps, so the fitted curve is the same as a fit in raw units; what changes
 *    is the conditioning (raw MSE or LPIPS values made the steps badly scaled) and that the thresholds below
 *    are in units of the data's own spread.
 * 2. Several data-driven starts, each fitted by Levenberg–Marquardt (levenberg-marquardt.ts). The first is
 *    the documented start of the golden curve_fit runs, p0 = [max(y) − min(y), direction/std(x), mean(x), 0,
 *    mean(y)] for logistic5 and [max(y), min(y), mean(x), std(x)] (b1/b2 swapped when falling) for logistic4;
 *    then centres at the quartiles of u with several slopes, and for logistic5 the best logistic4 fit
 *    (logistic5 with b4 = 0 is logistic4, so logistic5 never ends worse than logistic4).
 * 3. Each local minimum is diagnosed (`diagnoseLogistic`): not converged; not monotone over the data range in
 *    the direction (exact: the slope's extremes lie at the ends or at the centre b3); flat (the curve rises
 *    by less than FLAT_RISE standard deviations of y over the data range); extreme parameters (an amplitude
 *    or linear term beyond EXTREME_PARAMETER standard deviations, a sigmoid centred FAR_OUTSIDE data ranges
 *    away, a logistic4 transition WIDE_TRANSITION ranges wide: the sigmoid is used as a straight line,
 *    β1 ≈ 9e5 with β2 ≈ 0.015, or as the exponential of its tail); step-like (a 10–90 % transition centred in
 *    the data range with no x value inside: no point determines its steepness).
 * 4. The lowest SSE among the acceptable minima wins; a later start replaces an earlier one only when its SSE
 *    is lower by more than SSE_IMPROVEMENT (relative), so the documented start's fit is kept where others
 *    merely reproduce it. Extreme parameters do not disqualify a monotone curve (MSE's best logistic is the
 *    exponential limit of one), but such a fit is kept only when it beats every ordinary minimum by
 *    EXTREME_GAIN, and it is then reported (`degenerate`, issue 'extreme-parameters').
 * 5. No acceptable minimum: with `fallback` (the default) the fit falls back, visibly (`fallback` in the
 *    result), logistic5 → logistic4 → cubic-monotonic; without it, the best minimum is returned with its
 *    `degenerate` diagnosis. A result is never silently unconverged.
 * The parameters are returned in raw units of x and y. They are not unique in general: compare SSE and the
 * mapped statistics, not `params`.
 *
 * cubic-monotonic: least squares over the cubics whose derivative has the sign of `direction` everywhere on
 * [min x, max x], solved exactly by monotonic-cubic.ts (a convex QP; x mapped to t ∈ [0, 1] internally).
 * linear: ordinary least squares (Householder QR); a slope against `direction` is diagnosed 'not-monotone'.
 */
import { constantReason, pearsonCoefficient, rootMeanSquareDifference, type UndefinedCorrelationReason } from './correlation';
import { solveLeastSquaresInPlace } from './least-squares-qr';
import {
  LEVENBERG_MARQUARDT_SOLVER,
  levenbergMarquardt,
  type LevenbergMarquardtOptions,
  type LevenbergMarquardtStop,
  type LeastSquaresModel,
} from './levenberg-marquardt';
import {
  MAPPING_PARAMETER_COUNT,
  applyMapping,
  logistic4,
  logistic5,
  sigmoid,
  type MappingKind,
} from './mapping-models';
import { monotonicCubicLeastSquares } from './monotonic-cubic';
import { finitePairs, MIN_PAIRS } from './paired-samples';
import { averageRanks } from './ranks';

/** Why a fitted curve is not used as it is. */
export type FitIssue = 'not-converged' | 'not-monotone' | 'flat' | 'extreme-parameters' | 'step';

export interface FitDiagnosis {
  readonly issue: FitIssue;
  /** One sentence, in raw units of x, e.g. "falling near x = 0.83 (slope −0.41)". */
  readonly detail: string;
}

export interface MappingFitOptions extends LevenbergMarquardtOptions {
  /** One start for the logistic fits (raw units), instead of the data-driven starts: a warm start or a check against a reference. */
  readonly p0?: readonly number[];
  /** +1: q rises with x; −1: q falls. Default: the sign of the PLCC (+1 when it is 0). */
  readonly direction?: 1 | -1;
  /** Fall back logistic5 → logistic4 → cubic-monotonic when no acceptable fit is found. Default true. */
  readonly fallback?: boolean;
  /**
   * End a start that retraces an earlier start's path where its end could not change the fit kept (see
   * runLogisticStarts). Default true; false runs every start to its own end (the same fit, slower: for tests).
   */
  readonly retrace?: boolean;
}

export interface MappingFallback {
  /** The kind that was asked for. */
  readonly from: MappingKind;
  /** Why each kind tried before the one used was rejected ("logistic5: step-like …; logistic4: …"). */
  readonly because: string;
}

export interface MappingFit {
  /** The kind fitted: the requested one, or the one fallen back to (`fallback` says why). */
  readonly kind: MappingKind;
  readonly requestedKind: MappingKind;
  /** Fitted parameters in raw units (logistic b1..; polynomial c0, c1, … in powers of x). NaN when undefined. */
  readonly params: number[];
  /** Start of the iterative fit that was kept, raw units (empty for closed-form fits). */
  readonly p0: number[];
  /** Σ (q(x_i) − y_i)². */
  readonly sse: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Which algorithm produced `params`. */
  readonly solver: string;
  /** Why the iteration stopped ('closed-form' for direct solutions). */
  readonly stop: LevenbergMarquardtStop | 'closed-form' | 'undefined';
  /** The direction the fit was held to. */
  readonly direction: 1 | -1;
  /** Starts tried for `kind` (1 for closed-form fits). */
  readonly starts: number;
  /**
   * Set when the returned fit is degenerate: 'extreme-parameters' (a usable monotone curve, reported); any
   * issue with `fallback: false`; 'flat' (or a falling line) for cubic and linear fits.
   */
  readonly degenerate: FitDiagnosis | null;
  /** Set when `kind` differs from `requestedKind`. */
  readonly fallback: MappingFallback | null;
  readonly nTotal: number;
  readonly nUsed: number;
  readonly plccMapped: number;
  readonly rmseMapped: number;
  readonly sroccMapped: number;
  /** q(x_i) for the used pairs, in input order. */
  readonly predictions: Float64Array;
  /** Present when the statistics are NaN because x or y is constant. */
  readonly reason?: UndefinedCorrelationReason;
}

const LINEAR_SOLVER = 'linear least squares (Householder QR)';
const CUBIC_SOLVER = 'active-set least squares for a cubic monotonic on [min x, max x]';

/** A curve whose rise over the data range is below this many standard deviations of y is flat. */
export const FLAT_RISE = 1e-6;
/** Amplitudes and linear terms beyond this many standard deviations (of y, per sd of x) are extreme. */
export const EXTREME_PARAMETER = 1e3;
/**
 * A sigmoid (of amplitude above SIGNIFICANT_AMPLITUDE sd of y) centred more than this many data ranges
 * outside the data, or a logistic4 transition wider than WIDE_TRANSITION data ranges, is extreme: the data
 * see only a tail (an exponential) or a straight line, and the parameters are not determined.
 */
export const FAR_OUTSIDE = 5;
export const WIDE_TRANSITION = 20;
export const SIGNIFICANT_AMPLITUDE = 0.1;
/**
 * Step-like: a 10–90 % transition centred inside the data range that holds no x value. No data point then
 * constrains its steepness (or, in a gap between clusters of x, its shape), and the SSE only falls as it
 * steepens. One x value inside fixes the curve at every data point, as in the golden `ties_both` case,
 * whose transition is 1 % of the range around the single value x = 30: that fit is kept.
 */
/**
 * A minimum with extreme parameters (a monotone curve whose parametrisation runs off, e.g. the exponential
 * limit of a logistic on MSE values) is kept, and reported as degenerate, only when its SSE is lower than
 * that of every ordinary minimum by more than this share; otherwise the ordinary one is kept.
 */
export const EXTREME_GAIN = 1e-3;
/** A later start replaces the kept fit only when it lowers the SSE by more than this (relative). */
export const SSE_IMPROVEMENT = 1e-6;
/**
 * Residual evaluations per start. On standardised data an ordinary minimum takes tens; more only lets
 * parameters that run off (a degenerate fit) run further.
 */
export const MAX_EVALUATIONS_PER_START = 1000;
/** A standardised parameter beyond this has run off (levenberg-marquardt.ts 'diverging'): no minimum to wait for. */
export const RUN_OFF_MAGNITUDE = 1e6;
/** Relative slack of the monotonicity test (an exactly level end is monotone). */
const MONOTONE_SLACK = 1e-9;
/** Width of the 10–90 % transition of σ(z), in units of z: 2·ln 9. */
const TRANSITION_10_90 = 2 * Math.log(9);

function meanStd(v: Float64Array): { mean: number; std: number } {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += (v[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / v.length) };
}

function minMax(v: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < min) min = v[i];
    if (v[i] > max) max = v[i];
  }
  return { min, max };
}

/** Documented start of the logistic fits in raw units (see the header); direction defaults to sign(PLCC). */
export function defaultLogisticStart(kind: 'logistic5' | 'logistic4', x: Float64Array, y: Float64Array, direction?: 1 | -1): number[] {
  const s = direction ?? (pearsonCoefficient(x, y) < 0 ? -1 : 1);
  const sx = meanStd(x);
  const sy = meanStd(y);
  const ry = minMax(y);
  if (kind === 'logistic5') return [ry.max - ry.min, s / sx.std, sx.mean, 0, sy.mean];
  return s < 0 ? [ry.min, ry.max, sx.mean, sx.std] : [ry.max, ry.min, sx.mean, sx.std];
}

/** The affine maps between raw units and standardised ones: x = mx + sx·u, y = my + sy·v. */
interface Scales {
  mx: number;
  sx: number;
  my: number;
  sy: number;
}

/** Logistic parameters in standardised units → raw units (exact reparametrisation). */
export function logisticToRaw(kind: 'logistic5' | 'logistic4', a: ArrayLike<number>, k: Scales): number[] {
  if (kind === 'logistic5') {
    const b4 = (k.sy * a[3]) / k.sx;
    return [k.sy * a[0], a[1] / k.sx, k.mx + k.sx * a[2], b4, k.my + k.sy * a[4] - b4 * k.mx];
  }
  return [k.my + k.sy * a[0], k.my + k.sy * a[1], k.mx + k.sx * a[2], k.sx * a[3]];
}

/** Raw units → standardised units (inverse of logisticToRaw). */
export function logisticToStandard(kind: 'logistic5' | 'logistic4', b: ArrayLike<number>, k: Scales): number[] {
  if (kind === 'logistic5') {
    return [b[0] / k.sy, b[1] * k.sx, (b[2] - k.mx) / k.sx, (b[3] * k.sx) / k.sy, (b[4] + b[3] * k.mx - k.my) / k.sy];
  }
  return [(b[0] - k.my) / k.sy, (b[1] - k.my) / k.sy, (b[2] - k.mx) / k.sx, b[3] / k.sx];
}

/**
 * The logistic fit's least-squares model r_i = q(u_i) − v_i. residuals() keeps the sigmoid of every point and
 * jacobian() reuses them when asked at the same parameters (levenberg-marquardt.ts asks only there): one
 * exp() per point per evaluation instead of two. The arithmetic is that of logistic5/logistic4 and their
 * gradients in mapping-models.ts, term for term, so the values are the same to the last bit.
 */
function logisticModel(kind: 'logistic5' | 'logistic4', x: Float64Array, y: Float64Array): LeastSquaresModel {
  const n = x.length;
  const np = kind === 'logistic5' ? 5 : 4;
  const sig = new Float64Array(n);
  const at = new Float64Array(np).fill(NaN);
  const same = (p: Float64Array): boolean => {
    for (let j = 0; j < np; j++) if (!(p[j] === at[j])) return false;
    return true;
  };
  const fill = (p: Float64Array): void => {
    at.set(p.subarray(0, np));
    if (kind === 'logistic5') {
      const b2 = p[1];
      const b3 = p[2];
      for (let i = 0; i < n; i++) sig[i] = sigmoid(-b2 * (x[i] - b3));
    } else {
      const b3 = p[2];
      const w = Math.abs(p[3]);
      for (let i = 0; i < n; i++) sig[i] = sigmoid((x[i] - b3) / w);
    }
  };
  if (kind === 'logistic5') {
    return {
      nParams: 5,
      nResiduals: n,
      residuals(p, out) {
        fill(p);
        const [b1, b4, b5] = [p[0], p[3], p[4]];
        for (let i = 0; i < n; i++) out[i] = b1 * (0.5 - sig[i]) + b4 * x[i] + b5 - y[i];
      },
      jacobian(p, out) {
        if (!same(p)) fill(p);
        const [b1, b2, b3] = [p[0], p[1], p[2]];
        for (let i = 0; i < n; i++) {
          // logistic5Gradient with s = sig[i].
          const u = x[i] - b3;
          const s = sig[i];
          const ds = s * (1 - s);
          const o = i * 5;
          out[o] = 0.5 - s;
          out[o + 1] = b1 * ds * u;
          out[o + 2] = -b1 * ds * b2;
          out[o + 3] = x[i];
          out[o + 4] = 1;
        }
      },
    };
  }
  return {
    nParams: 4,
    nResiduals: n,
    residuals(p, out) {
      fill(p);
      const [b1, b2] = [p[0], p[1]];
      for (let i = 0; i < n; i++) out[i] = (b1 - b2) * sig[i] + b2 - y[i];
    },
    jacobian(p, out) {
      if (!same(p)) fill(p);
      const [b1, b2, b3, b4] = [p[0], p[1], p[2], p[3]];
      const w = Math.abs(b4);
      const sign = Math.sign(b4);
      for (let i = 0; i < n; i++) {
        // logistic4Gradient with s = sig[i].
        const u = (x[i] - b3) / w;
        const s = sig[i];
        const ds = s * (1 - s);
        const o = i * 4;
        out[o] = s;
        out[o + 1] = 1 - s;
        out[o + 2] = (-(b1 - b2) * ds) / w;
        out[o + 3] = (-(b1 - b2) * ds * u * sign) / w;
      }
    },
  };
}

interface RawFit {
  params: number[];
  p0: number[];
  iterations: number;
  converged: boolean;
  solver: string;
  stop: MappingFit['stop'];
  starts: number;
  degenerate: FitDiagnosis | null;
}

/** Power-basis least squares in t (columns 1, t, …, t^degree); null when the design is rank-deficient. */
function polynomialLeastSquares(t: Float64Array, y: Float64Array, degree: number): Float64Array | null {
  const p = degree + 1;
  const a = new Float64Array(t.length * p);
  for (let i = 0; i < t.length; i++) {
    let v = 1;
    for (let k = 0; k < p; k++) {
      a[i * p + k] = v;
      v *= t[i];
    }
  }
  return solveLeastSquaresInPlace(a, Float64Array.from(y), t.length, p);
}

/** Coefficients of Σ c_k ((x − offset)/width)^k in powers of x. */
function toPowerBasis(c: ArrayLike<number>, offset: number, width: number): number[] {
  const out = new Array<number>(c.length).fill(0);
  for (let k = 0; k < c.length; k++) {
    // (x − offset)^k = Σ_j C(k, j) x^j (−offset)^{k−j}
    let binom = 1;
    for (let j = 0; j <= k; j++) {
      out[j] += (c[k] / width ** k) * binom * (-offset) ** (k - j);
      binom = (binom * (k - j)) / (j + 1);
    }
  }
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Number(v.toPrecision(3))));

/** A rise of a fitted curve over [min x, max x], compared with the spread of y. */
function flatDiagnosis(rise: number, sy: number, direction: 1 | -1, x: Float64Array, y: Float64Array): FitDiagnosis | null {
  if (Math.abs(rise) >= FLAT_RISE * sy) return null;
  const against = Math.sign(pearsonCoefficient(x, y)) === -direction;
  return {
    issue: 'flat',
    detail: `the fitted curve is flat over the data range${against ? ` (the data ${direction > 0 ? 'fall' : 'rise'} where the ${direction > 0 ? 'rising' : 'falling'} direction asked for needs them to ${direction > 0 ? 'rise' : 'fall'})` : ''}`,
  };
}

function fitLinear(x: Float64Array, y: Float64Array, direction: 1 | -1): RawFit {
  const { min, max } = minMax(x);
  const width = max - min;
  const t = x.map((v) => (v - min) / width);
  const c = polynomialLeastSquares(t, y, 1);
  if (!c) throw new RangeError('linear mapping needs at least 2 distinct x values');
  const sy = meanStd(y).std;
  let degenerate = flatDiagnosis(c[1], sy, direction, x, y);
  if (!degenerate && c[1] * direction < 0) {
    degenerate = { issue: 'not-monotone', detail: `the least-squares line ${c[1] < 0 ? 'falls' : 'rises'} although the mapping must ${direction > 0 ? 'rise' : 'fall'}` };
  }
  return { params: toPowerBasis(c, min, width), p0: [], iterations: 0, converged: true, solver: LINEAR_SOLVER, stop: 'closed-form', starts: 1, degenerate };
}

function fitCubicMonotonic(x: Float64Array, y: Float64Array, direction: 1 | -1): RawFit {
  const { min, max } = minMax(x);
  const width = max - min;
  const t = x.map((v) => (v - min) / width);
  const { c, activeSet } = monotonicCubicLeastSquares(t, y, direction);
  const rise = c[1] + c[2] + c[3]; // q(1) − q(0)
  return {
    params: toPowerBasis(c, min, width),
    p0: [],
    iterations: 0,
    converged: true,
    solver: `${CUBIC_SOLVER}; active set: ${activeSet}`,
    stop: 'closed-form',
    starts: 1,
    degenerate: flatDiagnosis(rise, meanStd(y).std, direction, x, y),
  };
}

/** A local minimum of one start, in standardised units. */
interface Candidate {
  a: number[];
  start: number[];
  sse: number;
  iterations: number;
  converged: boolean;
  stop: LevenbergMarquardtStop;
  diagnosis: FitDiagnosis | null;
}

/** Count of distinct sorted values strictly inside (lo, hi). */
function distinctInside(sortedU: Float64Array, lo: number, hi: number): number {
  let count = 0;
  let last = NaN;
  for (let i = 0; i < sortedU.length; i++) {
    const u = sortedU[i];
    if (u <= lo) continue;
    if (u >= hi) break;
    if (u !== last) count++;
    last = u;
  }
  return count;
}

/**
 * What is wrong with a logistic fit in standardised units (null: acceptable). `sortedU` is the standardised
 * x sorted; `k` converts locations back to raw x for the message.
 */
export function diagnoseLogistic(
  kind: 'logistic5' | 'logistic4',
  a: ArrayLike<number>,
  sortedU: Float64Array,
  direction: 1 | -1,
  k: Scales,
): FitDiagnosis | null {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return { issue: 'not-converged', detail: 'non-finite parameters' };
  }
  const uMin = sortedU[0];
  const uMax = sortedU[sortedU.length - 1];
  const toX = (u: number): string => fmt(k.mx + k.sx * u);
  const farOutside = (c: number): boolean => c < uMin - FAR_OUTSIDE * (uMax - uMin) || c > uMax + FAR_OUTSIDE * (uMax - uMin);
  const f = kind === 'logistic5' ? logistic5 : logistic4;
  let centre: number;
  let width: number;
  if (kind === 'logistic5') {
    const [a1, a2, a3, a4] = [a[0], a[1], a[2], a[3]];
    // q'(u) = a1·a2·g(u) + a4 with g = σ(1 − σ) unimodal around a3: the slope's extremes are at the ends or at a3.
    const slope = (u: number): number => {
      const s = sigmoid(a2 * (u - a3));
      return a1 * a2 * s * (1 - s) + a4;
    };
    const scale = Math.abs(a1 * a2) / 4 + Math.abs(a4);
    for (const u of [uMin, uMax, Math.min(uMax, Math.max(uMin, a3))]) {
      const d = slope(u);
      if (direction * d < -MONOTONE_SLACK * scale) {
        return { issue: 'not-monotone', detail: `${d < 0 ? 'falling' : 'rising'} near x = ${toX(u)} although the mapping must ${direction > 0 ? 'rise' : 'fall'}` };
      }
    }
    if (Math.abs(a1) > EXTREME_PARAMETER || Math.abs(a4) > EXTREME_PARAMETER || (Math.abs(a1) > SIGNIFICANT_AMPLITUDE && farOutside(a3))) {
      return { issue: 'extreme-parameters', detail: `b1 = ${fmt(a[0] * k.sy)}, b2 = ${fmt(a2 / k.sx)}, b3 = ${fmt(k.mx + k.sx * a3)}, b4 = ${fmt((a4 * k.sy) / k.sx)} (the sigmoid is used as a straight line or far outside the data)` };
    }
    centre = a3;
    width = TRANSITION_10_90 / Math.abs(a2);
  } else {
    if ((a[0] - a[1]) * direction < 0) {
      return { issue: 'not-monotone', detail: `${direction > 0 ? 'falling' : 'rising'} over the whole range although the mapping must ${direction > 0 ? 'rise' : 'fall'}` };
    }
    if (Math.abs(a[0]) > EXTREME_PARAMETER || Math.abs(a[1]) > EXTREME_PARAMETER || farOutside(a[2]) || TRANSITION_10_90 * Math.abs(a[3]) > WIDE_TRANSITION * (uMax - uMin)) {
      return { issue: 'extreme-parameters', detail: `b1 = ${fmt(k.my + k.sy * a[0])}, b2 = ${fmt(k.my + k.sy * a[1])}, b3 = ${fmt(k.mx + k.sx * a[2])}, b4 = ${fmt(k.sx * a[3])} (asymptotes or width far outside the data)` };
    }
    centre = a[2];
    width = TRANSITION_10_90 * Math.abs(a[3]);
  }
  const rise = f(a, uMax) - f(a, uMin);
  if (Math.abs(rise) < FLAT_RISE) return { issue: 'flat', detail: 'the fitted curve is flat over the data range' };
  if (centre > uMin && centre < uMax) {
    const inside = distinctInside(sortedU, centre - width / 2, centre + width / 2);
    if (inside === 0) {
      return {
        issue: 'step',
        detail: `step-like: its 10-90 % transition at x = ${toX(centre)} is ${fmt(width * k.sx)} wide (${fmt((100 * width) / (uMax - uMin))} % of the x range) and holds no x value, so its steepness is not determined by the data`,
      };
    }
  }
  return null;
}

/** Quantile of sorted values (linear interpolation). */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The data-driven starts in standardised units; the documented start first. */
function logisticStarts(kind: 'logistic5' | 'logistic4', u: Float64Array, v: Float64Array, sortedU: Float64Array, direction: 1 | -1): number[][] {
  const { min: vMin, max: vMax } = minMax(v);
  const range = vMax - vMin;
  const centres = [0.25, 0.5, 0.75].map((q) => quantile(sortedU, q));
  const starts: number[][] = [];
  if (kind === 'logistic5') {
    starts.push([range, direction, 0, 0, 0]);
    for (const c of centres) for (const slope of [0.5, 2, 6]) starts.push([range, direction * slope, c, 0, 0]);
  } else {
    starts.push(direction < 0 ? [vMin, vMax, 0, 1] : [vMax, vMin, 0, 1]);
    const [hi, lo] = direction < 0 ? [vMin, vMax] : [vMax, vMin];
    for (const c of centres) for (const w of [0.2, 0.6, 2]) starts.push([hi, lo, c, w]);
  }
  return starts;
}

interface LogisticSearch {
  /** The minimum kept (null: none acceptable). Its diagnosis is null or 'extreme-parameters'. */
  best: Candidate | null;
  /** The lowest-SSE converged minimum, acceptable or not (what a fallback reports). */
  bestAny: Candidate | null;
  starts: number;
}

/**
 * The accepted iterates of a finished start, for recognising a later start that retraces it. Along a path the
 * SSE falls strictly, so a point of another run is looked up by its SSE.
 */
interface StartPath {
  /** Evaluations spent when each point was reached. */
  evaluations: number[];
  sse: number[];
  params: Float64Array[];
  /** The run ended by its evaluation budget while still moving (a run-off), not by a test of its own. */
  budgetEnded: boolean;
  /** The issue class its candidate got ('ok' for an acceptable minimum). */
  endClass: string;
}

/**
 * A later start whose parameters come within this distance (relative to 1 + |parameter|, on the standardised
 * data) of a point of an earlier start's path with the same SSE is on that path: from there it can only repeat
 * what the earlier start did. Measured on the bench's data: starts that join a run-off valley sit within
 * ~1e-5 of the earlier path (interpolated between its points); runs in different valleys are ≫ 1e-2 apart.
 */
export const RETRACE_TOLERANCE = 1e-3;

/** Relative allowance on a retracing start's predicted SSE (rounding, and the interpolation along the path). */
export const RETRACE_SSE_SLACK = 1e-9;
/**
 * A retracing start that reached the earlier path with fewer evaluations would go further down a run-off
 * valley than the earlier start got; up to this share of the budget further, its SSE is extrapolated.
 */
export const RETRACE_MAX_LEAD = 0.02;

/** The class of a diagnosis as the candidate selection sees it (unconverged runs: see runLogisticStarts). */
function issueClass(diagnosis: FitDiagnosis | null, converged: boolean): string {
  if (converged) return diagnosis?.issue ?? 'ok';
  return diagnosis?.issue === 'extreme-parameters' || diagnosis?.issue === 'step' ? diagnosis.issue : 'not-converged';
}

function runLogisticStarts(
  kind: 'logistic5' | 'logistic4',
  u: Float64Array,
  v: Float64Array,
  sortedU: Float64Array,
  direction: 1 | -1,
  k: Scales,
  starts: readonly number[][],
  options: LevenbergMarquardtOptions,
  retrace = true,
): LogisticSearch {
  const model = logisticModel(kind, u, v);
  const np = model.nParams;
  const budget = options.maxEvaluations ?? MAX_EVALUATIONS_PER_START;
  let clean: Candidate | null = null;
  let extreme: Candidate | null = null;
  let bestAny: Candidate | null = null;
  const better = (c: Candidate, than: Candidate | null): boolean => than === null || c.sse < than.sse * (1 - SSE_IMPROVEMENT);
  // bestAny ranks monotone converged minima first, then converged ones, then the rest.
  const rank = (d: Candidate): number => (d.diagnosis?.issue === 'not-converged' ? 2 : d.diagnosis?.issue === 'not-monotone' ? 1 : 0);
  const paths: StartPath[] = [];
  let current: StartPath | null = null;
  /** Would a candidate of this SSE and issue class change what is kept (the rules of the loop below)? */
  const matters = (sse: number, cls: string): boolean => {
    const issue = cls === 'ok' ? null : (cls as FitIssue);
    const c = { sse, diagnosis: issue ? { issue, detail: '' } : null } as Candidate;
    if (bestAny === null || rank(c) < rank(bestAny) || (rank(c) === rank(bestAny) && better(c, bestAny))) return true;
    if (issue === null && better(c, clean)) return true;
    return issue === 'extreme-parameters' && better(c, extreme);
  };
  /**
   * A start that has joined an earlier start's path ends there: it would retrace that path, so its own end
   * is the earlier start's end (same minimum, same SSE to rounding) or, when the budget ended the earlier one
   * while it was still running off, a point the earlier one passed (a higher SSE, same issue). Either way it
   * cannot replace a kept candidate (that takes an SSE lower by SSE_IMPROVEMENT, or a better issue class),
   * so ending it changes nothing but the time. A start that would get further down than the earlier one
   * (it reached the point with fewer evaluations) is left to run.
   */
  const mirrored = kind === 'logistic4';
  const retraces = (p: Float64Array, sse: number, evaluations: number): boolean => {
    for (const path of paths) {
      const n = path.sse.length;
      if (n < 2 || !(sse < path.sse[0] && sse > path.sse[n - 1])) continue;
      // path.sse[lo] ≥ sse > path.sse[lo + 1].
      let lo = 0;
      let hi = n - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (path.sse[mid] >= sse) lo = mid;
        else hi = mid;
      }
      const t = (path.sse[lo] - sse) / (path.sse[lo] - path.sse[lo + 1]);
      const a = path.params[lo];
      const b = path.params[lo + 1];
      let close = true;
      for (let j = 0; j < np && close; j++) {
        const q = a[j] + t * (b[j] - a[j]);
        // logistic4 depends on |b4| only, and its iteration from (…, −b4) mirrors the one from (…, b4).
        close = mirrored && j === 3 ? Math.abs(Math.abs(p[j]) - Math.abs(q)) <= RETRACE_TOLERANCE * (1 + Math.abs(q)) : Math.abs(p[j] - q) <= RETRACE_TOLERANCE * (1 + Math.abs(q));
      }
      if (!close) continue;
      const at = path.evaluations[lo] + t * (path.evaluations[lo + 1] - path.evaluations[lo]);
      const end = path.evaluations[n - 1];
      const endSse = path.sse[n - 1];
      if (!path.budgetEnded) {
        // The earlier start ended by a test of its own (a minimum, or parameters past RUN_OFF_MAGNITUDE); with
        // as many evaluations left this one ends there too: the same SSE to rounding, the same issue.
        if (budget - evaluations >= end - at + 1 && !matters(endSse * (1 - RETRACE_SSE_SLACK), path.endClass)) return true;
        continue;
      }
      // The budget ended the earlier start while it was running off. This one would end where the earlier one
      // was after `target` evaluations: on its path when target ≤ end, else further down the same valley.
      const target = at + (budget - evaluations);
      if (target <= end) {
        let idx = lo;
        while (idx < n - 1 && path.evaluations[idx] < target) idx++;
        const cls = issueClass(diagnoseLogistic(kind, path.params[idx], sortedU, direction, k), false);
        if (!matters(path.sse[idx] * (1 - RETRACE_SSE_SLACK), cls)) return true;
        continue;
      }
      const lead = target - end;
      if (lead > RETRACE_MAX_LEAD * budget || n < 3) continue;
      // Further down by `lead` evaluations: extrapolate the earlier start's last stretch (its SSE falls ever
      // more slowly along a run-off valley, so twice the latest rate bounds the fall).
      let w = n - 2;
      while (w > 0 && end - path.evaluations[w] < Math.max(lead, 10)) w--;
      const span = end - path.evaluations[w];
      const rate = (path.sse[w] - endSse) / span;
      const last = path.params[n - 1];
      const from = path.params[w];
      const ahead = new Float64Array(np);
      for (let j = 0; j < np; j++) ahead[j] = last[j] + ((last[j] - from[j]) * lead) / span;
      const cls = issueClass(diagnoseLogistic(kind, ahead, sortedU, direction, k), false);
      if (cls === path.endClass && !matters(endSse - 2 * rate * lead, cls)) return true;
    }
    // Not retracing: this start's point goes on its own path (which only a later start can retrace).
    if (current) {
      current.evaluations.push(evaluations);
      current.sse.push(sse);
      current.params.push(Float64Array.from(p));
    }
    return false;
  };
  // A single start (a warm start, a resample's refit) has nothing to retrace.
  const lm: LevenbergMarquardtOptions = retrace && starts.length > 1 ? { ...options, onStep: retraces } : options;
  for (const [index, start] of starts.entries()) {
    current = index < starts.length - 1 ? { evaluations: [], sse: [], params: [], budgetEnded: false, endClass: '' } : null;
    const res = levenbergMarquardt(model, start, lm);
    if (res.stop === 'stopped') continue;
    const a = Array.from(res.params);
    let diagnosis = diagnoseLogistic(kind, a, sortedU, direction, k);
    const endClass = issueClass(diagnosis, res.converged);
    if (!res.converged) {
      // Parameters running off along a valley whose SSE keeps falling (the logistic tending to a line or an
      // exponential) never converge; the curve they trace is still a usable monotone one, reported as such.
      // A step that keeps steepening is reported as the step it is.
      diagnosis =
        diagnosis?.issue === 'extreme-parameters' || diagnosis?.issue === 'step'
          ? { issue: diagnosis.issue, detail: `${diagnosis.detail}; still running off when the iteration stopped (${res.stop} after ${res.iterations} iterations)` }
          : { issue: 'not-converged', detail: `${res.stop} after ${res.iterations} iterations` };
    }
    if (current && Number.isFinite(res.sse)) {
      const path = current;
      if (path.sse.length === 0 || res.sse < path.sse[path.sse.length - 1]) {
        path.evaluations.push(res.evaluations);
        path.sse.push(res.sse);
        path.params.push(Float64Array.from(res.params));
      }
      path.budgetEnded = res.stop === 'max-evaluations';
      path.endClass = endClass;
      paths.push(path);
    }
    const c: Candidate = { a, start: [...start], sse: res.sse, iterations: res.iterations, converged: res.converged, stop: res.stop, diagnosis };
    if (!Number.isFinite(c.sse)) continue;
    if (bestAny === null || rank(c) < rank(bestAny) || (rank(c) === rank(bestAny) && better(c, bestAny))) bestAny = c;
    if (diagnosis === null && better(c, clean)) clean = c;
    if (diagnosis?.issue === 'extreme-parameters' && better(c, extreme)) extreme = c;
  }
  // A fit with extreme parameters is kept (and reported) only when it beats every ordinary one by EXTREME_GAIN.
  const best = clean && (!extreme || extreme.sse >= clean.sse * (1 - EXTREME_GAIN)) ? clean : extreme;
  return { best, bestAny, starts: starts.length };
}

interface LogisticOutcome {
  fit: RawFit | null;
  /** Why no acceptable fit was found (with fit = the best unacceptable one, or null). */
  rejection: string | null;
}

function fitLogistic(kind: 'logistic5' | 'logistic4', x: Float64Array, y: Float64Array, direction: 1 | -1, options: MappingFitOptions): LogisticOutcome {
  const sx = meanStd(x);
  const sy = meanStd(y);
  const k: Scales = { mx: sx.mean, sx: sx.std, my: sy.mean, sy: sy.std };
  const u = x.map((v) => (v - k.mx) / k.sx);
  const v = y.map((w) => (w - k.my) / k.sy);
  const sortedU = Float64Array.from(u).sort();
  const lm: LevenbergMarquardtOptions = {
    maxEvaluations: options.maxEvaluations ?? MAX_EVALUATIONS_PER_START,
    ftol: options.ftol,
    xtol: options.xtol,
    gtol: options.gtol,
    maxParameterMagnitude: options.maxParameterMagnitude ?? RUN_OFF_MAGNITUDE,
  };
  let starts: number[][];
  if (options.p0) {
    if (options.p0.length !== MAPPING_PARAMETER_COUNT[kind]) {
      throw new RangeError(`${kind} needs ${MAPPING_PARAMETER_COUNT[kind]} start parameters, got ${options.p0.length}`);
    }
    starts = [logisticToStandard(kind, options.p0, k)];
  } else {
    starts = logisticStarts(kind, u, v, sortedU, direction);
    if (kind === 'logistic5') {
      // logistic4's best minimum as a logistic5 start (b4 = 0): a1 = A1 − A2, a2 = 1/|A4|, a3 = A3, a5 = (A1 + A2)/2.
      const four = runLogisticStarts('logistic4', u, v, sortedU, direction, k, logisticStarts('logistic4', u, v, sortedU, direction), lm, options.retrace ?? true);
      const c = four.best ?? four.bestAny;
      if (c) starts.push([c.a[0] - c.a[1], 1 / Math.abs(c.a[3]), c.a[2], 0, (c.a[0] + c.a[1]) / 2]);
    }
  }
  const search = runLogisticStarts(kind, u, v, sortedU, direction, k, starts, lm, options.retrace ?? true);
  const chosen = search.best ?? search.bestAny;
  const raw = (c: Candidate): RawFit => ({
    params: logisticToRaw(kind, c.a, k),
    p0: logisticToRaw(kind, c.start, k),
    iterations: c.iterations,
    converged: c.converged,
    solver: `${LEVENBERG_MARQUARDT_SOLVER}; standardised x and y; best of ${search.starts} start${search.starts === 1 ? '' : 's'}`,
    stop: c.stop,
    starts: search.starts,
    degenerate: c.diagnosis,
  });
  if (search.best) return { fit: raw(search.best), rejection: null };
  const why = chosen?.diagnosis
    ? `${chosen.diagnosis.issue}: ${chosen.diagnosis.detail}`
    : 'no start gave a finite fit';
  return { fit: chosen ? raw(chosen) : null, rejection: `${kind} from ${search.starts} start${search.starts === 1 ? '' : 's'}: ${why}` };
}

/** The next kind down the fallback chain. */
const FALLBACK: Partial<Record<MappingKind, MappingKind>> = { logistic5: 'logistic4', logistic4: 'cubic-monotonic' };

/** Fit `kind` to the finite pairs of (x, y) and compute the mapped PLCC / RMSE / SROCC. */
export function fitMapping(
  kind: MappingKind,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: MappingFitOptions = {},
): MappingFit {
  const nParams = MAPPING_PARAMETER_COUNT[kind];
  const pairs = finitePairs(x, y, Math.max(MIN_PAIRS, nParams + 1));
  const { nTotal, nUsed } = pairs;
  const reason = constantReason(pairs.x, pairs.y);
  const direction: 1 | -1 = options.direction ?? (reason || pearsonCoefficient(pairs.x, pairs.y) >= 0 ? 1 : -1);
  if (reason) {
    return {
      kind,
      requestedKind: kind,
      params: new Array<number>(nParams).fill(NaN),
      p0: [],
      sse: NaN,
      iterations: 0,
      converged: false,
      solver: 'none',
      stop: 'undefined',
      direction,
      starts: 0,
      degenerate: null,
      fallback: null,
      nTotal,
      nUsed,
      plccMapped: NaN,
      rmseMapped: NaN,
      sroccMapped: NaN,
      predictions: new Float64Array(nUsed).fill(NaN),
      reason,
    };
  }
  const allowFallback = options.fallback ?? true;
  const rejections: string[] = [];
  let fitted: MappingKind = kind;
  let raw: RawFit | null = null;
  let lastTried: MappingKind = kind;
  let previous: RawFit | null = null;
  let exhausted = false;
  for (;;) {
    switch (fitted) {
      case 'logistic5':
      case 'logistic4': {
        const out = fitLogistic(fitted, pairs.x, pairs.y, direction, fitted === kind ? options : { ...options, p0: undefined });
        if (out.rejection) rejections.push(out.rejection);
        raw = out.fit;
        break;
      }
      case 'cubic-monotonic':
        try {
          raw = fitCubicMonotonic(pairs.x, pairs.y, direction);
        } catch (err) {
          // As a fallback, too few distinct x values keep the degenerate logistic (reported) instead.
          if (fitted === kind || !(err instanceof RangeError)) throw err;
          rejections.push(`cubic-monotonic: ${err.message}`);
          fitted = lastTried;
          raw = previous;
          exhausted = true;
        }
        break;
      case 'linear':
        raw = fitLinear(pairs.x, pairs.y, direction);
        break;
    }
    const next = FALLBACK[fitted];
    if (exhausted) break;
    if (raw && (raw.degenerate === null || raw.degenerate.issue === 'extreme-parameters')) break;
    // A fallback needs one pair more than its parameters, as the requested kind does.
    if (!allowFallback || !next || nUsed < Math.max(MIN_PAIRS, MAPPING_PARAMETER_COUNT[next] + 1)) break;
    lastTried = fitted;
    previous = raw;
    fitted = next;
  }
  if (!raw) {
    // No start gave a finite SSE and no fallback was allowed.
    const nanParams = new Array<number>(MAPPING_PARAMETER_COUNT[fitted]).fill(NaN);
    raw = { params: nanParams, p0: [], iterations: 0, converged: false, solver: LEVENBERG_MARQUARDT_SOLVER, stop: 'non-finite-start', starts: 0, degenerate: { issue: 'not-converged', detail: rejections.join('; ') } };
  }
  const predictions = applyMapping(fitted, raw.params, pairs.x);
  let sse = 0;
  for (let i = 0; i < nUsed; i++) sse += (predictions[i] - pairs.y[i]) ** 2;
  const mappedConstant = constantReason(predictions, pairs.y);
  return {
    kind: fitted,
    requestedKind: kind,
    ...raw,
    direction,
    fallback: fitted !== kind ? { from: kind, because: rejections.join('; ') } : null,
    sse,
    nTotal,
    nUsed,
    plccMapped: mappedConstant ? NaN : pearsonCoefficient(predictions, pairs.y),
    rmseMapped: rootMeanSquareDifference(predictions, pairs.y),
    sroccMapped: mappedConstant ? NaN : pearsonCoefficient(averageRanks(predictions), averageRanks(pairs.y)),
    predictions,
    ...(mappedConstant ? { reason: mappedConstant } : {}),
  };
}

/** Is the fitted curve monotone in `direction` on [lo, hi]? (A dense check, for tests and callers without the diagnosis.) */
export function isMonotoneOn(kind: MappingKind, params: ArrayLike<number>, lo: number, hi: number, direction: 1 | -1, samples = 2001): boolean {
  const f = kind === 'logistic5' ? logistic5 : kind === 'logistic4' ? logistic4 : null;
  let prev = f ? f(params, lo) : applyMapping(kind, params, [lo])[0];
  const tol = 1e-12 * (Math.abs(prev) + 1);
  for (let i = 1; i < samples; i++) {
    const xv = lo + ((hi - lo) * i) / (samples - 1);
    const cur = f ? f(params, xv) : applyMapping(kind, params, [xv])[0];
    if (direction * (cur - prev) < -tol) return false;
    prev = cur;
  }
  return true;
}
