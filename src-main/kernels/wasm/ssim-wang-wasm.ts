/**
 * WebAssembly SIMD engine of Wang SSIM / MS-SSIM (ssim-wang.wat): the same results as runSsim() in
 * metrics/ssim-core.ts, bit for bit (see the .wat header for why). One instance and one memory per
 * SsimWorkspace; the memory grows to the largest frame seen. Per call the two planes are copied into the
 * memory as they are (TypedArray#set: a plain copy of the samples, converted to float64 per row inside
 * the wasm), and the map, when requested, is copied out at the end. A caller that builds float64 planes
 * itself (luma from RGB) can write them straight into the memory (inputPlanes()): then nothing is copied
 * and the planes exist once, not twice (a 24-megapixel pair: 384 MB less). MS-SSIM's 2×2 means and ssim.m's box
 * downsampling also run in the wasm (same float64 operations as image/downsample.ts).
 */
import type { FloatSamples, Plane } from '../image/plane';
import { SSIM_WANG_CONST, SSIM_WANG_WASM } from './generated/ssim-wasm';
import { align64, compileWasm, WasmArena } from './wasm-runtime';

type RunFn = (
  width: number,
  height: number,
  full: number,
  wantCs: number,
  type: number,
  mapType: number,
  c1: number,
  c2: number,
  xBase: number,
  yBase: number,
  work: number,
  rowSums: number,
  csSums: number,
  map: number,
) => number;

type Down2Fn = (src: number, type: number, width: number, height: number, dst: number, tmp: number) => void;
type BoxDownFn = (src: number, type: number, width: number, height: number, f: number, scale: number, dst: number, col: number, tmp: number) => void;

let compiled: object | null | undefined;

function wangModule(): object | null {
  if (compiled === undefined) compiled = compileWasm(SSIM_WANG_WASM);
  return compiled;
}

/** Sample type code = log2 of the sample size (as the .wat expects). */
function typeCode(data: Plane['data']): number {
  if (data instanceof Uint8Array) return 0;
  if (data instanceof Uint16Array) return 1;
  if (data instanceof Float32Array) return 2;
  return 3;
}

function view(buffer: ArrayBuffer, type: number, byteOffset: number, length: number): Plane['data'] {
  switch (type) {
    case 0:
      return new Uint8Array(buffer, byteOffset, length);
    case 1:
      return new Uint16Array(buffer, byteOffset, length);
    case 2:
      return new Float32Array(buffer, byteOffset, length);
    default:
      return new Float64Array(buffer, byteOffset, length);
  }
}

/** Copies a plane's samples (packed, stride = width) into `dst`. */
function copyPlane(plane: Plane, dst: Plane['data']): void {
  const { data, width, height, stride } = plane;
  if (stride === width) {
    (dst as Uint8Array).set(data.subarray(0, width * height) as Uint8Array);
    return;
  }
  for (let r = 0; r < height; r++) (dst as Uint8Array).set(data.subarray(r * stride, r * stride + width) as Uint8Array, r * width);
}

const HEADER = 64;
/** Readable bytes after each plane (the row conversion reads up to 7 samples past a row). */
const SLACK = 64;
/** Where the two input planes start in every layout (after the header and the engine's work area). */
const INPUTS = align64(HEADER + SSIM_WANG_CONST.WORK);

/** Bytes of one input plane in the memory, its slack included. */
function planeSpan(width: number, height: number, type: number): number {
  return align64(width * height * (1 << type)) + SLACK;
}

export class SsimWangWasm {
  private readonly arena: WasmArena;
  private readonly runFn: RunFn;
  private readonly down2Fn: Down2Fn;
  private readonly boxDownFn: BoxDownFn;
  ssimTotal = 0;
  csTotal = 0;

  private constructor(arena: WasmArena, weights: Float64Array) {
    this.arena = arena;
    this.runFn = arena.exports.run as RunFn;
    this.down2Fn = arena.exports.down2 as Down2Fn;
    this.boxDownFn = arena.exports.boxDown as BoxDownFn;
    (arena.exports.setWeights as (...g: number[]) => void)(weights[0], weights[1], weights[2], weights[3], weights[4], weights[5]);
  }

  /**
   * Two packed float64 planes of width×height where run() and msScales() read their inputs: a caller
   * that fills them and passes them (as Planes, stride = width) saves the copy and a second pair of
   * planes. Valid until the next call on this engine (a grow detaches them; the calls check for that
   * before growing). Null when the memory cannot grow enough: build the planes elsewhere.
   */
  inputPlanes(width: number, height: number): [Float64Array, Float64Array] | null {
    const n = width * height;
    const span = planeSpan(width, height, 3);
    if (!this.arena.ensure(INPUTS + 2 * span)) return null;
    const buffer = this.arena.buffer;
    return [new Float64Array(buffer, INPUTS, n), new Float64Array(buffer, INPUTS + span, n)];
  }

  /** Whether a plane is the packed float64 input plane at `base` of this memory (see inputPlanes). */
  private holds(p: Plane, base: number): boolean {
    const d = p.data;
    return d instanceof Float64Array && d.buffer === this.arena.buffer && d.byteOffset === base && p.stride === p.width && d.length >= p.width * p.height;
  }

  /** Null where WebAssembly SIMD is unavailable (callers use the TypeScript code). */
  static create(weights: Float64Array): SsimWangWasm | null {
    const module = wangModule();
    if (module === null) return null;
    const arena = WasmArena.create(module, HEADER + SSIM_WANG_CONST.WORK);
    return arena === null ? null : new SsimWangWasm(arena, weights);
  }

  /**
   * The SSIM pass of runSsim over x, y (same size): leaves the sums of the valid rows' SSIM (and cs) in
   * ssimTotal / csTotal and writes the map (`full`: the full map, else the valid one) into `map`. With
   * `factor` > 1 both planes are first shrunk as boxDownsampleMatlab does (ssim.m's 'matlab-auto'), and
   * the SSIM pass and the map are at ceil(H/f)×ceil(W/f); the caller has checked that size holds the
   * window. False (nothing done) when the memory cannot grow enough: use the TypeScript code.
   */
  run(x: Plane, y: Plane, c1: number, c2: number, wantCs: boolean, full: boolean, map: FloatSamples | null, factor = 1): boolean {
    const { width, height } = x;
    const xType = typeCode(x.data);
    const yType = typeCode(y.data);
    // Both planes must have one sample type in the wasm; mixed inputs (rare) are widened to float64.
    const type = xType === yType ? xType : 3;
    const sw = Math.ceil(width / factor);
    const sh = Math.ceil(height / factor);
    const outW = full ? sw : sw - 10;
    const outH = full ? sh : sh - 10;
    const mapType = map === null ? 0 : map instanceof Float32Array ? 1 : 2;
    const mapBytes = mapType === 0 ? 0 : outW * outH * (mapType === 1 ? 4 : 8);
    const planeBytes = planeSpan(width, height, type);
    const smallBytes = factor > 1 ? align64(sw * sh * 8) + SLACK : 0;
    const scratchBytes = factor > 1 ? align64((width + 2 * factor + 8) * 8) + align64((width + 8) * 8) : 0;
    const work = HEADER;
    const xBase = INPUTS;
    const yBase = xBase + planeBytes;
    const rowSums = yBase + planeBytes;
    const csSums = rowSums + align64(sh * 8);
    const xSmall = csSums + align64(sh * 8);
    const ySmall = xSmall + smallBytes;
    const col = ySmall + smallBytes;
    const tmp = col + align64((width + 2 * factor + 8) * 8);
    const mapBase = col + scratchBytes;
    // Planes written by the caller into inputPlanes() are already in place (checked before a grow
    // detaches their views; growing keeps the memory's contents).
    const inPlace = this.holds(x, xBase) && this.holds(y, yBase);
    if (!this.arena.ensure(mapBase + align64(mapBytes) + SLACK)) return false;
    const buffer = this.arena.buffer;
    if (!inPlace) {
      copyPlane(x, view(buffer, type, xBase, width * height));
      copyPlane(y, view(buffer, type, yBase, width * height));
    }
    let px = xBase;
    let py = yBase;
    let t = type;
    if (factor > 1) {
      const scale = 1 / (factor * factor);
      this.boxDownFn(xBase, type, width, height, factor, scale, xSmall, col, tmp);
      this.boxDownFn(yBase, type, width, height, factor, scale, ySmall, col, tmp);
      px = xSmall;
      py = ySmall;
      t = 3;
    }
    this.ssimTotal = this.runFn(sw, sh, full ? 1 : 0, wantCs ? 1 : 0, t, mapType, c1, c2, px, py, work, rowSums, csSums, mapBase);
    this.csTotal = new Float64Array(buffer, 0, 1)[0];
    if (map !== null) {
      const n = outW * outH;
      map.set(mapType === 1 ? new Float32Array(buffer, mapBase, n) : new Float64Array(buffer, mapBase, n));
    }
    return true;
  }

  /**
   * MS-SSIM's scales (msSsim in metrics/ms-ssim.ts): at each of the `scales` sizes the mean SSIM and mean cs
   * over the valid region, the planes shrunk between scales by the 2×2 mean of downsample2x2Mean (same
   * float64 operations), all inside the wasm memory. The caller has checked the coarsest size. False
   * (nothing done) when the memory cannot grow enough: use the TypeScript code.
   */
  msScales(x: Plane, y: Plane, c1: number, c2: number, scales: number, mssim: number[], mcs: number[]): boolean {
    const { width, height } = x;
    const xType = typeCode(x.data);
    const type = xType === typeCode(y.data) ? xType : 3;
    const planeBytes = planeSpan(width, height, type);
    const w1 = (width + 1) >> 1;
    const h1 = (height + 1) >> 1;
    const w2 = (w1 + 1) >> 1;
    const h2 = (h1 + 1) >> 1;
    const aBytes = align64(w1 * h1 * 8) + SLACK;
    const bBytes = align64(w2 * h2 * 8) + SLACK;
    const work = HEADER;
    const xBase = INPUTS;
    const yBase = xBase + planeBytes;
    const rowSums = yBase + planeBytes;
    const csSums = rowSums + align64(height * 8);
    const tmp = csSums + align64(height * 8);
    const xa = tmp + align64((width + 8) * 16) + SLACK;
    // Where the input planes can hold the second scale (float64 input), the scales rotate through
    // three regions, the two inputs' and one more: each side's next scale goes where the region is
    // free, x's into the spare one, y's into the one x's previous scale just left. Otherwise (8- and
    // 16-bit input) two ping-pong pairs after the inputs. Only addresses differ: the same operations.
    const rotate = planeBytes >= aBytes;
    const ya = xa + aBytes;
    const xb = ya + aBytes;
    const yb = xb + bBytes;
    const inPlace = this.holds(x, xBase) && this.holds(y, yBase);
    if (!this.arena.ensure(rotate ? xa + aBytes : yb + bBytes)) return false;
    const buffer = this.arena.buffer;
    if (!inPlace) {
      copyPlane(x, view(buffer, type, xBase, width * height));
      copyPlane(y, view(buffer, type, yBase, width * height));
    }
    let w = width;
    let h = height;
    let t = type;
    let px = xBase;
    let py = yBase;
    let spare = xa;
    for (let l = 0; l < scales; l++) {
      const total = this.runFn(w, h, 0, 1, t, 0, c1, c2, px, py, work, rowSums, csSums, 0);
      const n = (w - 10) * (h - 10);
      mssim.push(total / n);
      mcs.push(new Float64Array(buffer, 0, 1)[0] / n);
      if (l < scales - 1) {
        const odd = l % 2 === 0; // ping-pong: scales 1, 3, ... go to the A buffers, 2, 4, ... to the B buffers
        const nx = rotate ? spare : odd ? xa : xb;
        this.down2Fn(px, t, w, h, nx, tmp);
        const ny = rotate ? px : odd ? ya : yb;
        this.down2Fn(py, t, w, h, ny, tmp);
        if (rotate) spare = py;
        px = nx;
        py = ny;
        t = 3;
        w = (w + 1) >> 1;
        h = (h + 1) >> 1;
      }
    }
    return true;
  }
}
