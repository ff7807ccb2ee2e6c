/**
 * `iqa`: the headless command line over the same services the app uses. Output for scripts goes to
 * stdout (--json gives one JSON document); progress and diagnostics go to stderr; any failure is one
 * line `iqa: <message>` and a non-zero exit.
 */
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { importOptionsSchema, rawVideoSchema } from '../common/contract';
import { IqaError, toIqaError } from '../common/errors';
import type { RawVideoGeometry, Stimulus } from '../common/domain';
import { APP_VERSION } from '../common/version';
import { importMedia } from '../services/import/import-media';
import { isProjectDir, openProjectDb } from '../services/store/project-db';
import { listStimuli } from '../services/store/stimuli-repo';
import { rememberProject } from '../services/projects/recent-projects';
import { defaultUserDataDir } from '../services/user-data';
import { runWeb } from '../host/web-main';
import { checkNewProjectLocation } from '../services/projects/project-location';
import { printTable } from './table';
import { addAnalysisCommands } from './analysis-commands';
import { addModelsCommand } from './models-command';
import { addSetsCommand } from './sets-command';
import { addMetricOptions, policyOf, resolveMetrics, type MetricCliOptions } from './metric-options';
import { createProgress } from './progress';
import { computeMetrics, needsReference, type MetricModelInfo, type PairResult, type ResolvedMetric } from '../services/metrics/compute-pair';
import { createFrameRunner, defaultThreads, type FrameRunner } from '../services/metrics/frame-pool';
import { toJsonNumber } from '../common/json-numbers';
import { runProjectMetrics } from '../services/metrics/run-project-metrics';
import { exportResults } from '../services/export/results-export';

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Math.abs(v) >= 1000 ? v.toFixed(2) : v.toPrecision(8);
}

function parseYuv(v: string): RawVideoGeometry {
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

/** The model a neural metric ran, as `iqa metrics --json` reports it. */
function modelJson(m: MetricModelInfo): { id: string; sha256: string; provider: string; comparable: boolean } {
  return { id: m.modelId, sha256: m.modelSha256, provider: m.provider, comparable: m.comparable };
}

/** Every metric of --dist in one computation: those that need a reference against --ref (compute-pair decides which). */
async function computeMetricsCli(
  o: MetricCliOptions & { ref?: string; dist: string; yuv?: RawVideoGeometry },
  metrics: ResolvedMetric[],
  runner: FrameRunner,
  onFrame: (done: number, total: number | null) => void,
): Promise<PairResult> {
  const fr = metrics.filter((m) => needsReference(m.id));
  if (fr.length && !o.ref) throw new IqaError('E_INPUT', `--ref is required for the full-reference metrics ${fr.map((m) => m.id).join(', ')}`);
  return computeMetrics(
    { dist: resolve(o.dist), distRaw: o.yuv, ...(o.ref ? { ref: resolve(o.ref), refRaw: o.yuv } : {}) },
    { metrics, runner, policy: policyOf(o), pooling: o.pooling, acceptDecodeErrors: o.acceptDecodeErrors, onFrame },
  );
}

export function buildProgram(): Command {
  const program = new Command('iqa')
    .description('IQA Studio: image and video quality assessment from the command line')
    .version(APP_VERSION)
    // A malformed argument is one line (with the hint) and exit code 2, as every other failure is one
    // line; exitOverride (inherited by every subcommand) lets main() set the code.
    .exitOverride()
    .configureOutput({
      outputError: (str, write) => write(`iqa: ${str.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (run with --help for usage)\n`),
    });

  const project = program.command('project').description('create projects');
  project
    .command('create')
    .description('create a new project (a folder holding iqa-project.sqlite)')
    .argument('<dir>', 'project folder (created if missing)')
    .option('--name <name>', 'project name (default: the folder name)')
    .action((dir: string, o: { name?: string }) => {
      const abs = checkNewProjectLocation(dir);
      openProjectDb(abs, { create: true, name: o.name }).close();
      rememberProject(defaultUserDataDir(), { dir: abs, name: o.name ?? abs.split(/[\\/]/).pop()! });
      process.stdout.write(`created project ${abs}\n`);
    });

  program
    .command('import')
    .description('import a folder (recursively), a CSV manifest or one file into a project')
    .argument('<dir>', 'project folder')
    .argument('<source>', 'folder, CSV manifest (columns path, reference, role, content, attributes...) or media file')
    .option('--pattern <regex>', 'regular expression on file stems: group (?<ref>...) names the reference, other named groups become attributes', parsePattern)
    .option('--no-recursive', 'do not descend into subfolders')
    .option('--yuv <geometry>', 'geometry of raw .yuv files: WIDTHxHEIGHT:PIXFMT@FPS', parseYuv)
    .option('--json', 'print the import report as JSON')
    .action(async (dir: string, source: string, o: { pattern?: string; recursive: boolean; yuv?: RawVideoGeometry; json?: boolean }) => {
      const db = openProjectDb(resolve(dir));
      try {
        const options = importOptionsSchema.parse({ pattern: o.pattern, recursive: o.recursive, rawVideo: o.yuv });
        const report = await importMedia(db, resolve(dir), resolve(source), options, {
          onProgress: (p) => process.stderr.write(`[${p.done}/${p.total}] ${p.outcome === 'issue' ? 'failed' : p.outcome} ${p.file}\n`),
        });
        if (o.json) {
          process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        } else {
          process.stdout.write(`added ${report.added}, updated ${report.updated}, unchanged ${report.unchanged}, problems ${report.issues.length}\n`);
          for (const i of report.issues) process.stdout.write(`  ${i.file}: ${i.reason}\n`);
          for (const u of report.unpaired) process.stdout.write(`  ${u}: no reference found (imported unpaired)\n`);
        }
        if (report.added + report.updated + report.unchanged === 0 && report.issues.length > 0) process.exitCode = 1;
      } finally {
        db.close();
      }
    });

  program
    .command('stimuli')
    .description('list the stimuli of a project')
    .argument('<dir>', 'project folder')
    .option('--json', 'print JSON')
    .action((dir: string, o: { json?: boolean }) => {
      const db = openProjectDb(resolve(dir));
      let list: Stimulus[];
      try {
        list = listStimuli(db);
      } finally {
        db.close();
      }
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
          Object.entries(s.attributes).map(([k, v]) => `${k}=${v}`).join(' '),
        ]),
      );
    });

  addMetricOptions(
    program
      .command('metrics')
      .description('metrics of one distorted image or video: full-reference against --ref, no-reference on its own')
      .option('--ref <file>', 'reference image or video (not needed when every metric is no-reference)')
      .requiredOption('--dist <file>', 'distorted image or video'),
  )
    .option('--per-frame', 'include per-frame values')
    .option('--json', 'print one JSON object')
    .option('--yuv <geometry>', 'geometry of raw .yuv inputs: WIDTHxHEIGHT:PIXFMT@FPS', parseYuv)
    .action(async (o: MetricCliOptions & { ref?: string; dist: string; perFrame?: boolean; json?: boolean; yuv?: RawVideoGeometry }) => {
      const metrics = resolveMetrics(o.metrics, o.param);
      const runner = createFrameRunner(o.threads ?? defaultThreads());
      const progress = createProgress('frames');
      try {
        const result = await computeMetricsCli(o, metrics, runner, (d, t) => progress.update(d, t));
        progress.stop();
        const out = {
          ref: o.ref ?? null,
          dist: o.dist,
          frames: result.frames,
          metrics: Object.fromEntries(
            metrics.map((m, i) => [
              m.id,
              {
                value: toJsonNumber(result.pooled[i]!),
                ...(o.perFrame && !result.errors[i] ? { perFrame: Array.from(result.perFrame[i]!, toJsonNumber) } : {}),
                ...(result.models[i] ? { model: modelJson(result.models[i]!) } : {}),
                ...(result.errors[i] ? { error: { code: result.errors[i]!.code, message: result.errors[i]!.message } } : {}),
              },
            ]),
          ),
        };
        if (o.json) {
          process.stdout.write(JSON.stringify(out) + '\n');
        } else {
          process.stdout.write(`${o.dist}${o.ref ? ` vs ${o.ref}` : ''}: ${result.frames} frame(s), ${result.format.width}x${result.format.height} ${result.format.layout} ${result.format.bitDepth}-bit, pooling ${result.pooling}\n`);
          printTable(
            o.perFrame ? ['metric', 'value', ...Array.from({ length: result.frames }, (_, k) => `f${k}`)] : ['metric', 'value'],
            metrics.map((m, i) => [
              m.id,
              result.errors[i] ? 'failed' : formatValue(result.pooled[i]!),
              ...(o.perFrame && !result.errors[i] ? Array.from(result.perFrame[i]!, formatValue) : []),
            ]),
          );
          for (const info of result.models) {
            if (info && !info.comparable) process.stdout.write(`note: ${info.modelId} has random weights (an architecture test graph): its values are not comparable with the real model's\n`);
          }
        }
        // The metrics that could run are printed; each one that could not is a one-line error and a non-zero exit.
        for (const e of result.errors) if (e) process.stderr.write(`iqa: ${e.message}\n`);
        if (result.errors.some((e) => e)) process.exitCode = 1;
      } finally {
        progress.stop();
        await runner.close();
      }
    });

  addMetricOptions(
    program
      .command('run')
      .description("compute metrics for a project's distorted/reference pairs and store them (resumes: stored pairs are skipped)")
      .argument('<dir>', 'project folder'),
  )
    .option('--force', 'recompute pairs that already have values')
    .option('--only <names>', 'comma-separated names of distorted stimuli to compute', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--json', 'print the run report as JSON')
    .action(async (dir: string, o: MetricCliOptions & { force?: boolean; only?: string[]; json?: boolean }) => {
      const metrics = resolveMetrics(o.metrics, o.param);
      const abs = resolve(dir);
      const db = openProjectDb(abs);
      const runner = createFrameRunner(o.threads ?? defaultThreads());
      const progress = createProgress('frames');
      try {
        let stimulusIds: number[] | undefined;
        if (o.only) {
          const byName = new Map(listStimuli(db).map((s) => [s.name, s.id]));
          const missing = o.only.filter((n) => !byName.has(n));
          if (missing.length) throw new IqaError('E_NOT_FOUND', `no stimulus named ${missing.join(', ')} in ${abs}`);
          stimulusIds = o.only.map((n) => byName.get(n)!);
        }
        const report = await runProjectMetrics(
          db,
          abs,
          { metrics, stimulusIds, force: o.force, policy: policyOf(o), pooling: o.pooling, acceptDecodeErrors: o.acceptDecodeErrors },
          {
            runner,
            onProgress: (d, t, msg) => progress.update(d, t, msg),
            onRefresh: (r) => r.changed.forEach((f) => process.stderr.write(`${f}: changed since it was hashed; its stored values were dropped and are recomputed\n`)),
          },
        );
        progress.stop();
        if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else {
          process.stdout.write(`${report.pairs} pair(s): ${report.computed} computed, ${report.skipped} already stored, ${report.failed.length} failed\n`);
          for (const f of report.failed) process.stdout.write(`  ${f.stimulus}: ${f.error.message}\n`);
        }
        if (report.failed.length > 0) process.exitCode = 1;
      } finally {
        progress.stop();
        await runner.close();
        db.close();
      }
    });

  program
    .command('results')
    .description('export the stored metric values (long format: stimulus, reference, metric, value, attributes)')
    .argument('<dir>', 'project folder')
    .option('--format <format>', 'csv or json', (v: string) => {
      if (v !== 'csv' && v !== 'json') throw new InvalidArgumentError('expected csv or json');
      return v;
    }, 'csv')
    .action((dir: string, o: { format: 'csv' | 'json' }) => {
      const db = openProjectDb(resolve(dir));
      try {
        process.stdout.write(exportResults(db, o.format).content);
      } finally {
        db.close();
      }
    });

  addAnalysisCommands(program);
  addModelsCommand(program);
  addSetsCommand(program);

  program
    .command('web')
    .description('serve the UI to a browser on 127.0.0.1 (prints the address with its token)')
    .option('-p, --port <port>', 'port (0 picks a free one)', (v) => Number.parseInt(v, 10), 0)
    .option('--root <folder>', 'a folder the browser may use (repeatable; default: IQA_ROOTS, else your home folder)', (v: string, acc: string[]) => [...acc, resolve(v)], [] as string[])
    .action((o: { port: number; root: string[] }) => runWeb({ port: o.port, roots: o.root }));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end here with 0; commander has already printed a parse error as one line.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const e = toIqaError(err);
    process.stderr.write(`iqa: ${e.message}\n`);
    process.exitCode = e.code === 'E_INPUT' ? 2 : 1;
  }
}

await main(process.argv);
