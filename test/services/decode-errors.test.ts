/**
 * Damaged frames are never scored silently. ffmpeg conceals most H.264 decoding errors and exits 0,
 * so these tests damage a real H.264 file inside its mdat and check that computing, running a project
 * and importing all refuse it, and that accepting decode errors computes it with that recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { computePair, type ResolvedMetric } from '../../src-main/services/metrics/compute-pair';
import { createFrameRunner, type FrameRunner } from '../../src-main/services/metrics/frame-pool';
import { runProjectMetrics } from '../../src-main/services/metrics/run-project-metrics';
import { importMedia } from '../../src-main/services/import/import-media';
import { openProjectDb } from '../../src-main/services/store/project-db';
import { listResults } from '../../src-main/services/store/metrics-repo';
import { resultsToCsv } from '../../src-main/services/export/results-export';
import { classifyLogLine, DecoderLog } from '../../src-main/services/media/decoder-log';
import { importOptionsSchema } from '../../src-main/common/contract';
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { IqaError } from '../../src-main/common/errors';
import { ffmpeg, tempDir } from '../helpers/media';
import { makeDamagedClip } from '../helpers/damaged-media';

const m = (id: string): ResolvedMetric => ({ id, params: resolveMetricRequest({ id, params: {} }).params });
const FRAMES = 64;

let tmp: { dir: string; cleanup: () => void };
let runner: FrameRunner;
let ref: string;
let broken: string;
beforeAll(() => {
  tmp = tempDir('decode-errors');
  runner = createFrameRunner(0);
  ref = join(tmp.dir, 'clip.mp4');
  broken = makeDamagedClip(ref, FRAMES);
});
afterAll(() => tmp.cleanup());

describe('reading the decoder log', () => {
  it('counts decoded frames and takes the first error with the frame it arrived in', () => {
    const log = new DecoderLog();
    log.push('[info] Input #0, mov\n[info] decoder -> ist_index:0 type:video frame_pts:0\n[info] decoder -> ist_index:0 type:vid');
    log.push('eo frame_pts:512\n[h264 @ 0x55aa] [error] corrupted macroblock 6 3\n[warning] a.mp4: corrupt decoded frame in stream 0\n');
    log.end();
    expect(log).toMatchObject({ framesDecoded: 2, errors: 2, firstErrorFrame: 2, firstError: 'h264: corrupted macroblock 6 3' });
  });

  it('ignores audio frames and ordinary warnings', () => {
    expect(classifyLogLine('[info] decoder -> ist_index:1 type:audio frame_pts:0')).toBeNull();
    expect(classifyLogLine('[mov @ 0x1] [warning] stream 1, timescale not set')).toBeNull();
    expect(classifyLogLine('[info] decoder -> pts:0 pts_time:0')).toEqual({ kind: 'frame' });
  });
});

describe('a damaged video', () => {
  it('is refused by computePair with E_MEDIA naming the file and the frame the damage showed up in', async () => {
    const err = await computePair({ ref, dist: broken }, { metrics: [m('psnr-y')], runner }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IqaError);
    expect((err as IqaError).code).toBe('E_MEDIA');
    expect((err as IqaError).file).toBe(broken);
    expect((err as IqaError).message).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: damaged: the decoder reported an error at frame \\d+ \\(.+\\); accept decode errors`));
    const frame = ((err as IqaError).details as { firstBadFrame: number }).firstBadFrame;
    expect(frame).toBeGreaterThanOrEqual(1);
    expect(frame).toBeLessThanOrEqual(FRAMES);

    // The frame it names is really damaged: decoded with concealment, it differs from the intact one
    // (an intact frame has an infinite PSNR against its own source).
    const concealed = await computePair({ ref, dist: broken }, { metrics: [m('psnr-y')], runner, acceptDecodeErrors: true });
    expect(concealed.perFrame[0]![frame - 1]).not.toBe(Infinity);
  });

  it('is refused also as the reference', async () => {
    const err = await computePair({ ref: broken, dist: ref }, { metrics: [m('psnr-y')], runner }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_MEDIA', file: broken });
  });

  it('is computed with acceptDecodeErrors, and the decoder provenance says so with the number of errors', async () => {
    const r = await computePair({ ref, dist: broken }, { metrics: [m('psnr-y')], runner, acceptDecodeErrors: true });
    expect(r.frames).toBe(FRAMES);
    const [refSide, distSide] = r.decoder.split(' | ');
    expect(refSide).toMatch(/\[accept-decode-errors: 0 decoder errors\]$/);
    const errors = Number(/\[accept-decode-errors: (\d+) decoder errors\]$/.exec(distSide!)?.[1]);
    expect(errors).toBeGreaterThan(0);
  });

  it('leaves an intact pair computed exactly as before, with no marker in its provenance', async () => {
    const r = await computePair({ ref, dist: ref }, { metrics: [m('psnr-y')], runner });
    expect(r.frames).toBe(FRAMES);
    expect(Array.from(r.perFrame[0]!).every((v) => v === Infinity)).toBe(true);
    expect(r.decoder).not.toContain('accept-decode-errors');
  });

  it('is refused under --truncate when the damage lies in the frames compared', async () => {
    const err = await computePair({ ref, dist: broken }, { metrics: [m('psnr-y')], runner, policy: { truncate: true } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_MEDIA', file: broken });
  });
});

describe('projects and import', () => {
  it('stores nothing for a pair whose file was damaged after import, and stores it marked when decode errors are accepted', async () => {
    const dir = join(tmp.dir, 'project');
    const db = openProjectDb(dir, { create: true });
    try {
      const folder = join(tmp.dir, 'pairs');
      mkdirSync(join(folder, 'ref'), { recursive: true });
      mkdirSync(join(folder, 'dist'), { recursive: true });
      copyFileSync(ref, join(folder, 'ref', 'clip.mp4'));
      ffmpeg(['-i', ref, '-vf', 'noise=alls=10', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '8', '-pix_fmt', 'yuv420p', join(folder, 'dist', 'clip_x.mp4')]);
      const report = await importMedia(db, dir, folder, importOptionsSchema.parse({}));
      expect(report.issues).toEqual([]);
      // The distorted file gets damaged afterwards (a disk or copy error): the run must not score it.
      copyFileSync(broken, join(folder, 'dist', 'clip_x.mp4'));
      const strict = await runProjectMetrics(db, dir, { metrics: [m('psnr-y')] }, { runner });
      expect(strict.computed).toBe(0);
      expect(strict.failed).toHaveLength(1);
      expect(strict.failed[0]!.error).toMatchObject({ code: 'E_MEDIA' });
      expect(strict.failed[0]!.error.message).toContain('damaged: the decoder reported an error at frame');
      expect(listResults(db)).toEqual([]);

      const accepted = await runProjectMetrics(db, dir, { metrics: [m('psnr-y')], acceptDecodeErrors: true }, { runner });
      expect(accepted.computed).toBe(1);
      const rows = listResults(db);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.decoder).toMatch(/\[accept-decode-errors: [1-9]\d* decoder errors\]$/);
      expect(resultsToCsv(rows)).toContain('accept-decode-errors');
    } finally {
      db.close();
    }
  });

  it('reports a damaged video as a per-file import issue naming the problem, and imports the intact one', async () => {
    const folder = join(tmp.dir, 'to-import');
    mkdirSync(folder);
    copyFileSync(ref, join(folder, 'intact.mp4'));
    copyFileSync(broken, join(folder, 'damaged.mp4'));
    const dir = join(tmp.dir, 'import-project');
    const db = openProjectDb(dir, { create: true });
    try {
      const report = await importMedia(db, dir, folder, importOptionsSchema.parse({}));
      expect(report.added).toBe(1);
      expect(report.issues).toHaveLength(1);
      expect(report.issues[0]).toMatchObject({ file: join(folder, 'damaged.mp4'), code: 'E_MEDIA' });
      expect(report.issues[0]!.reason).toMatch(/^damaged: the decoder reported an error near frame \d+ \(.+\)$/);
    } finally {
      db.close();
    }
  });
});
