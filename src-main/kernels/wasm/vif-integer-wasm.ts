/**
 * WebAssembly SIMD engine of the integer VIF for 8-bit samples (vif-integer.wat): the same (num, den)
 * per scale as statistic() and subsample() in vmaf/integer-vif.ts, exactly (see the .wat header for why
 * 32-bit lanes are exact). One instance and one memory per workspace, holding the four padded levels
 * (two per side, used in turn); per frame the two pictures are copied in (widened to uint16), and four
 * exact integer sums per scale come back. Null where WebAssembly SIMD is missing: the caller uses the
 * TypeScript code.
 */
import type { Plane } from '../image/plane';
import { VIF_INTEGER_CONST, VIF_INTEGER_WASM } from './generated/ssim-wasm';
import { align64, compileWasm, WasmArena } from './wasm-runtime';

type StatFn = (w: number, h: number, stride: number, refBase: number, disBase: number, scale: number, egl: number, eps: number) => void;
type WidenFn = (src: number, dst: number, n: number) => void;
type DownFn = (w: number, h: number, stride: number, srcRef: number, srcDis: number, dstRef: number, dstDis: number, next: number) => void;

let compiled: object | null | undefined;

function vifModule(): object | null {
  if (compiled === undefined) compiled = compileWasm(VIF_INTEGER_WASM);
  return compiled;
}

/** Rows of mirrored padding above and below the levels (the .wat's PADC, integer-vif.ts's PAD). */
const PAD = VIF_INTEGER_CONST.PADC;

/** Per scale s, at 4s..4s+3: numLog, denLog, numNonLog, denNonLog (exact integers). */
export type VifSums = Float64Array;

export class IntegerVifWasm {
  private readonly arena: WasmArena;
  private readonly stat: StatFn;
  private readonly down: DownFn;
  private readonly widen: WidenFn;
  private readonly width: number;
  private readonly height: number;
  private readonly levels: number[];
  private readonly sums = new Float64Array(16);

  private constructor(arena: WasmArena, width: number, height: number, levels: number[]) {
    this.arena = arena;
    this.stat = arena.exports.vifStat as StatFn;
    this.down = arena.exports.vifDown as DownFn;
    this.widen = arena.exports.widen as WidenFn;
    this.width = width;
    this.height = height;
    this.levels = levels;
  }

  /**
   * An engine for w x h 8-bit frames with the four scales' filters (17, 9, 5 and 3 Q16 taps) and the
   * log2 table, or null where WebAssembly SIMD is missing or the memory cannot be had.
   */
  static create(width: number, height: number, filters: readonly Uint16Array[], log2Table: Uint16Array): IntegerVifWasm | null {
    const mod = vifModule();
    if (mod === null || filters.length !== 4 || log2Table.length !== 65536) return null;
    if (filters.some((f, s) => f.length !== (PAD >> s) * 2 + 1)) return null;
    const rowBytes = ((width + 51) & ~3) * 4;
    const work = VIF_INTEGER_CONST.WORK + VIF_INTEGER_CONST.ROWS * rowBytes;
    const level = align64((height + 2 * PAD) * width * 2 + 64);
    const first = align64(work);
    const levels = [0, 1, 2, 3].map((q) => first + q * level);
    const arena = WasmArena.create(mod, first + 4 * level);
    if (arena === null) return null;
    const coef = new Int32Array(arena.buffer, VIF_INTEGER_CONST.COEF, 4 * 36);
    filters.forEach((filt, s) => {
      const half = PAD >> s;
      for (let k = 0; k <= half; k++) coef.fill(filt[half - k]!, 36 * s + 4 * k, 36 * s + 4 * k + 4);
    });
    new Uint16Array(arena.buffer, VIF_INTEGER_CONST.LOG2, 65536).set(log2Table);
    return new IntegerVifWasm(arena, width, height, levels);
  }

  /** Mirror PAD rows above and below the h rows of a level (row -k = row k, row h-1+k = row h-1-k). */
  private padRows(base: number, h: number): void {
    const stride = this.width;
    const buf = new Uint16Array(this.arena.buffer, base, (this.height + 2 * PAD) * stride);
    for (let k = 1; k <= PAD; k++) {
      buf.copyWithin((PAD - k) * stride, (PAD + k) * stride, (PAD + k + 1) * stride);
      buf.copyWithin((PAD + h - 1 + k) * stride, (PAD + h - 1 - k) * stride, (PAD + h - k) * stride);
    }
  }

  /** The four scales' sums for an 8-bit pair of this engine's size. */
  run(ref: Plane<Uint8Array | Uint16Array>, dist: Plane<Uint8Array | Uint16Array>, egl: number, eps: number): VifSums {
    const { width: w0, height: h0 } = this;
    const buf = this.arena.buffer;
    let [curRef, curDis, nextRef, nextDis] = this.levels as [number, number, number, number];
    for (const [p, base] of [[ref, curRef], [dist, curDis]] as const) {
      if (p.data instanceof Uint8Array) {
        // Bytes into the free next level, widened to uint16 by the wasm (TypedArray#set from Uint8Array
        // to Uint16Array converts sample by sample, several times slower).
        const bytes = new Uint8Array(buf, nextRef, w0 * h0);
        if (p.stride === w0) bytes.set(p.data.subarray(0, w0 * h0));
        else for (let i = 0; i < h0; i++) bytes.set(p.data.subarray(i * p.stride, i * p.stride + w0), i * w0);
        this.widen(nextRef, base + PAD * w0 * 2, w0 * h0);
      } else {
        const lv = new Uint16Array(buf, base, (h0 + 2 * PAD) * w0);
        for (let i = 0; i < h0; i++) lv.set(p.data.subarray(i * p.stride, i * p.stride + w0), (PAD + i) * w0);
      }
      this.padRows(base, h0);
    }
    const res = new Float64Array(buf, VIF_INTEGER_CONST.RES, 4);
    let w = w0;
    let h = h0;
    for (let scale = 0; scale < 4; scale++) {
      if (scale > 0) {
        this.down(w, h, w0, curRef, curDis, nextRef, nextDis, scale);
        [curRef, curDis, nextRef, nextDis] = [nextRef, nextDis, curRef, curDis];
        w >>= 1;
        h >>= 1;
        this.padRows(curRef, h);
        this.padRows(curDis, h);
      }
      this.stat(w, h, w0, curRef, curDis, scale, egl, eps);
      this.sums.set(res, 4 * scale);
    }
    return this.sums;
  }
}
