/**
 * Exact integer helpers for the fixed-point VMAF extractors (integer-vif.ts, integer-adm.ts).
 *
 * libvmaf's integer extractors multiply 32-bit values into 64-bit products and shift them back down
 * with rounding. A JavaScript double holds integers exactly only up to 2^53, so a product such as
 * (2^31)·(2^31) would silently lose its low bits. These helpers split one factor into 16-bit halves so
 * that every intermediate stays below 2^53, and give the same result as the 64-bit C arithmetic
 * (arithmetic right shift = floor division by a power of two).
 */

/** 2^k for k = 0..64, as exact doubles. */
export const POW2: Float64Array = (() => {
  const t = new Float64Array(65);
  for (let k = 0; k <= 64; k++) t[k] = 2 ** k;
  return t;
})();

/** 2^-k for k = 0..64 (multiplying by it is exact, and faster than dividing). */
const INV_POW2: Float64Array = POW2.map((v) => 1 / v);

const TWO52 = 2 ** 52;

/**
 * floor((a·b + add) / 2^s), exactly, for integers |a| < 2^37, 0 ≤ b < 2^32, |add| ≤ 2^32, 0 ≤ s ≤ 63:
 * the value of `(int64)a * b + add >> s` in C, provided the true result fits in 2^53.
 */
export function mulShr(a: number, b: number, add: number, s: number): number {
  const p = a * b;
  if (p < TWO52 && p > -TWO52) return Math.floor((p + add) * INV_POW2[s]!);
  const bh = Math.floor(b / 65536);
  const bl = b - bh * 65536;
  const y = a * bl + add;
  if (s >= 16) return Math.floor((a * bh + Math.floor(y / 65536)) / POW2[s - 16]!);
  return a * bh * POW2[16 - s]! + Math.floor(y / POW2[s]!);
}

/**
 * floor((a·b + 2^31) / 2^32) for 0 ≤ a, b < 2^32: the rounded high word of a 64-bit product
 * (`(uint32_t)(((uint64_t)a * b + 2147483648) >> 32)`).
 */
export function mulHi32Round(a: number, b: number): number {
  const ah = Math.floor(a / 65536);
  const al = a - ah * 65536;
  const bh = Math.floor(b / 65536);
  const bl = b - bh * 65536;
  // a·b = ah·bh·2^32 + (ah·bl + al·bh)·2^16 + al·bl; the last two terms stay below 2^51.
  return ah * bh + Math.floor(((ah * bl + al * bh) * 65536 + al * bl + 2147483648) / 4294967296);
}

// ---------------------------------------------------------------------------------------------
// Single-precision powf, bit-exact with glibc's on x86-64 with FMA (the machine the golden libvmaf
// numbers come from). glibc's powf is not correctly rounded (up to 0.82 ulp), so a correctly rounded
// float of Math.pow differs from it on about 1 input in 1500, and one such difference moves an ADM
// scale by an ulp and VMAF by a few 1e-6. The algorithm and its constants are those of Arm's
// optimized-routines powf (glibc's e_powf.c; MIT OR Apache-2.0 WITH LLVM-exception, Copyright (c)
// 2017-2026 Arm Limited), evaluated as glibc's FMA build evaluates it: every a·b + c is one fused
// multiply-add. Only the paths for positive finite x are kept (VMAF takes cube roots of sums).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new Uint32Array(f64.buffer); // [low word, high word] on little-endian hosts

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

function hexDouble(hi: number, lo: number): number {
  u64[HI] = hi;
  u64[LO] = lo;
  return f64[0]!;
}

/** log2 table: 1/c and log2(c) for 16 subintervals of [0x3f330000, 2·0x3f330000]. */
const LOG2_INVC = [
  1.398907162146528, 1.3403141896637998, 1.286432210124115, 1.2367150214269895,
  1.1906977166711752, 1.1479821020556429, 1.1082251448272158, 1.0711297413057381,
  1.036437278977283, 1.0, 0.9492859795739057, 0.8951049428609004,
  0.8476821620351103, 0.8050314851692001, 0.7664671008843108, 0.731428603316328,
];
const LOG2_LOGC = [
  -0.48430022186289673, -0.42257122959194704, -0.3633754347673556, -0.30651309567405577,
  -0.25180720160537634, -0.19910014943794563, -0.14825100623281615, -0.09913323807318392,
  -0.051632812977629436, 0.0, 0.07508531937943004, 0.15987125980713107,
  0.2384046664317681, 0.31288288605863257, 0.38370422656453185, 0.451211048935815,
];
const LOG2_POLY = [
  0.288457581109214, -0.36092606229713164, 0.480898481472577, -0.7213474675006291,
  1.4426950408774342,
];
/** exp2 table: bits of 2^(i/32), less i << 47, as [high, low] words. */
const EXP2_TAB_HI = Uint32Array.of(
  0x3ff00000, 0x3fefd9b0, 0x3fefb558, 0x3fef9301, 0x3fef72b8, 0x3fef5487, 0x3fef387a, 0x3fef1e9d,
  0x3fef06fe, 0x3feef1a7, 0x3feedea6, 0x3feece08, 0x3feebfda, 0x3feeb42b, 0x3feeab07, 0x3feea47e,
  0x3feea09e, 0x3fee9f75, 0x3feea114, 0x3feea589, 0x3feeace5, 0x3feeb737, 0x3feec491, 0x3feed503,
  0x3feee89f, 0x3feeff76, 0x3fef199b, 0x3fef3720, 0x3fef5818, 0x3fef7c97, 0x3fefa4af, 0x3fefd076,
);
const EXP2_TAB_LO = Uint32Array.of(
  0x00000000, 0xd3158574, 0x6cf9890f, 0xd0125b51, 0x3c7d517b, 0x3168b9aa, 0x6e756238, 0xf51fdee1,
  0x0a31b715, 0x373aa9cb, 0x4c123422, 0x6061892d, 0xd5362a27, 0x569d4f82, 0xdd485429, 0xb03a5585,
  0x667f3bcd, 0xe8ec5f74, 0x73eb0187, 0x994cce13, 0x422aa0db, 0xb0cdc5e5, 0x82a3f090, 0xb23e255d,
  0x995ad3ad, 0xf2fb5e47, 0xdd85529c, 0xdcef9069, 0xdcfba487, 0x337b9b5f, 0xa2a490da, 0x5b6e4540,
);
const EXP2_POLY = [0.05550361559341535, 0.2402284522445722, 0.6931471806916203];
const EXP2_SHIFT = 6755399441055744.0 / 32;

/** Splits a double into two halves whose products are exact (Veltkamp). */
const SPLITTER = 134217729; // 2^27 + 1

/**
 * fma(a, b, c) = a·b + c with one rounding, from an exact product (Dekker) and an exact sum. Exact
 * apart from double-rounding ties far below the precision these functions care about.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl; // p + e = a·b exactly
  const s = p + c;
  const bb = s - p;
  const err = (p - (s - bb)) + (c - bb); // s + err = p + c exactly
  return s + (err + e);
}

function log2Inline(ix: number): number {
  const tmp = (ix - 0x3f330000) >>> 0;
  const i = (tmp >>> 19) & 15;
  const top = (tmp & 0xff800000) >>> 0;
  const iz = (ix - top) >>> 0;
  const k = (top | 0) >> 23;
  u32[0] = iz;
  const z = f32[0]!;
  const r = fma(z, LOG2_INVC[i]!, -1);
  const y0 = LOG2_LOGC[i]! + k;
  const r2 = r * r;
  let y = fma(LOG2_POLY[0]!, r, LOG2_POLY[1]!);
  const p = fma(LOG2_POLY[2]!, r, LOG2_POLY[3]!);
  const r4 = r2 * r2;
  let q = fma(LOG2_POLY[4]!, r, y0);
  q = fma(p, r2, q);
  y = fma(y, r4, q);
  return y;
}

function exp2Inline(xd: number): number {
  const shifted = xd + EXP2_SHIFT;
  const kd = shifted - EXP2_SHIFT;
  const k = kd * 32; // an integer
  const r = xd - kd;
  const idx = k & 31;
  const s = hexDouble((EXP2_TAB_HI[idx]! + (k << 15)) >>> 0, EXP2_TAB_LO[idx]!);
  const z = fma(EXP2_POLY[0]!, r, EXP2_POLY[1]!);
  const r2 = r * r;
  let y = fma(EXP2_POLY[2]!, r, 1);
  y = fma(z, r2, y);
  return Math.fround(y * s);
}

/** glibc's powf(x, y) for x ≥ 0 finite and y a finite float (both rounded to float first). */
export function powf(x: number, y: number): number {
  const fx = Math.fround(x);
  const fy = Math.fround(y);
  if (fy === 0 || fx === 1) return 1;
  if (fx === 0) return fy < 0 ? Infinity : 0;
  if (!(fx > 0) || !Number.isFinite(fx) || !Number.isFinite(fy)) return Math.fround(Math.pow(fx, fy));
  f32[0] = fx;
  let ix = u32[0]!;
  if (ix < 0x00800000) {
    f32[0] = fx * 8388608.0;
    ix = ((u32[0]! & 0x7fffffff) - (23 << 23)) >>> 0;
  }
  const ylogx = fy * log2Inline(ix);
  if (Math.abs(ylogx) >= 126) return Math.fround(Math.pow(fx, fy)); // over/underflow region: not met here
  return exp2Inline(ylogx);
}

/** C's `powf(x, 1.0f/3.0f)` as glibc computes it. */
const ONE_THIRD_F = Math.fround(1 / 3);
export function cbrtf(x: number): number {
  return powf(x, ONE_THIRD_F);
}
