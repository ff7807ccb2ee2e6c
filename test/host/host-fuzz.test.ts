/**
 * Issue 11, "the host must not die": malformed upgrades, malformed WebSocket frames, malformed
 * percent-encoding and oversized bodies are thrown at the real loopback host, in this process and as
 * the spawned `npm run web` process; after each one the host must still answer app.info with 200.
 * Every wait is on an event (a socket's 'close', a line on stdout), never a fixed sleep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Engine } from '../../src-main/services/engine';
import { startHttpHost, type HttpHost } from '../../src-main/host/http-host';
import { REPO_ROOT, tempDir } from '../helpers/media';

const CLOSE_TIMEOUT_MS = 15_000;

/** Where a host listens and the token it wants. */
interface Target {
  port: number;
  token: string;
}

// ---------------------------------------------------------------------------------------------
// Raw TCP helpers
// ---------------------------------------------------------------------------------------------

/**
 * Opens a TCP connection, writes `bytes`, and collects everything the server sends until the server
 * closes the connection (the client socket's 'close'). Fails when the server keeps it open for
 * CLOSE_TIMEOUT_MS.
 */
function exchange(port: number, bytes: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${CLOSE_TIMEOUT_MS} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, CLOSE_TIMEOUT_MS);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined); // a reset also ends in 'close'; what was received is checked by the caller
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.on('connect', () => socket.write(bytes));
  });
}

const statusOf = (response: Buffer) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(response.toString('latin1'))?.[1] ?? 0);

function upgradeRequest(opts: { target: string; host: string | null; key?: string }): string {
  const lines = [`GET ${opts.target} HTTP/1.1`];
  if (opts.host !== null) lines.push(`Host: ${opts.host}`);
  lines.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${opts.key ?? randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13');
  return lines.join('\r\n') + '\r\n\r\n';
}

/** The malformed upgrade requests, each with the status the host must answer it with. */
function malformedUpgrades(t: Target): { name: string; request: string; status: number }[] {
  const good = `127.0.0.1:${t.port}`;
  const events = `/events?token=${t.token}`;
  return [
    { name: 'Host "a b"', request: upgradeRequest({ target: events, host: 'a b' }), status: 421 },
    { name: 'Host "["', request: upgradeRequest({ target: events, host: '[' }), status: 421 },
    { name: 'Host "%"', request: upgradeRequest({ target: events, host: '%' }), status: 421 },
    { name: 'empty Host', request: upgradeRequest({ target: events, host: '' }), status: 421 },
    { name: 'foreign Host', request: upgradeRequest({ target: events, host: 'evil.example:80' }), status: 421 },
    { name: 'HTTP/1.0 without Host', request: upgradeRequest({ target: events, host: null }).replace('HTTP/1.1', 'HTTP/1.0'), status: 421 },
    { name: 'request-target "//["', request: upgradeRequest({ target: '//[', host: good }), status: 400 },
    { name: 'request-target "//[" with the token', request: upgradeRequest({ target: `//[${events}`, host: good }), status: 400 },
    { name: 'missing token', request: upgradeRequest({ target: '/events', host: good }), status: 401 },
    { name: 'wrong token', request: upgradeRequest({ target: '/events?token=wrong', host: good }), status: 401 },
    { name: 'non-/events path', request: upgradeRequest({ target: `/api/app.info?token=${t.token}`, host: good }), status: 401 },
    { name: 'foreign Origin', request: upgradeRequest({ target: events, host: good }).replace('\r\n\r\n', '\r\nOrigin: http://evil.example\r\n\r\n'), status: 401 },
  ];
}

// ---------------------------------------------------------------------------------------------
// WebSocket frames, by hand (RFC 6455 section 5.2)
// ---------------------------------------------------------------------------------------------

function frame(opts: { fin?: boolean; rsv1?: boolean; opcode: number; payload?: Buffer; masked?: boolean }): Buffer {
  const payload = opts.payload ?? Buffer.alloc(0);
  const masked = opts.masked ?? true;
  const b0 = (opts.fin === false ? 0 : 0x80) | (opts.rsv1 ? 0x40 : 0) | opts.opcode;
  let header: Buffer;
  if (payload.length < 126) header = Buffer.from([b0, (masked ? 0x80 : 0) | payload.length]);
  else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt8(b0, 0);
    header.writeUInt8((masked ? 0x80 : 0) | 126, 1);
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(b0, 0);
    header.writeUInt8((masked ? 0x80 : 0) | 127, 1);
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}

const closePayload = (code: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
};

/** The 9 malformed client frames of the audit, each with the close code the host must answer with. */
const MALFORMED_FRAMES: { name: string; bytes: Buffer; closeCode: number }[] = [
  { name: 'payload over the limit', bytes: frame({ opcode: 0x1, payload: Buffer.alloc(64 * 1024, 0x61) }), closeCode: 1009 },
  { name: 'unmasked frame', bytes: frame({ opcode: 0x1, payload: Buffer.from('hi'), masked: false }), closeCode: 1002 },
  { name: 'invalid UTF-8', bytes: frame({ opcode: 0x1, payload: Buffer.from([0xc3, 0x28, 0xff, 0xfe]) }), closeCode: 1007 },
  { name: 'reserved opcode', bytes: frame({ opcode: 0x3, payload: Buffer.from('x') }), closeCode: 1002 },
  { name: 'RSV1 set', bytes: frame({ opcode: 0x1, rsv1: true, payload: Buffer.from('x') }), closeCode: 1002 },
  { name: 'ping over 125 bytes', bytes: frame({ opcode: 0x9, payload: Buffer.alloc(126, 0x70) }), closeCode: 1002 },
  { name: 'fragmented ping', bytes: frame({ opcode: 0x9, fin: false, payload: Buffer.from('p') }), closeCode: 1002 },
  { name: 'stray continuation', bytes: frame({ opcode: 0x0, payload: Buffer.from('c') }), closeCode: 1002 },
  { name: 'close code 999', bytes: frame({ opcode: 0x8, payload: closePayload(999) }), closeCode: 1002 },
];

/** Server frames after the 101 response: returns the close code of the first close frame, if any. */
function closeCodeOf(afterHandshake: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= afterHandshake.length) {
    const opcode = afterHandshake[at]! & 0x0f;
    let len = afterHandshake[at + 1]! & 0x7f;
    let start = at + 2;
    if (len === 126) {
      len = afterHandshake.readUInt16BE(at + 2);
      start = at + 4;
    } else if (len === 127) {
      len = Number(afterHandshake.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    if (opcode === 0x8) return len >= 2 ? afterHandshake.readUInt16BE(start) : 1005;
    at = start + len;
  }
  return undefined;
}

/**
 * Upgrades with the token, waits for the 101, sends one malformed frame, and waits until the server
 * closes the connection. Returns the close code it sent.
 */
function sendMalformedFrame(t: Target, bytes: Buffer): Promise<{ status: number; closeCode: number | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = connect(t.port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let headerEnd = -1;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${CLOSE_TIMEOUT_MS} ms`));
    }, CLOSE_TIMEOUT_MS);
    socket.on('connect', () => socket.write(upgradeRequest({ target: `/events?token=${t.token}`, host: `127.0.0.1:${t.port}` })));
    socket.on('data', (c: Buffer) => {
      received = Buffer.concat([received, c]);
      if (headerEnd < 0) {
        headerEnd = received.indexOf('\r\n\r\n');
        if (headerEnd >= 0) {
          if (statusOf(received) !== 101) return; // the close that follows resolves with the status
          socket.write(bytes);
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ status: statusOf(received), closeCode: headerEnd < 0 ? undefined : closeCodeOf(received.subarray(headerEnd + 4)) });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------

function httpRequest(
  t: Target,
  method: string,
  path: string,
  opts: { body?: Buffer | string; headers?: Record<string, string | number>; chunked?: boolean } = {},
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, path, method, headers: opts.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) {
      if (opts.chunked) {
        req.write(opts.body);
        req.end();
      } else req.end(opts.body);
    } else req.end();
  });
}

async function expectAlive(t: Target): Promise<void> {
  const r = await httpRequest(t, 'POST', '/api/app.info', { body: '{}', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' } });
  expect(r.status).toBe(200);
  expect(JSON.parse(r.text)).toMatchObject({ ok: true, value: { version: expect.any(String) } });
}

const BAD_PERCENT_PATHS = ['/%E0%A4%A', '/%', '/%zz', '/assets/%C0%AF', '/%ED%A0%80', '/a%2'];

// ---------------------------------------------------------------------------------------------
// The host in this process
// ---------------------------------------------------------------------------------------------

describe('the loopback host survives malformed input', () => {
  let tmp: { dir: string; cleanup: () => void };
  let engine: Engine;
  let host: HttpHost;
  let t: Target;

  beforeAll(async () => {
    tmp = tempDir('host-fuzz');
    engine = new Engine({ userDataDir: join(tmp.dir, 'userdata'), roots: [tmp.dir] });
    host = await startHttpHost({ handlers: engine.handlers, jobs: engine.jobs, staticDir: join(REPO_ROOT, 'build/renderer') });
    t = { port: host.port, token: host.token };
  });
  afterAll(async () => {
    await host?.close();
    engine?.close();
    tmp?.cleanup();
  });

  it('answers malformed upgrade requests with 400/401/421 and closes only that socket', async () => {
    for (const c of malformedUpgrades(t)) {
      const response = await exchange(t.port, c.request);
      expect(statusOf(response), c.name).toBe(c.status);
      await expectAlive(t);
    }
  });

  it('closes a WebSocket that sends a malformed frame with the right close code, and keeps serving', async () => {
    for (const f of MALFORMED_FRAMES) {
      const r = await sendMalformedFrame(t, f.bytes);
      expect(r.status, f.name).toBe(101);
      expect(r.closeCode, f.name).toBe(f.closeCode);
      await expectAlive(t);
    }
  });

  it('closes a WebSocket whose peer resets the connection, and keeps serving', async () => {
    const socket = connect(t.port, '127.0.0.1');
    await new Promise<void>((ok) => socket.once('connect', ok));
    socket.write(upgradeRequest({ target: `/events?token=${t.token}`, host: `127.0.0.1:${t.port}` }));
    await new Promise<void>((ok) => socket.once('data', () => ok()));
    const closed = new Promise<void>((ok) => socket.once('close', () => ok()));
    socket.resetAndDestroy();
    await closed;
    await expectAlive(t);
  });

  it('answers malformed percent-encoding in static paths with 400', async () => {
    for (const path of BAD_PERCENT_PATHS) {
      expect((await httpRequest(t, 'GET', path)).status, path).toBe(400);
      expect((await httpRequest(t, 'HEAD', path)).status, path).toBe(400);
      await expectAlive(t);
    }
    // A well-formed encoding still serves the app.
    expect((await httpRequest(t, 'GET', '/%61bout')).status).toBe(200);
  });

  it('answers a malformed request-target with 400', async () => {
    const response = await exchange(t.port, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(response)).toBe(400);
    await expectAlive(t);
  });

  it('answers a body over 1 MiB with 413 and a typed E_INPUT error, with or without a Content-Length', async () => {
    const big = Buffer.alloc((1 << 20) + 4096, 0x20);
    for (const chunked of [false, true]) {
      const r = await httpRequest(t, 'POST', '/api/app.info', { body: big, chunked, headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' } });
      expect(r.status, `chunked: ${chunked}`).toBe(413);
      expect(r.headers.connection).toBe('close');
      expect(JSON.parse(r.text)).toMatchObject({ ok: false, error: { code: 'E_INPUT', message: expect.stringContaining('over 1048576 bytes') } });
      await expectAlive(t);
    }
    // Far over the limit (8 MiB): still an answer, not a reset.
    const huge = Buffer.alloc(8 << 20, 0x20);
    const r = await httpRequest(t, 'POST', '/api/app.info', { body: huge, headers: { authorization: `Bearer ${t.token}` } });
    expect(r.status).toBe(413);
    await expectAlive(t);
  });

  it('answers an oversized body over raw TCP that stops short of its Content-Length', async () => {
    // The client declares 4 MiB, sends 2 MiB and waits: the host answers 413 without waiting forever.
    const head = `POST /api/app.info HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nAuthorization: Bearer ${t.token}\r\nContent-Length: ${4 << 20}\r\n\r\n`;
    const response = await exchange(t.port, Buffer.concat([Buffer.from(head), Buffer.alloc(2 << 20, 0x20)]));
    expect(statusOf(response)).toBe(413);
    await expectAlive(t);
  });

  it('still accepts a body of exactly 1 MiB (it reaches the schema check, not the size limit)', async () => {
    const prefix = '{"padding":"';
    const body = prefix + 'x'.repeat((1 << 20) - prefix.length - 2) + '"}';
    expect(Buffer.byteLength(body)).toBe(1 << 20);
    const r = await httpRequest(t, 'POST', '/api/app.info', { body, headers: { authorization: `Bearer ${t.token}` } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.message).toContain('app.info');
    await expectAlive(t);
  });
});

// ---------------------------------------------------------------------------------------------
// The real web process (build/main/web.js)
// ---------------------------------------------------------------------------------------------

const WEB_JS = join(REPO_ROOT, 'build/main/web.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function ensureWebBuilt(): void {
  if (!existsSync(WEB_JS) || statSync(WEB_JS).mtimeMs < newestMtime(join(REPO_ROOT, 'src-main'))) {
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:main'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
}

interface WebProcess {
  child: ChildProcessWithoutNullStreams;
  target: Target;
  stderr: () => string;
  /** Resolves with the stderr text once it holds `count` lines that match `re`. */
  waitForStderr: (re: RegExp, count: number) => Promise<string[]>;
  stop: () => Promise<void>;
}

/** Spawns the web process and waits for the address it prints on stdout. */
async function startWebProcess(userDataDir: string, nodeArgs: string[] = []): Promise<WebProcess> {
  const child = spawn(process.execPath, [...nodeArgs, WEB_JS, '--port', '0'], {
    cwd: REPO_ROOT,
    env: { ...process.env, IQA_USER_DATA: userDataDir, IQA_ROOTS: userDataDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const stderrWaiters = new Set<() => void>();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    stderr += c;
    for (const w of stderrWaiters) w();
  });
  child.stdout.setEncoding('utf8');
  const target = await new Promise<Target>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web process printed no address; stdout: ${stdout}; stderr: ${stderr}`)), 60_000);
    child.stdout.on('data', (c: string) => {
      stdout += c;
      const m = /serving at http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), token: m[2]! });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`web process exited (${code ?? signal}) before printing its address; stderr: ${stderr}`));
    });
  });
  const exited = new Promise<void>((ok) => (child.exitCode !== null || child.signalCode !== null ? ok() : child.once('exit', () => ok())));
  return {
    child,
    target,
    stderr: () => stderr,
    waitForStderr: (re, count) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const lines = stderr.split('\n').filter((l) => re.test(l));
          if (lines.length >= count) {
            stderrWaiters.delete(check);
            clearTimeout(timer);
            resolve(lines);
          }
        };
        const timer = setTimeout(() => {
          stderrWaiters.delete(check);
          reject(new Error(`stderr never showed ${count} lines matching ${re}: ${stderr}`));
        }, CLOSE_TIMEOUT_MS);
        stderrWaiters.add(check);
        check();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

describe('the web process (build/main/web.js) survives malformed input', () => {
  let tmp: { dir: string; cleanup: () => void };
  const started: WebProcess[] = [];

  beforeAll(() => {
    ensureWebBuilt();
    tmp = tempDir('web-fuzz');
  });
  afterAll(async () => {
    for (const p of started) await p.stop();
    tmp?.cleanup();
  });

  it('answers malformed upgrades and frames, and is still alive and answering afterwards', async () => {
    const web = await startWebProcess(join(tmp.dir, 'userdata-1'));
    started.push(web);
    const t = web.target;
    await expectAlive(t);
    for (const c of malformedUpgrades(t)) {
      expect(statusOf(await exchange(t.port, c.request)), c.name).toBe(c.status);
      expect(web.child.exitCode, c.name).toBeNull();
      await expectAlive(t);
    }
    for (const f of MALFORMED_FRAMES) {
      const r = await sendMalformedFrame(t, f.bytes);
      expect([r.status, r.closeCode], f.name).toEqual([101, f.closeCode]);
      await expectAlive(t);
    }
    for (const path of BAD_PERCENT_PATHS) expect((await httpRequest(t, 'GET', path)).status, path).toBe(400);
    const big = await httpRequest(t, 'POST', '/api/app.info', { body: Buffer.alloc(2 << 20, 0x20), headers: { authorization: `Bearer ${t.token}` } });
    expect(big.status).toBe(413);
    expect(web.child.exitCode).toBeNull();
    expect(web.child.signalCode).toBeNull();
    await expectAlive(t);
    await web.stop();
    expect(web.child.exitCode).toBe(0);
  });

  it.skipIf(process.platform === 'win32')('logs an uncaught error and an unhandled rejection as one line each and keeps serving', async () => {
    // A preloaded module makes the process throw from an event handler and leave a rejection
    // unhandled when it receives SIGUSR2: exactly what a bug in a handler would do.
    const preload =
      'data:text/javascript,' +
      encodeURIComponent(
        "process.on('SIGUSR2', () => { Promise.reject(new Error('fuzz rejection\\nsecond line')); throw new Error('fuzz uncaught\\nsecond line'); });",
      );
    const web = await startWebProcess(join(tmp.dir, 'userdata-2'), ['--import', preload]);
    started.push(web);
    await expectAlive(web.target);
    web.child.kill('SIGUSR2');
    const lines = await web.waitForStderr(/fuzz (uncaught|rejection)/, 2);
    expect(lines.some((l) => l.includes('fuzz uncaught'))).toBe(true);
    expect(lines.some((l) => l.includes('fuzz rejection'))).toBe(true);
    expect(web.stderr()).not.toMatch(/^second line/m); // one line per error
    expect(web.child.exitCode).toBeNull();
    await expectAlive(web.target);
    await web.stop();
    expect(web.child.exitCode).toBe(0);
  });
});
