/**
 * The process launcher: a small Node child process (started once by services/media/process-launcher.ts
 * with child_process.fork) that starts the engine's ffmpeg and ffprobe processes for it.
 *
 * Why: starting a process forks the one that starts it, and a fork's cost grows with the parent's
 * memory. The engine process holds the ONNX sessions, the WebAssembly kernels and the frame rings
 * (gigabytes), so each ffmpeg it started itself blocked its thread for 40–300 ms on a 2-core machine,
 * and starting one from a worker thread still stalls the engine's thread on the address-space lock.
 * This process stays small, so its forks take a few milliseconds and block nobody the engine serves.
 *
 * The data does not pass through here: for every stdio stream the engine wants, this process connects
 * to the engine's private Unix socket, writes the stream's token and hands the connected socket to the
 * new process as that file descriptor. ffmpeg then writes its frames and its log straight into the
 * engine. Only the exit status (or a failure to start) comes back over the IPC channel.
 *
 * When the engine goes away (its IPC channel closes), every process started here is killed, so a
 * killed engine leaves no decoder running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { setPriority } from 'node:os';
import type { LauncherReply, LauncherRequest } from './process-launcher-messages';
import { WORKER_NICE } from './thread-priority';

// The decoders are background work like the kernels: they start (and inherit) the workers' lower
// priority, so on a busy machine the engine's own thread still gets the CPU at once. This is a process
// of its own, so lowering it is right on every platform.
try {
  setPriority(WORKER_NICE);
} catch {
  // a sandbox that forbids it: the decoders run at the default priority
}

const running = new Map<number, ChildProcess>();

/** In the Electron app this runs as a utilityProcess, whose channel is process.parentPort. */
interface ParentPort {
  on(event: 'message', listener: (e: { data: LauncherRequest }) => void): void;
  postMessage(message: LauncherReply): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function reply(message: LauncherReply): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

/** Connects to the engine's socket and announces the stream by its token. */
function openStream(socketPath: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.write(token, 'latin1', (err) => (err ? reject(err) : resolve(socket)));
    });
  });
}

async function launch(req: Extract<LauncherRequest, { op: 'launch' }>): Promise<void> {
  let sockets: (Socket | null)[] = [];
  try {
    sockets = await Promise.all(req.stdio.map((token) => (token === null ? null : openStream(req.socketPath, token))));
  } catch (err) {
    for (const s of sockets) s?.destroy();
    reply({ op: 'error', id: req.id, code: 'ESOCKET', message: `cannot connect to the engine: ${(err as Error).message}` });
    return;
  }
  let child: ChildProcess;
  try {
    child = spawn(req.command, req.args, { stdio: sockets.map((s) => s ?? 'ignore'), windowsHide: true });
  } catch (err) {
    for (const s of sockets) s?.destroy();
    reply({ op: 'error', id: req.id, code: (err as NodeJS.ErrnoException).code ?? 'ESPAWN', message: (err as Error).message });
    return;
  }
  // The new process holds its own copies of the sockets: this process lets go of its ones, so the
  // engine sees the end of each stream when the process closes it.
  for (const s of sockets) s?.destroy();
  running.set(req.id, child);
  let timer: NodeJS.Timeout | undefined;
  if (req.timeoutMs) timer = setTimeout(() => child.kill(req.killSignal ?? 'SIGTERM'), req.timeoutMs);
  child.once('error', (err) => {
    clearTimeout(timer);
    running.delete(req.id);
    reply({ op: 'error', id: req.id, code: (err as NodeJS.ErrnoException).code ?? 'ESPAWN', message: err.message });
  });
  child.once('exit', (code, signal) => {
    clearTimeout(timer);
    running.delete(req.id);
    reply({ op: 'exit', id: req.id, code, signal });
  });
  // Without a pid the process did not start: its 'error' event follows and says why.
  if (child.pid !== undefined) reply({ op: 'started', id: req.id, pid: child.pid });
}

function onRequest(message: LauncherRequest): void {
  if (message.op === 'launch') void launch(message);
  else if (message.op === 'kill') running.get(message.id)?.kill(message.signal);
}

if (parentPort) parentPort.on('message', (e) => onRequest(e.data));
else process.on('message', onRequest);

process.on('disconnect', () => {
  for (const child of running.values()) child.kill('SIGKILL');
  process.exit(0);
});
