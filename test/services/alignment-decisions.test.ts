/**
 * The user's alignment decisions (services/align/alignment-decisions.ts, 'align.decide' /
 * 'align.decisions', migration 5) and the viewer's applied timing ('viewer.framePixels' /
 * 'viewer.frameMap' with skipRef / skipDist): a decision is stored with the report it was made on,
 * survives reopening the project in another engine, is replaced or forgotten, and turns stale when a
 * file of the pair changes; with the detected skip applied, the viewer's distorted frame k shows the
 * reference's frame k.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlignmentDecision, AlignmentReport, FrameMapJson, FramePixelsJson } from '../../src-main/common/contract';
import { dispatch } from '../../src-main/host/dispatch';
import { Engine } from '../../src-main/services/engine';
import { openProjectDb } from '../../src-main/services/store/project-db';
import { makeFromFrames, makeMaster, range } from '../helpers/align-media';
import { tempDir } from '../helpers/media';

const PAD = 8;
const LEN = 30;
const LATE = 4;

let tmp: { dir: string; cleanup: () => void };
let master: Buffer;
let engine: Engine;
let dir: string;
let lateId: number;
let okId: number;
let refId: number;

async function call<T>(name: string, input: unknown, e: Engine = engine): Promise<T> {
  const reply = await dispatch(e.handlers, name, input);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
  return reply.value as T;
}

async function importMedia(e: Engine): Promise<void> {
  const { jobId } = await call<{ jobId: string }>('import.start', { projectDir: dir, source: join(tmp.dir, 'media') }, e);
  await e.jobs.wait(jobId);
}

beforeAll(async () => {
  tmp = tempDir('align-decisions');
  master = makeMaster(tmp.dir, PAD * 2 + LEN);
  mkdirSync(join(tmp.dir, 'media', 'ref'), { recursive: true });
  mkdirSync(join(tmp.dir, 'media', 'dist'), { recursive: true });
  makeFromFrames(join(tmp.dir, 'media', 'ref', 'clip.mp4'), master, range(PAD, LEN));
  // Lossless, so that a frame shown in step is the reference's frame byte for byte.
  makeFromFrames(join(tmp.dir, 'media', 'dist', 'clip_late.mp4'), master, range(PAD + LATE, LEN));
  makeFromFrames(join(tmp.dir, 'media', 'dist', 'clip_ok.mp4'), master, range(PAD, LEN), { crf: 30 });
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
  dir = join(tmp.dir, 'project');
  await call('projects.create', { dir });
  await importMedia(engine);
  const stimuli = await call<{ id: number; name: string }[]>('stimuli.list', { projectDir: dir });
  lateId = stimuli.find((s) => s.name === 'clip_late')!.id;
  okId = stimuli.find((s) => s.name === 'clip_ok')!.id;
  refId = stimuli.find((s) => s.name === 'clip')!.id;
});
afterAll(async () => {
  await engine?.shutdown();
  tmp.cleanup();
});

describe('align.decide / align.decisions', () => {
  it('stores an accepted alignment with its report, and another engine reads it back after the project is reopened', async () => {
    expect(await call<AlignmentDecision[]>('align.decisions', { projectDir: dir })).toEqual([]);
    const report = await call<AlignmentReport>('align.check', { projectDir: dir, stimulusId: lateId, maxOffset: 10 });
    expect(report).toMatchObject({ offset: LATE, aligned: false });
    const stored = await call<AlignmentDecision>('align.decide', { projectDir: dir, stimulusId: lateId, verdict: 'accepted', report });
    expect(stored).toMatchObject({
      stimulusId: lateId,
      referenceId: refId,
      verdict: 'accepted',
      offset: LATE,
      policy: { skipRef: LATE, skipDist: 0, truncate: true, ignoreFps: false },
      stale: false,
    });
    expect(stored.report).toEqual(report);
    expect(Number.isNaN(Date.parse(stored.decidedAt))).toBe(false);

    const other = new Engine({ userDataDir: join(tmp.dir, 'user2'), threads: 1, roots: [tmp.dir] });
    try {
      expect(await call<AlignmentDecision[]>('align.decisions', { projectDir: dir, stimulusId: lateId }, other)).toEqual([stored]);
      expect(await call<AlignmentDecision[]>('align.decisions', { projectDir: dir, stimulusId: okId }, other)).toEqual([]);
    } finally {
      await other.shutdown();
    }
  });

  it('replaces a decision with the next one, and forgets it with verdict null', async () => {
    const policy = { skipRef: 0, skipDist: 0, truncate: false, ignoreFps: false };
    const rejected = await call<AlignmentDecision>('align.decide', { projectDir: dir, stimulusId: okId, verdict: 'rejected', policy, offset: 0 });
    expect(rejected).toMatchObject({ verdict: 'rejected', offset: 0, policy, report: null });
    const accepted = await call<AlignmentDecision>('align.decide', { projectDir: dir, stimulusId: okId, verdict: 'accepted', policy: { ...policy, skipDist: 2, truncate: true } });
    expect(accepted).toMatchObject({ verdict: 'accepted', offset: -2, policy: { skipDist: 2, truncate: true } });
    expect((await call<AlignmentDecision[]>('align.decisions', { projectDir: dir })).map((d) => [d.stimulusId, d.verdict])).toEqual(
      [[lateId, 'accepted'], [okId, 'accepted']].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    expect(await call('align.decide', { projectDir: dir, stimulusId: okId, verdict: null })).toBeNull();
    expect(await call<AlignmentDecision[]>('align.decisions', { projectDir: dir, stimulusId: okId })).toEqual([]);
  });

  it('refuses a decision without its policy or report, about a reference, or about an unknown stimulus, with typed errors', async () => {
    const noPolicy = await dispatch(engine.handlers, 'align.decide', { projectDir: dir, stimulusId: lateId, verdict: 'accepted' });
    expect(noPolicy.ok ? null : noPolicy.error.code).toBe('E_INPUT');
    const policy = { skipRef: 1, skipDist: 0, truncate: true, ignoreFps: false };
    const onReference = await dispatch(engine.handlers, 'align.decide', { projectDir: dir, stimulusId: refId, verdict: 'accepted', policy });
    expect(onReference.ok ? null : onReference.error.code).toBe('E_INPUT');
    const unknown = await dispatch(engine.handlers, 'align.decide', { projectDir: dir, stimulusId: 9999, verdict: 'accepted', policy });
    expect(unknown.ok ? null : unknown.error.code).toBe('E_NOT_FOUND');
    const badSkip = await dispatch(engine.handlers, 'align.decide', { projectDir: dir, stimulusId: lateId, verdict: 'accepted', policy: { ...policy, skipRef: -1 } });
    expect(badSkip.ok ? null : badSkip.error.code).toBe('E_INPUT');
  });

  it('marks a decision stale once a file of the pair has other content', () => {
    // The stored hash no longer matches the stimulus's (as after a re-hash of a changed file).
    const db = openProjectDb(dir);
    try {
      db.prepare("UPDATE alignment_decisions SET dist_sha256 = 'feed' WHERE distorted_id = ?").run(lateId);
    } finally {
      db.close();
    }
    const fresh = new Engine({ userDataDir: join(tmp.dir, 'user3'), threads: 1, roots: [tmp.dir] });
    return call<AlignmentDecision[]>('align.decisions', { projectDir: dir, stimulusId: lateId }, fresh)
      .then((d) => expect(d).toEqual([expect.objectContaining({ verdict: 'accepted', stale: true })]))
      .finally(() => fresh.shutdown());
  });
});

describe("the viewer's applied timing", () => {
  it('with skipRef = the offset, distorted frame k is the reference frame k byte for byte, and the pair is the shorter length', async () => {
    const asIs = await call<FramePixelsJson>('viewer.framePixels', { projectDir: dir, stimulusId: lateId, frame: 2 });
    expect(asIs.frames).toBe(LEN);
    expect(Buffer.compare(asIs.dist, asIs.ref)).not.toBe(0);
    for (const k of [0, 5, LEN - LATE - 1]) {
      const p = await call<FramePixelsJson>('viewer.framePixels', { projectDir: dir, stimulusId: lateId, frame: k, skipRef: LATE });
      expect(p.frames).toBe(LEN - LATE);
      expect(Buffer.compare(p.dist, p.ref), `frame ${k}`).toBe(0);
      // The reference's frame k + LATE, as the unshifted pair shows it.
      const plain = await call<FramePixelsJson>('viewer.framePixels', { projectDir: dir, stimulusId: okId, frame: k + LATE });
      expect(Buffer.compare(p.ref, plain.ref)).toBe(0);
    }
    const past = await dispatch(engine.handlers, 'viewer.framePixels', { projectDir: dir, stimulusId: lateId, frame: LEN - LATE, skipRef: LATE });
    expect(past.ok ? null : past.error.code).toBe('E_INPUT');
  });

  it("the SSIM map with the same skip is the shifted pair's (identical frames: 1 everywhere)", async () => {
    const shifted = await call<FrameMapJson>('viewer.frameMap', { projectDir: dir, stimulusId: lateId, frame: 3, metric: 'ssim-y', skipRef: LATE });
    expect(shifted.value).toBe(1);
    const asIs = await call<FrameMapJson>('viewer.frameMap', { projectDir: dir, stimulusId: lateId, frame: 3, metric: 'ssim-y' });
    expect(asIs.value!).toBeLessThan(0.99);
  });
});
