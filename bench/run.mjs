// `npm run bench`: runs the bundled benchmark (build/main/bench.js, made by `npm run build` from
// bench/bench.ts). The bench uses the bundled kernels and the worker script in build/main/workers,
// exactly what the app and the CLI run, so it needs the build first. See bench/README.md.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const bundle = join(root, 'build/main/bench.js');
const worker = join(root, 'build/main/workers/frame-metrics.worker.js');

const missing = [bundle, worker].filter((f) => !existsSync(f));
if (missing.length) {
  process.stderr.write(
    `bench: ${missing.map((f) => f.slice(root.length)).join(' and ')} not found.\n` +
      'The bench runs the built bundle: run "npm run build" (or at least "npm run build:main") first, then "npm run bench".\n',
  );
  process.exit(1);
}
if (statSync(join(root, 'bench/bench.ts')).mtimeMs > statSync(bundle).mtimeMs) {
  process.stderr.write('bench: warning: bench/bench.ts is newer than build/main/bench.js; run "npm run build:main" to rebuild it.\n');
}
await import(pathToFileURL(bundle).href);
