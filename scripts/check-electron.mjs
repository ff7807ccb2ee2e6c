// Runs before `npm start` and `npm run dist`: makes sure Electron's desktop binary is here (Electron 45
// and later download it on first use, not at `npm install`), so that a machine that cannot fetch it
// learns so in one line at once, not after rebuilding better-sqlite3 for Electron (minutes) and then
// from a stack trace. Exit 0: the binary is there (or was just fetched); exit 1: it could not be had,
// and the same app runs in a browser with `npm run web`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const WEB = 'npm run build && npm run web serves the same app in your browser';

function fail(why) {
  process.stderr.write(`The Electron desktop app cannot start: ${why}. ${WEB}.\n`);
  process.exit(1);
}

let dir;
try {
  dir = dirname(require.resolve('electron/package.json'));
} catch {
  fail('the electron package is not installed (run npm install)');
}
const { version, engines } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** The binary is there when dist/version is this package's version and path.txt's file exists. */
function installed() {
  try {
    if (readFileSync(join(dir, 'dist', 'version'), 'utf8').trim().replace(/^v/, '') !== version) return false;
    const exe = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    return existsSync(join(process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist'), exe));
  } catch {
    return false;
  }
}

if (process.env.ELECTRON_OVERRIDE_DIST_PATH || installed()) process.exit(0);

// Electron's own installer, as its launcher would run it on first use; its error (a stack trace) is
// kept and only its first line shown.
process.stderr.write(`Fetching the Electron ${version} desktop binary (once)...\n`);
const r = spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
if (r.status === 0 && installed()) process.exit(0);
const first = (r.stderr || r.error?.message || '').split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at ')) ?? `exit code ${r.status}`;
const wanted = engines?.node?.match(/(\d+)\.(\d+)/);
const [major, minor] = process.versions.node.split('.').map(Number);
const oldNode = wanted && (major < +wanted[1] || (major === +wanted[1] && minor < +wanted[2])) ? `; Electron's installer wants Node ${engines.node}, this is ${process.versions.node}` : '';
fail(`its binary could not be fetched (${first.slice(0, 200)}${oldNode})`);
