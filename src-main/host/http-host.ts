/**
 * The loopback host: serves the built UI and the contract over HTTP (POST /api/<command>) and pushes
 * events over a WebSocket (/events). Bound to 127.0.0.1 with a random token that every API call and
 * socket must present; the Host header is checked against DNS rebinding and the Origin against
 * cross-site pages. Static files carry the same strict CSP as the desktop window.
 *
 * The host must not die (issue 11): whatever a local process sends — a malformed Host or
 * request-target, bad percent-encoding, an oversized body, a malformed WebSocket frame, a reset —
 * costs at most that one request or connection. Every request and upgrade path runs inside a
 * try/catch, every socket has an 'error' listener, and refusals are answered (400/401/413/421)
 * before their socket is closed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pipeline, type Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES, type Handlers, type Reply } from '../common/contract';
import { BINARY_REPLY_COMMANDS, type CommandName } from '../common/contract-names';
import { BINARY_REPLY_TYPE, encodeBinaryReply } from '../common/binary-reply';
import type { JobManager } from '../services/jobs/job-manager';
import { dispatch, warmValidators } from './dispatch';
import { CONTENT_SECURITY_POLICY } from '../common/csp';
import type { ErrorCode } from '../common/errors';

export interface HttpHostOptions {
  handlers: Handlers;
  jobs: JobManager;
  /** The built renderer (index.html and assets); omitted to serve the API only. */
  staticDir?: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface HttpHost {
  url: string;
  port: number;
  token: string;
  /** The address to open in a browser: the token travels in the fragment, never to the server logs. */
  browserUrl: string;
  close(): Promise<void>;
}

export const MAX_BODY = 1 << 20;
/**
 * An oversized body is answered 413 only once the client has finished sending it (or stopped): closing
 * a socket with unread data makes the kernel reset it, and the client may then never see the answer.
 * The rest of the body is read and dropped, up to DRAIN_MAX more bytes or until DRAIN_IDLE_MS pass
 * without data; past either, the answer goes out at once.
 */
const DRAIN_MAX = 16 << 20;
const DRAIN_IDLE_MS = 1000;
/** Inbound WebSocket messages are ignored; anything larger than this is a protocol error (1009). */
const MAX_WS_PAYLOAD = 4096;
export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
export const STATUS: Partial<Record<ErrorCode, number>> = {
  E_INPUT: 400,
  E_UNAUTHORIZED: 401,
  E_NOT_FOUND: 404,
  E_NOT_PROJECT: 404,
  E_EXISTS: 409,
  E_FORBIDDEN: 403,
  E_INTERNAL: 500,
};

export function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The headers of every API answer and refusal: never cached, never sniffed, no referrer. */
const answerHeaders = (type: string, length: number, extra: Record<string, string> = {}) => ({
  'content-type': type,
  'content-length': length,
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  ...extra,
});

export function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, answerHeaders(type, Buffer.byteLength(body), extra));
  res.end(body);
}

export function sendReply(res: ServerResponse, reply: Reply<unknown>, status?: number, extra?: Record<string, string>): void {
  status ??= reply.ok ? 200 : (STATUS[reply.error.code] ?? 422);
  send(res, status, JSON.stringify(reply), 'application/json; charset=utf-8', extra);
}

/**
 * A command's reply: pixels (BINARY_REPLY_COMMANDS, when it succeeded) in the binary format of
 * common/binary-reply.ts, written part by part without joining them; everything else as JSON.
 */
export function sendCommandReply(res: ServerResponse, name: string, reply: Reply<unknown>): void {
  if (!reply.ok || !BINARY_REPLY_COMMANDS.includes(name as CommandName)) return sendReply(res, reply);
  const parts = encodeBinaryReply(reply);
  res.writeHead(200, answerHeaders(BINARY_REPLY_TYPE, parts.reduce((n, p) => n + p.byteLength, 0)));
  for (const p of parts) res.write(p);
  res.end();
}

/** The request-target as a URL, or null when it does not parse (e.g. `//[`). The base is fixed. */
export function parseTarget(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/** A URL path decoded, or null when its percent-encoding is malformed (e.g. `%E0%A4%A`). */
export function decodePath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

export class BodyTooLarge extends Error {
  constructor() {
    super(`request body over ${MAX_BODY} bytes`);
  }
}

/**
 * The request body as text. Over MAX_BODY it rejects with BodyTooLarge at once, drops what it had
 * buffered and keeps reading (and dropping) the rest, so the 413 can be delivered: see drained().
 */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    let chunks: Buffer[] = [];
    let over = Number(req.headers['content-length']) > MAX_BODY;
    if (over) reject(new BodyTooLarge());
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > MAX_BODY) {
        over = true;
        chunks = [];
        reject(new BodyTooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolveBody(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/**
 * Resolves once the client has sent the whole request (or closed it), or has sent DRAIN_MAX more
 * bytes, or has sent nothing for DRAIN_IDLE_MS. The body is being read by readBody() meanwhile.
 */
export function drained(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((done) => {
    let more = 0;
    let timer: NodeJS.Timeout;
    const finish = () => {
      clearTimeout(timer);
      req.off('data', onData).off('end', finish).off('close', finish).off('error', finish);
      done();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(finish, DRAIN_IDLE_MS);
      timer.unref();
    };
    const onData = (c: Buffer) => {
      more += c.length;
      if (more > DRAIN_MAX) finish();
      else arm();
    };
    req.on('data', onData).on('end', finish).on('close', finish).on('error', finish);
    arm();
  });
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 421: 'Misdirected Request', 500: 'Internal Server Error' };

/** Answers a refused upgrade on its raw socket, then closes that socket (and only it). */
function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

/** One line for a log: the error's name and message, newlines folded. */
export function oneLineError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.replace(/\s*\n\s*/g, ' | ');
}

export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  warmValidators();
  const staticDir = options.staticDir ? resolve(options.staticDir) : undefined;
  let port = 0;
  const allowedHosts = () => new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  const allowedOrigins = () => new Set([...allowedHosts()].map((h) => `http://${h}`));

  const fail = (res: ServerResponse, code: ErrorCode, message: string) =>
    sendReply(res, { ok: false, error: { code, message } });

  const serveStatic = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const decoded = decodePath(pathname);
    if (decoded === null) return send(res, 400, 'malformed percent-encoding in the path', 'text/plain');
    if (!staticDir) return send(res, 404, 'not found', 'text/plain');
    let file = normalize(join(staticDir, decoded));
    if (file !== staticDir && !file.startsWith(staticDir + sep)) return send(res, 403, 'forbidden', 'text/plain');
    if (!existsSync(file) || statSync(file).isDirectory()) {
      // Single-page app: every unknown path without an extension is the app itself.
      if (extname(pathname)) return send(res, 404, 'not found', 'text/plain');
      file = join(staticDir, 'index.html');
      if (!existsSync(file)) return send(res, 404, 'the UI is not built: run npm run build', 'text/plain');
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    if (req.method === 'HEAD') return res.end();
    // pipeline() destroys the response if the file cannot be read (and the file if the client goes).
    pipeline(createReadStream(file), res, () => undefined);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      if (!allowedHosts().has(req.headers.host ?? '')) return send(res, 421, 'wrong host', 'text/plain');
      const url = parseTarget(req.url);
      if (!url) return send(res, 400, 'malformed request-target', 'text/plain');
      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST') return fail(res, 'E_INPUT', 'API commands are POST requests');
        const origin = req.headers.origin;
        if (origin && !allowedOrigins().has(origin)) return fail(res, 'E_UNAUTHORIZED', 'cross-origin request refused');
        const auth = req.headers.authorization;
        if (!sameToken(auth?.startsWith('Bearer ') ? auth.slice(7) : null, token)) {
          return fail(res, 'E_UNAUTHORIZED', 'missing or wrong token');
        }
        let payload: unknown;
        try {
          const body = await readBody(req);
          payload = body ? JSON.parse(body) : {};
        } catch (err) {
          if (err instanceof BodyTooLarge) {
            // Typed, delivered, then closed: see drained().
            await drained(req);
            return sendReply(res, { ok: false, error: { code: 'E_INPUT', message: err.message } }, 413, { connection: 'close' });
          }
          return fail(res, 'E_INPUT', `bad request body: ${(err as Error).message}`);
        }
        const name = url.pathname.slice('/api/'.length);
        return sendCommandReply(res, name, await dispatch(options.handlers, name, payload));
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', 'text/plain');
      return serveStatic(req, res, url.pathname);
    } catch (err) {
      if (!res.headersSent) fail(res, 'E_INTERNAL', (err as Error).message);
      else res.destroy();
    }
  };
  const server = createServer((req, res) => {
    // Last resort: a throw from the error path itself costs this response only.
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`[iqa] request failed: ${oneLineError(err)}\n`);
      res.destroy();
    });
  });

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD });
  wss.on('error', (err) => process.stderr.write(`[iqa] event socket server: ${oneLineError(err)}\n`));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the raw socket over without an 'error' listener: a reset must not become uncaught.
    socket.on('error', () => socket.destroy());
    try {
      // The Host first, before anything is parsed: it is what DNS rebinding forges.
      if (!allowedHosts().has(req.headers.host ?? '')) return refuseUpgrade(socket, 421, 'wrong host');
      const url = parseTarget(req.url);
      if (!url) return refuseUpgrade(socket, 400, 'malformed request-target');
      const origin = req.headers.origin;
      if (
        url.pathname !== '/events' ||
        (origin && !allowedOrigins().has(origin)) ||
        !sameToken(url.searchParams.get('token'), token)
      ) {
        return refuseUpgrade(socket, 401, 'missing or wrong token');
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        // A malformed frame (oversized, unmasked, bad UTF-8, reserved opcode or bit, bad control
        // frame, bad close code) is emitted here after ws has started closing this connection with
        // the matching close code; without a listener it would be thrown and end the process.
        ws.on('error', () => {
          if (ws.readyState === ws.OPEN) ws.terminate();
        });
        ws.on('close', () => sockets.delete(ws));
        ws.on('message', () => undefined); // the socket is one-way; inbound messages are ignored
      });
    } catch (err) {
      process.stderr.write(`[iqa] event socket upgrade failed: ${oneLineError(err)}\n`);
      if (!socket.destroyed) refuseUpgrade(socket, 500, 'internal error');
    }
  });
  const unsubscribe = options.jobs.onUpdate((job) => {
    try {
      const msg = JSON.stringify({ event: EVENT_NAMES[0], data: job });
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(msg);
    } catch (err) {
      process.stderr.write(`[iqa] job update not pushed: ${oneLineError(err)}\n`);
    }
  });

  await new Promise<void>((ok, bad) => {
    server.once('error', bad);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', bad);
      ok();
    });
  });
  // After listening, a server error (e.g. too many open files on accept) is logged, never thrown.
  server.on('error', (err) => process.stderr.write(`[iqa] loopback host: ${oneLineError(err)}\n`));
  port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  return {
    url,
    port,
    token,
    browserUrl: `${url}/#token=${token}`,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      // A client holding a connection open (idle keep-alive, a stalled request) must not hold up the stop.
      server.closeAllConnections();
      await closed;
    },
  };
}
