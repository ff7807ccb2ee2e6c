/**
 * Entry point of build/main/web.js (`npm run web`). Kept apart from web-main.ts so that bundling
 * runWeb into the CLI does not also bundle this command line (it would run instead of `iqa`).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { runWeb } from './web-main';

const program = new Command('iqa-web')
  .description('Serve the IQA Studio UI to a browser on 127.0.0.1')
  .option('-p, --port <port>', 'port (0 picks a free one)', (v) => Number.parseInt(v, 10), 0)
  .option('--root <folder>', 'a folder the browser may use (repeatable; default: IQA_ROOTS, else your home folder)', (v: string, acc: string[]) => [...acc, resolve(v)], [] as string[])
  .action(async (o: { port: number; root: string[] }) => runWeb({ port: o.port, roots: o.root }));
program.parseAsync().catch((err: Error) => {
  process.stderr.write(`iqa-web: ${err.message}\n`);
  process.exit(1);
});
