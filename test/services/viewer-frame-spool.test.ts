/**
 * The viewer's frame spool (services/viewer/frame-spool.ts): once a video pair's spools are complete,
 * the frames the viewer gets from them (native planes and rgb24, both sides) are byte for byte those
 * the decoders give (seeking on the input), for a keyframe-sparse H.264 pair with B-frames, in any
 * order (backwards too) and with a skip; a
 * damaged file leaves no spool and the decoders report the damage as before; a spool whose frames file
 * does not match its description (a killed engine's) is never used; the least recently used spools go
 * when the bound is reached. Tests wait for the spool work to settle, never for time.
 */
import { copyFileSync, existsSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IqaError } from '../../src-main/common/errors';
import { frameBytes } from '../../src-main/common/frame-format';
import { rgb24Format } from '../../src-main/services/media/decode-format';
import { SpoolStore, spoolsSettled } from '../../src-main/services/viewer/frame-spool';
import { PairDecoders, type PairDecoder, type ViewerTiming } from '../../src-main/services/viewer/pair-decoder';
import { makeDamagedClip } from '../helpers/damaged-media';
import { ffmpeg, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
const W = 64;
const H = 48;
const N = 36;
const ref = () => join(tmp.dir, 'ref.mkv');
const dist = () => join(tmp.dir, 'dist.mkv');

interface Got {
  refNative: Buffer;
  distNative: Buffer;
  refRgb: Buffer;
  distRgb: Buffer;
  decoder: string;
}

const frameOf = (d: PairDecoder, k: number) =>
  d.use(k, (f) => ({
    refNative: Buffer.from(new Uint8Array(f.native.ref).slice()),
    distNative: Buffer.from(new Uint8Array(f.native.dist).slice()),
    refRgb: Buffer.from(f.rgb.ref.slice()),
    distRgb: Buffer.from(f.rgb.dist.slice()),
    decoder: f.decoder,
  }));

/** A session that has been used once (so its spool work started), and the spool work settled. */
async function opened(decoders: PairDecoders, input: { ref: string; dist: string }, timing: ViewerTiming = {}): Promise<PairDecoder> {
  const d = await decoders.get(input, timing);
  await frameOf(d, 0).catch(() => undefined);
  await spoolsSettled();
  return d;
}

const spoolFiles = (dir: string, ext: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(ext)) : []);

beforeAll(() => {
  tmp = tempDir('viewer-spool');
  const src = `testsrc2=s=${W}x${H}:r=25`;
  // One keyframe in N frames, B-frames: without a spool, frame k needs frames 0…k decoded.
  ffmpeg(['-f', 'lavfi', '-i', src, '-frames:v', String(N), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-g', '1000', '-bf', '2', '-qp', '0', ref()]);
  ffmpeg(['-f', 'lavfi', '-i', `${src},noise=alls=30:allf=t`, '-frames:v', String(N), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-g', '1000', '-bf', '2', '-crf', '30', dist()]);
});
afterAll(() => tmp.cleanup());

describe('the viewer frame spool', () => {
  it('serves frames byte for byte as the decoders do, in any order, with a skip', async () => {
    const spoolDir = join(tmp.dir, 'spool');
    const spooling = new PairDecoders({ spoolDir });
    const plain = new PairDecoders({ spoolDir: null });
    try {
      const input = { ref: ref(), dist: dist() };
      const d = await opened(spooling, input);
      expect(d.spooled).toBe(true);
      // One spool per side, complete, nothing temporary left.
      expect(spoolFiles(spoolDir, '.json')).toHaveLength(2);
      expect(readdirSync(spoolDir).filter((n) => n.includes('.tmp-'))).toEqual([]);
      const p = await plain.get(input, {});
      expect(p.spooled).toBe(false);
      // Far ahead, back, neighbours, the ends: the plain decoders seek on the input for most of them.
      for (const k of [20, 3, 35, 7, 8, 30, 0, 34, 12]) {
        const [a, b] = [await frameOf(d, k), await frameOf(p, k)];
        expect(a.decoder, `frame ${k}`).toContain('frame spool');
        expect(b.decoder).not.toContain('frame spool');
        expect(a.refNative.length).toBe(frameBytes(d.format));
        expect(a.refRgb.length).toBe(frameBytes(rgb24Format(W, H)));
        for (const part of ['refNative', 'distNative', 'refRgb', 'distRgb'] as const) {
          expect(Buffer.compare(a[part], b[part]), `${part} of frame ${k}`).toBe(0);
        }
      }
      // Frame k of the pair with the distorted side 2 frames on: the same spools, read 2 frames further.
      const timing = { skipDist: 2 };
      const ds = await opened(spooling, input, timing);
      expect(ds.spooled).toBe(true);
      expect(spoolFiles(spoolDir, '.json')).toHaveLength(2);
      const ps = await plain.get(input, timing);
      for (const k of [25, 4, 33]) {
        const [a, b] = [await frameOf(ds, k), await frameOf(ps, k)];
        for (const part of ['refNative', 'distNative', 'refRgb', 'distRgb'] as const) {
          expect(Buffer.compare(a[part], b[part]), `${part} of frame ${k}, skipDist 2`).toBe(0);
        }
      }
      // Past the end: the same error either way.
      const errs = await Promise.all([frameOf(ds, N - 2).catch((e: unknown) => e), frameOf(ps, N - 2).catch((e: unknown) => e)]);
      for (const e of errs) {
        expect(e).toBeInstanceOf(IqaError);
        expect((e as IqaError).code).toBe('E_INPUT');
      }
    } finally {
      spooling.close();
      plain.close();
    }
  });

  it('leaves no spool for a damaged file; the decoders report the damage as before', async () => {
    const spoolDir = join(tmp.dir, 'spool-damaged');
    const intact = join(tmp.dir, 'clip.mp4');
    // Random bytes inside the stream, which ffmpeg conceals (and reports); the container stays whole.
    const bad = makeDamagedClip(intact, 24);
    const spooling = new PairDecoders({ spoolDir });
    try {
      const d = await opened(spooling, { ref: bad, dist: intact });
      expect(d.spooled).toBe(false);
      expect(spoolFiles(spoolDir, '.json')).toEqual([]);
      expect(spoolFiles(spoolDir, '.frames')).toEqual([]);
      expect(existsSync(spoolDir) ? readdirSync(spoolDir).filter((n) => n.includes('.tmp-')) : []).toEqual([]);
      // Stepping through it, the decoders refuse the damaged frame, as without spools.
      let err: unknown = null;
      for (let k = 1; k < 24 && !err; k++) err = await frameOf(d, k).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(IqaError);
      expect((err as IqaError).code).toBe('E_MEDIA');
      // The control: the intact clip is spooled.
      const control = await opened(spooling, { ref: intact, dist: intact });
      expect(control.spooled).toBe(true);
    } finally {
      spooling.close();
    }
  });

  it('never uses a spool whose frames do not match its description, and evicts the least recently used', async () => {
    const spoolDir = join(tmp.dir, 'spool-store');
    const format = (await (async () => {
      const d = new PairDecoders({ spoolDir: null });
      try {
        return (await d.get({ ref: ref(), dist: dist() }, {})).format;
      } finally {
        d.close();
      }
    })());
    const rgb = rgb24Format(W, H);
    const spec = (file: string) => ({ file, filters: [], formats: [format, rgb], frames: N });
    const record = frameBytes(format) + frameBytes(rgb);
    // Room for two spools of N frames, not three.
    const store = new SpoolStore(spoolDir, Math.max(2 * N * record, 2.5 * N * record));
    try {
      const a = await store.obtain(spec(ref()));
      expect(a?.frames).toBe(N);
      a?.close();
      const [framesFile] = spoolFiles(spoolDir, '.frames');
      expect(statSync(join(spoolDir, framesFile!)).size).toBe(N * record);
      // Cut short, as by a killed engine: not used (find), rebuilt whole (obtain).
      truncateSync(join(spoolDir, framesFile!), (N - 1) * record);
      expect(await store.find(spec(ref()))).toBeNull();
      const again = await store.obtain(spec(ref()));
      expect(again?.frames).toBe(N);
      again?.close();
      expect(statSync(join(spoolDir, framesFile!)).size).toBe(N * record);
      // Two more files: the first (least recently used) goes to make room for the third.
      const copies = [1, 2].map((i) => {
        const f = join(tmp.dir, `ref-copy${i}.mkv`);
        copyFileSync(ref(), f);
        return f;
      });
      const b = await store.obtain(spec(copies[0]!));
      b?.close();
      expect(spoolFiles(spoolDir, '.json')).toHaveLength(2);
      const c = await store.obtain(spec(copies[1]!));
      c?.close();
      expect(spoolFiles(spoolDir, '.json')).toHaveLength(2);
      expect(await store.find(spec(ref()))).toBeNull();
      const [fb, fc] = await Promise.all([store.find(spec(copies[0]!)), store.find(spec(copies[1]!))]);
      expect(fb?.frames).toBe(N);
      expect(fc?.frames).toBe(N);
      fb?.close();
      fc?.close();
    } finally {
      store.close();
    }
  });
});
