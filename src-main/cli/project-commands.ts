/**
 * `iqa project create`, `import`, `stimuli`, `run`, `results`: a project's commands, each one contract
 * command (or job) through the engine (engine-client.ts). Here: the arguments into the command's input,
 * its output into text.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { rawVideoSchema } from '../common/contract';
import { RESULTS_EXPORT_FORMATS, type ResultsExportFormat } from '../common/contract-names';
import type { RawVideoGeometry } from '../common/domain';
import { currentDecisions, fixText, planRuns } from '../common/alignment-runs';
import type { MetricsRunInput } from '../common/contract-types';
import type { MetricRunReport } from '../common/domain';
import { METRICS } from '../common/metric-registry';
import { withEngine, type CliEngine } from './engine-client';
import { addMetricOptions, policyOf, resolveMetrics, type MetricCliOptions } from './metric-options';
import { createProgress } from './progress';
import { printTable } from './table';
import { parseShardSpec } from '../common/shard-spec';

export function parseYuv(v: string): RawVideoGeometry {
  const m = /^(\d+)x(\d+):([a-z0-9_]+)@([\d.]+)$/.exec(v);
  const parsed = m && rawVideoSchema.safeParse({ width: +m[1]!, height: +m[2]!, pixFmt: m[3], fps: +m[4]! });
  if (!parsed || !parsed.success) throw new InvalidArgumentError('expected WIDTHxHEIGHT:PIXFMT@FPS, e.g. 1920x1080:yuv420p@25');
  return parsed.data;
}

function parsePattern(v: string): string {
  try {
    new RegExp(v);
  } catch (err) {
    throw new InvalidArgumentError(`not a valid regular expression (${(err as Error).message})`);
  }
  return v;
}

function parseShard(v: string): { index: number; count: number } {
  const s = parseShardSpec(v);
  if (!s) throw new InvalidArgumentError('expected I/N with 1 <= I <= N, e.g. 2/4');
  return s;
}

const names = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The runs of `iqa run` with the alignments confirmed in the viewer applied, as the compute dialog plans
 * them (common/alignment-runs.ts): pairs with an accepted, current decision are computed with its timing
 * (forced, one run per distinct timing), the others by the command line's run. Said on stderr per pair.
 */
async function withConfirmedAlignments(engine: CliEngine, base: MetricsRunInput, only: readonly string[] | undefined): Promise<MetricsRunInput[]> {
  const accepted = [...currentDecisions(await engine.call('align.decisions', { projectDir: base.projectDir })).values()].filter((d) => d.verdict === 'accepted');
  if (accepted.length === 0) return [base];
  const stimuli = await engine.call('stimuli.list', { projectDir: base.projectDir });
  const named = only ? stimuli.filter((s) => only.includes(s.name)) : null;
  // An unknown name is the engine's error to give, with the run as asked.
  if (only && named!.length < new Set(only).size) return [base];
  const scopeIds = named?.map((s) => s.id);
  const pairIds = stimuli.filter((s) => s.referenceId !== null && (!scopeIds || scopeIds.includes(s.id))).map((s) => s.id);
  const fixes = new Map(accepted.filter((d) => pairIds.includes(d.stimulusId)).map((d) => [d.stimulusId, d.policy]));
  if (fixes.size === 0) return [base];
  const nameOf = new Map(stimuli.map((s) => [s.id, s.name]));
  for (const [id, fix] of fixes) process.stderr.write(`${nameOf.get(id)}: the alignment confirmed in the viewer is applied (${fixText(fix)}); --no-alignment-decisions ignores it\n`);
  const { stimulusNames: _names, ...rest } = base;
  return planRuns({ ...rest, ...(scopeIds ? { stimulusIds: scopeIds } : {}) }, { allIds: stimuli.map((s) => s.id), pairIds }, fixes, METRICS);
}

export function addProjectCommands(program: Command): void {
  const project = program.command('project').description('create projects');
  project
    .command('create')
    .description('create a new project (a folder holding iqa-project.sqlite)')
    .argument('<dir>', 'project folder (created if missing)')
    .option('--name <name>', 'project name (default: the folder name)')
    .action((dir: string, o: { name?: string }) =>
      withEngine({}, async (engine) => {
        const info = await engine.call('projects.create', { dir: resolve(dir), ...(o.name !== undefined ? { name: o.name } : {}) });
        process.stdout.write(`created project ${info.dir}\n`);
      }),
    );

  program
    .command('import')
    .description('import a folder (recursively), a CSV manifest or one file into a project')
    .argument('<dir>', 'project folder')
    .argument('<source>', 'folder, CSV manifest (columns path, reference, role, content, attributes...) or media file')
    .option('--pattern <regex>', 'regular expression on file stems: group (?<ref>...) names the reference, other named groups become attributes', parsePattern)
    .option('--no-recursive', 'do not descend into subfolders')
    .option('--yuv <geometry>', 'geometry of raw .yuv files: WIDTHxHEIGHT:PIXFMT@FPS', parseYuv)
    .option('--json', 'print the import report as JSON')
    .action((dir: string, source: string, o: { pattern?: string; recursive: boolean; yuv?: RawVideoGeometry; json?: boolean }) =>
      withEngine({}, async (engine) => {
        const options = { recursive: o.recursive, ...(o.pattern !== undefined ? { pattern: o.pattern } : {}), ...(o.yuv ? { rawVideo: o.yuv } : {}) };
        const report = await engine.job('import.start', { projectDir: resolve(dir), source: resolve(source), options }, createProgress('files', { lines: true }));
        if (o.json) {
          process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        } else {
          // An unpaired distorted file is imported, but it is a problem: no full-reference metric runs on it.
          const problems = report.issues.length + report.unpaired.length;
          const unpaired = report.unpaired.length ? ` (${report.unpaired.length} distorted file(s) without a reference)` : '';
          process.stdout.write(`added ${report.added}, updated ${report.updated}, unchanged ${report.unchanged}, problems ${problems}${unpaired}\n`);
          for (const i of report.issues) process.stdout.write(`  ${i.file}: ${i.reason}\n`);
          const why = new Map((report.unpairedReasons ?? []).map((u) => [u.file, u.reason]));
          for (const u of report.unpaired) process.stdout.write(`  ${u}: ${why.get(u) ?? 'no reference found'} (imported unpaired)\n`);
        }
        if (report.added + report.updated + report.unchanged === 0 && report.issues.length > 0) process.exitCode = 1;
      }),
    );

  program
    .command('stimuli')
    .description('list the stimuli of a project')
    .argument('<dir>', 'project folder')
    .option('--json', 'print JSON')
    .action((dir: string, o: { json?: boolean }) =>
      withEngine({}, async (engine) => {
        const list = await engine.call('stimuli.list', { projectDir: resolve(dir) });
        if (o.json) return void process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        printTable(
          ['name', 'role', 'reference', 'kind', 'size', 'frames', 'fps', 'attributes'],
          list.map((s) => [
            s.name,
            s.role,
            s.referenceName ?? '',
            s.kind,
            `${s.width}x${s.height}`,
            String(s.frameCount ?? ''),
            s.fps ? s.fps.toFixed(3).replace(/\.?0+$/, '') : '',
            Object.entries(s.attributes)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          ]),
        );
      }),
    );

  addMetricOptions(
    program
      .command('run')
      .description("compute metrics for a project's distorted/reference pairs and store them (resumes: stored pairs are skipped)")
      .argument('<dir>', 'project folder'),
  )
    .option('--force', 'recompute pairs that already have values')
    .option('--only <names>', 'comma-separated names of distorted stimuli to compute', names)
    .option('--no-alignment-decisions', 'ignore the alignments confirmed in the viewer (by default a pair whose detected alignment was confirmed by flicker is computed with it, as the app does)')
    .option('--shard <i/n>', "compute only shard I of N of the pairs still to compute, into the shard's own store under <dir>/shards/ (fold it in with iqa merge)", parseShard)
    .option('--json', 'print the run report as JSON')
    .action((dir: string, o: MetricCliOptions & { force?: boolean; only?: string[]; json?: boolean; alignmentDecisions?: boolean; shard?: { index: number; count: number } }) =>
      withEngine(o.threads !== undefined ? { threads: o.threads } : {}, async (engine) => {
        const projectDir = resolve(dir);
        const metrics = resolveMetrics(o.metrics, o.param);
        const base: MetricsRunInput = {
          projectDir,
          metrics,
          ...(o.only ? { stimulusNames: o.only } : {}),
          force: o.force ?? false,
          policy: policyOf(o),
          pooling: o.pooling,
          ...(o.acceptDecodeErrors ? { acceptDecodeErrors: true } : {}),
          ...(o.shard ? { shard: o.shard } : {}),
        };
        // A shard never opens the project for writing; it refuses pairs with confirmed alignments itself.
        const runs = o.alignmentDecisions === false || o.shard ? [base] : await withConfirmedAlignments(engine, base, o.only);
        const report: MetricRunReport = { pairs: 0, computed: 0, skipped: 0, failed: [] };
        const changed = new Set<string>();
        for (const run of runs) {
          const { changed: c, ...r } = await engine.job('metrics.run', run, createProgress('frames', { lines: true }));
          report.pairs += r.pairs;
          report.computed += r.computed;
          report.skipped += r.skipped;
          report.failed.push(...r.failed);
          for (const f of c ?? []) changed.add(f);
        }
        for (const f of changed) process.stderr.write(`${f}: changed since it was hashed; its stored values were dropped and are recomputed\n`);
        if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else {
          process.stdout.write(`${report.pairs} pair(s): ${report.computed} computed, ${report.skipped} already stored, ${report.failed.length} failed\n`);
          for (const f of report.failed) process.stdout.write(`  ${f.stimulus}: ${f.error.message}\n`);
        }
        if (report.failed.length > 0) process.exitCode = 1;
      }),
    );

  program
    .command('results')
    .description('export the stored metric values (long format: stimulus, reference, metric, value, attributes)')
    .argument('<dir>', 'project folder')
    .option(
      '--format <format>',
      'csv or json',
      (v: string) => {
        if (!(RESULTS_EXPORT_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError('expected csv or json');
        return v;
      },
      'csv',
    )
    .action((dir: string, o: { format: ResultsExportFormat }) =>
      withEngine({}, async (engine) => {
        process.stdout.write((await engine.call('results.export', { projectDir: resolve(dir), format: o.format })).content);
      }),
    );
}
