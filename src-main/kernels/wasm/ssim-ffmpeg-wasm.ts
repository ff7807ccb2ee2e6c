/**
 * WebAssembly SIMD engine of the ffmpeg-compatible SSIM (ssim-ffmpeg.wat): the same results as
 * planeSsim() in metrics/ssim-ffmpeg.ts, bit for bit (see the .wat header for why). One instance and one
 * memory per SsimFfmpegWorkspace, grown to the largest plane seen; each plane pair is copied in (only the
 * rows the 4×4 blocks use).
 *
 * Integer sums are exact in the wasm's int32 lanes only for small enough samples: at most 255 for the
 * 8-bit formula and 4095 for the >8-bit one. Uint8 data always fits; for Uint16 data the wasm returns the
 * largest sample it read and plane() returns null when it is over the limit (the caller then uses the
 * TypeScript code, which is exact for any sample value).
 */
import type { Plane } from '../image/plane';
import { SSIM_FFMPEG_WASM } from './generated/ssim-wasm';
import { align64, compileWasm, WasmArena } from './wasm-runtime';

type PlaneFn = (
  a: number,
  b: number,
  stride: number,
  width: number,
  height: number,
  wide: number,
  high: number,
  c1: number,
  c2: number,
  bufA: number,
  bufB: number,
) => number;

let compiled: object | null | undefined;

function ffmpegModule(): object | null {
  if (compiled === undefined) compiled = compileWasm(SSIM_FFMPEG_WASM);
  return compiled;
}

const HEADER = 64;
/** Readable (and zeroed) bytes after each plane: the block loops read up to 24 bytes past the last row. */
const SLACK = 64;

/** Largest sample value for which the wasm's int32 sums are exact: 8-bit formula, >8-bit formula. */
export const FFMPEG_WASM_MAX_8BIT = 255;
export const FFMPEG_WASM_MAX_HIGH = 4095;

/** Copies rows 0..rows-1 of a plane packed (stride = width) into dst, then zeroes SLACK bytes after them. */
function copyRows(plane: Plane, rows: number, dst: Uint8Array | Uint16Array): void {
  const { data, width, stride } = plane;
  const n = width * rows;
  if (stride === width) {
    dst.set(data.subarray(0, n) as Uint8Array);
  } else {
    for (let r = 0; r < rows; r++) dst.set(data.subarray(r * stride, r * stride + width) as Uint8Array, r * width);
  }
  dst.fill(0, n);
}

export class SsimFfmpegWasm {
  private readonly arena: WasmArena;
  private readonly planeFn: PlaneFn;

  private constructor(arena: WasmArena) {
    this.arena = arena;
    this.planeFn = arena.exports.plane as PlaneFn;
  }

  /** Null where WebAssembly SIMD is unavailable (callers use the TypeScript code). */
  static create(): SsimFfmpegWasm | null {
    const module = ffmpegModule();
    if (module === null) return null;
    const arena = WasmArena.create(module, 1 << 20);
    return arena === null ? null : new SsimFfmpegWasm(arena);
  }

  /**
   * Sum of the per-row window sums of one plane pair (same size, >= 8×8, Uint8Array or Uint16Array data),
   * as planeSsim adds them (the caller divides by the window count); null when a Uint16 sample exceeds
   * the limit above or the memory cannot grow enough (use the TypeScript code then).
   */
  plane(a: Plane, b: Plane, high: boolean, c1: number, c2: number): number | null {
    const { width, height } = a;
    const wide = !(a.data instanceof Uint8Array && b.data instanceof Uint8Array);
    const shift = wide ? 1 : 0;
    const rows = (height >> 2) * 4;
    const groups = ((width >> 2) + 3) >> 2;
    const bufBytes = align64((groups + 2) * 64);
    const planeBytes = align64(width * rows * (1 << shift)) + SLACK;
    const bufA = HEADER;
    const bufB = bufA + bufBytes;
    const aBase = bufB + bufBytes;
    const bBase = aBase + planeBytes;
    if (!this.arena.ensure(bBase + planeBytes)) return null;
    const buffer = this.arena.buffer;
    const len = planeBytes >> shift;
    if (wide) {
      copyRows(a, rows, new Uint16Array(buffer, aBase, len));
      copyRows(b, rows, new Uint16Array(buffer, bBase, len));
    } else {
      copyRows(a, rows, new Uint8Array(buffer, aBase, len));
      copyRows(b, rows, new Uint8Array(buffer, bBase, len));
    }
    const total = this.planeFn(aBase, bBase, width << shift, width, height, wide ? 1 : 0, high ? 1 : 0, c1, c2, bufA, bufB);
    if (wide) {
      const max = new Int32Array(buffer, 0, 1)[0];
      if (max > (high ? FFMPEG_WASM_MAX_HIGH : FFMPEG_WASM_MAX_8BIT)) return null;
    }
    return total;
  }
}
