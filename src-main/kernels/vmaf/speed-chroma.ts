/**
 * SpEED-QA on the chroma planes as libvmaf 3.2.0's feature extractor `speed_chroma` computes it
 * (features `Speed_chroma_feature_speed_chroma_u_score`, `..._v_score`, `..._uv_score`), the chroma
 * input of the vmaf_v1.0.16 models.
 *
 * Convention (read from libvmaf's feature/speed.c, vif_tools.c and picture_copy.c; an independent
 * TypeScript implementation of the same single-precision arithmetic):
 * - each of U and V separately, at libvmaf's chroma size (w/2 × h/2 for 4:2:0, w/2 × h for 4:2:2,
 *   w × h for 4:4:4, halves rounded down); samples become the float v − 128 (10-bit: v/4 − 128);
 * - prescale 1 (none); a normalised Gaussian anti-alias filter of 9 taps with σ = 2·9/5 (the scale-1
 *   size, σ widened by √4), separable, columns then rows, borders mirrored (−1 reads 1, n reads n−2),
 *   every product and sum rounded to float; then every 16th sample of every 16th row;
 * - local mean removal: the decimated picture less its 3-tap Gaussian (σ = 3/5) blur;
 * - on that picture, cut to whole 5×5 blocks: the 25×25 covariance matrix K of the 25 shifted
 *   (h−4)×(w−4) windows (means in float, sums in double, stored as float); K's eigenvalues by
 *   Householder tridiagonalisation and implicit-shift QR steps (gsl's symmtd/symm, in float, 1e-6
 *   chop, at most 500 steps); when every eigenvalue is at least 1e-6, K X = Y (Y: each block's 25
 *   samples as a column) by a Householder QR of K and back substitution (a pivot under 1e-6 fails);
 *   otherwise (libvmaf warns "covariance matrix is singular") X = 0;
 * - per block: variance s = Σ_e X·Y / 25, entropy = Σ over eigenvalues λ (negatives as 0) of
 *   log2(λ·s + σ_nn) + log2(2πe);
 * - score: the mean over blocks of |e_ref·log2(1 + s_ref) − e_dis·log2(1 + w(s_ref, s_dis))|, for
 *   blocks where either entropy reaches 25·(log2((1 + nn_floor)·σ_nn) + log2(2πe)); w by
 *   speed_weight_var_mode (0…6; the v1 models use 5: 0.75·s_ref + 0.25·s_dis);
 *   0 when exactly one of the pair was singular;
 * - uv = (u + v)/2, or the one channel that was not singular when the other was; each capped at
 *   speed_max_val.
 *
 * `SpeedChroma` holds every buffer (allocated once per size); computing a frame allocates nothing.
 */
import { IqaError } from '../../common/errors';
import type { Plane } from '../image/plane';

const fr = Math.fround;

const NUM_SCALES = 4;
const BLOCK = 5;
const ELEMENTS = BLOCK * BLOCK;
const EPS = 1e-6;
const MAX_ITERS = 500;
const LOG2_2PIE = Math.log2(2 * Math.PI * Math.E);

export interface SpeedChromaOptions {
  /** speed_kernelscale (only 1 is implemented). */
  readonly kernelscale?: number;
  /** speed_sigma_nn (default 0.29). */
  readonly sigmaNn?: number;
  /** speed_nn_floor (default 0). */
  readonly nnFloor?: number;
  /** speed_weight_var_mode 0…6 (default 0). */
  readonly weightVarMode?: number;
  /** speed_max_val (default 1000). */
  readonly maxVal?: number;
}

export interface SpeedChromaResult {
  readonly u: number;
  readonly v: number;
  readonly uv: number;
}

/** The normalised Gaussian of `size` taps and deviation `stdev`, built as libvmaf builds it. */
function gaussianKernel(size: number, stdev: number): Float32Array {
  const sd = fr(stdev);
  const k = (size - 1) >> 1;
  const out = new Float32Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - k;
    const num = fr(Math.exp((((-0.5 * x) / sd) * x) / sd));
    const den = fr(1 / (sd * Math.sqrt(2 * Math.PI)));
    out[i] = fr(num / den);
    sum = fr(sum + out[i]!);
  }
  for (let i = 0; i < size; i++) out[i] = fr(out[i]! / sum);
  return out;
}

const mirror = (k: number, n: number): number => (k < 0 ? -k : k >= n ? 2 * n - k - 2 : k);

/** libvmaf's chroma plane size for speed_chroma: halves rounded down where the format subsamples. */
export function speedChromaSize(width: number, height: number, chroma: '420' | '422' | '444'): [number, number] {
  if (chroma === '420') return [width >> 1, height >> 1];
  if (chroma === '422') return [width >> 1, height];
  return [width, height];
}

interface Stats {
  readonly entropies: Float32Array;
  readonly variances: Float32Array;
}

export class SpeedChroma {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  private readonly sigmaNn: number;
  private readonly nnFloor: number;
  private readonly mode: number;
  private readonly maxVal: number;
  private readonly antialias: Float32Array;
  private readonly localMean: Float32Array;
  private readonly dw: number;
  private readonly dh: number;
  private readonly tw: number;
  private readonly th: number;
  private readonly nbh: number;
  private readonly nbv: number;
  private readonly blocks: number;
  private readonly subW: number;
  private readonly subH: number;
  private readonly frame: Float32Array;
  private readonly row: Float32Array;
  private readonly small: Float32Array;
  private readonly smallBlur: Float32Array;
  private readonly cov: Float32Array;
  private readonly means: Float32Array;
  private readonly eig: Float32Array;
  private readonly indep: Float32Array;
  private readonly sol: Float32Array;
  // eigenvalue scratch
  private readonly ta: Float32Array;
  private readonly d: Float32Array;
  private readonly sd: Float32Array;
  private readonly hv: Float32Array;
  private readonly hx: Float32Array;
  // linear solve scratch
  private readonly qa: Float32Array;
  private readonly q: Float32Array;
  private readonly r: Float32Array;
  private readonly t1: Float32Array;
  private readonly t2: Float32Array;
  private readonly rect: Float32Array;
  private readonly ref: Stats;
  private readonly dis: Stats;

  /** `width`×`height`: the chroma size libvmaf works at (speedChromaSize). */
  constructor(width: number, height: number, bitDepth = 8, options: SpeedChromaOptions = {}) {
    if (bitDepth !== 8 && bitDepth !== 10) throw new IqaError('E_UNSUPPORTED', `speed_chroma handles 8- and 10-bit samples, not ${bitDepth}-bit`);
    const ks = options.kernelscale ?? 1;
    if (ks !== 1) throw new IqaError('E_UNSUPPORTED', `speed_chroma is computed with speed_kernelscale 1 only, not ${ks}`);
    this.mode = options.weightVarMode ?? 0;
    if (!(Number.isInteger(this.mode) && this.mode >= 0 && this.mode <= 6)) {
      throw new IqaError('E_UNSUPPORTED', `speed_weight_var_mode takes 0 to 6, not ${this.mode}`);
    }
    this.width = width;
    this.height = height;
    this.bitDepth = bitDepth;
    this.sigmaNn = fr(options.sigmaNn ?? 0.29);
    this.nnFloor = fr(options.nnFloor ?? 0);
    this.maxVal = options.maxVal ?? 1000;
    this.antialias = gaussianKernel(9, (Math.sqrt(NUM_SCALES) * 9) / 5);
    this.localMean = gaussianKernel(3, fr(3 / 5));
    this.dw = width >> NUM_SCALES;
    this.dh = height >> NUM_SCALES;
    this.tw = Math.floor(this.dw / BLOCK) * BLOCK;
    this.th = Math.floor(this.dh / BLOCK) * BLOCK;
    if (this.tw === 0 || this.th === 0) {
      throw new IqaError('E_UNSUPPORTED', `speed_chroma needs chroma planes of at least 80x80 (5 blocks of 16), got ${width}x${height}`);
    }
    this.nbh = this.tw / BLOCK;
    this.nbv = this.th / BLOCK;
    this.blocks = this.nbh * this.nbv;
    this.subW = this.tw - BLOCK + 1;
    this.subH = this.th - BLOCK + 1;
    this.frame = new Float32Array(width * height);
    this.row = new Float32Array(width);
    this.small = new Float32Array(this.dw * this.dh);
    this.smallBlur = new Float32Array(this.dw * this.dh);
    const sq = ELEMENTS * ELEMENTS;
    this.cov = new Float32Array(sq);
    this.means = new Float32Array(ELEMENTS);
    this.eig = new Float32Array(ELEMENTS);
    this.indep = new Float32Array(ELEMENTS * this.blocks);
    this.sol = new Float32Array(ELEMENTS * this.blocks);
    this.ta = new Float32Array(sq);
    this.d = new Float32Array(ELEMENTS);
    this.sd = new Float32Array(ELEMENTS);
    this.hv = new Float32Array(ELEMENTS);
    this.hx = new Float32Array(ELEMENTS);
    this.qa = new Float32Array(sq);
    this.q = new Float32Array(sq);
    this.r = new Float32Array(sq);
    this.t1 = new Float32Array(sq);
    this.t2 = new Float32Array(sq);
    this.rect = new Float32Array(ELEMENTS * this.blocks);
    this.ref = { entropies: new Float32Array(this.blocks), variances: new Float32Array(this.blocks) };
    this.dis = { entropies: new Float32Array(this.blocks), variances: new Float32Array(this.blocks) };
  }

  /** u, v and uv of one frame from the reference's and the distorted video's U and V planes. */
  score(refU: Plane<Uint8Array | Uint16Array>, refV: Plane<Uint8Array | Uint16Array>, disU: Plane<Uint8Array | Uint16Array>, disV: Plane<Uint8Array | Uint16Array>): SpeedChromaResult {
    const [u, errU] = this.channel(refU, disU);
    const [v, errV] = this.channel(refV, disV);
    let uv: number;
    if (errU && !errV) uv = v;
    else if (errV && !errU) uv = u;
    else uv = fr(fr(u + v) / 2);
    return { u: Math.min(u, this.maxVal), v: Math.min(v, this.maxVal), uv: Math.min(uv, this.maxVal) };
  }

  /** One channel's score and whether either side's covariance was singular. */
  private channel(ref: Plane<Uint8Array | Uint16Array>, dis: Plane<Uint8Array | Uint16Array>): [number, boolean] {
    this.prepare(ref);
    const errRef = this.estimate(this.ref);
    this.prepare(dis);
    const errDis = this.estimate(this.dis);
    if (errRef !== errDis) return [0, true];
    return [this.compare(), errRef || errDis];
  }

  /** Samples to float, anti-alias blur kept at every 16th sample, less the local mean: into `small`. */
  private prepare(p: Plane<Uint8Array | Uint16Array>): void {
    const { width: w, height: h, frame, row, antialias, dw, dh, small, smallBlur, localMean } = this;
    if (p.width < w || p.height < h) throw new IqaError('E_MISMATCH', `speed_chroma: a ${p.width}x${p.height} plane, expected at least ${w}x${h}`);
    const src = p.data;
    const stride = p.stride;
    const tenBit = this.bitDepth === 10;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const s = src[i * stride + j]!;
        frame[i * w + j] = tenBit ? fr(fr(s / 4) - 128) : s - 128;
      }
    }
    const fw = antialias.length;
    const rad = fw >> 1;
    for (let oi = 0; oi < dh; oi++) {
      const i = oi * 16;
      for (let j = 0; j < w; j++) {
        let acc = 0;
        for (let k = 0; k < fw; k++) acc = fr(acc + fr(antialias[k]! * frame[mirror(i - rad + k, h) * w + j]!));
        row[j] = acc;
      }
      for (let oj = 0; oj < dw; oj++) {
        const j = oj * 16;
        let acc = 0;
        for (let k = 0; k < fw; k++) acc = fr(acc + fr(antialias[k]! * row[mirror(j - rad + k, w)]!));
        small[oi * dw + oj] = acc;
      }
    }
    const lw = localMean.length;
    const lr = lw >> 1;
    for (let i = 0; i < dh; i++) {
      for (let j = 0; j < dw; j++) {
        let acc = 0;
        for (let k = 0; k < lw; k++) acc = fr(acc + fr(localMean[k]! * small[mirror(i - lr + k, dh) * dw + j]!));
        row[j] = acc;
      }
      for (let j = 0; j < dw; j++) {
        let acc = 0;
        for (let k = 0; k < lw; k++) acc = fr(acc + fr(localMean[k]! * row[mirror(j - lr + k, dw)]!));
        smallBlur[i * dw + j] = acc;
      }
    }
    for (let i = 0; i < dh * dw; i++) small[i] = fr(small[i]! - smallBlur[i]!);
  }

  /** Entropies and variances per block of `small`; true when the covariance was singular. */
  private estimate(out: Stats): boolean {
    const { dw: stride, small: data, cov, means, eig, indep, sol, blocks, subW, subH, nbh } = this;
    const n = subW * subH;
    for (let r = 0; r < BLOCK; r++) {
      for (let c = 0; c < BLOCK; c++) {
        let acc = 0;
        for (let i = 0; i < subH; i++) for (let j = 0; j < subW; j++) acc = fr(acc + data[(r + i) * stride + c + j]!);
        means[r * BLOCK + c] = fr(acc / n);
      }
    }
    for (let x = 0; x < ELEMENTS; x++) {
      const rx = Math.floor(x / BLOCK);
      const cx = x % BLOCK;
      const mx = means[x]!;
      for (let y = 0; y <= x; y++) {
        const ry = Math.floor(y / BLOCK);
        const cy = y % BLOCK;
        const my = means[y]!;
        let acc = 0;
        for (let i = 0; i < subH; i++) {
          const ox = (rx + i) * stride + cx;
          const oy = (ry + i) * stride + cy;
          for (let j = 0; j < subW; j++) acc += (data[ox + j]! - mx) * (data[oy + j]! - my);
        }
        const v = fr(acc / n);
        cov[x * ELEMENTS + y] = v;
        cov[y * ELEMENTS + x] = v;
      }
    }
    this.eigenvalues();
    for (let si = 0; si < BLOCK; si++) {
      for (let sj = 0; sj < BLOCK; sj++) {
        const e = si * BLOCK + sj;
        for (let i = si; i < this.th; i += BLOCK) {
          for (let j = sj; j < this.tw; j += BLOCK) {
            const b = ((i - si) / BLOCK) * nbh + (j - sj) / BLOCK;
            indep[e * blocks + b] = data[i * stride + j]!;
          }
        }
      }
    }
    let regular = true;
    for (let k = 0; k < ELEMENTS; k++) if (eig[k]! < EPS) regular = false;
    const singular = !regular || !this.solve();
    if (singular) sol.fill(0);
    for (let e = 0; e < ELEMENTS; e++) {
      for (let b = 0; b < blocks; b++) {
        const p = e * blocks + b;
        sol[p] = fr(fr(sol[p]! * indep[p]!) / ELEMENTS);
      }
    }
    for (let e = 1; e < ELEMENTS; e++) for (let b = 0; b < blocks; b++) sol[b] = fr(sol[b]! + sol[e * blocks + b]!);
    const ent = out.entropies;
    ent.fill(0);
    const snn = this.sigmaNn;
    for (let k = 0; k < ELEMENTS; k++) {
      const l = eig[k]! < 0 ? 0 : eig[k]!;
      for (let b = 0; b < blocks; b++) ent[b] = fr(ent[b]! + (Math.log2(fr(fr(l * sol[b]!) + snn)) + LOG2_2PIE));
    }
    out.variances.set(sol.subarray(0, blocks));
    return singular;
  }

  /** The score of the pair from the two sides' block statistics. */
  private compare(): number {
    const { ref, dis, blocks, mode } = this;
    const base = fr(ELEMENTS * (Math.log2(fr(fr(1 + this.nnFloor) * this.sigmaNn)) + LOG2_2PIE));
    let score = 0;
    for (let b = 0; b < blocks; b++) {
      const er = ref.entropies[b]!;
      const ed = dis.entropies[b]!;
      if (er < base && ed < base) continue;
      const sr = ref.variances[b]!;
      const sdv = dis.variances[b]!;
      let wr: number;
      let wd: number;
      switch (mode) {
        case 0: wr = Math.log2(fr(1 + sr)); wd = Math.log2(fr(1 + sdv)); break;
        case 1: wr = Math.log2(fr(1 + sr)); wd = wr; break;
        case 2: wr = Math.log2(fr(1 + sdv)); wd = wr; break;
        case 3: wr = Math.log2(1 + fr(sr + sdv) / 2); wd = wr; break;
        case 4: wr = Math.log2(fr(1 + sr)); wd = Math.log2(1 + fr(sr + sdv) / 2); break;
        case 5: wr = Math.log2(fr(1 + sr)); wd = Math.log2(1 + (0.75 * sr + 0.25 * sdv)); break;
        default: wr = Math.log2(fr(1 + sr)); wd = Math.log2(1 + (0.25 * sr + 0.75 * sdv)); break;
      }
      const spatialRef = fr(er * wr);
      const spatialDis = fr(ed * wd);
      score = fr(score + Math.abs(fr(spatialRef - spatialDis)));
    }
    return fr(score / blocks);
  }

  // ---- eigenvalues of the symmetric covariance (float, gsl's symmtd + symm as libvmaf adapts them)

  private eigenvalues(): void {
    const { ta: a, d, sd, eig } = this;
    const n = ELEMENTS;
    a.set(this.cov);
    this.tridiagonalise(a, n, d, sd);
    chop(d, sd, 0, n);
    let b = n - 1;
    let iter = 0;
    while (b > 0 && iter < MAX_ITERS) {
      if (sd[b - 1] === 0) {
        b--;
        continue;
      }
      let s = b - 1;
      while (s > 0) {
        if (sd[s - 1] === 0) break;
        s--;
      }
      const m = b - s + 1;
      qrStep(d, sd, s, m);
      chop(d, sd, s, m);
      iter++;
    }
    eig.set(d);
  }

  private tridiagonalise(a: Float32Array, n: number, d: Float32Array, sd: Float32Array): void {
    const { hv: v, hx: x } = this;
    for (let i = 0; i < n - 2; i++) {
      const tau = householder(a, i, i + 1, n);
      for (let j = i + 1; j < n; j++) v[j] = a[j * n + i]!;
      if (tau !== 0) {
        a[(i + 1) * n + i] = v[i + 1]!;
        v[i + 1] = 1;
        const s0 = i + 1;
        for (let r = s0; r < n; r++) {
          let acc = 0;
          for (let c = s0; c < n; c++) acc = fr(acc + fr(fr(tau * a[r * n + c]!) * v[c]!));
          x[r] = acc;
        }
        let xv = 0;
        for (let r = s0; r < n; r++) xv = fr(xv + fr(x[r]! * v[r]!));
        const alpha = fr(-0.5 * tau * xv);
        for (let r = s0; r < n; r++) x[r] = fr(x[r]! + fr(alpha * v[r]!));
        for (let r = s0; r < n; r++) {
          for (let c = s0; c < n; c++) {
            a[r * n + c] = fr(a[r * n + c]! - fr(fr(x[r]! * v[c]!) + fr(v[r]! * x[c]!)));
          }
        }
      }
    }
    for (let i = 0; i < n; i++) d[i] = a[i * n + i]!;
    for (let i = 0; i < n - 1; i++) sd[i] = a[(i + 1) * n + i]!;
  }

  // ---- K X = Y by Householder QR (libvmaf's explicit-matrix version) and back substitution

  /** Solves cov · sol = indep; false when a pivot of R is under 1e-6. */
  private solve(): boolean {
    const { cov, indep, sol, qa: tz, q, r, t1: tq, rect, blocks } = this;
    const n = ELEMENTS;
    // tz = A; Q = I
    tz.set(cov);
    q.fill(0);
    for (let i = 0; i < n; i++) q[i * n + i] = 1;
    const vec = r; // libvmaf uses R's storage for the Householder vector
    const tmp = this.t2;
    for (let k = 0; k < n - 1; k++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (i < k || j < k) tz[i * n + j] = i === j ? 1 : 0;
        }
      }
      for (let i = 0; i < n; i++) vec[i] = tz[i * n + k]!;
      const norm = norm2(vec, n);
      const sign = cov[k * n + k]! >= 0 ? 1 : -1;
      vec[k] = fr(vec[k]! + sign * norm);
      const nv = norm2(vec, n);
      for (let i = 0; i < n; i++) vec[i] = fr(vec[i]! / nv);
      for (let i = 0; i < n; i++) {
        const vi2 = fr(-2 * vec[i]!);
        for (let j = 0; j < n; j++) tq[i * n + j] = fr(vi2 * vec[j]!);
      }
      for (let i = 0; i < n; i++) tq[i * n + i] = fr(tq[i * n + i]! + 1);
      matMul(tmp, tq, tz, n, n, n);
      tz.set(tmp);
      matMul(tmp, tq, q, n, n, n);
      q.set(tmp);
    }
    // R = Q A (Q here is the product of the reflections); Q^T of that is libvmaf's Q, and solving
    // uses its transpose again: the product itself.
    matMul(r, q, cov, n, n, n);
    matMul(rect, q, indep, n, n, blocks);
    for (let i = n - 1; i >= 0; i--) {
      const den = r[i * n + i]!;
      if (Math.abs(den) < EPS) return false;
      for (let j = 0; j < blocks; j++) {
        let t = rect[i * blocks + j]!;
        for (let k = i + 1; k < n; k++) t = fr(t - fr(sol[k * blocks + j]! * r[i * n + k]!));
        sol[i * blocks + j] = fr(t / den);
      }
    }
    return true;
  }
}

function norm2(x: Float32Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = fr(s + fr(x[i]! * x[i]!));
  return fr(Math.sqrt(s));
}

/** dst (rows×cols) = x (rows×inner) · y (inner×cols), accumulating in float in libvmaf's i, k, j order. */
function matMul(dst: Float32Array, x: Float32Array, y: Float32Array, rows: number, inner: number, cols: number): void {
  dst.fill(0, 0, rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < inner; k++) {
      const xv = x[i * inner + k]!;
      for (let j = 0; j < cols; j++) dst[i * cols + j] = fr(dst[i * cols + j]! + fr(xv * y[k * cols + j]!));
    }
  }
}

const hypot = (x: number, y: number): number => fr(Math.sqrt(fr(fr(x * x) + fr(y * y))));

/** The Householder vector annihilating a[start+1.., col] (stored in place, scaled so its head is 1); returns tau. */
function householder(a: Float32Array, col: number, start: number, n: number): number {
  if (n - start === 1) return 0;
  let s2 = 0;
  for (let i = start + 1; i < n; i++) s2 = fr(s2 + fr(a[i * n + col]! * a[i * n + col]!));
  const xnorm = fr(Math.sqrt(s2));
  if (xnorm === 0) return 0;
  const alpha = a[start * n + col]!;
  const beta = fr(-(alpha >= 0 ? 1 : -1) * hypot(alpha, xnorm));
  const tau = fr(fr(beta - alpha) / beta);
  const s = fr(alpha - beta);
  if (s !== 0) {
    for (let i = start; i < n; i++) a[i * n + col] = fr(a[i * n + col]! / s);
    a[start * n + col] = beta;
  }
  return tau;
}

/** Zeroes off-diagonal entries negligible against their diagonal neighbours (of the block at `o`, size m). */
function chop(d: Float32Array, sd: Float32Array, o: number, m: number): void {
  for (let i = 0; i < m - 1; i++) {
    if (Math.abs(sd[o + i]!) < EPS * fr(Math.abs(d[o + i]!) + Math.abs(d[o + i + 1]!))) sd[o + i] = 0;
  }
}

function trailingEigenvalue(d: Float32Array, sd: Float32Array, o: number, m: number): number {
  const ta = d[o + m - 2]!;
  const tb = d[o + m - 1]!;
  const tab = sd[o + m - 2]!;
  const dt = fr(fr(ta - tb) / 2);
  if (dt > 0) return fr(tb - fr(tab * fr(tab / fr(dt + hypot(dt, tab)))));
  if (dt === 0) return fr(tb - Math.abs(tab));
  return fr(tb + fr(tab * fr(tab / fr(-dt + hypot(dt, tab)))));
}

const givens = new Float32Array(2);

function createGivens(a: number, b: number): void {
  if (b === 0) {
    givens[0] = 1;
    givens[1] = 0;
  } else if (Math.abs(b) > Math.abs(a)) {
    const t = fr(-a / b);
    const s1 = fr(1.0 / Math.sqrt(fr(1 + fr(t * t))));
    givens[1] = s1;
    givens[0] = fr(s1 * t);
  } else {
    const t = fr(-b / a);
    const c1 = fr(1.0 / Math.sqrt(fr(1 + fr(t * t))));
    givens[0] = c1;
    givens[1] = fr(c1 * t);
  }
}

/** One implicit-shift QR step on the unreduced tridiagonal block at `o` of size m. */
function qrStep(d: Float32Array, sd: Float32Array, o: number, m: number): void {
  let mu = trailingEigenvalue(d, sd, o, m);
  if (EPS * Math.abs(mu) > fr(Math.abs(d[o]!) + Math.abs(sd[o]!))) mu = 0;
  let x = fr(d[o]! - mu);
  let z = sd[o]!;
  let bk = 0;
  let zk = 0;
  let ap = d[o]!;
  let bp = sd[o]!;
  let aq = d[o + 1]!;
  if (m === 2) {
    createGivens(x, z);
    const c = givens[0]!;
    const s = givens[1]!;
    const ap1 = fr(fr(c * fr(fr(c * ap) - fr(s * bp))) + fr(s * fr(fr(s * aq) - fr(c * bp))));
    const bp1 = fr(fr(c * fr(fr(s * ap) + fr(c * bp))) - fr(s * fr(fr(s * bp) + fr(c * aq))));
    const aq1 = fr(fr(s * fr(fr(s * ap) + fr(c * bp))) + fr(c * fr(fr(s * bp) + fr(c * aq))));
    d[o] = ap1;
    sd[o] = bp1;
    d[o + 1] = aq1;
    return;
  }
  let bq = sd[o + 1]!;
  for (let k = 0; k < m - 1; k++) {
    createGivens(x, z);
    const c = givens[0]!;
    const s = givens[1]!;
    const bk1 = fr(fr(c * bk) - fr(s * zk));
    const ap1 = fr(fr(c * fr(fr(c * ap) - fr(s * bp))) + fr(s * fr(fr(s * aq) - fr(c * bp))));
    const bp1 = fr(fr(c * fr(fr(s * ap) + fr(c * bp))) - fr(s * fr(fr(s * bp) + fr(c * aq))));
    const zp1 = fr(-s * bq);
    const aq1 = fr(fr(s * fr(fr(s * ap) + fr(c * bp))) + fr(c * fr(fr(s * bp) + fr(c * aq))));
    const bq1 = fr(c * bq);
    const ak = ap1;
    bk = bp1;
    zk = zp1;
    ap = aq1;
    bp = bq1;
    if (k < m - 2) aq = d[o + k + 2]!;
    if (k < m - 3) bq = sd[o + k + 2]!;
    d[o + k] = ak;
    if (k > 0) sd[o + k - 1] = bk1;
    if (k < m - 2) sd[o + k + 1] = bp;
    x = bk;
    z = zk;
  }
  d[o + m - 1] = ap;
  sd[o + m - 2] = bk;
}
