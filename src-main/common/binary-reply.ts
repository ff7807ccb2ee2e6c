/**
 * The loopback host's wire format for replies that carry pixels: the viewer's frames (two rgb24
 * frames, 12 MB at 1080p) and quality maps (float32, 8 MB). As base64 inside JSON they cost the
 * engine's thread the encoding and the page a decode of every character (tens to hundreds of
 * milliseconds a frame); here the bytes travel as they are and the page takes views of one buffer.
 *
 * Layout (all little-endian): `IQAB` | u32 header length | header (UTF-8 JSON) | zero padding | the
 * byte fields one after another, each starting at a multiple of 8 (so a float32 map can be viewed in
 * place). The header is the reply with each byte field replaced by `{"$bytes":[offset,length]}`, the
 * offset counted from the start of the message.
 *
 * Only the replies of BINARY_REPLY_COMMANDS (contract-names.ts) are sent this way; errors are JSON as
 * for every command. Electron's IPC needs none of this: its structured clone carries byte arrays.
 * Pure: no Node or DOM APIs beyond TextEncoder/TextDecoder, so the host and the page share it.
 */

export const BINARY_REPLY_TYPE = 'application/x-iqa-binary';

// common/ is typed without the DOM or Node (tsconfig.common.json); both have the WHATWG encoders.
const encodings = globalThis as unknown as { TextEncoder: new () => { encode(s: string): Uint8Array }; TextDecoder: new () => { decode(b: Uint8Array): string } };
const utf8 = new encodings.TextEncoder();
const fromUtf8 = new encodings.TextDecoder();

const MAGIC = [0x49, 0x51, 0x41, 0x42]; // "IQAB"
const ALIGN = 8;

const padTo = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1);

interface BytesMarker {
  $bytes: [number, number];
}

/**
 * The message for `value` as the parts to write in order (the header, then each byte field and its
 * padding): the byte fields are not copied. Byte fields are Uint8Arrays (Buffers included) anywhere in
 * plain objects and arrays.
 */
export function encodeBinaryReply(value: unknown): Uint8Array[] {
  const fields: Uint8Array[] = [];
  const replaced = replaceBytes(value, fields);
  // Offsets depend on the header's length, which depends on the offsets' digits: lay the fields out
  // after a header measured with the widest offsets possible; the real header is no longer, and the
  // zero padding after it fills the difference.
  const widest = utf8.encode(JSON.stringify(replaced, markerWith(fields.map(() => [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]))));
  const start = padTo(8 + widest.length);
  const places: [number, number][] = [];
  let at = start;
  for (const f of fields) {
    places.push([at, f.byteLength]);
    at = padTo(at + f.byteLength);
  }
  const header = utf8.encode(JSON.stringify(replaced, markerWith(places)));
  const head = new Uint8Array(start); // zero-filled: the padding after the header
  head.set(MAGIC, 0);
  new DataView(head.buffer).setUint32(4, header.length, true);
  head.set(header, 8);
  const parts: Uint8Array[] = [head];
  let written = start;
  for (const f of fields) {
    parts.push(f);
    written += f.byteLength;
    const gap = padTo(written) - written;
    if (gap > 0) {
      parts.push(new Uint8Array(gap));
      written += gap;
    }
  }
  return parts;
}

/** The reply in a message made by encodeBinaryReply, its byte fields as views of `message` (not copies). */
export function decodeBinaryReply(message: ArrayBuffer): unknown {
  const bytes = new Uint8Array(message);
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not a binary reply (no IQAB header)');
  const length = new DataView(message).getUint32(4, true);
  if (8 + length > bytes.length) throw new Error(`binary reply truncated: a header of ${length} bytes in a message of ${bytes.length}`);
  const header = fromUtf8.decode(bytes.subarray(8, 8 + length));
  return JSON.parse(header, (_key, v: unknown) => {
    if (!isMarker(v)) return v;
    const [offset, size] = v.$bytes;
    if (offset < 8 + length || offset + size > bytes.length) throw new Error(`binary reply: a field at ${offset}+${size} lies outside the message of ${bytes.length} bytes`);
    return new Uint8Array(message, offset, size);
  });
}

/** Little-endian float32 values in `bytes` (a map field), viewed in place when aligned, else copied. */
export function float32View(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`${bytes.byteLength} bytes are not whole float32 values`);
  if (bytes.byteOffset % 4 === 0 && LITTLE_ENDIAN) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** The little-endian float32 bytes of `values` (a map field), without a copy. */
export function float32Bytes(values: Float32Array): Uint8Array {
  if (!LITTLE_ENDIAN) {
    const out = new Uint8Array(values.length * 4);
    const view = new DataView(out.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
    return out;
  }
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isMarker(v: unknown): v is BytesMarker {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const m = (v as { $bytes?: unknown }).$bytes;
  return Array.isArray(m) && m.length === 2 && m.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) && Object.keys(v).length === 1;
}

/** `value` with each byte field replaced by its index in `fields` (a fresh object tree; the fields are not copied). */
function replaceBytes(value: unknown, fields: Uint8Array[]): unknown {
  if (value instanceof Uint8Array) {
    fields.push(value);
    return { $bytesIndex: fields.length - 1 };
  }
  if (Array.isArray(value)) return value.map((v) => replaceBytes(v, fields));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceBytes(v, fields);
    return out;
  }
  return value;
}

function markerWith(places: readonly (readonly [number, number])[]) {
  return (_key: string, v: unknown) => {
    if (typeof v === 'object' && v !== null && '$bytesIndex' in v) return { $bytes: places[(v as { $bytesIndex: number }).$bytesIndex] };
    return v;
  };
}
