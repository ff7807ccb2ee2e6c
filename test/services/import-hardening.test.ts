import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importMedia } from '../../src-main/services/import/import-media';
import { sha256File } from '../../src-main/services/import/hash';
import { planPairs } from '../../src-main/services/import/pairing';
import { matchStems } from '../../src-main/services/import/user-pattern';
import { openProjectDb, type Db } from '../../src-main/services/store/project-db';
import { listStimuli } from '../../src-main/services/store/stimuli-repo';
import { importOptionsSchema } from '../../src-main/common/contract';
import { IqaError } from '../../src-main/common/errors';
import { makePng, tempDir } from '../helpers/media';

const CATASTROPHIC = '^(?<ref>(a+)+)$';
const opts = (o: Record<string, unknown> = {}) => importOptionsSchema.parse(o);

let root: { dir: string; cleanup: () => void };
beforeAll(() => {
  root = tempDir('import-hardening');
});
afterAll(() => root.cleanup());

function project(name: string): { db: Db; dir: string } {
  const dir = join(root.dir, name);
  return { db: openProjectDb(dir, { create: true }), dir };
}

function thrown(fn: () => unknown): IqaError {
  try {
    fn();
  } catch (err) {
    return err as IqaError;
  }
  throw new Error('expected a throw');
}

describe('a user pairing pattern runs with a time limit', () => {
  it('a catastrophic pattern on a long name stops with one line naming the pattern and the file', () => {
    const slow = `/m/${'a'.repeat(40)}b.png`;
    const err = thrown(() => planPairs([{ key: '/m/ok.png', dirs: [] }, { key: slow, dirs: [] }], CATASTROPHIC));
    expect(err).toBeInstanceOf(IqaError);
    expect(err.code).toBe('E_INPUT');
    expect(err.message).toContain(JSON.stringify(CATASTROPHIC));
    expect(err.message).toContain(slow);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  it('the limit holds for a whole folder, not per file: many slow names stop at the first that runs out of time', () => {
    // Each name alone takes a fraction of the limit; together they would take far longer.
    const files = Array.from({ length: 400 }, (_, k) => ({ file: `/m/${k}.png`, stem: `${'a'.repeat(20)}b` }));
    const err = thrown(() => matchStems(CATASTROPHIC, files, 200));
    expect(err.message).toMatch(/took longer than 200 ms matching the name of \/m\/\d+\.png \(file \d+ of 400\)/);
  });

  it('an ordinary pattern keeps JavaScript semantics: named groups, backreferences and lookaheads', () => {
    const groups = matchStems('^(?<ref>(?<q>[a-z])\\k<q>+)_(?=\\d)(?<level>\\d+)$', [
      { file: '/m/aa_3.png', stem: 'aa_3' },
      { file: '/m/ab_3.png', stem: 'ab_3' },
    ]);
    expect(groups).toEqual([{ ref: 'aa', q: 'a', level: '3' }, null]);
  });
});

describe('importing only regular files', () => {
  it('reports a FIFO, a link to /dev/zero, a link loop, a broken link and a link to a folder, each by what it is, and imports the rest', async () => {
    const src = join(root.dir, 'special');
    const outside = join(root.dir, 'outside');
    mkdirSync(join(src, 'sub'), { recursive: true });
    makePng(join(src, 'cat.png'), 1);
    makePng(join(outside, 'cat_blur.png'), 2, '64x48', 'boxblur=2');
    execFileSync('mkfifo', [join(src, 'pipe.png')]);
    symlinkSync('/dev/zero', join(src, 'zero.png'));
    symlinkSync(join(src, 'loop-b.png'), join(src, 'loop-a.png'));
    symlinkSync(join(src, 'loop-a.png'), join(src, 'loop-b.png'));
    symlinkSync(join(src, 'gone.png'), join(src, 'broken.png'));
    symlinkSync(outside, join(src, 'linked-folder'));
    symlinkSync(join(outside, 'cat_blur.png'), join(src, 'cat_blur.png'));
    const { db, dir } = project('p-special');
    const report = await importMedia(db, dir, src, opts());
    expect(report.added).toBe(2);
    const reasons = Object.fromEntries(report.issues.map((i) => [i.file.slice(src.length + 1), i.reason]));
    expect(reasons).toEqual({
      'pipe.png': 'a FIFO (named pipe), not a regular file; skipped',
      'zero.png': 'symbolic link to a character device, not a regular file; skipped',
      'loop-a.png': 'symbolic link loop; skipped',
      'loop-b.png': 'symbolic link loop; skipped',
      'broken.png': 'broken symbolic link (its target does not exist); skipped',
      'linked-folder': 'symbolic link to a folder (not followed); skipped',
    });
    // A link to a regular file is imported under the link's own path, and pairs by its own name.
    const linked = listStimuli(db).find((s) => s.name === 'cat_blur');
    expect(linked).toMatchObject({ role: 'distorted', attributes: { condition: 'blur' } });
    db.close();
  });

  it('a folder that gives nothing to import says why, naming the entries it skipped', async () => {
    const src = join(root.dir, 'nothing');
    mkdirSync(src, { recursive: true });
    execFileSync('mkfifo', [join(src, 'fifo')]);
    symlinkSync('/dev/zero', join(src, 'zero.mp4'));
    writeFileSync(join(src, 'notes.txt'), 'not media');
    const { db, dir } = project('p-nothing');
    const report = await importMedia(db, dir, src, opts());
    expect(report.added).toBe(0);
    expect(report.issues.at(-1)).toEqual({ file: src, code: 'E_INPUT', reason: `no supported media files in ${src} (3 entries skipped: fifo, notes.txt, zero.mp4)` });
    db.close();
  });

  it('an empty folder says so', async () => {
    const src = join(root.dir, 'empty');
    mkdirSync(src, { recursive: true });
    const { db, dir } = project('p-empty');
    expect((await importMedia(db, dir, src, opts())).issues).toEqual([{ file: src, code: 'E_INPUT', reason: `no files in ${src} (hidden entries are skipped)` }]);
    db.close();
  });

  it('a single-file import of /dev/zero, a FIFO or a link to /dev/zero is one issue, not a hang', async () => {
    const fifo = join(root.dir, 'single.fifo.png');
    execFileSync('mkfifo', [fifo]);
    const zeroLink = join(root.dir, 'single-zero.png');
    symlinkSync('/dev/zero', zeroLink);
    const { db, dir } = project('p-single');
    const cases: [string, string][] = [
      ['/dev/zero', 'a character device, not a regular file: nothing imported'],
      [fifo, 'a FIFO (named pipe), not a regular file: nothing imported'],
      [zeroLink, 'a character device, not a regular file: nothing imported'],
    ];
    for (const [source, reason] of cases) {
      const report = await importMedia(db, dir, source, opts());
      expect(report).toMatchObject({ added: 0, issues: [{ file: source, code: 'E_UNSUPPORTED', reason }] });
    }
    db.close();
  });

  it('a single-file import of a symbolic link loop is a typed error that says so', async () => {
    const a = join(root.dir, 'single-loop-a.png');
    const b = join(root.dir, 'single-loop-b.png');
    symlinkSync(b, a);
    symlinkSync(a, b);
    const { db, dir } = project('p-loop');
    await expect(importMedia(db, dir, a, opts())).rejects.toMatchObject({ code: 'E_INPUT', message: `${a}: symbolic link loop` });
    db.close();
  });

  it('a manifest row naming /dev/zero or a FIFO is reported on that file; the other rows import', async () => {
    const src = join(root.dir, 'manifest');
    makePng(join(src, 'dog.png'), 3);
    execFileSync('mkfifo', [join(src, 'dog_fifo.png')]);
    const csv = join(src, 'list.csv');
    writeFileSync(csv, 'path,reference\ndog.png,\ndog_fifo.png,dog.png\n/dev/zero,dog.png\n');
    const { db, dir } = project('p-manifest');
    const report = await importMedia(db, dir, csv, opts());
    expect(report.added).toBe(1);
    expect(report.issues).toEqual([
      { file: join(src, 'dog_fifo.png'), code: 'E_UNSUPPORTED', reason: 'a FIFO (named pipe), not a regular file; skipped' },
      { file: '/dev/zero', code: 'E_UNSUPPORTED', reason: 'a character device, not a regular file; skipped' },
    ]);
    db.close();
  });

  it('hashing refuses a FIFO at once instead of waiting for a writer', async () => {
    const fifo = join(root.dir, 'hash.fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(sha256File(fifo)).rejects.toThrow('a FIFO (named pipe), not a regular file');
    await expect(sha256File('/dev/zero')).rejects.toThrow('a character device, not a regular file');
  });
});
