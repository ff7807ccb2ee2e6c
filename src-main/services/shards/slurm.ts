/**
 * `iqa slurm submit` / `iqa slurm status` (issue 17): a sharded run (run-shard.ts) handed to Slurm, which
 * does all the scheduling. Submitting plans the split (once, plan.json), writes two sbatch scripts under
 * <project>/shards/<runKey>/slurm/ — a job array with one task per unfinished shard, each running
 * `iqa run --shard $SLURM_ARRAY_TASK_ID/N` with this machine's node and CLI by absolute path and the
 * model folder and ffmpeg passed through, and a merge job (`iqa merge`) that depends on the array with
 * afterany, so it also runs (and reports what is missing) when a shard failed or was cancelled — and
 * submits them with `sbatch --parsable`, recording both job ids in the project (slurm_jobs). Submitting
 * again submits only the shards that are neither finished nor still queued or running.
 *
 * Status reads the shard stores (shards.status) and asks Slurm for the state of the recorded jobs'
 * tasks: squeue (`-t all` keeps finished jobs for Slurm's MinJobAge), then sacct where accounting is on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IqaError } from '../../common/errors';
import type { ShardRun, SlurmJob, SlurmStatusReport, SlurmSubmitReport } from '../../common/contract-types';
import type { Pooling } from '../../common/metric-registry';
import { locateFfmpeg } from '../media/ffmpeg-locate';
import { launchProcess } from '../media/process-launcher';
import { modelDir } from '../models/model-store';
import type { Db } from '../store/project-db';
import type { AlignPolicy, ResolvedMetric } from '../metrics/compute-pair';
import { shardStatus } from './merge-shards';
import { planShards, shardConfig } from './run-shard';
import { openProjectReadOnly, runDir } from './shard-store';

declare const __dirname: string | undefined;

export interface SlurmSubmitOptions {
  metrics: readonly ResolvedMetric[];
  shards: number;
  pooling: Pooling;
  policy: AlignPolicy;
  acceptDecodeErrors?: boolean;
  force?: boolean;
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  gres?: string;
  dryRun?: boolean;
}

/** The CLI a job runs: IQA_CLI, else bin/iqa.js of the installation this engine runs from. */
export function cliPath(): string {
  if (process.env.IQA_CLI) return resolve(process.env.IQA_CLI);
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dir !== parse(dir).root; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const bin = join(dir, 'bin', 'iqa.js');
      if (existsSync(bin)) return bin;
      break;
    }
  }
  throw new IqaError('E_INTERNAL', `the iqa command line was not found beside ${here}; set IQA_CLI to its bin/iqa.js`);
}

/** A word for bash, single-quoted. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The metric list as `--metrics` takes it: id:key=value:... with every parameter explicit. */
export function metricsArg(metrics: readonly ResolvedMetric[]): string {
  return metrics.map((m) => [m.id, ...Object.entries(m.params).map(([k, v]) => `${k}=${v}`)].join(':')).join(',');
}

function policyArgs(p: AlignPolicy): string[] {
  return [
    ...(p.scale ? ['--scale', p.scale] : []),
    ...(p.truncate ? ['--truncate'] : []),
    ...(p.skipRef ? ['--skip-ref', String(p.skipRef)] : []),
    ...(p.skipDist ? ['--skip-dist', String(p.skipDist)] : []),
    ...(p.ignoreFps ? ['--ignore-fps'] : []),
  ];
}

/** The environment every job gets: the same tools and models as the submitting machine. */
function jobEnvironment(): [string, string][] {
  const env: [string, string][] = [];
  try {
    const f = locateFfmpeg();
    env.push(['IQA_FFMPEG', f.ffmpeg], ['IQA_FFPROBE', f.ffprobe]);
  } catch {
    // No ffmpeg here: the nodes find their own (and a shard fails saying so if they have none).
  }
  env.push(['IQA_MODEL_DIR', modelDir()]);
  if (process.env.IQA_USER_DATA) env.push(['IQA_USER_DATA', process.env.IQA_USER_DATA]);
  return env;
}

export function sbatchScripts(projectDir: string, runKey: string, count: number, shards: readonly number[], o: SlurmSubmitOptions): { array: string; merge: string } {
  const node = process.execPath;
  const cli = cliPath();
  const logs = join(runDir(projectDir, runKey), 'slurm');
  const head = (name: string) => [
    '#!/bin/bash',
    `#SBATCH --job-name=${name}`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
  ];
  const env = jobEnvironment().map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const threads = o.cpusPerTask ?? 1;
  const run = [
    shellQuote(node),
    shellQuote(cli),
    'run',
    shellQuote(projectDir),
    '--metrics',
    shellQuote(metricsArg(o.metrics)),
    '--pooling',
    o.pooling,
    ...policyArgs(o.policy),
    ...(o.acceptDecodeErrors ? ['--accept-decode-errors'] : []),
    ...(o.force ? ['--force'] : []),
    '--threads',
    String(threads),
    '--shard',
    `"\${SLURM_ARRAY_TASK_ID}/${count}"`,
  ].join(' ');
  const array = [
    ...head(`iqa-${runKey}`),
    `#SBATCH --array=${shards.join(',')}`,
    `#SBATCH --cpus-per-task=${threads}`,
    ...(o.gres ? [`#SBATCH --gres=${o.gres}`] : []),
    `#SBATCH --output=${join(logs, `shard-%a-of-${count}.out`)}`,
    `# IQA Studio: shard \${SLURM_ARRAY_TASK_ID} of ${count} of run ${runKey} (written by iqa slurm submit)`,
    'set -euo pipefail',
    ...env,
    `exec ${run}`,
    '',
  ].join('\n');
  const merge = [
    ...head(`iqa-${runKey}-merge`),
    '#SBATCH --cpus-per-task=1',
    `#SBATCH --output=${join(logs, 'merge.out')}`,
    `# IQA Studio: folds the finished shards of run ${runKey} into the project (written by iqa slurm submit)`,
    'set -euo pipefail',
    ...env,
    `exec ${shellQuote(node)} ${shellQuote(cli)} merge ${shellQuote(projectDir)}`,
    '',
  ].join('\n');
  return { array, merge };
}

/** Runs a Slurm client command; resolves with its stdout, or rejects with a one-line E_INPUT naming it. */
export async function slurmCommand(command: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  let child;
  try {
    child = await launchProcess(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeoutMs });
  } catch (err) {
    throw new IqaError('E_INPUT', `${command} could not be started (${(err as Error).message}): is this a Slurm login node?`);
  }
  return new Promise((resolveOut, reject) => {
    let out = '';
    let errText = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => (out += c));
    child.stderr!.on('data', (c: string) => (errText += c));
    child.once('error', (err) => reject(new IqaError('E_INPUT', `${command} could not be run (${err.message}): is this a Slurm login node?`)));
    child.once('close', (code) => {
      if (code === 0) resolveOut(out);
      else reject(new IqaError('E_INPUT', `${command} ${args.join(' ')} failed (exit ${code}): ${errText.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** The jobs submitted for a run (or every run), oldest first. */
export function recordedJobs(db: Db, runKey?: string): (SlurmJob & { runKey: string })[] {
  const rows = db.prepare(`SELECT run_key, kind, job_id, shards, script, submitted_at FROM slurm_jobs ${runKey ? 'WHERE run_key = ?' : ''} ORDER BY id`).all(...(runKey ? [runKey] : [])) as {
    run_key: string;
    kind: 'array' | 'merge';
    job_id: string;
    shards: string;
    script: string;
    submitted_at: string;
  }[];
  return rows.map((r) => ({ runKey: r.run_key, kind: r.kind, jobId: r.job_id, shards: JSON.parse(r.shards) as number[], script: r.script, submittedAt: r.submitted_at }));
}

const ACTIVE = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'REQUEUED', 'RESIZING', 'SUSPENDED']);

/**
 * Slurm's state of each recorded array task, by shard index (the latest job's state wins): squeue with
 * every state (finished jobs stay there for MinJobAge), then sacct for what squeue no longer knows.
 */
export async function shardJobStates(jobs: readonly SlurmJob[]): Promise<{ states: Map<number, string>; error: string | null }> {
  const states = new Map<number, string>();
  const arrays = jobs.filter((j) => j.kind === 'array');
  if (arrays.length === 0) return { states, error: null };
  const ids = arrays.map((j) => j.jobId);
  const seen = new Map<string, string>();
  let error: string | null = null;
  try {
    // %i is <array job>_<task> for an array task (and <job>_[1-3] while tasks are still pending together).
    const out = await slurmCommand('squeue', ['-h', '-t', 'all', '-r', '-j', ids.join(','), '-o', '%i|%T']);
    for (const line of out.split('\n')) {
      const [id, state] = line.trim().split('|');
      if (id && state) seen.set(id, state);
    }
  } catch (err) {
    // Every recorded job forgotten (older than MinJobAge) is no failure: the stores still say the state.
    if (!/Invalid job id/i.test((err as Error).message)) error = (err as Error).message;
  }
  try {
    const out = await slurmCommand('sacct', ['-n', '-P', '-X', '-j', ids.join(','), '-o', 'JobID,State']);
    for (const line of out.split('\n')) {
      const [id, state] = line.trim().split('|');
      if (id && state && !seen.has(id)) seen.set(id, state.split(' ')[0]!);
    }
  } catch {
    // Accounting off (no slurmdbd): squeue's answer is all there is.
  }
  for (const j of arrays) for (const s of j.shards) {
    const state = seen.get(`${j.jobId}_${s}`);
    if (state) states.set(s, state);
  }
  return { states, error };
}

export async function submitToSlurm(projectDir: string, project: Db, o: SlurmSubmitOptions): Promise<SlurmSubmitReport> {
  const config = shardConfig(o);
  // The plan reads the project like a shard does (the same rule decides what is still to compute).
  const ro = openProjectReadOnly(projectDir);
  let plan;
  try {
    plan = planShards(projectDir, ro, config, o.shards, o.force ?? false);
  } finally {
    ro.close();
  }
  const status = shardStatus(projectDir, project).find((r) => r.runKey === plan.runKey)!;
  const jobs = recordedJobs(project, plan.runKey);
  const { states } = o.dryRun ? { states: new Map<number, string>() } : await shardJobStates(jobs);
  const toRun = status.shards.filter((s) => (s.state === 'missing' || s.state === 'unfinished') && !ACTIVE.has(states.get(s.index) ?? '')).map((s) => s.index);
  if (toRun.length === 0) {
    const active = status.shards.filter((s) => ACTIVE.has(states.get(s.index) ?? '')).map((s) => s.index);
    throw new IqaError(
      'E_INPUT',
      active.length
        ? `nothing to submit: shards ${active.join(', ')} of run ${plan.runKey} are still queued or running, the others are finished (iqa slurm status ${projectDir})`
        : `nothing to submit: every shard of run ${plan.runKey} is finished; merge them with iqa merge ${projectDir}`,
    );
  }
  const dir = join(runDir(projectDir, plan.runKey), 'slurm');
  mkdirSync(dir, { recursive: true });
  const scripts = sbatchScripts(projectDir, plan.runKey, plan.count, toRun, o);
  const arrayScript = join(dir, 'array.sbatch');
  const mergeScript = join(dir, 'merge.sbatch');
  writeFileSync(arrayScript, scripts.array, { mode: 0o755 });
  writeFileSync(mergeScript, scripts.merge, { mode: 0o755 });
  const commands = [`sbatch --parsable ${arrayScript}`, `sbatch --parsable --dependency=afterany:<array job id> ${mergeScript}`];
  const report: SlurmSubmitReport = { runKey: plan.runKey, count: plan.count, shards: toRun, arrayScript, mergeScript, commands, arrayJobId: null, mergeJobId: null, dryRun: o.dryRun ?? false };
  if (o.dryRun) return report;
  // --parsable prints "<job id>" or "<job id>;<cluster>".
  const arrayJobId = (await slurmCommand('sbatch', ['--parsable', arrayScript])).trim().split(';')[0]!;
  const record = project.prepare('INSERT INTO slurm_jobs (run_key, kind, job_id, shards, script, submitted_at) VALUES (?, ?, ?, ?, ?, ?)');
  record.run(plan.runKey, 'array', arrayJobId, JSON.stringify(toRun), arrayScript, new Date().toISOString());
  const mergeJobId = (await slurmCommand('sbatch', ['--parsable', `--dependency=afterany:${arrayJobId}`, mergeScript])).trim().split(';')[0]!;
  record.run(plan.runKey, 'merge', mergeJobId, '[]', mergeScript, new Date().toISOString());
  report.commands[1] = `sbatch --parsable --dependency=afterany:${arrayJobId} ${mergeScript}`;
  return { ...report, arrayJobId, mergeJobId };
}

export async function slurmStatus(projectDir: string, project: Db): Promise<SlurmStatusReport> {
  const runs: SlurmStatusReport['runs'] = [];
  let schedulerError: string | null = null;
  for (const r of shardStatus(projectDir, project) as ShardRun[]) {
    const jobs = recordedJobs(project, r.runKey).map(({ runKey: _k, ...j }) => j);
    const { states, error } = await shardJobStates(jobs);
    schedulerError ??= error;
    runs.push({ ...r, jobs, slurm: Object.fromEntries([...states].map(([k, v]) => [String(k), v])) });
  }
  return { runs, schedulerError };
}
