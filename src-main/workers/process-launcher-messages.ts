/**
 * The messages between services/media/process-launcher.ts (the engine) and
 * workers/process-launcher.worker.ts (the launcher process), types only. A launch names, per file
 * descriptor of the new process, the token of the engine-side socket stream it writes to (null: not
 * connected); the launcher answers `started`, then `exit`, or `error` when the process could not start.
 */
export type LauncherRequest =
  | {
      op: 'launch';
      id: number;
      command: string;
      args: string[];
      /** The engine's Unix socket the streams connect to. */
      socketPath: string;
      /** Per file descriptor (0, 1, 2, 3, ...): the token of its stream, or null. */
      stdio: (string | null)[];
      timeoutMs?: number;
      killSignal?: NodeJS.Signals;
    }
  | { op: 'kill'; id: number; signal: NodeJS.Signals };

export type LauncherReply =
  | { op: 'started'; id: number; pid: number | null }
  | { op: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { op: 'error'; id: number; code: string; message: string };
