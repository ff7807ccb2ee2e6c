/**
 * Starting ffmpeg and ffprobe without blocking the engine's thread. A fork's cost grows with the
 * memory of the process that forks (40–300 ms for the engine with its ONNX sessions and frame rings
 * on a 2-core machine), so the engine does not start them itself: a small launcher process
 * (workers/process-launcher.worker.ts, started once, early, while the engine is still small) does,
 * and connects the new process's stdout, stderr and further pipes to this process's private Unix
 * socket, one connection per stream, each announced by a random token. Frames and logs flow straight
 * from ffmpeg into the engine; only exit statuses travel over the IPC channel.
 *
 * `launchProcess` resolves with a ChildProcess-like object (streams per file descriptor, 'error' and
 * 'close' events, kill, exitCode) once the process has started and its streams are connected, so
 * callers read it as they read a spawned child. On Windows, with IQA_LAUNCHER=direct, or when the
 * launcher cannot start, processes are spawned directly (the old way: correct, only slower to start).
 *
 * In the Electron app the launcher runs as a utilityProcess (the packaged binary cannot fork Node
 * processes: its runAsNode fuse is off); app/main.ts installs that channel with setLauncherChannel.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { LauncherReply, LauncherRequest } from '../../workers/process-launcher-messages';
import { workerFile } from '../worker-files';

export type StdioMode = 'ignore' | 'pipe';

export interface LaunchOptions {
  /** Per file descriptor 0, 1, 2, 3, ...: 'pipe' to read it here. Standard input is never connected. */
  stdio: readonly StdioMode[];
  /** Aborting kills the process (killSignal) and emits an 'error' named AbortError, as spawn does. */
  signal?: AbortSignal;
  /** Kill the process (killSignal) after this many ms. */
  timeoutMs?: number;
  killSignal?: NodeJS.Signals;
}

/** What callers use of a child process: the same members as node's ChildProcess. */
export interface LaunchedProcess {
  readonly stdio: readonly (Readable | null)[];
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly exitCode: number | null;
  readonly killed: boolean;
  kill(signal?: NodeJS.Signals): boolean;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'error', listener: (err: Error) => void): this;
  once(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
}

/** The IPC channel to the launcher process: a Node fork here, an Electron utilityProcess in the app. */
export interface LauncherChannel {
  send(message: LauncherRequest): void;
  onMessage(listener: (message: LauncherReply) => void): void;
  onExit(listener: () => void): void;
  /** Keep this process alive while launched processes may still report (ref) or not (unref). */
  ref(): void;
  unref(): void;
  kill(): void;
}

export type LauncherChannelFactory = (script: string) => LauncherChannel;

const TOKEN_CHARS = 32;

function forkChannel(script: string): LauncherChannel {
  const child: ChildProcess = fork(script, [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // The launcher is plain Node: none of this process's flags (a test runner's loaders, --inspect).
    execArgv: [],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    serialization: 'json',
  });
  // Idle, the launcher keeps nothing alive (a command that starts no process must still exit); while
  // processes are in flight the channel is ref'd (Launcher.#updateRef).
  child.unref();
  child.channel?.unref();
  return {
    send: (m) => child.send(m),
    onMessage: (l) => child.on('message', (m) => l(m as LauncherReply)),
    onExit: (l) => child.once('exit', l),
    ref: () => {
      child.ref();
      child.channel?.ref();
    },
    unref: () => {
      child.unref();
      child.channel?.unref();
    },
    kill: () => child.kill('SIGKILL'),
  };
}

let channelFactory: LauncherChannelFactory = forkChannel;

/** The app installs its utilityProcess channel here before the engine starts. */
export function setLauncherChannel(factory: LauncherChannelFactory): void {
  channelFactory = factory;
}

function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

/** A process the launcher started: its streams are sockets of this process's server. */
class LaunchedRemote extends EventEmitter implements LaunchedProcess {
  readonly stdio: (Readable | null)[];
  exitCode: number | null = null;
  killed = false;
  #status: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  #open: number;
  #closed = false;

  constructor(
    private readonly launcher: Launcher,
    readonly id: number,
    streams: (Socket | null)[],
  ) {
    super();
    this.stdio = streams;
    // A stream already closed (a process that wrote nothing and is gone) is not waited for.
    const open = streams.filter((s): s is Socket => s !== null && !s.destroyed);
    this.#open = open.length;
    for (const s of open) s.once('close', () => this.#streamClosed());
  }

  get stdout(): Readable | null {
    return this.stdio[1] ?? null;
  }

  get stderr(): Readable | null {
    return this.stdio[2] ?? null;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.#status) return false;
    this.launcher.kill(this.id, signal);
    this.killed = true;
    return true;
  }

  exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.#status = { code, signal };
    this.exitCode = code;
    this.#maybeClose();
  }

  failed(err: Error): void {
    this.emit('error', err);
    // A process that never ran closes its streams (the launcher dropped them): 'close' follows as for spawn.
    if (!this.#status) this.exited(null, null);
  }

  #streamClosed(): void {
    this.#open -= 1;
    this.#maybeClose();
  }

  #maybeClose(): void {
    if (this.#closed || !this.#status || this.#open > 0) return;
    this.#closed = true;
    const { code, signal } = this.#status;
    // Asynchronously, as for spawn: a caller attaches its listeners after launchProcess resolves.
    setImmediate(() => this.emit('close', code, signal));
  }
}

interface PendingLaunch {
  streams: Map<string, Socket | null>;
  started: boolean;
  error: Error | null;
  /** An exit reported before the launch resolved (a process quicker than its streams' tokens). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  settle: () => void;
}

/** The launcher process, this process's socket server, and the processes in flight. */
class Launcher {
  #channel: LauncherChannel;
  #server: Server;
  #socketPath: string;
  #dir: string;
  #listening: Promise<void>;
  #waiting = new Map<string, (s: Socket) => void>();
  #pending = new Map<number, PendingLaunch>();
  #running = new Map<number, LaunchedRemote>();
  #nextId = 1;
  dead = false;

  constructor(factory: LauncherChannelFactory) {
    this.#dir = mkdtempSync(join(tmpdir(), 'iqa-launch-'));
    this.#socketPath = join(this.#dir, 's');
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.unref();
    this.#listening = new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#socketPath, () => resolve());
    });
    this.#listening.catch(() => this.#die(new Error('the launcher socket could not listen')));
    this.#channel = factory(workerFile('process-launcher.worker'));
    this.#channel.onMessage((m) => this.#reply(m));
    this.#channel.onExit(() => this.#die(new Error('the process launcher exited')));
    process.once('exit', () => rmSync(this.#dir, { recursive: true, force: true }));
  }

  /** Reads a connection's token, then hands the socket to the launch that waits for it. */
  #accept(socket: Socket): void {
    socket.on('error', () => {}); // a stream's errors reach its reader through 'close'; none may crash the engine
    const onReadable = () => {
      const token = socket.read(TOKEN_CHARS) as Buffer | null;
      if (token === null) return;
      socket.off('readable', onReadable);
      const take = this.#waiting.get(token.toString('latin1'));
      if (!take) return void socket.destroy();
      this.#waiting.delete(token.toString('latin1'));
      take(socket);
    };
    socket.on('readable', onReadable);
  }

  #reply(m: LauncherReply): void {
    const pending = this.#pending.get(m.id);
    if (pending) {
      if (m.op === 'started') pending.started = true;
      else if (m.op === 'error') pending.error = launchError(m.code, m.message);
      else {
        pending.started = true;
        pending.exit = { code: m.code, signal: m.signal };
      }
      pending.settle();
      return;
    }
    const proc = this.#running.get(m.id);
    if (!proc) return;
    if (m.op === 'exit') {
      this.#running.delete(m.id);
      this.#updateRef();
      proc.exited(m.code, m.signal);
    } else if (m.op === 'error') {
      this.#running.delete(m.id);
      this.#updateRef();
      proc.failed(launchError(m.code, m.message));
    }
  }

  #die(err: Error): void {
    if (this.dead) return;
    this.dead = true;
    for (const p of this.#pending.values()) {
      p.error ??= err;
      p.settle();
    }
    for (const proc of this.#running.values()) proc.failed(err);
    this.#running.clear();
    this.#server.close();
    if (launcher === this) launcher = null;
  }

  #updateRef(): void {
    if (this.#pending.size > 0 || this.#running.size > 0) this.#channel.ref();
    else this.#channel.unref();
  }

  kill(id: number, signal: NodeJS.Signals): void {
    if (!this.dead) this.#channel.send({ op: 'kill', id, signal });
  }

  async launch(command: string, args: readonly string[], options: LaunchOptions): Promise<LaunchedProcess> {
    await this.#listening;
    if (this.dead) throw new Error('the process launcher is gone');
    const id = this.#nextId++;
    const tokens = options.stdio.map((mode, fd) => (fd > 0 && mode === 'pipe' ? randomBytes(TOKEN_CHARS / 2).toString('hex') : null));
    const pending: PendingLaunch = { streams: new Map(), started: false, error: null, exit: null, settle: () => {} };
    const streamsIn = tokens.map(
      (token) =>
        token &&
        new Promise<Socket>((resolve) => {
          this.#waiting.set(token, (s) => {
            pending.streams.set(token, s);
            resolve(s);
            pending.settle();
          });
        }),
    );
    this.#pending.set(id, pending);
    this.#updateRef();
    this.#channel.send({
      op: 'launch',
      id,
      command,
      args: [...args],
      socketPath: this.#socketPath,
      stdio: tokens,
      timeoutMs: options.timeoutMs,
      killSignal: options.killSignal,
    });
    const wanted = tokens.filter((t) => t !== null).length;
    try {
      // Started (or failed) and every stream connected, or failed before connecting them.
      await new Promise<void>((resolve) => {
        pending.settle = () => {
          if (pending.error || (pending.started && pending.streams.size === wanted)) resolve();
        };
        pending.settle();
      });
    } finally {
      this.#pending.delete(id);
      for (const t of tokens) if (t && !pending.streams.has(t)) this.#waiting.delete(t);
    }
    const sockets = await Promise.all(streamsIn.map((p) => (p && pending.streams.size === wanted ? p : null)));
    const proc = new LaunchedRemote(this, id, sockets);
    if (pending.error) {
      for (const s of pending.streams.values()) s?.destroy();
      const err = pending.error;
      // Like spawn: the process object comes back, its 'error' event follows.
      setImmediate(() => proc.failed(err));
      this.#updateRef();
      return proc;
    }
    if (pending.exit) proc.exited(pending.exit.code, pending.exit.signal);
    else this.#running.set(id, proc);
    this.#updateRef();
    if (options.signal && !pending.exit) {
      const onAbort = () => {
        proc.kill(options.killSignal ?? 'SIGTERM');
        proc.emit('error', abortError());
      };
      if (options.signal.aborted) setImmediate(onAbort);
      else {
        options.signal.addEventListener('abort', onAbort, { once: true });
        proc.once('close', () => options.signal!.removeEventListener('abort', onAbort));
      }
    }
    return proc;
  }

  close(): void {
    this.#channel.kill();
    this.#die(new Error('the process launcher was closed'));
  }
}

/** An 'error' like the one spawn emits: ENOENT when the command does not exist. */
function launchError(code: string, message: string): Error {
  const err = new Error(message) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

let launcher: Launcher | null = null;
let unavailable = false;

function directMode(): boolean {
  return unavailable || process.platform === 'win32' || process.env.IQA_LAUNCHER === 'direct';
}

function currentLauncher(): Launcher | null {
  if (directMode()) return null;
  if (launcher && !launcher.dead) return launcher;
  try {
    launcher = new Launcher(channelFactory);
  } catch {
    // No launcher script (an unbuilt checkout) or no way to start it: spawn directly from now on.
    unavailable = true;
    launcher = null;
  }
  return launcher;
}

/** Starts the launcher now, while this process is small (the engine calls it when it is created). */
export function prewarmProcessLauncher(): void {
  currentLauncher();
}

/** Stops the launcher process (tests; the next launch starts a new one). */
export function closeProcessLauncher(): void {
  launcher?.close();
  launcher = null;
}

/** How processes are started now: through the launcher process, or directly. */
export function launcherMode(): 'launcher' | 'direct' {
  return currentLauncher() ? 'launcher' : 'direct';
}

/**
 * Starts `command` with `args` (no shell) and resolves once it runs and its piped streams are connected.
 * A command that cannot start resolves too, with an 'error' event to follow, as spawn behaves.
 */
export async function launchProcess(command: string, args: readonly string[], options: LaunchOptions): Promise<LaunchedProcess> {
  const l = currentLauncher();
  if (l) {
    try {
      return await l.launch(command, args, options);
    } catch {
      // The launcher died between two launches: this one starts directly, the next starts a new launcher.
    }
  }
  return spawn(command, args, {
    stdio: options.stdio.map((m, fd) => (fd === 0 ? 'ignore' : m)),
    signal: options.signal,
    timeout: options.timeoutMs,
    killSignal: options.killSignal,
    windowsHide: true,
  }) as unknown as LaunchedProcess;
}
