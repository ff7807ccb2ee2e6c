/**
 * Minimal WebAssembly plumbing for the kernels: typed access to the WebAssembly global (the kernels
 * compile with lib ES2023 and no DOM, where it is not declared), a base64 decoder (no Buffer, no atob),
 * a one-time SIMD feature check, and a growable memory arena. Pure: no Node imports, synchronous.
 *
 * The wasm binaries come from src-main/kernels/wasm/*.wat, compiled at build time by
 * scripts/build-wasm.mjs into generated/ssim-wasm.ts.
 */

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

function wasmApi(): WasmApi | null {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  return api !== undefined && typeof api === 'object' && typeof api.Module === 'function' ? api : null;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes standard base64 (with or without '=' padding). */
export function decodeBase64(text: string): Uint8Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) table[B64.charCodeAt(i)] = i;
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--; // '='
  const out = new Uint8Array((end * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? table[c] : -1;
    if (v < 0) throw new RangeError(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** (module (func (result v128) (v128.const i32x4 0 0 0 0))): valid only where WebAssembly SIMD is. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b, // code: v128.const 0; end
]);

let simd: boolean | undefined;

/** Whether this engine runs WebAssembly with SIMD (checked once). */
export function wasmSimdSupported(): boolean {
  if (simd === undefined) {
    const api = wasmApi();
    try {
      simd = api !== null && api.validate(SIMD_PROBE);
    } catch {
      simd = false;
    }
  }
  return simd;
}

/** A compiled module from base64, or null where WebAssembly SIMD is missing or compiling fails. */
export function compileWasm(base64: string): object | null {
  const api = wasmApi();
  if (api === null || !wasmSimdSupported()) return null;
  try {
    return new api.Module(decodeBase64(base64));
  } catch {
    return null;
  }
}

const PAGE = 65536;
/** A 32-bit memory holds at most 65536 pages. */
const MAX_BYTES = 65536 * PAGE;

/** One WebAssembly.Memory and an instance of a module importing it as env.mem; grows on demand. */
export class WasmArena {
  private readonly memory: WasmMemory;
  readonly exports: Record<string, unknown>;

  private constructor(memory: WasmMemory, exports: Record<string, unknown>) {
    this.memory = memory;
    this.exports = exports;
  }

  /** Null where WebAssembly is missing or instantiation fails (the caller falls back to TypeScript). */
  static create(module: object, initialBytes: number): WasmArena | null {
    const api = wasmApi();
    if (api === null) return null;
    try {
      const memory = new api.Memory({ initial: Math.max(1, Math.ceil(initialBytes / PAGE)) });
      const instance = new api.Instance(module, { env: { mem: memory } });
      return new WasmArena(memory, instance.exports);
    } catch {
      return null;
    }
  }

  /**
   * Makes the memory at least `bytes` long (views taken before a grow become detached: take new ones).
   * False when it cannot (past the 4 GiB of a 32-bit memory, or out of memory): use the TypeScript code.
   */
  ensure(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    if (bytes > MAX_BYTES) return false;
    try {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
      return true;
    } catch {
      return false;
    }
  }

  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }
}

/** Rounds up to a multiple of 64 bytes. */
export function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}
