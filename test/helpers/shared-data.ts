/**
 * The shared reference folders beside the repository (`../shared`, README there): `golden/` (reference
 * values, see golden/README.md) and `models/` (ONNX models, parameter files and probes, see
 * models/README.md). Every test that reads them finds them here and decides whether they are there in
 * one way:
 *
 * - A folder is present when its README.md is. A present folder with a file missing is a failure of the
 *   test that reads the file, never a skip.
 * - In CI (`CI=true`) a missing folder fails the run: `sharedData` throws, naming the missing path, so
 *   the test file that asked fails when it is collected.
 * - Locally the tests that need the folder are skipped, and the skip is printed once per test file
 *   (vitest prefixes the warning with the file), naming the missing path.
 *
 * `IQA_GOLDEN_DIR` and `IQA_SHARED_MODELS` point elsewhere (the app's own `IQA_MODEL_DIR` is not read
 * here: tests set it themselves to the folder they use).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SharedFolder = 'golden' | 'models';

const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));

const OVERRIDE: Record<SharedFolder, string> = { golden: 'IQA_GOLDEN_DIR', models: 'IQA_SHARED_MODELS' };

/** Where each shared folder is read from. */
export const SHARED_DIRS: Readonly<Record<SharedFolder, string>> = {
  golden: resolve(process.env[OVERRIDE.golden] ?? join(REPO, '../shared/golden')),
  models: resolve(process.env[OVERRIDE.models] ?? join(REPO, '../shared/models')),
};

/** The file whose presence means the folder is there. */
export const SHARED_SENTINEL = 'README.md';

/** Paths already warned about; module state, so once per test file (vitest loads modules per file). */
const warned = new Set<string>();

export interface SharedDataOptions {
  /** Defaults to SHARED_DIRS[folder]. */
  readonly dir?: string;
  /** Defaults to process.env.CI === 'true'. */
  readonly ci?: boolean;
  /** Defaults to console.warn. */
  readonly warn?: (message: string) => void;
}

/**
 * Whether the shared folder is there: true when it is; when it is not, throws in CI and, locally,
 * warns once (naming the missing path) and returns false so the caller can skip.
 */
export function sharedData(folder: SharedFolder, opts: SharedDataOptions = {}): boolean {
  const dir = opts.dir ?? SHARED_DIRS[folder];
  const sentinel = join(dir, SHARED_SENTINEL);
  if (existsSync(sentinel)) return true;
  const reason = `the shared ${folder} folder is missing: ${sentinel} does not exist (put ../shared beside the repository, or set ${OVERRIDE[folder]})`;
  if (opts.ci ?? process.env.CI === 'true') throw new Error(`${reason}; CI=true, so this fails instead of skipping`);
  if (!warned.has(sentinel)) {
    warned.add(sentinel);
    (opts.warn ?? console.warn)(`${reason}; skipping the tests of this file that need it`);
  }
  return false;
}

/** A path inside the shared models folder. */
export const sharedModel = (relative: string): string => join(SHARED_DIRS.models, relative);
