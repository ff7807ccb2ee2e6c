// Bundles the main-process side with esbuild: one file per entry point, node_modules left external
// (native addons such as better-sqlite3 and onnxruntime-node must be loaded from their packages).
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'build/main');
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, packages: 'external', logLevel: 'warning' };

// Worker entry points are every file in src-main/workers: the pool resolves them by name next to the bundle.
const workersDir = join(root, 'src-main/workers');
const workerEntries = existsSync(workersDir)
  ? readdirSync(workersDir).filter((f) => f.endsWith('.worker.ts')).map((f) => join(workersDir, f))
  : [];

await Promise.all([
  build({
    ...common,
    format: 'esm',
    entryPoints: {
      cli: join(root, 'src-main/cli/main.ts'),
      web: join(root, 'src-main/host/web-entry.ts'),
      bench: join(root, 'bench/bench.ts'),
      ...Object.fromEntries(workerEntries.map((f) => [`workers/${f.split('/').pop().replace(/\.ts$/, '')}`, f])),
    },
    outdir: out,
    outExtension: { '.js': '.js' },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  }),
  // Electron main and preload: CommonJS (a sandboxed preload must be CJS); electron stays external.
  // import.meta.url has no CJS equivalent built in: give it one from __filename.
  build({
    ...common,
    format: 'cjs',
    entryPoints: { app: join(root, 'src-main/app/main.ts') },
    outdir: out,
    outExtension: { '.js': '.cjs' },
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({ ...common, format: 'cjs', entryPoints: { preload: join(root, 'src-main/preload/preload.ts') }, outdir: out, outExtension: { '.js': '.cjs' }, packages: undefined, external: ['electron'] }),
]);
