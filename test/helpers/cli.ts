import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './media';

export const CLI = join(REPO_ROOT, 'bin/iqa.js');

/**
 * Runs the built CLI (`npm run build` made it) as a user would. The 300 s kill is a ceiling for a loaded
 * machine, not an expectation.
 */
export function iqa(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
