/**
 * LAN mode (issue 12, docs/lan.md): one study opened to participants' browsers on other machines.
 *
 * Each study that the researcher turns it on for gets a listener of its own (node:http), bound to one
 * interface address of this machine (never 0.0.0.0), with a fresh token of 32 random bytes held in
 * memory only: it dies with the listener, and so with the engine. The listener serves
 *
 * - `GET /p/<token>/`: the built renderer's page and its files (the page sees the `/p/<token>/` path
 *   and shows the participant screen only, talking to the endpoints below), with the app's strict CSP;
 * - `POST /p/<token>/api/<command>`: the participant commands of common/lan.ts only. The client never
 *   names a project folder, a study or a path: the listener fills in the project and the study from
 *   the token, refuses a session of another study, and asks for the key it returned with
 *   `sessions.enrol` (an HMAC of the session id, header `X-Session-Key`) before a session's other calls,
 *   so one participant cannot answer for another by guessing a session id. `sessions.stimulus` gives
 *   only the stimuli the session's own trials show (services/study/presentation.ts), `studies.progress`
 *   only the study's name (no other participant's code, display or notes), and `sessions.update` only
 *   the display (the notes are the researcher's).
 *
 * Everything else is a JSON error (404 for another path or command, 403 for a wrong token, 421 for a
 * wrong Host); error messages lose the project folder and any path, and a bug is "internal error",
 * never a stack. Inputs go through host/dispatch.ts, so they are validated by the contract's schemas
 * like every other command. Sessions are independent: any number of participants at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import QRCode from 'qrcode';
import type { Handlers, Reply } from '../common/contract';
import { CONTENT_SECURITY_POLICY } from '../common/csp';
import { IqaError, type ErrorCode, type WireError } from '../common/errors';
import { LAN_PARTICIPANT_COMMANDS, LAN_SESSION_KEY_HEADER, lanPagePath, type LanInterface, type LanListenerInfo, type LanParticipantCommand, type LanStatus } from '../common/lan';
import type { Db } from '../services/store/project-db';
import { readStudy } from '../services/study/designs';
import type { LanControl } from '../services/study/lan-control';
import { dispatch } from './dispatch';
import { BodyTooLarge, decodePath, drained, MIME, oneLineError, parseTarget, readBody, sameToken, send, STATUS } from './http-host';

/** A session counts as active while it called within this long. */
const ACTIVE_MS = 120_000;

export interface LanModeContext {
  handlers: Handlers;
  /** The project's open database (the engine's, its folder checked by the engine's access rules). */
  db(projectDir: string): Db;
  /** The built renderer (index.html and assets); without it the page is a 404 and only the API answers. */
  staticDir?: string;
  /** The machine's IPv4 interfaces (tests pass their own); default: os.networkInterfaces(). */
  interfaces?: () => LanInterface[];
}

/** This machine's IPv4 interface addresses, the non-loopback ones first (the first is the default). */
export function ipv4Interfaces(): LanInterface[] {
  const out: LanInterface[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4') out.push({ name, address: a.address, internal: a.internal });
  }
  return out.sort((a, b) => Number(a.internal) - Number(b.internal));
}

interface Listener {
  info: LanListenerInfo;
  projectDir: string;
  studyId: number;
  server: Server;
  /** The secret the session keys are derived from (HMAC-SHA256 of the session id). */
  secret: Buffer;
  /** Session id → when it last called (ms); the sessions enrolled or resumed here. */
  seen: Map<number, number>;
}

const keyOf = (secret: Buffer, sessionId: number): string => createHmac('sha256', secret).update(String(sessionId)).digest('base64url');

const fail = (res: ServerResponse, status: number, code: ErrorCode, message: string, extra: Record<string, string> = {}) =>
  send(res, status, JSON.stringify({ ok: false, error: { code, message } } satisfies Reply<never>), 'application/json; charset=utf-8', extra);

/**
 * An engine error as a participant may see it: no `file`, no `details`, no project folder or other
 * absolute path in the message, and a bug is one generic sentence.
 */
export function participantError(e: WireError, projectDir: string): WireError {
  if (e.code === 'E_INTERNAL') return { code: e.code, message: 'internal error' };
  const message = e.message
    .split(projectDir)
    .join('…')
    .replace(/(^|[\s'"`(=…])(?:[A-Za-z]:\\|\\\\|\/)[^\s'"`,;:()]+/g, '$1…')
    .replace(/…+/g, '…');
  return { code: e.code, message };
}

function isParticipantCommand(name: string): name is LanParticipantCommand {
  return (LAN_PARTICIPANT_COMMANDS as readonly string[]).includes(name);
}

export function createLanControl(ctx: LanModeContext): LanControl {
  const listeners = new Map<string, Listener>();
  const keyFor = (projectDir: string, studyId: number) => `${resolve(projectDir)}\u0000${studyId}`;
  const interfaces = () => (ctx.interfaces ?? ipv4Interfaces)();
  const staticDir = ctx.staticDir ? resolve(ctx.staticDir) : undefined;

  const sessionStudy = (l: Listener, sessionId: number): number | undefined =>
    (ctx.db(l.projectDir).prepare('SELECT study_id FROM sessions WHERE id = ?').get(sessionId) as { study_id: number } | undefined)?.study_id;

  /** The payload the engine gets for a participant's call: the project and study from the token, nothing else the client sent about them. */
  const payloadFor = (l: Listener, name: LanParticipantCommand, body: Record<string, unknown>, sessionKey: string | undefined): Record<string, unknown> => {
    const { projectDir: _p, studyId, ...rest } = body;
    if (studyId !== undefined && studyId !== l.studyId) throw new IqaError('E_FORBIDDEN', 'this page serves one study only');
    if (name === 'studies.progress') return { projectDir: l.projectDir, studyId: l.studyId };
    if (name === 'sessions.enrol') {
      const { notes: _n, ...own } = rest;
      return { ...own, projectDir: l.projectDir, studyId: l.studyId };
    }
    const sessionId = rest.sessionId;
    if (typeof sessionId !== 'number' || !Number.isInteger(sessionId) || sessionId <= 0) {
      throw new IqaError('E_INPUT', `${name}: sessionId: a positive whole number is required`);
    }
    // The key first (it says nothing about which sessions exist), then the study.
    if (!sameToken(sessionKey, keyOf(l.secret, sessionId)) || sessionStudy(l, sessionId) !== l.studyId) {
      throw new IqaError('E_FORBIDDEN', 'this session was not started on this page: enter the participant code again');
    }
    if (name === 'sessions.update') {
      const { notes: _n, ...own } = rest;
      return { ...own, projectDir: l.projectDir };
    }
    return { ...rest, projectDir: l.projectDir };
  };

  const serveStatic = (req: IncomingMessage, res: ServerResponse, rest: string) => {
    const decoded = decodePath(rest);
    if (decoded === null || !staticDir) return fail(res, 404, 'E_NOT_FOUND', 'not found');
    const file = decoded === '/' ? join(staticDir, 'index.html') : normalize(join(staticDir, decoded));
    if (!file.startsWith(staticDir + sep) || !MIME[extname(file)] || !existsSync(file) || !statSync(file).isFile()) {
      return fail(res, 404, 'E_NOT_FOUND', 'not found');
    }
    const isPage = file.endsWith(`${sep}index.html`);
    res.writeHead(200, {
      'content-type': MIME[extname(file)]!,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      // The page's address holds the token: never cached, never sent on.
      'cache-control': isPage ? 'no-store' : 'private, max-age=3600',
    });
    if (req.method === 'HEAD') return res.end();
    pipeline(createReadStream(file), res, () => undefined);
  };

  const callApi = async (req: IncomingMessage, res: ServerResponse, l: Listener, name: string) => {
    if (req.method !== 'POST') return fail(res, 405, 'E_INPUT', 'API calls are POST requests');
    if (!isParticipantCommand(name)) return fail(res, 404, 'E_NOT_FOUND', 'not a participant command');
    const origin = req.headers.origin;
    if (origin && origin !== `http://${l.info.host}:${l.info.port}`) return fail(res, 403, 'E_UNAUTHORIZED', 'cross-origin request refused');
    let body: unknown;
    try {
      const text = await readBody(req);
      body = text ? JSON.parse(text) : {};
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        await drained(req);
        return fail(res, 413, 'E_INPUT', err.message, { connection: 'close' });
      }
      return fail(res, 400, 'E_INPUT', 'the request body is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(res, 400, 'E_INPUT', 'the request body must be a JSON object');
    const keyHeader = req.headers[LAN_SESSION_KEY_HEADER];
    let reply: Reply<unknown>;
    try {
      const payload = payloadFor(l, name, body as Record<string, unknown>, typeof keyHeader === 'string' ? keyHeader : undefined);
      reply = await dispatch(ctx.handlers, name, payload, { onInternal: (n, err) => process.stderr.write(`[iqa] LAN ${n} failed: ${oneLineError(err)}\n`) });
    } catch (err) {
      const e = err instanceof IqaError ? err.toWire() : { code: 'E_INTERNAL' as const, message: String(err) };
      reply = { ok: false, error: e };
    }
    if (!reply.ok) {
      const error = participantError(reply.error, l.projectDir);
      return fail(res, STATUS[error.code] ?? 422, error.code, error.message);
    }
    let value = reply.value;
    const extra: Record<string, string> = {};
    if (name === 'studies.progress') {
      // The study's name for the page's title; no participant's code, progress, display or notes.
      const p = value as { studyId: number; name: string };
      value = { studyId: p.studyId, name: p.name, participants: [], finished: 0 };
    } else {
      const sessionId = (value as { sessionId?: unknown }).sessionId ?? (body as { sessionId?: unknown }).sessionId;
      if (typeof sessionId === 'number') {
        l.seen.set(sessionId, Date.now());
        if (name === 'sessions.enrol') extra[LAN_SESSION_KEY_HEADER] = keyOf(l.secret, sessionId);
      }
    }
    return send(res, 200, JSON.stringify({ ok: true, value } satisfies Reply<unknown>), 'application/json; charset=utf-8', extra);
  };

  const handle = async (l: Listener, req: IncomingMessage, res: ServerResponse) => {
    // DNS rebinding: only the address the participants were given.
    if (req.headers.host !== `${l.info.host}:${l.info.port}`) return fail(res, 421, 'E_UNAUTHORIZED', 'wrong host');
    const url = parseTarget(req.url);
    if (!url) return fail(res, 400, 'E_INPUT', 'malformed request-target');
    const m = /^\/p\/([^/]*)(\/.*)?$/.exec(url.pathname);
    if (!m) return fail(res, 404, 'E_NOT_FOUND', 'not found');
    if (!sameToken(m[1], l.info.token)) return fail(res, 403, 'E_UNAUTHORIZED', 'missing or wrong token');
    const rest = m[2] ?? '';
    // The page's files are relative to /p/<token>/: send the bare address there.
    if (rest === '') return send(res, 308, '', 'text/plain', { location: lanPagePath(l.info.token) });
    if (rest.startsWith('/api/')) return callApi(req, res, l, rest.slice('/api/'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'E_INPUT', 'method not allowed');
    return serveStatic(req, res, rest);
  };

  const close = (l: Listener): Promise<void> => {
    listeners.delete(keyFor(l.projectDir, l.studyId));
    const closed = new Promise<void>((ok) => l.server.close(() => ok()));
    // Open connections (keep-alive, a stalled request) must not keep the listener, or its token, alive.
    l.server.closeAllConnections();
    return closed;
  };

  return {
    async start({ projectDir, studyId, host, port }) {
      const dir = resolve(projectDir);
      const existing = listeners.get(keyFor(dir, studyId));
      if (existing) return existing.info;
      // The study must be one that runs (a designed study, not imported ratings).
      readStudy(ctx.db(dir), studyId);
      const choices = interfaces();
      const address = host ?? choices.find((i) => !i.internal)?.address;
      if (!address) throw new IqaError('E_INPUT', 'this machine has no network interface with an IPv4 address: connect it to the network, or choose 127.0.0.1 (this machine only)');
      if (!choices.some((i) => i.address === address)) {
        throw new IqaError('E_INPUT', `${address} is not an address of this machine; choose one of ${choices.map((i) => i.address).join(', ') || 'its interfaces'}`);
      }
      const token = randomBytes(32).toString('base64url');
      const server = createServer();
      const l: Listener = {
        info: { studyId, url: '', token, qrSvg: '', host: address, port: 0, startedAt: new Date().toISOString() },
        projectDir: dir,
        studyId,
        server,
        secret: randomBytes(32),
        seen: new Map(),
      };
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        handle(l, req, res).catch((err: unknown) => {
          process.stderr.write(`[iqa] LAN request failed: ${oneLineError(err)}\n`);
          if (!res.headersSent) fail(res, 500, 'E_INTERNAL', 'internal error');
          else res.destroy();
        });
      });
      server.on('clientError', (_err, socket) => socket.destroy());
      await new Promise<void>((ok, bad) => {
        server.once('error', bad);
        server.listen(port ?? 0, address, () => {
          server.off('error', bad);
          ok();
        });
      }).catch((err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? `port ${port} is in use; choose another, or none for any free port` : err.code === 'EACCES' ? `not allowed to listen on port ${port}` : oneLineError(err);
        throw new IqaError('E_INPUT', `cannot listen on ${address}: ${why}`);
      });
      server.on('error', (err) => process.stderr.write(`[iqa] LAN listener: ${oneLineError(err)}\n`));
      l.info.port = (server.address() as AddressInfo).port;
      l.info.url = `http://${address}:${l.info.port}${lanPagePath(token)}`;
      l.info.qrSvg = await QRCode.toString(l.info.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      // Two starts at once: the first to finish wins, the other closes its own listener.
      const raced = listeners.get(keyFor(dir, studyId));
      if (raced) {
        await close(l).catch(() => undefined);
        listeners.set(keyFor(dir, studyId), raced);
        return raced.info;
      }
      listeners.set(keyFor(dir, studyId), l);
      return l.info;
    },
    async stop({ projectDir, studyId }) {
      const l = listeners.get(keyFor(projectDir, studyId));
      if (!l) return { stopped: false };
      await close(l);
      return { stopped: true };
    },
    async status({ projectDir, studyId }): Promise<LanStatus> {
      const l = listeners.get(keyFor(projectDir, studyId));
      const now = Date.now();
      const active = l ? [...l.seen.values()].filter((t) => now - t < ACTIVE_MS).length : 0;
      return { listener: l?.info ?? null, active, sessions: l?.seen.size ?? 0, interfaces: interfaces() };
    },
    closeAll() {
      return Promise.all([...listeners.values()].map(close)).then(() => undefined);
    },
  };
}

/** Attaches LAN mode to an engine: its `studies.lan.*` commands start and stop listeners over its handlers. */
export function attachLanMode(engine: { handlers: Handlers; db(dir: string): Db; attachLan(control: LanControl): void }, staticDir?: string): LanControl {
  const control = createLanControl({ handlers: engine.handlers, db: (dir) => engine.db(dir), ...(staticDir ? { staticDir } : {}) });
  engine.attachLan(control);
  return control;
}

