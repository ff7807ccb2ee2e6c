/**
 * The only module that talks to the engine. In the desktop app the preload exposes `window.iqa`
 * (IPC); in a browser the page talks to the loopback host over HTTP and a WebSocket, with the token
 * it was opened with (`#token=...`, kept in sessionStorage so a reload keeps working, and stripped from
 * the address bar). Both give the same typed `Api`; failures arrive as ApiError with the engine's code
 * and, as `message`, the engine's message made into sentences (lib/messages.ts; `raw` keeps it as sent).
 *
 * Without a token, or with one the host refuses, the page cannot do anything: `authProblem()` says so
 * (and `onAuthChange` when it changes), and a token pasted into the fragment later is taken at once
 * (hashchange), without a reload.
 *
 * A page opened at `/p/<token>/` on a study's LAN listener (docs/lan.md) is the participant page: its
 * transport (lib/lan-transport.ts) reaches the participant commands of that one study, nothing else.
 */
import type { Api, CommandName, EventName, Events, Reply } from '../../../src-main/common/contract-types';
import type { PickPathReply, PickPathRequest } from '../../../src-main/common/desktop-names';
import type { WireError } from '../../../src-main/common/errors';
import { plainMessage } from './messages';
import { lanTokenFromPath } from '../../../src-main/common/lan';
import { lanCall, lanStudy } from './lan-transport';
import { BINARY_REPLY_TYPE, decodeBinaryReply } from '../../../src-main/common/binary-reply';

export class ApiError extends Error {
  readonly code: WireError['code'];
  readonly file?: string;
  /** The engine's message as it was sent (command and field prefixes included). */
  readonly raw: string;
  constructor(wire: WireError) {
    super(plainMessage(wire));
    this.name = 'ApiError';
    this.code = wire.code;
    this.file = wire.file;
    this.raw = wire.message;
  }
}

/** Why the page cannot reach the engine: no token in its address, or a token the host refused. */
export type AuthProblem = 'missing' | 'wrong';

interface PreloadBridge {
  commands: Record<string, (input: unknown) => Promise<Reply<unknown>>>;
  on(event: EventName, listener: (data: unknown) => void): () => void;
  desktop?: { pickPath(request: PickPathRequest): Promise<PickPathReply> };
  transport: 'ipc';
}

type Listener<E extends EventName> = (data: Events[E]) => void;

interface Transport {
  call(name: CommandName, input: unknown): Promise<Reply<unknown>>;
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
  kind: 'ipc' | 'http' | 'lan';
}

function ipcTransport(bridge: PreloadBridge): Transport {
  return {
    kind: 'ipc',
    call: (name, input) => bridge.commands[name]!(input),
    on: (event, listener) => bridge.on(event, listener as (d: unknown) => void),
  };
}

const TOKEN_KEY = 'iqa.token';

/** The token in the address's fragment, taken into session storage and stripped from the address bar. */
function takeTokenFromHash(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!fromHash) return null;
  sessionStorage.setItem(TOKEN_KEY, fromHash);
  // Strip the token from the address bar (and so from history, bookmarks and screen shares); the
  // session storage keeps it for reloads of this tab.
  const params = new URLSearchParams(location.hash.slice(1));
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  return fromHash;
}

function readToken(): string {
  return takeTokenFromHash() ?? sessionStorage.getItem(TOKEN_KEY) ?? '';
}

let authState: AuthProblem | null = null;
const authListeners = new Set<(problem: AuthProblem | null, tokenChanged: boolean) => void>();
function setAuth(problem: AuthProblem | null, tokenChanged = false): void {
  if (problem === authState && !tokenChanged) return;
  authState = problem;
  for (const l of authListeners) l(problem, tokenChanged);
}

function httpTransport(): Transport {
  let token = readToken();
  const listeners = new Map<EventName, Set<(d: unknown) => void>>();
  let socket: WebSocket | null = null;
  let retry = 500;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const connect = () => {
    timer = null;
    if (!token) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const s = new WebSocket(`${proto}//${location.host}/events?token=${encodeURIComponent(token)}`);
    socket = s;
    s.onopen = () => (retry = 500);
    s.onmessage = (msg) => {
      try {
        const { event, data } = JSON.parse(String(msg.data)) as { event: EventName; data: unknown };
        for (const l of listeners.get(event) ?? []) l(data);
      } catch {
        // a malformed event is dropped, the socket stays up
      }
    };
    s.onclose = () => {
      if (socket !== s) return; // replaced after a new token
      socket = null;
      timer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  if (!token) authState = 'missing';
  connect();
  // A corrected link pasted into the address bar: take its token, reconnect, and let the app start again.
  addEventListener('hashchange', () => {
    const fresh = takeTokenFromHash();
    if (!fresh) return;
    token = fresh;
    retry = 500;
    if (timer) clearTimeout(timer);
    const old = socket;
    socket = null;
    old?.close();
    connect();
    setAuth(null, true);
  });
  return {
    kind: 'http',
    async call(name, input) {
      if (!token) {
        setAuth('missing');
        return { ok: false, error: { code: 'E_UNAUTHORIZED', message: 'this page was opened without its access token' } };
      }
      const sent = token;
      let res: Response;
      try {
        res = await fetch(`/api/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${sent}` },
          body: JSON.stringify(input ?? {}),
        });
      } catch (err) {
        return { ok: false, error: { code: 'E_INTERNAL', message: `the engine is not reachable (${(err as Error).message})` } };
      }
      let reply: Reply<unknown>;
      try {
        // Pixels (the viewer's frames and maps) come as bytes, not JSON: common/binary-reply.ts.
        const binary = res.headers.get('content-type') === BINARY_REPLY_TYPE;
        reply = (binary ? decodeBinaryReply(await res.arrayBuffer()) : await res.json()) as Reply<unknown>;
      } catch {
        return { ok: false, error: { code: 'E_INTERNAL', message: `the engine answered ${res.status} without a reply` } };
      }
      // Only a refusal of the token still in use says the link is wrong (not one sent before a fix).
      if (!reply.ok && reply.error.code === 'E_UNAUTHORIZED' && /token/.test(reply.error.message) && sent === token) setAuth('wrong');
      return reply;
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (d: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (d: unknown) => void);
    },
  };
}

/** The participant page of a study's LAN listener (`/p/<token>/`): the participant commands only, no events. */
function lanTransport(token: string): Transport {
  return { kind: 'lan', call: (name, input) => lanCall(token, name, input), on: () => () => undefined };
}

/** The token of a LAN participant page (lib/lan-transport.ts), or null in the app and on the loopback host. */
const lanToken = typeof location === 'undefined' ? null : lanTokenFromPath(location.pathname);

function createTransport(): Transport {
  const bridge = (globalThis as { iqa?: PreloadBridge }).iqa;
  if (bridge?.transport === 'ipc') return ipcTransport(bridge);
  return lanToken ? lanTransport(lanToken) : httpTransport();
}

const transport = createTransport();

/** `api['projects.create']({ dir })` etc.: typed by the contract, throws ApiError on failure. */
export const api = new Proxy({} as Api, {
  get: (_t, name: string) => async (input: unknown) => {
    const reply = await transport.call(name as CommandName, input);
    if (!reply.ok) throw new ApiError(reply.error);
    return reply.value;
  },
});

export function onEvent<E extends EventName>(event: E, listener: Listener<E>): () => void {
  return transport.on(event, listener);
}

export const transportKind = transport.kind;

/** Whether this page is a study's LAN participant page (main.ts then shows the participant screen only). */
export const isLanPage = transport.kind === 'lan';

/** The study a LAN participant page serves (only on such a page). */
export function lanPageStudy(): Promise<{ studyId: number; name: string }> {
  if (!lanToken) return Promise.reject(new Error('not a LAN participant page'));
  return lanStudy(lanToken);
}

/** Whether the page lacks a usable token (web only; the desktop app always has its engine). */
export function authProblem(): AuthProblem | null {
  return authState;
}

/** Called when the token problem changes, and (tokenChanged) when a new token was taken from the address. */
export function onAuthChange(listener: (problem: AuthProblem | null, tokenChanged: boolean) => void): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

const desktopBridge = (globalThis as { iqa?: PreloadBridge }).iqa?.desktop;

/** Whether native open dialogs exist (the desktop app); in a browser paths are typed. */
export const canPickPaths = desktopBridge !== undefined;

/** A native open dialog: the chosen absolute path, or null (cancelled, or not the desktop app). */
export async function pickPath(request: PickPathRequest): Promise<string | null> {
  if (!desktopBridge) return null;
  return (await desktopBridge.pickPath(request)).path;
}

