/**
 * WebAssembly SIMD engine of the integer VIF's scale-0 statistic for 8-bit samples (vif-integer.wat):
 * the same (num, den) as statistic() in vmaf/integer-vif.ts, exactly (see the .wat header for why 32-bit
 * lanes are exact). One instance and one memory per workspace; per frame the two padded scale-0 levels
 * (uint16, PAD mirrored rows above and below) are copied in, and four exact integer sums come back.
 * Null where WebAssembly SIMD is missing: the caller uses the TypeScript statistic.
 */
import { VIF_INTEGER_CONST, VIF_INTEGER_WASM } from './generated/ssim-wasm';
import { align64, compileWasm, WasmArena } from './wasm-runtime';

type Vif0Fn = (w: number, h: number, refBase: number, disBase: number, egl: number, eps: number) => void;

let compiled: object | null | undefined;

function vifModule(): object | null {
  if (compiled === undefined) compiled = compileWasm(VIF_INTEGER_WASM);
  return compiled;
}

/** Rows of mirrored padding above and below the levels (the .wat's PADC, integer-vif.ts's PAD). */
export const VIF_WASM_PAD = VIF_INTEGER_CONST.PADC;

export interface VifScale0Sums {
  numLog: number;
  denLog: number;
  numNonLog: number;
  denNonLog: number;
}

export class IntegerVifWasm {
  private readonly arena: WasmArena;
  private readonly fn: Vif0Fn;
  private readonly width: number;
  private readonly height: number;
  private readonly refBase: number;
  private readonly disBase: number;
  private readonly levelLength: number;

  private constructor(arena: WasmArena, width: number, height: number, refBase: number, disBase: number) {
    this.arena = arena;
    this.fn = arena.exports.vif0 as Vif0Fn;
    this.width = width;
    this.height = height;
    this.refBase = refBase;
    this.disBase = disBase;
    this.levelLength = (height + 2 * VIF_WASM_PAD) * width;
  }

  /**
   * An engine for w x h frames with the scale-0 filter `filt` (17 Q16 taps) and the log2 table, or
   * null where WebAssembly SIMD is missing or the memory cannot be had.
   */
  static create(width: number, height: number, filt: Uint16Array, log2Table: Uint16Array): IntegerVifWasm | null {
    const mod = vifModule();
    if (mod === null || filt.length !== 2 * VIF_WASM_PAD + 1 || log2Table.length !== 65536) return null;
    const rowBytes = ((width + 27) & ~3) * 4;
    const work = VIF_INTEGER_CONST.WORK + VIF_INTEGER_CONST.ROWS * rowBytes;
    const level = (height + 2 * VIF_WASM_PAD) * width * 2 + 64;
    const refBase = align64(work);
    const disBase = align64(refBase + level);
    const arena = WasmArena.create(mod, disBase + level);
    if (arena === null) return null;
    const coef = new Int32Array(arena.buffer, VIF_INTEGER_CONST.COEF, 36);
    for (let k = 0; k <= VIF_WASM_PAD; k++) coef.fill(filt[VIF_WASM_PAD - k]!, 4 * k, 4 * k + 4);
    new Uint16Array(arena.buffer, VIF_INTEGER_CONST.LOG2, 65536).set(log2Table);
    return new IntegerVifWasm(arena, width, height, refBase, disBase);
  }

  /** The scale-0 sums of two padded 8-bit levels (stride = width, VIF_WASM_PAD mirrored rows each side). */
  scale0(ref: Uint16Array, dis: Uint16Array, egl: number, eps: number): VifScale0Sums {
    const buf = this.arena.buffer;
    const n = this.levelLength;
    new Uint16Array(buf, this.refBase, n).set(ref.subarray(0, n));
    new Uint16Array(buf, this.disBase, n).set(dis.subarray(0, n));
    this.fn(this.width, this.height, this.refBase, this.disBase, egl, eps);
    const res = new Float64Array(buf, VIF_INTEGER_CONST.RES, 4);
    return { numLog: res[0]!, denLog: res[1]!, numNonLog: res[2]!, denNonLog: res[3]! };
  }
}
