import { describe, expect, it } from 'vitest';
import { cbrtf, fma, mulHi32Round, mulShr, powf } from '../../../src-main/kernels/vmaf/fixed-point';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function fromBits(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

describe('fixed-point helpers of the VMAF kernels', () => {
  it('mulShr and mulHi32Round give the 64-bit C results where doubles would lose bits', () => {
    const big = (a: number, b: number, add: number, s: number): number => Number((BigInt(a) * BigInt(b) + BigInt(add)) >> BigInt(s));
    const cases: [number, number, number, number][] = [
      [2147483647, 4294967295, 134217728, 28],
      [-2147483647, 4294967295, 134217728, 28],
      [2147483647, 143165577, -2147483648, 32],
      [1999999999, 1999999999, 536870912, 30],
      [123456789, 987654321, 16, 5],
      [-123456789, 987654321, 16, 5],
      [3, 5, 0, 0],
    ];
    for (const [a, b, add, s] of cases) expect(mulShr(a, b, add, s)).toBe(big(a, b, add, s));
    for (const [a, b] of [[4294967295, 4294967295], [4278190080, 65280], [123456789, 4000000000]] as const) {
      expect(mulHi32Round(a, b)).toBe(Number((BigInt(a) * BigInt(b) + 2147483648n) >> 32n));
    }
  });

  it('fma rounds a·b + c once', () => {
    // 1 + 2^-30 squared = 1 + 2^-29 + 2^-60; minus (1 + 2^-29) leaves 2^-60, which a*b + c loses.
    const x = 1 + 2 ** -30;
    expect(fma(x, x, -(1 + 2 ** -29))).toBe(2 ** -60);
    expect(x * x - (1 + 2 ** -29)).toBe(0);
  });

  it("powf(x, 1/3) equals glibc 2.36's (x86-64, FMA) where the correctly rounded result differs", () => {
    // [x, glibc's powf(x, 1.0f/3.0f)] as float bits: inputs where glibc is not correctly rounded,
    // printed by a C program linked with glibc 2.36 (Debian 12) on an AVX2/FMA machine.
    const vectors: [number, number][] = [
      [0x00955432, 0x2a86bf60],
      [0x00c1cc76, 0x2a92fabc],
      [0x00d9ff20, 0x2a98dbc5],
      [0x228fbd7a, 0x35d33232],
      [0x0f6a9b69, 0x2f78a914],
      [0x41bfcdb4, 0x40388b83],
      [0x1ef7bf71, 0x349f849d],
      [0x77348802, 0x520f8bc8],
      [0x6b921324, 0x4e28877e],
      [0x714c8a25, 0x5015a577],
      [0x5d3fc564, 0x49687fc2],
      [0x35029902, 0x3c00dc2f],
    ];
    for (const [xb, want] of vectors) {
      const x = fromBits(xb);
      const got = cbrtf(x);
      expect(got).toBe(fromBits(want));
      expect(Math.fround(Math.pow(x, Math.fround(1 / 3)))).not.toBe(got); // the naive float differs here
    }
    // The ADM scale value that moved a golden frame's VMAF by 4.7e-6 before powf was reproduced.
    expect(cbrtf(270538.90625)).toBe(Math.fround(64.6760178));
    expect(powf(0, 0.5)).toBe(0);
    expect(powf(8, Math.fround(1 / 3))).toBe(2);
  });
});
