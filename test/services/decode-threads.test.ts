/**
 * Decoding with several threads: frames are the same bytes as with one thread, and a damaged file is
 * refused naming the same frame a one-thread strict decode names (the threaded decoder reports damage
 * early; the reader locates it exactly).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { IqaError } from '../../src-main/common/errors';
import { frameBytes } from '../../src-main/common/frame-format';
import { decodeFormatFor, rgb24Format } from '../../src-main/services/media/decode-format';
import { decodeThreads, FrameReader } from '../../src-main/services/media/frame-reader';
import { probeMedia } from '../../src-main/services/media/probe';
import { makeDamagedClip } from '../helpers/damaged-media';
import { tempDir } from '../helpers/media';

const FRAMES = 64;
let tmp: { dir: string; cleanup: () => void };
let ref: string;
let broken: string;
beforeAll(() => {
  tmp = tempDir('decode-threads');
  ref = join(tmp.dir, 'clip.mp4');
  broken = makeDamagedClip(ref, FRAMES);
});
afterAll(() => tmp.cleanup());

/** Every frame of `file` (native and rgb24 from one decode), concatenated, or the error it fails with. */
async function decodeAll(file: string, threads: number): Promise<{ bytes: Buffer; error: IqaError | null }> {
  const info = await probeMedia(file);
  const native = decodeFormatFor(info, file);
  const formats = [native, rgb24Format(native.width, native.height)];
  const reader = new FrameReader(file, formats, { threads });
  const parts: Buffer[] = [];
  try {
    for (;;) {
      const bufs = formats.map((f) => new Uint8Array(frameBytes(f)));
      if (!(await reader.read(bufs[0]!, bufs[1]!))) break;
      parts.push(...bufs.map((b) => Buffer.from(b)));
    }
    await reader.finish();
    return { bytes: Buffer.concat(parts), error: null };
  } catch (err) {
    return { bytes: Buffer.concat(parts), error: err as IqaError };
  } finally {
    reader.close();
  }
}

describe('decoder threads', () => {
  it('uses half the cores, at least one', () => {
    expect(decodeThreads(1)).toBe(1);
    expect(decodeThreads(2)).toBe(1);
    expect(decodeThreads(16)).toBe(8);
  });

  it('gives the same bytes in both formats with four threads as with one', async () => {
    const one = await decodeAll(ref, 1);
    const four = await decodeAll(ref, 4);
    expect(one.error).toBeNull();
    expect(four.error).toBeNull();
    expect(four.bytes.equals(one.bytes)).toBe(true);
  });

  it('names the same damaged frame with four threads as with one', async () => {
    const one = await decodeAll(broken, 1);
    const four = await decodeAll(broken, 4);
    expect(one.error?.code).toBe('E_MEDIA');
    expect(four.error?.code).toBe('E_MEDIA');
    expect(four.error!.message).toBe(one.error!.message);
    expect(four.error!.details).toEqual(one.error!.details);
  });
});
