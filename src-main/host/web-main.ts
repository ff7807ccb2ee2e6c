/**
 * The engine behind the loopback host, serving the built UI to a browser at
 * http://127.0.0.1:PORT/#token=... (printed on stdout). Started by `npm run web` (web-entry.ts) and
 * by `iqa web`.
 */
import { fileURLToPath } from 'node:url';
import { Engine } from '../services/engine';
import { defaultUserDataDir } from '../services/user-data';
import { startHttpHost } from './http-host';

export async function runWeb(opts: { port: number; host?: string }): Promise<void> {
  const engine = new Engine({ userDataDir: defaultUserDataDir() });
  const host = await startHttpHost({
    handlers: engine.handlers,
    jobs: engine.jobs,
    staticDir: fileURLToPath(new URL('../renderer', import.meta.url)),
    port: opts.port,
    host: '127.0.0.1',
  });
  process.stdout.write(`IQA Studio is serving at ${host.browserUrl}\n`);
  const stop = async () => {
    await host.close();
    engine.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
