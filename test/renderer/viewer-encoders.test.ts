import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { encodeNpyFloat32, encodePng16Gray, quantize16 } from '../../src-renderer/src/lib/viewer/encoders';

describe('viewer exports', () => {
  it('writes a NumPy 1.0 .npy of little-endian float32 with the shape, data on a 64-byte boundary', () => {
    const data = Float32Array.from({ length: 6 }, (_, i) => i * 0.1 - 0.2);
    const npy = encodeNpyFloat32(data, [2, 3]);
    expect([...npy.subarray(0, 8)]).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0]);
    const headerLen = npy[8]! | (npy[9]! << 8);
    expect((10 + headerLen) % 64).toBe(0);
    const header = Buffer.from(npy.subarray(10, 10 + headerLen)).toString('latin1');
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const back = new Float32Array(npy.slice(10 + headerLen).buffer);
    expect([...back]).toEqual([...data]);
    expect(() => encodeNpyFloat32(data, [4, 2])).toThrow(RangeError);
  });

  it('scales a map to 16 bits over its range, clamped, NaN as 0', () => {
    expect([...quantize16(Float32Array.of(0, 0.5, 1, 2, -1, NaN), 0, 1)]).toEqual([0, 32768, 65535, 65535, 0, 0]);
  });

  it('writes a 16-bit greyscale PNG that a decoder reads back sample for sample, with the range in tEXt', () => {
    const w = 300;
    const h = 250; // > 65535 bytes of scanlines: several stored deflate blocks
    const samples = Uint16Array.from({ length: w * h }, (_, i) => (i * 2654435761) % 65536);
    const png = encodePng16Gray(samples, w, h, { 'iqa:range': '0 1' });
    const img = PNG.sync.read(Buffer.from(png), { skipRescale: true } as never) as unknown as { width: number; height: number; depth: number; data: Uint16Array };
    expect([img.width, img.height, img.depth]).toEqual([w, h, 16]);
    const data = img.data;
    for (const i of [0, 1, 777, w * h - 1]) expect(data[4 * i]).toBe(samples[i]);
    expect(Buffer.from(png).includes(Buffer.from('iqa:range\u00000 1', 'latin1'))).toBe(true);
  });
});
