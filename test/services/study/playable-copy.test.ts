import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dispatch } from '../../../src-main/host/dispatch';
import { Engine } from '../../../src-main/services/engine';
import { probeMedia } from '../../../src-main/services/media/probe';
import { decodeFormatFor } from '../../../src-main/services/media/decode-format';
import { sha256File } from '../../../src-main/services/import/hash';
import { saveStimulus } from '../../../src-main/services/store/stimuli-repo';
import { playableDir, verifyFrameExact, type PlayableRecord } from '../../../src-main/services/study/playable-copy';
import type { SessionState } from '../../../src-main/common/study';
import { ffmpeg, tempDir } from '../../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
let project: string;

async function call<T>(name: string, input: Record<string, unknown>): Promise<T> {
  const reply = await dispatch(engine.handlers, name, { projectDir: project, ...input });
  if (!reply.ok) throw Object.assign(new Error(`${name}: ${reply.error.code} ${reply.error.message}`), { code: reply.error.code });
  return reply.value as T;
}

/** A tiny video (noise in every plane, so chroma matters), stored as a stimulus with its real probe and hash. */
async function addVideo(name: string, ext: string, codec: string[], pixFmt = 'yuv420p'): Promise<number> {
  const file = join(project, 'media', `${name}.${ext}`);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=32x24:rate=10:duration=0.5,noise=alls=40:allf=t', '-pix_fmt', pixFmt, ...codec, file]);
  const info = await probeMedia(file);
  const db = engine.db(project);
  return saveStimulus(db, { ...info, path: `media/${name}.${ext}`, name, role: 'distorted', content: name, sha256: await sha256File(file), sizeBytes: statSync(file).size, attributes: {}, rawGeometry: null }, null).id;
}

beforeEach(async () => {
  tmp = tempDir('playable-copy');
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
  project = join(tmp.dir, 'project');
  await dispatch(engine.handlers, 'projects.create', { dir: project });
});
afterEach(async () => {
  await engine.shutdown();
  tmp.cleanup();
});

async function fetchWhole(sessionId: number, stimulusId: number): Promise<{ bytes: Buffer; prepared: boolean; mime: string }> {
  const parts: Buffer[] = [];
  let offset = 0;
  let size = Infinity;
  let prepared = false;
  let mime = '';
  while (offset < size) {
    const c = await call<{ size: number; offset: number; data: string; prepared: boolean; mime: string }>('sessions.video', { sessionId, stimulusId, offset });
    expect(c.offset).toBe(offset);
    const b = Buffer.from(c.data, 'base64');
    parts.push(b);
    offset += b.length;
    size = c.size;
    prepared = c.prepared;
    mime = c.mime;
  }
  return { bytes: Buffer.concat(parts), prepared, mime };
}

describe('the playable copy of a video stimulus', () => {
  it('prepares a lossless VP9 WebM of an FFV1 video once, verified frame-exact, keyed by the source hash, and serves only what the session shows', async () => {
    const a = await addVideo('a', 'mkv', ['-c:v', 'ffv1']);
    const b = await addVideo('b', 'mkv', ['-c:v', 'ffv1']);
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'v', method: 'ACR', seed: 1, stimuli: { content: 'a' } });
    const s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P1' });
    expect(s.trial!.media).toEqual([expect.objectContaining({ stimulusId: a, kind: 'video', width: 32, height: 24 })]);
    // A partial copy left by an engine that died while preparing (its pid is gone) is cleared away.
    const { sha256 } = engine.db(project).prepare('SELECT sha256 FROM stimuli WHERE id = ?').get(a) as { sha256: string };
    const stale = join(playableDir(project), `${sha256}.webm.999999999.tmp.webm`);
    mkdirSync(playableDir(project), { recursive: true });
    writeFileSync(stale, 'partial');
    const got = await fetchWhole(s.sessionId, a);
    expect(existsSync(stale)).toBe(false);
    expect(got.prepared).toBe(true);
    expect(got.mime).toBe('video/webm');
    const sha = engine.db(project).prepare('SELECT sha256 FROM stimuli WHERE id = ?').get(a) as { sha256: string };
    const copy = join(playableDir(project), `${sha.sha256}.webm`);
    expect(got.bytes.equals(readFileSync(copy))).toBe(true);
    const record = JSON.parse(readFileSync(`${copy}.json`, 'utf8')) as PlayableRecord;
    expect(record).toMatchObject({ source: sha.sha256, pixFmt: 'yuv420p', frames: 5 });
    expect(record.encoder).toContain('-lossless 1');
    // Prepared once: a second session's request reuses the file as it is.
    const mtime = statSync(copy).mtimeMs;
    const s2 = await call<SessionState>('sessions.enrol', { studyId, participant: 'P2' });
    await fetchWhole(s2.sessionId, a);
    expect(statSync(copy).mtimeMs).toBe(mtime);
    // A video the session does not show is not its to ask for.
    await expect(call('sessions.video', { sessionId: s.sessionId, stimulusId: b })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('keeps 4:4:4 as 4:4:4, serves a WebM VP9 4:2:0 source unchanged, and refuses RGB with the reason', async () => {
    const yuv444 = await addVideo('c444', 'mkv', ['-c:v', 'ffv1'], 'yuv444p');
    const webm = await addVideo('w', 'webm', ['-c:v', 'libvpx-vp9', '-lossless', '1']);
    const rgb = await addVideo('r', 'mkv', ['-c:v', 'ffv1'], 'bgr0');
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'v', method: 'ACR', seed: 1, stimuli: {} });
    const s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P1' });
    expect((await fetchWhole(s.sessionId, yuv444)).prepared).toBe(true);
    const dbRow = engine.db(project).prepare('SELECT sha256 FROM stimuli WHERE id = ?').get(yuv444) as { sha256: string };
    expect((JSON.parse(readFileSync(join(playableDir(project), `${dbRow.sha256}.webm.json`), 'utf8')) as PlayableRecord).pixFmt).toBe('yuv444p');
    const w = await fetchWhole(s.sessionId, webm);
    expect(w.prepared).toBe(false);
    expect(w.bytes.equals(readFileSync(join(project, 'media', 'w.webm')))).toBe(true);
    await expect(call('sessions.video', { sessionId: s.sessionId, stimulusId: rgb })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
    // Validation says so before any session, for that video alone, with the fix.
    const v = await call<{ ok: boolean; problems: { stimulusId: number; problem: string; fix: string }[] }>('studies.validate', { studyId });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([expect.objectContaining({ stimulusId: rgb, problem: expect.stringContaining('no lossless form the browser plays'), fix: expect.stringContaining('convert it') })]);
  });

  it('rejects a copy that is not frame-exact: a lossy encode, and one frame short', async () => {
    const src = join(tmp.dir, 'src.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=32x24:rate=10:duration=0.5,noise=alls=40:allf=t', '-pix_fmt', 'yuv420p', '-c:v', 'ffv1', src]);
    const lossy = join(tmp.dir, 'lossy.webm');
    ffmpeg(['-i', src, '-c:v', 'libvpx-vp9', '-crf', '40', '-b:v', '0', '-pix_fmt', 'yuv420p', lossy]);
    const short = join(tmp.dir, 'short.webm');
    ffmpeg(['-i', src, '-frames:v', '4', '-c:v', 'libvpx-vp9', '-lossless', '1', '-pix_fmt', 'yuv420p', short]);
    const format = decodeFormatFor(await probeMedia(src), src);
    await expect(verifyFrameExact(src, lossy, format, undefined)).rejects.toThrow(/differs from the source at frame 1/);
    await expect(verifyFrameExact(src, short, format, undefined)).rejects.toThrow(/fewer frames/);
    expect(existsSync(src)).toBe(true);
  });
});
