/**
 * The engine behind the loopback host, serving the built UI to a browser at
 * http://127.0.0.1:PORT/#token=... (printed on stdout). Started by `npm run web` (web-entry.ts) and
 * by `iqa web`.
 *
 * Once it is serving, the process must not die of a bug (issue 11): an uncaught error or unhandled
 * rejection is logged as one line on stderr and the host keeps serving. Requests, upgrades and event
 * sockets are already contained in http-host.ts; this is the net under everything else.
 */
import { fileURLToPath } from 'node:url';
import { Engine } from '../services/engine';
import { defaultHostRoots } from '../services/access/path-access';
import { defaultUserDataDir } from '../services/user-data';
import { oneLineError, startHttpHost } from './http-host';

let guarded = false;

/**
 * Installs the process-level net: 'uncaughtException' and 'unhandledRejection' each log one line to
 * stderr instead of ending the process. Installed once, after the host listens (a failure to start
 * still ends the process with its message).
 */
export function guardProcess(log: (line: string) => void = (line) => process.stderr.write(line)): void {
  if (guarded) return;
  guarded = true;
  const write = (line: string) => {
    try {
      log(line);
    } catch {
      // Nowhere left to log to: keep serving.
    }
  };
  // A closed stderr (EPIPE) must not turn each log line into another uncaught error.
  process.stderr.on('error', () => undefined);
  process.on('uncaughtException', (err) => write(`iqa-web: uncaught error (still serving): ${oneLineError(err)}\n`));
  process.on('unhandledRejection', (reason) => write(`iqa-web: unhandled rejection (still serving): ${oneLineError(reason)}\n`));
}

/** One line for a failure to listen: a taken port says so and how to choose another. */
export function listenFailure(err: unknown, port: number): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') {
    return `port ${port} on 127.0.0.1 is already in use (another IQA Studio, or another program, is listening there); choose another with --port N, or --port 0 for any free port`;
  }
  if (code === 'EACCES') return `not allowed to listen on port ${port} (ports below 1024 need privileges); choose another with --port N, or --port 0 for any free port`;
  return `cannot listen on 127.0.0.1:${port}: ${oneLineError(err)}`;
}

export async function runWeb(opts: { port: number; host?: string; roots?: string[] }): Promise<void> {
  const engine = new Engine({ userDataDir: defaultUserDataDir(), roots: opts.roots?.length ? opts.roots : defaultHostRoots() });
  let host: Awaited<ReturnType<typeof startHttpHost>>;
  try {
    host = await startHttpHost({
      handlers: engine.handlers,
      jobs: engine.jobs,
      staticDir: fileURLToPath(new URL('../renderer', import.meta.url)),
      port: opts.port,
      host: '127.0.0.1',
    });
  } catch (err) {
    engine.close();
    throw new Error(listenFailure(err, opts.port));
  }
  guardProcess();
  process.stdout.write(`IQA Studio is serving at ${host.browserUrl}\n`);
  const stop = async () => {
    let code = 0;
    try {
      await host.close();
      engine.close();
    } catch (err) {
      process.stderr.write(`iqa-web: while stopping: ${oneLineError(err)}\n`);
      code = 1;
    }
    process.exit(code);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
