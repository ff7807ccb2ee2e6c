import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importMedia } from '../../src-main/services/import/import-media';
import { probeMedia } from '../../src-main/services/media/probe';
import { openProjectDb, type Db } from '../../src-main/services/store/project-db';
import { listStimuli } from '../../src-main/services/store/stimuli-repo';
import { importOptionsSchema } from '../../src-main/common/contract';
import { IqaError } from '../../src-main/common/errors';
import { ffmpeg, makePng, makeStudyFolder, tempDir } from '../helpers/media';

const opts = (o: Record<string, unknown> = {}) => importOptionsSchema.parse(o);

let root: { dir: string; cleanup: () => void };
let media: string;
beforeAll(() => {
  root = tempDir('import');
  media = join(root.dir, 'media');
  makeStudyFolder(media);
});
afterAll(() => root.cleanup());

function project(name: string): { db: Db; dir: string } {
  const dir = join(root.dir, name);
  return { db: openProjectDb(dir, { create: true }), dir };
}

describe('probing with the real ffprobe', () => {
  it('reads size, frames, fps and pixel format of an MP4', async () => {
    const info = await probeMedia(join(media, 'dist', 'src03_x264.mp4'));
    expect(info).toMatchObject({ kind: 'video', width: 96, height: 64, frameCount: 10, fps: 10, pixFmt: 'yuv420p', bitDepth: 8, codec: 'h264' });
  });

  it('reads a PNG as a one-frame image', async () => {
    const info = await probeMedia(join(media, 'ref', 'src01.png'));
    expect(info).toMatchObject({ kind: 'image', width: 96, height: 64, frameCount: 1, fps: null, bitDepth: 8 });
  });

  it('counts the frames of a Matroska file, which has no frame count in its header', async () => {
    const mkv = join(root.dir, 'clip.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=32x32:rate=5', '-frames:v', '7', '-c:v', 'ffv1', mkv]);
    expect((await probeMedia(mkv)).frameCount).toBe(7);
  });

  it('reads a 10-bit video as 10 bits', async () => {
    const f = join(root.dir, 'ten.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=32x32:rate=5', '-frames:v', '3', '-pix_fmt', 'yuv420p10le', '-c:v', 'ffv1', f]);
    expect(await probeMedia(f)).toMatchObject({ pixFmt: 'yuv420p10le', bitDepth: 10 });
  });

  it('needs a declared geometry for raw .yuv, and uses it', async () => {
    const f = join(root.dir, 'raw.yuv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=32x16:rate=5', '-frames:v', '4', '-pix_fmt', 'yuv420p', '-f', 'rawvideo', f]);
    await expect(probeMedia(f)).rejects.toThrow(/declare its geometry/);
    const info = await probeMedia(f, { raw: { width: 32, height: 16, pixFmt: 'yuv420p', fps: 5 } });
    expect(info).toMatchObject({ width: 32, height: 16, frameCount: 4, fps: 5 });
  });
});

describe('importing a folder', () => {
  it('imports 3 references and 6 distorted files with their pairs and attributes', async () => {
    const { db, dir } = project('p1');
    const report = await importMedia(db, dir, media, opts());
    expect(report).toMatchObject({ added: 9, updated: 0, unchanged: 0, issues: [], unpaired: [] });
    const list = listStimuli(db);
    expect(list).toHaveLength(9);
    const byName = Object.fromEntries(list.map((s) => [s.name, s]));
    expect(byName.src02!.role).toBe('reference');
    expect(byName.src03_x264).toMatchObject({ role: 'distorted', referenceName: 'src03', content: 'src03', kind: 'video', frameCount: 10, attributes: { condition: 'x264' } });
    expect(byName.src02_noise).toMatchObject({ referenceName: 'src02', width: 96, height: 64, kind: 'image', attributes: { condition: 'noise' } });
    expect(byName.src01!.path).toBe('../media/ref/src01.png');
    db.close();
  });

  it('does not duplicate rows when the same folder is imported again', async () => {
    const { db, dir } = project('p2');
    await importMedia(db, dir, media, opts());
    const again = await importMedia(db, dir, media, opts());
    expect(again).toMatchObject({ added: 0, unchanged: 9, issues: [] });
    expect(listStimuli(db)).toHaveLength(9);
    db.close();
  });

  it('reports each bad file once, naming it and the reason, and imports the rest', async () => {
    const bad = join(root.dir, 'bad');
    makeStudyFolder(bad);
    const png = readFileSync(join(bad, 'ref', 'src01.png'));
    writeFileSync(join(bad, 'dist', 'broken.png'), png.subarray(0, 60)); // header only: corrupt
    writeFileSync(join(bad, 'dist', 'truncated.png'), png.subarray(0, png.length - 200)); // valid header, data cut
    writeFileSync(join(bad, 'dist', 'empty.mp4'), '');
    writeFileSync(join(bad, 'dist', 'text.mp4'), 'this is not a video\n');
    writeFileSync(join(bad, 'notes.txt'), 'hello');
    copyFileSync(join(bad, 'ref', 'src02.png'), join(bad, 'dist', 'copy_of_src02.png'));
    const { db, dir } = project('p3');
    const report = await importMedia(db, dir, bad, opts());
    expect(report.added).toBe(9);
    const reasons = Object.fromEntries(report.issues.map((i) => [i.file.split('/').pop(), i]));
    expect(Object.keys(reasons).sort()).toEqual(['broken.png', 'copy_of_src02.png', 'empty.mp4', 'notes.txt', 'text.mp4', 'truncated.png']);
    expect(reasons['empty.mp4']).toMatchObject({ code: 'E_MEDIA', reason: 'empty file (0 bytes)' });
    expect(reasons['text.mp4']!.reason).toMatch(/not readable as media/);
    expect(reasons['broken.png']!.code).toBe('E_MEDIA');
    expect(reasons['truncated.png']!.code).toBe('E_MEDIA');
    expect(reasons['notes.txt']!.code).toBe('E_UNSUPPORTED');
    expect(reasons['copy_of_src02.png']!.reason).toMatch(/duplicate of .*src02\.png/);
    expect(report.issues.every((i) => i.file.startsWith(bad))).toBe(true);
    expect(listStimuli(db)).toHaveLength(9);
    db.close();
  });

  it('pairs by a user pattern and stores its groups as attributes', async () => {
    const folder = join(root.dir, 'pattern');
    makePng(join(folder, 'lake.png'), 1);
    makePng(join(folder, 'lake__jpeg__q30.png'), 1, '64x48', 'gblur=sigma=1');
    makePng(join(folder, 'lake__webp__q50.png'), 1, '64x48', 'gblur=sigma=3');
    const { db, dir } = project('p4');
    const report = await importMedia(db, dir, folder, opts({ pattern: '^(?<ref>[a-z]+)__(?<codec>[a-z]+)__q(?<level>\\d+)$' }));
    expect(report.issues).toEqual([]);
    const jpeg = listStimuli(db).find((s) => s.name === 'lake__jpeg__q30');
    expect(jpeg).toMatchObject({ referenceName: 'lake', attributes: { codec: 'jpeg', level: '30' } });
    db.close();
  });

  it('imports a CSV manifest with attributes from its columns', async () => {
    const csv = join(root.dir, 'manifest.csv');
    writeFileSync(
      csv,
      'path,reference,codec,bitrate\nmedia/ref/src03.mp4,,,\nmedia/dist/src03_x264.mp4,media/ref/src03.mp4,h264,500k\nmedia/dist/missing.mp4,media/ref/src03.mp4,h264,1M\n',
    );
    const { db, dir } = project('p5');
    const report = await importMedia(db, dir, csv, opts());
    expect(report.added).toBe(2);
    expect(report.issues).toHaveLength(1);
    expect(report.issues[0]!.file).toMatch(/missing\.mp4$/);
    expect(listStimuli(db).find((s) => s.name === 'src03_x264')).toMatchObject({ referenceName: 'src03', attributes: { bitrate: '500k', codec: 'h264' } });
    db.close();
  });

  it('reports a CSV row with a missing or extra field on its own line and imports the other rows', async () => {
    const csv = join(root.dir, 'short-row.csv');
    writeFileSync(
      csv,
      'path,reference,codec\nmedia/ref/src03.mp4,,\nmedia/dist/src03_x264.mp4,media/ref/src03.mp4\nmedia/dist/src03_x264.mp4,media/ref/src03.mp4,h264,extra\n',
    );
    const { db, dir } = project('p5b');
    const report = await importMedia(db, dir, csv, opts());
    expect(report.added).toBe(1);
    expect(report.issues.map((i) => [i.file, i.reason])).toEqual([
      [`${csv}:3`, 'the row has 2 field(s), the header has 3 (path, reference, codec); row skipped'],
      [`${csv}:4`, 'the row has 4 field(s), the header has 3 (path, reference, codec); row skipped'],
    ]);
    expect(listStimuli(db).map((s) => s.name)).toEqual(['src03']);
    db.close();
  });

  it('rejects a CSV manifest without a path column with one message naming the CSV and the column', async () => {
    const csv = join(root.dir, 'nopath.csv');
    writeFileSync(csv, 'file,reference\na.png,\n');
    const { db, dir } = project('p6');
    const err = await importMedia(db, dir, csv, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IqaError);
    expect((err as IqaError).message).toBe(`${csv}: missing column "path" (the header has 2 columns; expected path, reference, role, content and attributes)`);
    db.close();
  });

  it('stops between files when cancelled and keeps what it stored', async () => {
    const { db, dir } = project('p7');
    const controller = new AbortController();
    const err = await importMedia(db, dir, media, opts(), {
      signal: controller.signal,
      onProgress: (p) => p.done === 2 && controller.abort(),
    }).catch((e: unknown) => e);
    expect((err as IqaError).code).toBe('E_CANCELLED');
    expect(listStimuli(db)).toHaveLength(2);
    db.close();
  });
});
