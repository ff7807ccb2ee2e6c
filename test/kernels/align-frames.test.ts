/**
 * The pure alignment search (kernels/align/align-frames.ts) on synthetic frames: each "picture" k is
 * its own pseudo-random 16×8 pattern, so every pair of pictures is far apart and the expected answer is
 * exact; the distorted is a list of picture numbers (a repeat is a duplicate, a gap a drop).
 */
import { describe, expect, it } from 'vitest';
import { alignFrames, type AlignFramesInput } from '../../src-main/kernels/align/align-frames';

const W = 16;
const H = 8;
const SIZE = W * H;

/** Picture k (deterministic), plus optional ±noise per sample from a second seed. */
function picture(k: number, noise = 0, seed = 0): Uint8Array {
  const out = new Uint8Array(SIZE);
  let s = (k * 2654435761 + 12345) >>> 0;
  let t = (seed * 40503 + 977 + k * 7919) >>> 0;
  for (let p = 0; p < SIZE; p++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    t = (Math.imul(t, 22695477) + 1) >>> 0;
    const n = noise ? ((t >>> 24) % (2 * noise + 1)) - noise : 0;
    out[p] = Math.min(255, Math.max(0, 40 + (s >>> 24) * 0.7 + n));
  }
  return out;
}

function video(pictures: readonly number[], noise = 0, seed = 0, still = false): Uint8Array {
  const out = new Uint8Array(pictures.length * SIZE);
  pictures.forEach((k, i) => out.set(picture(still ? 0 : k, noise, seed + i), i * SIZE));
  return out;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);

/** The reference shows pictures PAD … PAD+LEN−1; the distorted `pics` (with a little noise, as a codec would add). */
function align(pics: number[], extra: Partial<AlignFramesInput> = {}, refPics = range(PAD, LEN)) {
  return alignFrames({ ref: video(refPics), refFrames: refPics.length, dist: video(pics, 3, 99), distFrames: pics.length, frameSize: SIZE, maxOffset: 15, ...extra });
}
const PAD = 20;
const LEN = 50;

describe('alignFrames', () => {
  it('finds nothing wrong in an aligned pair, with a confidence near 1', () => {
    const a = align(range(PAD, LEN));
    expect(a).toMatchObject({ offset: 0, dropped: [], duplicated: [], matched: LEN, rate: 1 });
    expect(a.confidence).toBeGreaterThan(0.9);
    expect(Array.from(a.mapping)).toEqual(range(0, LEN));
  });

  for (const k of [1, 5, 12, -1, -5, -12]) {
    it(`reports a distorted that is ${Math.abs(k)} frame${Math.abs(k) > 1 ? 's' : ''} ${k > 0 ? 'late' : 'early'} as offset ${k}, not as drops or duplicates`, () => {
      const a = align(range(PAD + k, LEN));
      expect(a).toMatchObject({ offset: k, dropped: [], duplicated: [], matched: LEN - Math.abs(k) });
      // Distorted frame j shows reference frame j + k where there is one.
      for (let j = 0; j < LEN; j++) expect(a.mapping[j]).toBe(j + k >= 0 && j + k < LEN ? j + k : -1);
    });
  }

  it('lists dropped frames in the reference numbering', () => {
    const dropped = [7, 21, 22, 23, 40];
    const a = align(range(PAD, LEN).filter((p) => !dropped.includes(p - PAD)));
    expect(a).toMatchObject({ offset: 0, dropped, duplicated: [] });
  });

  it('lists duplicated frames in the reference numbering, once per extra showing', () => {
    const a = align(range(PAD, LEN).flatMap((p) => (p - PAD === 10 ? [p, p] : p - PAD === 30 ? [p, p, p] : [p])));
    expect(a).toMatchObject({ offset: 0, dropped: [], duplicated: [10, 30, 30] });
  });

  it('reads a frozen frame (a repeat that replaces the next frame) as one duplicate and one drop', () => {
    const a = align(range(PAD, LEN).map((p) => (p - PAD === 25 ? p - 1 : p)));
    expect(a).toMatchObject({ offset: 0, dropped: [25], duplicated: [24] });
  });

  it('keeps an offset and drops apart: late start, then a drop', () => {
    const a = align(range(PAD + 5, LEN).filter((p) => p - PAD !== 30));
    expect(a).toMatchObject({ offset: 5, dropped: [30], duplicated: [] });
  });

  it('follows a frame-rate conversion by timestamps when given the rate ratio (every sixth frame dropped, 30 → 25 fps)', () => {
    const pics = range(0, 50).map((j) => PAD + Math.round((j * 6) / 5)).filter((p) => p < PAD + LEN);
    const a = align(pics, { rates: [6 / 5] });
    expect(a.rate).toBe(6 / 5);
    expect(a.offset).toBe(0);
    expect(a.duplicated).toEqual([]);
    expect(a.dropped).toEqual(range(0, LEN).filter((i) => !pics.includes(PAD + i)));
  });

  it('keeps matching frame by frame when the rates differ only in the tag', () => {
    const a = align(range(PAD, LEN), { rates: [6 / 5] });
    expect(a).toMatchObject({ rate: 1, offset: 0, dropped: [], duplicated: [] });
  });

  it('gives a still video a low confidence and invents no drops or duplicates', () => {
    const still = alignFrames({ ref: video(range(0, LEN), 0, 0, true), refFrames: LEN, dist: video(range(0, LEN), 3, 7, true), distFrames: LEN, frameSize: SIZE, maxOffset: 15 });
    expect(still.confidence).toBeLessThan(0.2);
    expect(still).toMatchObject({ offset: 0, dropped: [], duplicated: [] });
  });

  it('gives unrelated content a low confidence', () => {
    const a = align(range(500, LEN));
    expect(a.confidence).toBeLessThan(0.3);
  });

  it('does not search beyond maxOffset at the start', () => {
    const a = align(range(PAD + 12, LEN), { maxOffset: 4 });
    expect(a.offset).not.toBe(12);
  });

  it('refuses buffers shorter than the frames they claim, and a negative offset bound', () => {
    expect(() => alignFrames({ ref: new Uint8Array(10), refFrames: 2, dist: new Uint8Array(10), distFrames: 1, frameSize: 10, maxOffset: 1 })).toThrow(RangeError);
    expect(() => alignFrames({ ref: new Uint8Array(10), refFrames: 1, dist: new Uint8Array(10), distFrames: 1, frameSize: 10, maxOffset: -1 })).toThrow(RangeError);
  });

  it('answers an empty distorted with nothing matched and confidence 0', () => {
    const a = alignFrames({ ref: video(range(0, 5)), refFrames: 5, dist: new Uint8Array(0), distFrames: 0, frameSize: SIZE, maxOffset: 3 });
    expect(a).toMatchObject({ matched: 0, confidence: 0, dropped: [], duplicated: [] });
  });
});
