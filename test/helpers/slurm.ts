/**
 * Whether a Slurm is there to test against (issue 17): `.ci/slurm.sh up` starts a one-node cluster and,
 * when it cannot, writes why to $IQA_SLURM_STATE/unavailable (default /tmp/iqa-slurm). The Slurm tests
 * run when sinfo answers with a usable node; otherwise they are skipped with one warning per file saying
 * why. Never a failure, in CI neither: a broken Slurm setup must not fail the other tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const STATE = process.env.IQA_SLURM_STATE ?? '/tmp/iqa-slurm';

/** Why Slurm cannot be used here, or null when it can. */
export function slurmUnavailable(): string | null {
  const reasonFile = join(STATE, 'unavailable');
  if (existsSync(reasonFile)) return `.ci/slurm.sh could not start Slurm: ${readFileSync(reasonFile, 'utf8').trim()}`;
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return `sinfo cannot be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): Slurm is not installed; .ci/run starts it (.ci/slurm.sh up)`;
  if (r.status !== 0) return `sinfo failed (${(r.stderr || '').trim().split('\n').pop()}): slurmctld is not running; start it with .ci/slurm.sh up`;
  const states = r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  if (!states.some((s) => /^(idle|mixed|allocated|completing)/.test(s))) return `no Slurm node is up (sinfo: ${states.join(', ') || 'no nodes'})`;
  return null;
}

let warned = false;

/** True when the Slurm tests can run; otherwise warns once (with the reason) and returns false. */
export function slurmAvailable(warn: (m: string) => void = console.warn): boolean {
  const why = slurmUnavailable();
  if (why === null) return true;
  if (!warned) {
    warned = true;
    warn(`skipping the Slurm tests of this file: ${why}`);
  }
  return false;
}

/** Slurm's state of a job (or array task, e.g. 12_3) while it remembers it, else null. */
export function jobState(id: string): string | null {
  const r = spawnSync('squeue', ['-h', '-t', 'all', '-r', '-j', id.split('_')[0]!, '-o', '%i|%T'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return null;
  for (const line of r.stdout.split('\n')) {
    const [jid, state] = line.trim().split('|');
    if (jid === id && state) return state;
  }
  return null;
}

export const FINISHED = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED'];

/** The states of an array job's tasks Slurm still knows, by task id. */
export function arrayStates(arrayJobId: string): Map<number, string> {
  const r = spawnSync('squeue', ['-h', '-t', 'all', '-r', '-j', arrayJobId, '-o', '%i|%T'], { encoding: 'utf8', timeout: 30_000 });
  const out = new Map<number, string>();
  for (const line of r.status === 0 ? r.stdout.split('\n') : []) {
    const m = /^(\d+)_(\d+)\|(\w+)$/.exec(line.trim());
    if (m && m[1] === arrayJobId) out.set(Number(m[2]), m[3]!);
  }
  return out;
}
