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
import { spawn } from 'node:child_process';
import { withUiRoute, type UiRoute } from '../common/ui-route';
import { oneLineError, startHttpHost } from './http-host';
import { attachLanMode } from './lan-host';

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

export interface WebOptions {
  port: number;
  host?: string;
  roots?: string[];
  /** Folders allowed besides the roots (`iqa view`: the project and its pair's folders). */
  alsoAllow?: string[];
  /** Where the printed address opens the UI (common/ui-route.ts): `iqa view`'s project and viewer. */
  route?: UiRoute;
  /** Also hands the address to the system's browser (`iqa view` unless --no-open); a failure is one line on stderr. */
  openBrowser?: boolean;
  /** What the page will show, said after the address (`iqa view`). */
  describe?: string;
}

export async function runWeb(opts: WebOptions): Promise<void> {
  const roots = [...new Set([...(opts.roots?.length ? opts.roots : defaultHostRoots()), ...(opts.alsoAllow ?? [])])];
  const engine = new Engine({ userDataDir: defaultUserDataDir(), roots });
  const staticDir = fileURLToPath(new URL('../renderer', import.meta.url));
  // LAN mode: off until the researcher turns it on for a study (docs/lan.md).
  attachLanMode(engine, staticDir);
  let host: Awaited<ReturnType<typeof startHttpHost>>;
  try {
    host = await startHttpHost({
      handlers: engine.handlers,
      jobs: engine.jobs,
      staticDir,
      port: opts.port,
      host: '127.0.0.1',
    });
  } catch (err) {
    engine.close();
    throw new Error(listenFailure(err, opts.port));
  }
  guardProcess();
  const url = opts.route ? addressWithRoute(host.browserUrl, opts.route) : host.browserUrl;
  process.stdout.write(`IQA Studio is serving at ${url}\n`);
  if (opts.describe) process.stdout.write(`${opts.describe}\n`);
  if (opts.openBrowser) openInBrowser(url, (line) => process.stderr.write(line));
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

/** The host's address (`…/#token=…`) with the route's parameters beside the token. */
export function addressWithRoute(browserUrl: string, route: UiRoute): string {
  const i = browserUrl.indexOf('#');
  const base = i < 0 ? browserUrl : browserUrl.slice(0, i);
  return `${base}#${withUiRoute(i < 0 ? '' : browserUrl.slice(i + 1), route)}`;
}

/** The command that opens an address in the user's browser on this platform. */
export function browserCommand(platform: NodeJS.Platform = process.platform): { command: string; args: (url: string) => string[] } {
  if (platform === 'darwin') return { command: 'open', args: (url) => [url] };
  if (platform === 'win32') return { command: 'cmd', args: (url) => ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  return { command: 'xdg-open', args: (url) => [url] };
}

/**
 * Hands `url` to the system's browser, detached. No browser (no xdg-open, no display, a headless
 * machine) is one line on `log`: the address is printed above, and the host keeps serving.
 */
export function openInBrowser(url: string, log: (line: string) => void, platform: NodeJS.Platform = process.platform): void {
  const { command, args } = browserCommand(platform);
  const say = (why: string) => log(`iqa: could not open a browser (${command}: ${why}); open the address above yourself\n`);
  try {
    const child = spawn(command, args(url), { detached: true, stdio: 'ignore' });
    child.once('error', (err: NodeJS.ErrnoException) => say(err.code === 'ENOENT' ? 'not found' : oneLineError(err)));
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) say(`exited with ${code}`);
    });
    child.unref();
  } catch (err) {
    say(oneLineError(err));
  }
}
