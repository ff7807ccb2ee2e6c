import { describe, expect, it } from 'vitest';
import { decodeBinaryReply, encodeBinaryReply, float32Bytes, float32View } from '../../src-main/common/binary-reply';

/** The parts joined into one ArrayBuffer, as fetch's arrayBuffer() gives them to the page. */
function join(parts: Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out.buffer;
}

describe('binary replies (the viewer pixels over HTTP)', () => {
  it('round-trips a reply with byte fields byte for byte, the rest as JSON would', () => {
    const ref = Uint8Array.from({ length: 301 }, (_, i) => (i * 7) & 255);
    const dist = Buffer.from(Uint8Array.from({ length: 5 }, (_, i) => 250 + i)); // a Buffer is a Uint8Array too
    const values = Float32Array.of(1, 0.5, -0.25, NaN, 0.123456789, -0, Infinity);
    const reply = { ok: true, value: { frame: 3, fps: null, name: 'é "quoted" \u2028', ref, dist, map: float32Bytes(values), nested: [{ b: Uint8Array.of() }] } };
    const back = decodeBinaryReply(join(encodeBinaryReply(reply))) as typeof reply;
    expect(back.ok).toBe(true);
    expect(back.value.frame).toBe(3);
    expect(back.value.fps).toBeNull();
    expect(back.value.name).toBe(reply.value.name);
    expect([...back.value.ref]).toEqual([...ref]);
    expect([...back.value.dist]).toEqual([250, 251, 252, 253, 254]);
    expect(back.value.nested[0]!.b.byteLength).toBe(0);
    const map = float32View(back.value.map);
    expect(map.length).toBe(values.length);
    for (let i = 0; i < values.length; i++) expect(Object.is(map[i], values[i]), `element ${i}`).toBe(true);
  });

  it('lays every byte field at a multiple of 8 and views it in place (no copy)', () => {
    const a = Uint8Array.from({ length: 13 }, (_, i) => i);
    const b = float32Bytes(Float32Array.of(2, 3));
    const message = join(encodeBinaryReply({ a, b }));
    const back = decodeBinaryReply(message) as { a: Uint8Array; b: Uint8Array };
    for (const f of [back.a, back.b]) {
      expect(f.buffer).toBe(message);
      expect(f.byteOffset % 8).toBe(0);
    }
    expect(float32View(back.b).buffer).toBe(message);
    expect([...float32View(back.b)]).toEqual([2, 3]);
  });

  it('encodes without copying the byte fields', () => {
    const big = new Uint8Array(1000);
    const parts = encodeBinaryReply({ big });
    expect(parts).toContain(big);
  });

  it('refuses a message that is not one, or is cut short, naming the problem', () => {
    expect(() => decodeBinaryReply(new TextEncoder().encode('{"ok":true}').buffer)).toThrow(/not a binary reply/);
    const message = join(encodeBinaryReply({ ref: new Uint8Array(64) }));
    expect(() => decodeBinaryReply(message.slice(0, message.byteLength - 8))).toThrow(/outside the message/);
    expect(() => decodeBinaryReply(message.slice(0, 12))).toThrow(/truncated/);
  });

  it('reads float32 fields that are not aligned by copying, and refuses partial values', () => {
    const bytes = new Uint8Array(9);
    bytes.set(float32Bytes(Float32Array.of(1.5, -2)), 1);
    expect([...float32View(bytes.subarray(1))]).toEqual([1.5, -2]);
    expect(() => float32View(new Uint8Array(6))).toThrow(RangeError);
  });
});
