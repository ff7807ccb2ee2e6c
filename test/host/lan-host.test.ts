/**
 * LAN mode (issue 12, docs/lan.md) through real listeners. Every listener here binds 127.0.0.1 and
 * every request goes to 127.0.0.1: no test sends traffic to another address. The machine's interfaces
 * are a fixed loopback list, so the default ("the first non-loopback address") is tested as absent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { createServer, connect } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dispatch } from '../../src-main/host/dispatch';
import { createLanControl, participantError } from '../../src-main/host/lan-host';
import { Engine } from '../../src-main/services/engine';
import { saveStimulus } from '../../src-main/services/store/stimuli-repo';
import { CONTENT_SECURITY_POLICY } from '../../src-main/common/csp';
import { LAN_SESSION_KEY_HEADER, lanTokenFromPath, type LanListenerInfo } from '../../src-main/common/lan';
import type { SessionState } from '../../src-main/common/study';
import { makePng, tempDir } from '../helpers/media';
import { callCommand, imageRecord } from '../helpers/study-project';

const LOOPBACK = [{ name: 'lo', address: '127.0.0.1', internal: true }];

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
let project: string;
let other: string;
let staticDir: string;
const ids = new Map<string, number>();

function newEngine(): Engine {
  const e = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
  e.attachLan(createLanControl({ handlers: e.handlers, db: (dir) => e.db(dir), staticDir, interfaces: () => LOOPBACK }));
  return e;
}

const call = <T>(name: string, input: Record<string, unknown>, dir = project): Promise<T> => callCommand<T>(engine, dir, name, input);


beforeEach(async () => {
  tmp = tempDir('lan-host');
  staticDir = join(tmp.dir, 'renderer');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'export {};\n');
  engine = newEngine();
  project = join(tmp.dir, 'project');
  other = join(tmp.dir, 'other');
  await dispatch(engine.handlers, 'projects.create', { dir: project });
  await dispatch(engine.handlers, 'projects.create', { dir: other });
  const db = engine.db(project);
  let k = 0;
  for (const c of ['src01', 'src02']) {
    makePng(join(project, 'media', `${c}.png`), k++);
    const ref = saveStimulus(db, imageRecord(c, 'reference', c), null);
    ids.set(c, ref.id);
    for (const d of ['a', 'b']) {
      makePng(join(project, 'media', `${c}_${d}.png`), k++);
      ids.set(`${c}_${d}`, saveStimulus(db, imageRecord(`${c}_${d}`, 'distorted', c), ref.id).id);
    }
  }
});
afterEach(async () => {
  await engine.shutdown();
  tmp.cleanup();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request to 127.0.0.1:port (never another address); `host` is only the Host header sent. */
function raw(port: number, method: string, path: string, o: { body?: string; headers?: Record<string, string>; host?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: o.host ?? `127.0.0.1:${port}`, ...(o.headers ?? {}) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

interface LanReply<T> {
  status: number;
  key: string | undefined;
  body: { ok: boolean; value?: T; error?: { code: string; message: string; file?: string } };
  text: string;
}

/** A participant page's API call: the token in the path, the session key in its header. */
async function lan<T = SessionState>(l: LanListenerInfo, name: string, input: Record<string, unknown>, key?: string, token = l.token): Promise<LanReply<T>> {
  const r = await raw(l.port, 'POST', `/p/${token}/api/${name}`, {
    body: JSON.stringify(input),
    headers: { 'content-type': 'application/json', ...(key ? { [LAN_SESSION_KEY_HEADER]: key } : {}) },
  });
  const k = r.headers[LAN_SESSION_KEY_HEADER];
  return { status: r.status, key: typeof k === 'string' ? k : undefined, body: JSON.parse(r.text), text: r.text };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A port that was free a moment ago (bound and released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const now = () => new Date().toISOString();
const acrStudy = async () => (await call<{ studyId: number }>('studies.create', { name: `acr-${Math.random()}`, method: 'ACR', seed: 5, stimuli: { content: 'src01', role: 'distorted' } })).studyId;
const start = (studyId: number, extra: Record<string, unknown> = {}) => call<LanListenerInfo>('studies.lan.start', { studyId, host: '127.0.0.1', ...extra });

describe('LAN mode', () => {
  it('is off by default, listens only while on, and closes its listener when turned off', async () => {
    const studyId = await acrStudy();
    const port = await freePort();
    expect((await call<{ listener: unknown }>('studies.lan.status', { studyId })).listener).toBeNull();
    expect(await listening(port)).toBe(false);
    const l = await start(studyId, { port });
    expect(l.port).toBe(port);
    expect(l.host).toBe('127.0.0.1');
    expect(l.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(l.url).toBe(`http://127.0.0.1:${port}/p/${l.token}/`);
    expect(lanTokenFromPath(new URL(l.url).pathname)).toBe(l.token);
    expect(l.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(await listening(port)).toBe(true);
    // Turning it on again gives the running listener (same token), not a second one.
    expect((await start(studyId)).token).toBe(l.token);
    expect(await call('studies.lan.stop', { studyId })).toEqual({ stopped: true });
    expect(await listening(port)).toBe(false);
    expect((await call<{ listener: unknown }>('studies.lan.status', { studyId })).listener).toBeNull();
    expect(await call('studies.lan.stop', { studyId })).toEqual({ stopped: false });
  });

  it('binds one interface of this machine: never 0.0.0.0, never an address it does not have, no default without a network', async () => {
    const studyId = await acrStudy();
    await expect(call('studies.lan.start', { studyId, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'E_INPUT' });
    // Refused before anything listens or is sent: the address is not one of this machine's.
    await expect(call('studies.lan.start', { studyId, host: '10.255.255.1' })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(call('studies.lan.start', { studyId })).rejects.toThrow(/no network interface/);
    await expect(call('studies.lan.start', { studyId, host: 'localhost' })).rejects.toMatchObject({ code: 'E_INPUT' });
    const status = await call<{ interfaces: unknown[] }>('studies.lan.status', { studyId });
    expect(status.interfaces).toEqual(LOOPBACK);
  });

  it('serves the participant page under its token with the strict CSP, and nothing without it', async () => {
    const l = await start(await acrStudy());
    const page = await raw(l.port, 'GET', `/p/${l.token}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('./assets/app.js');
    expect((await raw(l.port, 'GET', `/p/${l.token}/assets/app.js`)).status).toBe(200);
    const bare = await raw(l.port, 'GET', `/p/${l.token}`);
    expect([bare.status, bare.headers.location]).toEqual([308, `/p/${l.token}/`]);
    const wrong = l.token.slice(0, -1) + (l.token.endsWith('A') ? 'B' : 'A');
    for (const path of ['/', '/index.html', '/assets/app.js', `/p/${wrong}/`, `/p/${wrong}/assets/app.js`, '/p//', '/p/', `/p/${l.token}/../../etc/passwd`, `/p/${l.token}/%2e%2e/%2e%2e/etc/passwd`, `/p/${l.token}/nothing.js`]) {
      const r = await raw(l.port, 'GET', path);
      expect([403, 404], path).toContain(r.status);
      expect(JSON.parse(r.text).ok, path).toBe(false);
      expect(r.text, path).not.toContain(tmp.dir);
    }
    // DNS rebinding: a page on another name that resolves here is not this listener's.
    expect((await raw(l.port, 'GET', `/p/${l.token}/`, { host: `evil.example:${l.port}` })).status).toBe(421);
  });

  it('refuses API calls without the token, with a wrong token, and every non-participant command', async () => {
    const studyId = await acrStudy();
    const l = await start(studyId);
    const enrol = JSON.stringify({ participant: 'P1' });
    const noToken = await raw(l.port, 'POST', '/api/sessions.enrol', { body: enrol });
    expect(noToken.status).toBe(404);
    expect((await raw(l.port, 'POST', '/p//api/sessions.enrol', { body: enrol })).status).toBe(403);
    const wrong = await lan(l, 'sessions.enrol', { participant: 'P1' }, undefined, l.token.replace(/^./, (c) => (c === 'x' ? 'y' : 'x')));
    expect([wrong.status, wrong.body.error?.code]).toEqual([403, 'E_UNAUTHORIZED']);
    // Not one participant was enrolled by those.
    expect((await call<{ participants: unknown[] }>('studies.progress', { studyId })).participants).toEqual([]);
    for (const name of ['projects.open', 'projects.recent', 'stimuli.list', 'studies.list', 'studies.get', 'studies.export', 'studies.playlist', 'studies.lan.start', 'studies.lan.status', 'studies.lan.stop', 'analysis.run', 'app.info', 'jobs.list', 'nothing']) {
      const r = await lan(l, name, { projectDir: project, studyId, dir: project, format: 'csv' });
      expect([r.status, r.body.error?.code], name).toEqual([404, 'E_NOT_FOUND']);
      expect(r.text, name).not.toContain(project);
    }
    // The token's listener is still on: those refusals did not stop anything.
    expect((await call<{ listener: unknown }>('studies.lan.status', { studyId })).listener).not.toBeNull();
    // A cross-site page cannot call it either.
    const cross = await raw(l.port, 'POST', `/p/${l.token}/api/sessions.enrol`, { body: enrol, headers: { origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
  });

  it('fixes the project and the study from the token: a client never names another', async () => {
    const studyId = await acrStudy();
    const otherStudy = await acrStudy();
    const l = await start(studyId);
    // A project folder the client sends is ignored; a study it names must be the token's.
    const r = await lan(l, 'sessions.enrol', { participant: 'P1', projectDir: other, studyId });
    expect(r.status).toBe(200);
    expect(r.body.value!.studyId).toBe(studyId);
    expect((await lan(l, 'sessions.enrol', { participant: 'P2', studyId: otherStudy })).status).toBe(403);
    expect((await call<{ participants: { participant: string }[] }>('studies.progress', { studyId })).participants.map((p) => p.participant)).toEqual(['P1']);
    expect(await call('studies.list', {}, other)).toEqual([]);
    // The progress a page gets is the study's name, no participant's code, display or notes.
    const progress = await lan<{ name: string; participants: unknown[] }>(l, 'studies.progress', {});
    expect(progress.body.value!.participants).toEqual([]);
    expect(progress.body.value!.name).toMatch(/^acr-/);
  });

  it('answers a session’s calls only with the key its enrolment returned, and only for its own study', async () => {
    const studyId = await acrStudy();
    const l = await start(studyId);
    const p1 = await lan(l, 'sessions.enrol', { participant: 'P1' });
    const p2 = await lan(l, 'sessions.enrol', { participant: 'P2' });
    expect(p1.key).toBeTruthy();
    const s1 = p1.body.value!;
    expect((await lan(l, 'sessions.current', { sessionId: s1.sessionId }, p1.key)).body.value!.sessionId).toBe(s1.sessionId);
    for (const key of [undefined, p2.key, 'x'.repeat(43)]) {
      const r = await lan(l, 'sessions.current', { sessionId: s1.sessionId }, key);
      expect([r.status, r.body.error?.code]).toEqual([403, 'E_FORBIDDEN']);
      const t = now();
      expect((await lan(l, 'ratings.submit', { sessionId: s1.sessionId, trialId: s1.trial!.trialId, value: 3, responseMs: 10, presentedAt: t, votedAt: t }, key)).status).toBe(403);
    }
    // A session of another study (enrolled in the app) is not this page's, whatever id the client names.
    const otherStudy = await acrStudy();
    const outside = await call<SessionState>('sessions.enrol', { studyId: otherStudy, participant: 'X' });
    expect((await lan(l, 'sessions.current', { sessionId: outside.sessionId }, p1.key)).status).toBe(403);
    // The notes are the researcher's: a page's update records the display only.
    const display = { screenWidth: 1920, screenHeight: 1080, devicePixelRatio: 1, colorGamut: 'srgb', userAgent: 'test' };
    expect((await lan(l, 'sessions.update', { sessionId: s1.sessionId, display, notes: { text: 'from the page' } }, p1.key)).status).toBe(200);
    const mine = (await call<{ participants: { participant: string; notes: unknown; display: unknown }[] }>('studies.progress', { studyId })).participants.find((p) => p.participant === 'P1')!;
    expect(mine.notes).toBeNull();
    expect(mine.display).toMatchObject({ screenWidth: 1920 });
  });

  it('gives only the images of the study’s trials, and never a path in an error', async () => {
    const studyId = await acrStudy();
    const l = await start(studyId);
    const e = await lan(l, 'sessions.enrol', { participant: 'P1' });
    const s = e.body.value!;
    const shown = s.trial!.media[0]!.stimulusId;
    const px = await lan<{ width: number; height: number; rgb: string }>(l, 'sessions.stimulus', { sessionId: s.sessionId, stimulusId: shown }, e.key);
    expect([px.status, px.body.value!.width, px.body.value!.height]).toEqual([200, 64, 48]);
    // Another content's image, and ACR's recorded (never shown) reference, are outside the study's stimuli.
    for (const name of ['src02_a', 'src01', 'src02']) {
      for (const command of ['sessions.stimulus', 'sessions.video']) {
        const r = await lan(l, command, { sessionId: s.sessionId, stimulusId: ids.get(name) }, e.key);
        expect([r.status, r.body.error?.code], `${command} ${name}`).toEqual([404, 'E_NOT_FOUND']);
      }
    }
    // A path is not an input a participant command takes at all.
    const withPath = await lan(l, 'sessions.stimulus', { sessionId: s.sessionId, stimulusId: shown, path: '/etc/passwd' }, e.key);
    expect([withPath.status, withPath.body.error?.code]).toEqual([400, 'E_INPUT']);
    // A stimulus whose file is gone: the engine's error names the file; the page's does not.
    const { rmSync } = await import('node:fs');
    rmSync(join(project, 'media', `${[...ids].find(([, id]) => id === shown)![0]}.png`));
    const gone = await lan(l, 'sessions.stimulus', { sessionId: s.sessionId, stimulusId: shown }, e.key);
    expect(gone.body.ok).toBe(false);
    expect(gone.text).not.toContain(tmp.dir);
    expect(gone.body.error!.file).toBeUndefined();
  });

  it('answers malformed requests with a typed error and keeps serving', async () => {
    const l = await start(await acrStudy());
    const post = (body: string) => raw(l.port, 'POST', `/p/${l.token}/api/sessions.enrol`, { body, headers: { 'content-type': 'application/json' } });
    expect((await post('{not json')).status).toBe(400);
    expect((await post('[1,2]')).status).toBe(400);
    expect((await post(JSON.stringify({ participant: 'P1', extra: 1 }))).status).toBe(400);
    const big = await post(JSON.stringify({ participant: 'P1', pad: 'x'.repeat(2 << 20) }));
    expect([big.status, JSON.parse(big.text).error.code]).toEqual([413, 'E_INPUT']);
    expect((await raw(l.port, 'GET', `/p/${l.token}/api/sessions.enrol`)).status).toBe(405);
    // A request line that is not HTTP costs its own connection only.
    await new Promise<void>((done) => {
      const s = connect({ host: '127.0.0.1', port: l.port }, () => s.end('NOT HTTP\r\n\r\n'));
      s.on('close', () => done());
      s.on('error', () => undefined);
      s.resume();
    });
    const ok = await lan(l, 'sessions.enrol', { participant: 'P1' });
    expect(ok.status).toBe(200);
  });

  it('takes several participants at once, each session on its own', async () => {
    const studyId = await acrStudy();
    const l = await start(studyId);
    const codes = ['P1', 'P2', 'P3'];
    const runs = codes.map(async (code, i) => {
      const e = await lan(l, 'sessions.enrol', { participant: code });
      let s = e.body.value!;
      while (s.trial) {
        const t = now();
        const r = await lan(l, 'ratings.submit', { sessionId: s.sessionId, trialId: s.trial.trialId, value: i + 1, responseMs: 100, presentedAt: t, votedAt: t }, e.key);
        expect(r.status).toBe(200);
        s = r.body.value!;
      }
      return s;
    });
    const done = await Promise.all(runs);
    expect(done.map((s) => s.state)).toEqual(['finished', 'finished', 'finished']);
    expect(new Set(done.map((s) => s.sessionId)).size).toBe(3);
    const progress = await call<{ participants: { participant: string; answered: number; total: number }[]; finished: number }>('studies.progress', { studyId });
    expect(progress.finished).toBe(3);
    for (const p of progress.participants) expect(p.answered).toBe(p.total);
    const status = await call<{ active: number; sessions: number }>('studies.lan.status', { studyId });
    expect([status.active, status.sessions]).toEqual([3, 3]);
  });

  it('does not keep a token over an engine restart: the listener closes, and turning it on again makes a new token', async () => {
    const studyId = await acrStudy();
    const first = await start(studyId);
    await engine.shutdown();
    expect(await listening(first.port)).toBe(false);
    engine = newEngine();
    expect((await call<{ listener: unknown }>('studies.lan.status', { studyId })).listener).toBeNull();
    const second = await start(studyId, { port: first.port });
    expect(second.token).not.toBe(first.token);
    const stale = await lan(second, 'sessions.enrol', { participant: 'P1' }, undefined, first.token);
    expect([stale.status, stale.body.error?.code]).toEqual([403, 'E_UNAUTHORIZED']);
    expect((await lan(second, 'sessions.enrol', { participant: 'P1' })).status).toBe(200);
  });

  it('an engine without LAN mode (the command line) says so', async () => {
    const bare = new Engine({ userDataDir: join(tmp.dir, 'user2'), threads: 1, roots: [tmp.dir] });
    try {
      const reply = await dispatch(bare.handlers, 'studies.lan.start', { projectDir: project, studyId: 1, host: '127.0.0.1' });
      expect(reply.ok ? null : reply.error.code).toBe('E_UNSUPPORTED');
    } finally {
      await bare.shutdown();
    }
  });
});

describe('participantError', () => {
  it('drops the project folder, every absolute path, the file and the details, and hides a bug', () => {
    expect(participantError({ code: 'E_MEDIA', message: '/home/u/p/media/a.png: no such file', file: '/home/u/p/media/a.png', details: { x: 1 } }, '/home/u/p')).toEqual({
      code: 'E_MEDIA',
      message: '…: no such file',
    });
    expect(participantError({ code: 'E_NOT_FOUND', message: 'no stimulus 3 in /home/u/p (see C:\\x\\y)' }, '/home/u/p').message).toBe('no stimulus 3 in … (see …)');
    expect(participantError({ code: 'E_INPUT', message: 'answered 1/2 trials' }, '/p').message).toBe('answered 1/2 trials');
    expect(participantError({ code: 'E_INTERNAL', message: 'TypeError at /src/x.ts:3' }, '/p')).toEqual({ code: 'E_INTERNAL', message: 'internal error' });
  });
});
