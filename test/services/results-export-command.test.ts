import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { dispatch } from '../../src-main/host/dispatch';
import { Engine } from '../../src-main/services/engine';
import { appliedAlignment, alignmentText } from '../../src-main/common/alignment';
import { ffmpeg, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
const saved = process.env.IQA_MODEL_DIR;

async function call<T>(name: string, input: unknown): Promise<T> {
  const reply = await dispatch(engine.handlers, name, input);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
  return reply.value as T;
}

const clip = (file: string, size: string, frames: number) =>
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=10`, '-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', file]);

beforeAll(() => {
  tmp = tempDir('results-export');
  process.env.IQA_MODEL_DIR = join(tmp.dir, 'models');
  mkdirSync(process.env.IQA_MODEL_DIR);
  // A reference of 12 frames at 96x64 and a distorted of 10 frames at 64x48: comparable only when the
  // distorted is scaled, and (after one reference frame is skipped, 11 vs 10) truncated.
  clip(join(tmp.dir, 'media', 'ref', 'clip.mp4'), '96x64', 12);
  clip(join(tmp.dir, 'media', 'dist', 'clip_small.mp4'), '64x48', 10);
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
});
afterAll(() => {
  engine?.close();
  if (saved === undefined) delete process.env.IQA_MODEL_DIR;
  else process.env.IQA_MODEL_DIR = saved;
  tmp.cleanup();
});

describe('results.export', () => {
  it('gives the CSV and JSON files with the alignment policy of each value in columns of its own', async () => {
    const dir = join(tmp.dir, 'project');
    await call('projects.create', { dir });
    const { jobId: importJob } = await call<{ jobId: string }>('import.start', { projectDir: dir, source: join(tmp.dir, 'media') });
    await engine.jobs.wait(importJob);
    const { jobId } = await call<{ jobId: string }>('metrics.run', {
      projectDir: dir,
      metrics: [{ id: 'psnr-y' }],
      policy: { scale: 'bicubic', truncate: true, skipRef: 1 },
    });
    await engine.jobs.wait(jobId);

    const csv = await call<{ filename: string; mime: string; content: string }>('results.export', { projectDir: dir, format: 'csv' });
    expect(csv.filename).toBe('results.csv');
    expect(csv.mime).toBe('text/csv');
    const rows = parse(csv.content, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ stimulus: 'clip_small', reference: 'clip', metric: 'psnr-y', frames: '10', align_scaler: 'bicubic', align_skip_ref: '1', align_skip_dist: '0', align_truncated: 'yes' });
    // The decoder string still holds the commands themselves.
    expect(rows[0]!.decoder).toContain('scale=96:64:flags=bicubic');

    const json = await call<{ filename: string; mime: string; content: string }>('results.export', { projectDir: dir, format: 'json' });
    expect(json.filename).toBe('results.json');
    const parsed = JSON.parse(json.content) as { results: { alignment: unknown }[] };
    expect(parsed.results[0]!.alignment).toEqual({ scaler: 'bicubic', scaledTo: '96x64', skipRef: 1, skipDist: 0, truncated: true });
    // Byte-identical on a second export.
    expect((await call<{ content: string }>('results.export', { projectDir: dir, format: 'csv' })).content).toBe(csv.content);
  });

  it('refuses a format other than csv and json', async () => {
    const reply = await dispatch(engine.handlers, 'results.export', { projectDir: join(tmp.dir, 'project'), format: 'xlsx' });
    expect(reply.ok).toBe(false);
  });
});

describe('reading the alignment back from a decoder command', () => {
  const pair = (ref: string, dist: string) => `ffmpeg -i /m/r.mp4 ${ref} -f rawvideo - | ffmpeg -i /m/d.mp4 ${dist} -f rawvideo -`;

  it('says a pair was compared as it is when no filter ran and the frame counts agree', () => {
    const a = appliedAlignment('psnr', pair('-map 0:v:0', '-map 0:v:0'), { compared: 10, refFrames: 10, distFrames: 10 });
    expect(a).toEqual({ scaler: null, scaledTo: null, skipRef: 0, skipDist: 0, truncated: false });
    expect(alignmentText(a)).toBe('compared as they are');
  });

  it('reads skipped frames on both sides from the filter_complex of a split decode', () => {
    const a = appliedAlignment(
      'ssim',
      pair('-filter_complex [0:v:0]split=2[s0][s1];[s0]trim=start_frame=3,setpts=PTS-STARTPTS[o0];[s1]trim=start_frame=3,setpts=PTS-STARTPTS[o1]', '-vf trim=start_frame=2,setpts=PTS-STARTPTS'),
      { compared: 7, refFrames: 10, distFrames: 9 },
    );
    expect(a).toMatchObject({ skipRef: 3, skipDist: 2, truncated: false });
    expect(alignmentText(a)).toBe('3 reference frames skipped · 2 distorted frames skipped');
  });

  it('has no alignment for a no-reference metric or a value stored without its decoder', () => {
    expect(appliedAlignment('brisque', pair('', '-vf scale=9:9:flags=area'))).toBeNull();
    expect(appliedAlignment('psnr', null)).toBeNull();
    expect(alignmentText(null)).toBe('not applicable (no reference)');
  });

  it('leaves truncation unknown without frame counts', () => {
    expect(appliedAlignment('psnr', pair('', '-vf scale=96:64:flags=lanczos'))).toMatchObject({ scaler: 'lanczos', scaledTo: '96x64', truncated: null });
  });
});
