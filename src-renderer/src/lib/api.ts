/**
 * The only module that talks to the engine. In the desktop app the preload exposes `window.iqa`
 * (IPC); in a browser the page talks to the loopback host over HTTP and a WebSocket, with the token
 * it was opened with (`#token=...`, kept in sessionStorage so a reload keeps working). Both give the
 * same typed `Api`; failures arrive as IqaError with the engine's code and message.
 */
import type { Api, CommandName, EventName, Events, Reply } from '../../../src-main/common/contract-types';
import type { PickPathReply, PickPathRequest } from '../../../src-main/common/desktop-names';
import type { WireError } from '../../../src-main/common/errors';

export class ApiError extends Error {
  readonly code: WireError['code'];
  readonly file?: string;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = 'ApiError';
    this.code = wire.code;
    this.file = wire.file;
  }
}

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
  kind: 'ipc' | 'http';
}

function ipcTransport(bridge: PreloadBridge): Transport {
  return {
    kind: 'ipc',
    call: (name, input) => bridge.commands[name]!(input),
    on: (event, listener) => bridge.on(event, listener as (d: unknown) => void),
  };
}

const TOKEN_KEY = 'iqa.token';

function readToken(): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    // Strip the token from the address bar (and so from history, bookmarks and screen shares); the
    // session storage keeps it for reloads of this tab.
    const params = new URLSearchParams(location.hash.slice(1));
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function httpTransport(): Transport {
  const token = readToken();
  const listeners = new Map<EventName, Set<(d: unknown) => void>>();
  let socket: WebSocket | null = null;
  let retry = 500;
  const connect = () => {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${proto}//${location.host}/events?token=${encodeURIComponent(token)}`);
    socket.onopen = () => (retry = 500);
    socket.onmessage = (msg) => {
      try {
        const { event, data } = JSON.parse(String(msg.data)) as { event: EventName; data: unknown };
        for (const l of listeners.get(event) ?? []) l(data);
      } catch {
        // a malformed event is dropped, the socket stays up
      }
    };
    socket.onclose = () => {
      socket = null;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  connect();
  return {
    kind: 'http',
    async call(name, input) {
      let res: Response;
      try {
        res = await fetch(`/api/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {}),
        });
      } catch (err) {
        return { ok: false, error: { code: 'E_INTERNAL', message: `the engine is not reachable (${(err as Error).message})` } };
      }
      try {
        return (await res.json()) as Reply<unknown>;
      } catch {
        return { ok: false, error: { code: 'E_INTERNAL', message: `the engine answered ${res.status} without a reply` } };
      }
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (d: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (d: unknown) => void);
    },
  };
}

function createTransport(): Transport {
  const bridge = (globalThis as { iqa?: PreloadBridge }).iqa;
  return bridge?.transport === 'ipc' ? ipcTransport(bridge) : httpTransport();
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

const desktopBridge = (globalThis as { iqa?: PreloadBridge }).iqa?.desktop;

/** Whether native open dialogs exist (the desktop app); in a browser paths are typed. */
export const canPickPaths = desktopBridge !== undefined;

/** A native open dialog: the chosen absolute path, or null (cancelled, or not the desktop app). */
export async function pickPath(request: PickPathRequest): Promise<string | null> {
  if (!desktopBridge) return null;
  return (await desktopBridge.pickPath(request)).path;
}

