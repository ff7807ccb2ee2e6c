/**
 * `iqa`: the headless command line in front of the same engine the app uses: each project command is a
 * contract command sent through the engine's dispatch (engine-client.ts), so it is validated by the same
 * schemas and fails with the same typed errors; cli/ only parses arguments and prints. Output for scripts
 * goes to stdout (--json gives one JSON document); progress and diagnostics go to stderr; any failure is
 * one line `iqa: <message>` and a non-zero exit.
 */
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { IqaError, toIqaError } from '../common/errors';
import type { RawVideoGeometry } from '../common/domain';
import { APP_VERSION } from '../common/version';
import { runWeb } from '../host/web-main';
import { withFlagHint } from './flag-hints';
import { printTable } from './table';
import { addProjectCommands, parseYuv } from './project-commands';
import { addAnalysisCommands } from './analysis-commands';
import { addModelsCommand } from './models-command';
import { addSetsCommand } from './sets-command';
import { addStudyCommand } from './study-command';
import { addAlignCommand } from './align-command';
import { addViewCommand } from './view-command';
import { addShardCommands } from './shard-commands';
import { addNrCommands } from './nr-commands';
import { nrPredictorName } from '../common/nr-predictor';
import { addMetricOptions, policyOf, resolveLabelledMetrics, type MetricCliOptions } from './metric-options';
import { createProgress } from './progress';
import { computeMetrics, needsReference, type MetricModelInfo, type PairResult, type ResolvedMetric } from '../services/metrics/compute-pair';
import { createFrameRunner, defaultThreads, type FrameRunner } from '../services/metrics/frame-pool';
import { toJsonNumber } from '../common/json-numbers';

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Math.abs(v) >= 1000 ? v.toFixed(2) : v.toPrecision(8);
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
  // A trained predictor lives in a project: its features and model are the project's.
  const trained = metrics.find((m) => nrPredictorName(m.id) !== null);
  if (trained) throw new IqaError('E_INPUT', `${trained.id} is a predictor trained in a project: compute it with iqa run <project> --metrics ${trained.id}`);
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
      const labelled = resolveLabelledMetrics(o.metrics, o.param);
      const metrics = labelled.map((e) => e.metric);
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
            metrics.map((_m, i) => [
              labelled[i]!.label,
              {
                value: toJsonNumber(result.pooled[i]!),
                ...(o.perFrame && !result.errors[i] ? { perFrame: Array.from(result.perFrame[i]!, toJsonNumber) } : {}),
                ...(result.models[i] ? { model: modelJson(result.models[i]!) } : {}),
                ...(result.summaries[i] ?? {}),
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
            metrics.map((_m, i) => [
              labelled[i]!.label,
              result.errors[i] ? 'failed' : formatValue(result.pooled[i]!),
              ...(o.perFrame && !result.errors[i] ? Array.from(result.perFrame[i]!, formatValue) : []),
            ]),
          );
          // A class distribution (IQA-CNN++'s distortion type) is one line under the table, most likely first.
          metrics.forEach((_m, i) => {
            const d = result.summaries[i]?.distortion;
            if (!d) return;
            const ranked = d.labels.map((l, c) => [l, d.probabilities[c]!] as const).sort((a, b) => b[1] - a[1]);
            process.stdout.write(`${labelled[i]!.label} distortion type: ${ranked.map(([l, p]) => `${l} ${p.toFixed(3)}`).join(', ')}\n`);
          });
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

  addProjectCommands(program);
  addAnalysisCommands(program);
  addModelsCommand(program);
  addSetsCommand(program);
  addStudyCommand(program);
  addAlignCommand(program);
  addViewCommand(program);
  addShardCommands(program);
  addNrCommands(program);

  program
    .command('web')
    .description('serve the UI to a browser on 127.0.0.1 (prints the address with its token)')
    .option('-p, --port <port>', 'port (0 picks a free one)', (v) => Number.parseInt(v, 10), 0)
    .option('--root <folder>', 'a folder the browser may use (repeatable; default: IQA_ROOTS, else your home folder)', (v: string, acc: string[]) => [...acc, resolve(v)], [] as string[])
    .action((o: { port: number; root: string[] }) => runWeb({ port: o.port, roots: o.root }));

  return program;
}

/**
 * A reader that closed the pipe (`iqa results --format json | head`) ends the command quietly, with the
 * exit code so far: nobody is left to read the rest or an error about it.
 */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(process.exitCode ?? 0);
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe();
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end here with 0; commander has already printed a parse error as one line.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const e = toIqaError(err);
    process.stderr.write(`iqa: ${withFlagHint(e)}\n`);
    process.exitCode = e.code === 'E_INPUT' ? 2 : 1;
  }
}

await main(process.argv);
