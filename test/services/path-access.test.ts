import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PathAccess, realpathOfPrefix } from '../../src-main/services/access/path-access';
import { pseudoFilesystemOf } from '../../src-main/services/access/pseudo-fs';
import { checkNewProjectLocation } from '../../src-main/services/projects/project-location';
import { Engine } from '../../src-main/services/engine';
import { dispatch } from '../../src-main/host/dispatch';
import { makePng, tempDir } from '../helpers/media';
import { iqa } from '../helpers/cli';

const linux = process.platform === 'linux';

describe('PathAccess: the folders a host request may name', () => {
  let tmp: { dir: string; cleanup: () => void };
  let root: string;
  beforeAll(() => {
    tmp = tempDir('access');
    root = join(tmp.dir, 'studies');
    mkdirSync(join(root, 'codec', '.secret'), { recursive: true });
    mkdirSync(join(tmp.dir, 'elsewhere'), { recursive: true });
    writeFileSync(join(tmp.dir, 'elsewhere', 'private.csv'), 'participant,stimulus,score\n');
    symlinkSync(join(tmp.dir, 'elsewhere'), join(root, 'link-out'));
  });
  afterAll(() => tmp.cleanup());

  it('allows a root, anything under it, and a folder still to be created there', () => {
    const access = new PathAccess([root]);
    expect(access.check(root, 'project folder')).toBe(root);
    expect(access.check(join(root, 'codec'), 'project folder')).toBe(join(root, 'codec'));
    expect(access.check(join(root, 'new', 'deeper'), 'project folder')).toBe(join(root, 'new', 'deeper'));
  });

  it('refuses a path outside every root with E_FORBIDDEN naming the path and how to allow it', () => {
    const access = new PathAccess([root]);
    const file = join(tmp.dir, 'elsewhere', 'private.csv');
    expect(() => access.check(file, 'ratings file')).toThrowError(expect.objectContaining({ code: 'E_FORBIDDEN' }));
    expect(() => access.check(file, 'ratings file')).toThrow(/private\.csv: the ratings file is outside the folders this app may use .*--root/);
    expect(() => access.check(join(root, '..', 'elsewhere'), 'import source')).toThrow(/outside/);
  });

  it('judges a symbolic link by where it leads, so a link inside a root cannot lead out', () => {
    const access = new PathAccess([root]);
    expect(() => access.check(join(root, 'link-out', 'private.csv'), 'ratings file')).toThrow(/outside/);
    expect(realpathOfPrefix(join(root, 'link-out', 'not-yet'))).toBe(join(realpathOfPrefix(tmp.dir), 'elsewhere', 'not-yet'));
  });

  it('refuses hidden folders inside a root (~/.ssh and the like)', () => {
    const access = new PathAccess([root]);
    expect(() => access.check(join(root, 'codec', '.secret', 'key'), 'model file')).toThrow(/hidden folder "\.secret"/);
  });

  it('lets a folder the user picked in a dialog in, and nothing beside it', () => {
    const access = new PathAccess([root]);
    access.allow(join(tmp.dir, 'elsewhere', 'private.csv'));
    expect(access.check(join(tmp.dir, 'elsewhere', 'private.csv'), 'ratings file')).toContain('private.csv');
    expect(() => access.check(join(tmp.dir, 'elsewhere'), 'import source')).toThrow(/outside/);
  });

  it('allows everything but pseudo-filesystems when unconfined (the command line)', () => {
    const access = new PathAccess('unconfined');
    expect(access.check(join(tmp.dir, 'elsewhere', 'private.csv'), 'ratings file')).toContain('private.csv');
    expect(() => access.check('/proc/self/x', 'project folder')).toThrow(/proc pseudo-filesystem/);
    expect(() => access.check('/dev/zero', 'import source')).toThrow(/dev pseudo-filesystem/);
  });

  it.runIf(linux)('recognises pseudo-filesystems by their statfs magic number, also behind a symbolic link', () => {
    expect(pseudoFilesystemOf('/sys/kernel')).toBe('sys');
    expect(pseudoFilesystemOf(realpathOfPrefix('/proc/self/fd'))).toBe('proc');
    expect(pseudoFilesystemOf(tmp.dir)).toBeNull();
    symlinkSync('/proc/self', join(tmp.dir, 'to-proc'));
    expect(() => new PathAccess('unconfined').check(join(tmp.dir, 'to-proc', 'x'), 'project folder')).toThrow(/proc pseudo-filesystem/);
  });
});

describe('where a project may be created', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(() => (tmp = tempDir('location')));
  afterAll(() => tmp.cleanup());

  it('refuses an existing file with a sentence, not EEXIST', () => {
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    expect(() => checkNewProjectLocation(file)).toThrowError(expect.objectContaining({ code: 'E_INPUT', message: `${file} is a file, not a folder: choose a folder for the project` }));
    expect(() => checkNewProjectLocation(join(file, 'below'))).toThrow(/a file stands where a folder of the path should be/);
  });

  it('refuses /proc at once (mkdir -p there never ends), from the built CLI too', () => {
    expect(() => checkNewProjectLocation('/proc/self/x')).toThrowError(expect.objectContaining({ code: 'E_FORBIDDEN' }));
    const r = iqa(['project', 'create', '/proc/self/iqa-x'], { IQA_USER_DATA: join(tmp.dir, 'user') });
    expect(r.code).toBe(1); // ended by itself (the helper's timeout would give -1)
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^iqa: \/proc\/self\/iqa-x: the project folder is on the system's proc pseudo-filesystem/)]);
  });
});

describe('a confined engine (what the loopback host and the desktop app run)', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;
  let projectDir: string;
  const call = (name: string, input: unknown) => dispatch(engine.handlers, name, input);

  beforeAll(async () => {
    tmp = tempDir('confined');
    engine = new Engine({ userDataDir: join(tmp.dir, 'user'), roots: [join(tmp.dir, 'studies')], threads: 0 });
    projectDir = join(tmp.dir, 'studies', 'p');
    const created = await call('projects.create', { dir: projectDir });
    expect(created.ok).toBe(true);
    writeFileSync(join(tmp.dir, 'secret.csv'), 'participant,stimulus,score\nTOP-SECRET-LINE,x,1\n');
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  it('refuses a ratings file outside its folders without echoing a byte of it', async () => {
    const r = await call('ratings.import', { projectDir, csv: join(tmp.dir, 'secret.csv'), method: 'ACR' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('E_FORBIDDEN');
    expect(r.error.message).not.toMatch(/TOP-SECRET/);
    const shadow = await call('ratings.import', { projectDir, csv: '/etc/shadow', method: 'ACR' });
    expect(!shadow.ok && shadow.error.code).toBe('E_FORBIDDEN');
  });

  it('refuses to list, import, install or open outside its folders', async () => {
    for (const [name, input] of [
      ['import.start', { projectDir, source: '/etc' }],
      ['models.install', { file: '/etc/passwd' }],
      ['projects.open', { dir: tmp.dir }],
      ['projects.create', { dir: '/proc/self/x' }],
      ['stimuli.list', { projectDir: join(tmp.dir, 'user') + '/../..' }],
      ['sets.metrics', { a: '/etc', b: `project:${tmp.dir}`, metrics: ['fid'] }],
    ] as const) {
      const r = await call(name, input);
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.error.code, `${name}: ${r.error.message}`).toBe('E_FORBIDDEN');
    }
  });

  it('imports a folder inside its roots but not a file a symbolic link there leads out to', async () => {
    const src = join(tmp.dir, 'studies', 'media');
    mkdirSync(src, { recursive: true });
    makePng(join(src, 'inside.png'), 3);
    makePng(join(tmp.dir, 'outside-link-target.png'), 4);
    symlinkSync(join(tmp.dir, 'outside-link-target.png'), join(src, 'linked.png'));
    const started = await call('import.start', { projectDir, source: src });
    if (!started.ok) throw new Error(started.error.message);
    const report = (await engine.jobs.wait((started.value as { jobId: string }).jobId)) as { added: number; issues: { file: string; code: string }[] };
    expect(report.added).toBe(1);
    expect(report.issues).toEqual([expect.objectContaining({ file: join(src, 'linked.png'), code: 'E_FORBIDDEN' })]);
  });

  it('answers projects.create on an existing file with a typed error', async () => {
    const file = join(tmp.dir, 'studies', 'plain-file');
    writeFileSync(file, 'x');
    const r = await call('projects.create', { dir: file });
    expect(r).toMatchObject({ ok: false, error: { code: 'E_INPUT', message: `${file} is a file, not a folder: choose a folder for the project` } });
  });

  it('does not follow a crafted project row out of its folders (hash as a path, media path)', async () => {
    const db = new Database(join(projectDir, 'iqa-project.sqlite'));
    const outside = join(tmp.dir, 'outside.png');
    makePng(outside, 1);
    makePng(join(projectDir, 'ref.png'), 2);
    const insert = (path: string, sha: string, role: string, ref: number | null) => {
      const id = Number(
        db
          .prepare(`INSERT INTO stimuli (path, name, role, sha256, size_bytes, kind, width, height, frame_count, pix_fmt, imported_at) VALUES (?, ?, ?, ?, 1, 'image', 64, 48, 1, 'rgb24', '2026-01-01')`)
          .run(path, path.replace(/\W+/g, '_'), role, sha).lastInsertRowid,
      );
      if (ref !== null) db.prepare('INSERT INTO pairs (distorted_id, reference_id) VALUES (?, ?)').run(id, ref);
      return id;
    };
    const refId = insert('ref.png', 'a'.repeat(64), 'reference', null);
    const crafted = insert('../../outside.png', '../../../../etc/x', 'distorted', refId);
    db.close();
    const thumb = await call('stimuli.thumbnail', { projectDir, stimulusId: crafted });
    expect(!thumb.ok && thumb.error.code).toBe('E_STORE');
    const map = await call('viewer.frameMap', { projectDir, stimulusId: crafted, frame: 0, metric: 'ssim-y' });
    expect(!map.ok && `${map.error.code}: ${map.error.message}`).toMatch(/^E_FORBIDDEN: /);
    const run = await call('metrics.run', { projectDir, metrics: [{ id: 'psnr-y' }], stimulusIds: [crafted] });
    expect(!run.ok && run.error.code).toBe('E_FORBIDDEN');
  });
});
