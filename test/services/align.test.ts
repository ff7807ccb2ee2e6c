/**
 * The temporal alignment check on real videos with known faults (services/align, align.check): the
 * reference is 60 frames of a moving clip (master frames 12…71, lossless H.264), each distorted is a
 * list of master frames encoded with x264 at a lossy quality, so matches are never exact.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlignmentReport } from '../../src-main/common/contract';
import type { MetricResultRow } from '../../src-main/common/domain';
import { dispatch } from '../../src-main/host/dispatch';
import { alignmentOfPair } from '../../src-main/services/align/align-pair';
import { Engine } from '../../src-main/services/engine';
import { makeFromFrames, makeMaster, range } from '../helpers/align-media';
import { ffmpeg, tempDir } from '../helpers/media';

const PAD = 12;
const LEN = 60;
/** x264 quality of the distorted videos: visibly lossy at 96×64. */
const CRF = 30;

let tmp: { dir: string; cleanup: () => void };
let master: Buffer;
let ref: string;
let n = 0;

beforeAll(() => {
  tmp = tempDir('align');
  master = makeMaster(tmp.dir, PAD * 2 + LEN);
  ref = makeFromFrames(join(tmp.dir, 'ref.mp4'), master, range(PAD, LEN));
});
afterAll(() => tmp.cleanup());

/** The check of a distorted made of master frames `frames` against the reference. */
async function check(frames: number[], options: { fps?: number; extra?: string[]; ext?: string; maxOffset?: number } = {}): Promise<AlignmentReport> {
  const dist = makeFromFrames(join(tmp.dir, `dist${n++}.${options.ext ?? 'mp4'}`), master, frames, { crf: CRF, fps: options.fps, extra: options.extra });
  return alignmentOfPair({ ref, dist }, { maxOffset: options.maxOffset ?? 15 });
}

/** Reference frame numbers → the master frames a distorted shows. */
const shows = (refFrames: number[]) => refFrames.map((i) => PAD + i);

describe('alignmentOfPair', () => {
  it('raises no alarm for an aligned pair (the control)', async () => {
    const r = await check(shows(range(0, LEN)));
    expect(r).toMatchObject({ offset: 0, dropped: [], duplicated: [], fps: { ref: 30, dist: 30 }, aligned: true, matchedBy: 'frames', policyExact: true });
    expect(r.policy).toEqual({ skipRef: 0, skipDist: 0, truncate: false, ignoreFps: false });
    expect(r.confidence).toBeGreaterThan(0.8);
    expect(r.notes).toEqual([]);
  });

  for (const k of [1, -1, 5, -5, 12, -12]) {
    it(`reports a distorted ${Math.abs(k)} frame${Math.abs(k) > 1 ? 's' : ''} ${k > 0 ? 'late' : 'early'} as offset ${k} with the skip that aligns it`, async () => {
      const r = await check(shows(range(k, LEN)));
      expect(r).toMatchObject({ offset: k, dropped: [], duplicated: [], aligned: false, policyExact: true });
      expect(r.frames).toEqual({ ref: LEN, dist: LEN, matched: LEN - Math.abs(k) });
      expect(r.policy).toEqual({ skipRef: Math.max(0, k), skipDist: Math.max(0, -k), truncate: true, ignoreFps: false });
      expect(r.confidence).toBeGreaterThan(0.8);
    });
  }

  it('lists dropped frames (one alone, a burst of three, one more) in the reference numbering', async () => {
    const dropped = [10, 27, 28, 29, 45];
    const r = await check(shows(range(0, LEN).filter((i) => !dropped.includes(i))));
    expect(r).toMatchObject({ offset: 0, dropped, duplicated: [], aligned: false, policyExact: false });
    expect(r.frames.dist).toBe(LEN - 5);
  });

  it('lists a single dropped frame', async () => {
    const r = await check(shows(range(0, LEN).filter((i) => i !== 33)));
    expect(r).toMatchObject({ offset: 0, dropped: [33], duplicated: [] });
  });

  it('lists duplicated frames in the reference numbering, once per extra showing', async () => {
    const r = await check(shows(range(0, LEN).flatMap((i) => (i === 15 ? [i, i] : i === 40 ? [i, i, i] : [i]))));
    expect(r).toMatchObject({ offset: 0, dropped: [], duplicated: [15, 40, 40], aligned: false, policyExact: false });
  });

  it('reads a frozen frame (frame 26 replaced by a repeat of 25) as one duplicate and one drop', async () => {
    const r = await check(shows(range(0, LEN).map((i) => (i === 26 ? 25 : i))));
    expect(r).toMatchObject({ offset: 0, dropped: [26], duplicated: [25] });
  });

  it('keeps an offset and a drop apart (5 frames late, then reference frame 40 missing)', async () => {
    const r = await check(shows(range(5, LEN).filter((i) => i !== 40)));
    expect(r).toMatchObject({ offset: 5, dropped: [40], duplicated: [] });
  });

  it('recognises a 30 → 25 fps conversion: matched by timestamps, every sixth reference frame or so dropped', async () => {
    const dist = join(tmp.dir, 'dist-25fps.mp4');
    ffmpeg(['-i', ref, '-vf', 'fps=25', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', String(CRF), '-pix_fmt', 'yuv420p', dist]);
    const r = await alignmentOfPair({ ref, dist }, { maxOffset: 15 });
    expect(r).toMatchObject({ fps: { ref: 30, dist: 25 }, matchedBy: 'timestamps', duplicated: [], aligned: false, policyExact: false });
    expect(r.policy.ignoreFps).toBe(true);
    expect(r.dropped.length).toBe(r.frames.ref - r.frames.dist);
    expect(r.dropped.length).toBeGreaterThanOrEqual(9);
    for (let k = 1; k < r.dropped.length; k++) expect(r.dropped[k]! - r.dropped[k - 1]!).toBeGreaterThanOrEqual(5);
    expect(r.notes.join('\n')).toMatch(/frame rates differ .*frame-rate conversion/);
  });

  it('recognises the same frames tagged 25 fps: frame by frame, compare with ignoreFps', async () => {
    const r = await check(shows(range(0, LEN)), { fps: 25 });
    expect(r).toMatchObject({ offset: 0, dropped: [], duplicated: [], fps: { ref: 30, dist: 25 }, matchedBy: 'frames', aligned: false, policyExact: true });
    expect(r.policy).toEqual({ skipRef: 0, skipDist: 0, truncate: false, ignoreFps: true });
    expect(r.notes.join('\n')).toMatch(/rate tag differs/);
  });

  it('reports a different start time and time base from the streams', async () => {
    const r = await check(shows(range(0, LEN)), { ext: 'mkv', extra: ['-output_ts_offset', '0.5'] });
    expect(r.startTime.ref).toBe(0);
    expect(r.startTime.dist).toBeCloseTo(0.5, 2);
    expect(r.timeBase.dist).toBe('1/1000');
    expect(r.timeBase.ref).not.toBe('1/1000');
    expect(r.notes.join('\n')).toMatch(/start times differ/);
    expect(r.notes.join('\n')).toMatch(/time bases differ/);
    // Frames are still compared in decoding order.
    expect(r).toMatchObject({ offset: 0, dropped: [], duplicated: [] });
  });

  it('gives a still video a low confidence and says it cannot tell, instead of inventing drops', async () => {
    const stillRef = makeFromFrames(join(tmp.dir, 'still-ref.mp4'), master, Array(40).fill(PAD));
    const stillDist = makeFromFrames(join(tmp.dir, 'still-dist.mp4'), master, Array(38).fill(PAD), { crf: CRF });
    const r = await alignmentOfPair({ ref: stillRef, dist: stillDist }, { maxOffset: 15 });
    expect(r.confidence).toBeLessThan(0.3);
    expect(r).toMatchObject({ aligned: null, policyExact: false, dropped: [], duplicated: [], offset: 0 });
    expect(r.notes.join('\n')).toMatch(/too similar to tell apart/);
  });

  it('refuses an image: the check compares two videos', async () => {
    const png = join(tmp.dir, 'still.png');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=96x64', '-frames:v', '1', png]);
    await expect(alignmentOfPair({ ref, dist: png })).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});

describe('align.check', () => {
  let engine: Engine;
  let dir: string;
  async function call<T>(name: string, input: unknown): Promise<T> {
    const reply = await dispatch(engine.handlers, name, input);
    if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
    return reply.value as T;
  }
  beforeAll(async () => {
    mkdirSync(join(tmp.dir, 'media', 'ref'), { recursive: true });
    mkdirSync(join(tmp.dir, 'media', 'dist'), { recursive: true });
    makeFromFrames(join(tmp.dir, 'media', 'ref', 'clip.mp4'), master, range(PAD, LEN));
    makeFromFrames(join(tmp.dir, 'media', 'dist', 'clip_late.mp4'), master, range(PAD + 5, LEN), { crf: CRF });
    engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
    dir = join(tmp.dir, 'project');
    await call('projects.create', { dir });
    const { jobId } = await call<{ jobId: string }>('import.start', { projectDir: dir, source: join(tmp.dir, 'media') });
    await engine.jobs.wait(jobId);
  });
  afterAll(() => engine?.close());

  it('checks a stored pair in the compute worker, and its policy lines the pair up for a metrics run', async () => {
    const stimuli = await call<{ id: number; name: string }[]>('stimuli.list', { projectDir: dir });
    const late = stimuli.find((s) => s.name === 'clip_late')!;
    const r = await call<AlignmentReport>('align.check', { projectDir: dir, stimulusId: late.id, maxOffset: 10 });
    expect(r).toMatchObject({ offset: 5, dropped: [], duplicated: [], maxOffset: 10, policyExact: true });
    expect(r.policy).toEqual({ skipRef: 5, skipDist: 0, truncate: true, ignoreFps: false });

    const psnr = async (policy: object) => {
      const { jobId } = await call<{ jobId: string }>('metrics.run', { projectDir: dir, metrics: [{ id: 'psnr-y' }], stimulusIds: [late.id], force: true, policy });
      await engine.jobs.wait(jobId);
      const rows = await call<MetricResultRow[]>('metrics.results', { projectDir: dir });
      return rows.find((row) => row.stimulusId === late.id && row.metricId === 'psnr-y')!;
    };
    const misaligned = await psnr({});
    const aligned = await psnr(r.policy);
    expect(aligned.frames).toBe(LEN - 5);
    expect(Number(aligned.value)).toBeGreaterThan(Number(misaligned.value) + 5);
  });

  it('refuses a reference (no reference of its own) and an unknown stimulus', async () => {
    const stimuli = await call<{ id: number; name: string }[]>('stimuli.list', { projectDir: dir });
    const reference = stimuli.find((s) => s.name === 'clip')!;
    expect((await dispatch(engine.handlers, 'align.check', { projectDir: dir, stimulusId: reference.id })).ok).toBe(false);
    const missing = await dispatch(engine.handlers, 'align.check', { projectDir: dir, stimulusId: 9999 });
    expect(missing.ok ? null : missing.error.code).toBe('E_NOT_FOUND');
  });

  it('refuses a maxOffset beyond the limit through the schema', async () => {
    const reply = await dispatch(engine.handlers, 'align.check', { projectDir: dir, stimulusId: 1, maxOffset: 100_000 });
    expect(reply.ok ? null : reply.error.code).toBe('E_INPUT');
  });
});
