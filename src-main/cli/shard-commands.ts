/**
 * `iqa merge` and `iqa slurm submit|status` (issue 17): sharded runs, each a contract command through
 * the engine (services/shards/). Here: arguments into inputs, reports into text.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ShardRun, SlurmSubmitInput } from '../common/contract-types';
import { withEngine } from './engine-client';
import { addMetricOptions, policyOf, resolveMetrics, type MetricCliOptions } from './metric-options';
import { printTable } from './table';

function positiveInt(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('expected a positive integer');
  return Number(v);
}

const list = (xs: readonly number[]) => (xs.length ? xs.join(', ') : 'none');

function shardLine(s: ShardRun['shards'][number]): string {
  if (s.state === 'missing') return 'not started';
  if (s.state === 'unfinished') return `unfinished (${s.computed} of ${s.planned} stimuli)`;
  return `${s.state} (${s.planned} stimuli${s.failed?.length ? `, ${s.failed.length} failed` : ''}, finished ${s.doneAt})`;
}

export function addShardCommands(program: Command): void {
  program
    .command('merge')
    .description('fold the finished shards (iqa run --shard, iqa slurm submit) into the project, one transaction per shard; reports the shards still missing')
    .argument('<dir>', 'project folder')
    .option('--json', 'print the merge report as JSON')
    .action((dir: string, o: { json?: boolean }) =>
      withEngine({}, async (engine) => {
        const report = await engine.call('shards.merge', { projectDir: resolve(dir) });
        let incomplete = false;
        if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        for (const r of report.runs) {
          const missing = r.shards.filter((s) => s.state === 'missing' || s.state === 'unfinished');
          // As a plain run, a failed pair is exit code 1.
          incomplete ||= missing.length > 0 || r.shards.some((s) => (s.failed?.length ?? 0) > 0);
          if (o.json) continue;
          process.stdout.write(`run ${r.runKey} (${r.metrics.join(', ')}), ${r.count} shard(s): merged ${list(r.merged)}; already merged ${list(r.alreadyMerged)}\n`);
          for (const s of missing) process.stdout.write(`  missing shard ${s.index} of ${r.count}: ${shardLine(s)}\n`);
          for (const s of r.shards) for (const f of s.failed ?? []) process.stdout.write(`  shard ${s.index} of ${r.count}: ${f.stimulus}${f.metric ? ` (${f.metric})` : ''} failed: ${f.message}\n`);
        }
        if (incomplete) process.exitCode = 1;
      }),
    );

  const slurm = program.command('slurm').description('run a project\'s metrics as Slurm jobs: one array task per shard and a merge job (docs/cluster.md)');
  addMetricOptions(
    slurm
      .command('submit')
      .description('write and submit (sbatch) a job array computing the unfinished shards and a merge job depending on it; the job ids are recorded in the project')
      .argument('<dir>', 'project folder (on a filesystem the nodes share)'),
  )
    .requiredOption('--shards <n>', 'how many shards (array tasks) to split the work into', positiveInt)
    .option('--partition <p>', 'sbatch --partition')
    .option('--time <t>', 'sbatch --time (e.g. 2:00:00)')
    .option('--cpus-per-task <c>', 'sbatch --cpus-per-task (also the worker threads of each shard; default 1)', positiveInt)
    .option('--gres <g>', 'sbatch --gres for each shard, e.g. gpu:1')
    .option('--force', 'plan every pair, also those with stored values')
    .option('--dry-run', 'write the scripts and print them without submitting')
    .option('--json', 'print the report as JSON')
    .action(
      (
        dir: string,
        o: MetricCliOptions & { shards: number; partition?: string; time?: string; cpusPerTask?: number; gres?: string; force?: boolean; dryRun?: boolean; json?: boolean },
      ) =>
        withEngine({}, async (engine) => {
          const input: SlurmSubmitInput = {
            projectDir: resolve(dir),
            metrics: resolveMetrics(o.metrics, o.param),
            shards: o.shards,
            pooling: o.pooling,
            policy: policyOf(o),
            ...(o.acceptDecodeErrors ? { acceptDecodeErrors: true } : {}),
            ...(o.force ? { force: true } : {}),
            ...(o.partition !== undefined ? { partition: o.partition } : {}),
            ...(o.time !== undefined ? { time: o.time } : {}),
            ...(o.cpusPerTask !== undefined ? { cpusPerTask: o.cpusPerTask } : {}),
            ...(o.gres !== undefined ? { gres: o.gres } : {}),
            ...(o.dryRun ? { dryRun: true } : {}),
          };
          const r = await engine.call('slurm.submit', input);
          if (o.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
          if (r.dryRun) {
            const { readFileSync } = await import('node:fs');
            process.stdout.write(`# ${r.arrayScript}\n${readFileSync(r.arrayScript, 'utf8')}\n# ${r.mergeScript}\n${readFileSync(r.mergeScript, 'utf8')}\n`);
            process.stdout.write(`# not submitted (--dry-run); would run:\n${r.commands.map((c) => `#   ${c}`).join('\n')}\n`);
            return;
          }
          process.stdout.write(`run ${r.runKey}: shards ${r.shards.join(', ')} of ${r.count} submitted as job array ${r.arrayJobId}, merge job ${r.mergeJobId} (after the array)\n`);
        }),
    );

  slurm
    .command('status')
    .description("each shard's state: from the shard stores and from Slurm (squeue, sacct) for the jobs recorded in the project")
    .argument('<dir>', 'project folder')
    .option('--json', 'print JSON')
    .action((dir: string, o: { json?: boolean }) =>
      withEngine({}, async (engine) => {
        const r = await engine.call('slurm.status', { projectDir: resolve(dir) });
        if (o.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        if (r.runs.length === 0) return void process.stdout.write('no sharded runs in this project\n');
        for (const run of r.runs) {
          const jobs = run.jobs.map((j) => `${j.kind} ${j.jobId}`).join(', ');
          process.stdout.write(`run ${run.runKey} (${run.metrics.join(', ')}), ${run.count} shard(s); jobs: ${jobs || 'none'}\n`);
          printTable(
            ['shard', 'store', 'slurm'],
            run.shards.map((s) => [`${s.index}/${run.count}`, shardLine(s), run.slurm[String(s.index)] ?? '']),
          );
        }
        if (r.schedulerError) process.stderr.write(`slurm: ${r.schedulerError}\n`);
      }),
    );
}
