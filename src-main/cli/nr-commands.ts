/**
 * `iqa nr train|list|show|export|import|delete` (issue 16): learned no-reference predictors trained on a
 * project's own ratings (docs/learned-nr.md), each a contract command through the engine
 * (services/nr/). Here: arguments into inputs, records into text.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { NR_COMBINES, NR_GROUPINGS, NR_SVR_TYPES, NR_TARGETS, type NrCvStatistics, type NrPredictorRecord, type NrPredictorSummary } from '../common/nr-predictor';
import type { NrTrainInput } from '../common/contract-types';
import { withEngine } from './engine-client';
import { createProgress } from './progress';
import { printTable } from './table';

function oneOf<T extends string>(allowed: readonly T[]) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return v as T;
  };
}

function wholeNumber(min: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return Number(v);
  };
}

const f3 = (v: number | null) => (v === null ? 'undefined' : v.toFixed(3));
const f4 = (v: number | null) => (v === null ? 'undefined' : v.toFixed(4));

function statLine(name: string, v: number | null, ci: [number | null, number | null] | undefined, fmt: (x: number | null) => string): string {
  return `${name} ${fmt(v)}${ci ? ` [${fmt(ci[0])}, ${fmt(ci[1])}]` : ''}`;
}

/** "SROCC 0.912 [0.85, 0.95] · PLCC … · RMSE …", the intervals when there are. */
function cvLine(cv: NrCvStatistics): string {
  const c = cv.ci95;
  return [statLine('SROCC', cv.srocc, c?.srocc, f3), statLine('KROCC', cv.krocc, c?.krocc, f3), statLine('PLCC', cv.plcc, c?.plcc, f3), statLine('RMSE', cv.rmse, c?.rmse, f4)].join(' · ');
}

function intervalNote(cv: NrCvStatistics): string {
  const c = cv.ci95;
  if (!c) return 'no bootstrap intervals (--resamples 0)';
  return `95 % ${c.method.toUpperCase()} intervals from ${c.resamples} bootstrap resamples${c.clusters !== null ? ` of ${c.clusters} contents` : ''} (seed ${c.seed})`;
}

function printRecord(r: NrPredictorRecord | NrPredictorSummary, full: boolean): void {
  const o = r.options;
  const lines = [
    `predictor nr:${r.name}: ${r.backbone} features (graph ${r.backboneSha256.slice(0, 12)}…), target ${r.target.toUpperCase()} of study "${r.study}"`,
    `trained on ${r.stimuli} stimuli of ${r.contents} contents; ${o.folds} folds by ${o.group === 'content' ? 'content' : 'stimulus'}, ${o.innerFolds} inner folds, ${o.svr === 'nu' ? 'ν' : 'ε'}-SVR (RBF) per level, levels combined by ${o.combine}, seed ${o.seed}`,
    `cross-validated (n = ${r.cv.n}, no mapping): ${cvLine(r.cv)}`,
    `  ${intervalNote(r.cv)}`,
  ];
  if (full && 'folds' in r) {
    lines.push(`levels: ${r.levels.join(', ')}; SVM: ${r.svmLibrary}; created ${r.createdAt} by IQA Studio ${r.engineVersion}`);
    for (const lv of r.predictor.levels) {
      const p = lv.params;
      lines.push(`  final ${lv.name} (${lv.dims} values): C ${p.C}, γ ${p.gamma.toPrecision(3)}, ${p.type === 'nu' ? `ν ${p.nu}` : `ε ${p.epsilon}`}; inner MSE ${lv.innerMse.toFixed(4)}`);
    }
    const c = r.predictor.combination;
    lines.push(`  combination ${c.kind}: weights ${c.weights.map((w) => w.toFixed(3)).join(', ')}, intercept ${c.intercept.toFixed(3)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (full && 'folds' in r) {
    printTable(
      ['fold', 'train', 'test', 'SROCC', 'PLCC', 'RMSE', 'test contents'],
      r.folds.map((f) => [String(f.index + 1), String(f.train), String(f.test), f3(f.stats.srocc), f3(f.stats.plcc), f4(f.stats.rmse), f.testContents.join(', ')]),
    );
  }
}

export function addNrCommands(program: Command): void {
  const nr = program.command('nr').description('learned no-reference predictors trained on the project\'s ratings, used as metrics nr:<name> (docs/learned-nr.md)');

  nr.command('train')
    .description('train a BLINDER-style predictor (one RBF SVR per feature level, levels combined) on a study\'s MOS or DMOS, cross-validated by content, and store it as the metric nr:<name>')
    .argument('<dir>', 'project folder')
    .requiredOption('--features <backbone>', 'level-feature backbone, e.g. alexnet-levels or squeezenet-levels')
    .requiredOption('--target <t>', 'mos or dmos (difference scores of an ACR-HR or DSCQS study)', oneOf(NR_TARGETS))
    .requiredOption('--name <name>', 'the predictor\'s name (a-z, 0-9, _ and -): its metric is nr:<name>')
    .option('--study <name>', 'the study whose ratings to use (default: the only one)')
    .option('--folds <k>', 'outer cross-validation folds (default 5)', wholeNumber(2))
    .option('--inner-folds <k>', 'folds of the hyper-parameter search inside each training set (default 4)', wholeNumber(2))
    .option('--group <g>', 'content (default: a content\'s stimuli share a fold) or none (folds by stimulus)', oneOf(NR_GROUPINGS))
    .option('--combine <c>', 'mean (default) or stack (least squares on inner-fold predictions)', oneOf(NR_COMBINES))
    .option('--svr <type>', 'epsilon (default) or nu', oneOf(NR_SVR_TYPES))
    .option('--seed <n>', 'seed of the folds and the bootstrap (default 1)', wholeNumber(0))
    .option('--resamples <n>', 'bootstrap resamples of the statistics\' intervals (default 2000; 0: none)', wholeNumber(0))
    .option('--json', 'print the stored predictor as JSON')
    .action(
      (
        dir: string,
        o: { features: string; target: NrTrainInput['target']; name: string; study?: string; folds?: number; innerFolds?: number; group?: NrTrainInput['group']; combine?: NrTrainInput['combine']; svr?: NrTrainInput['svr']; seed?: number; resamples?: number; json?: boolean },
      ) =>
        withEngine({}, async (engine) => {
          const input: NrTrainInput = {
            projectDir: resolve(dir),
            name: o.name,
            features: o.features,
            target: o.target,
            ...(o.study !== undefined ? { study: o.study } : {}),
            ...(o.folds !== undefined ? { folds: o.folds } : {}),
            ...(o.innerFolds !== undefined ? { innerFolds: o.innerFolds } : {}),
            ...(o.group !== undefined ? { group: o.group } : {}),
            ...(o.combine !== undefined ? { combine: o.combine } : {}),
            ...(o.svr !== undefined ? { svr: o.svr } : {}),
            ...(o.seed !== undefined ? { seed: o.seed } : {}),
            ...(o.resamples !== undefined ? { resamples: o.resamples } : {}),
          };
          const r = await engine.job('nr.train', input, createProgress('steps', { lines: true }));
          if (o.json) process.stdout.write(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
          else printRecord(r, true);
        }),
    );

  nr.command('list')
    .description('the project\'s trained predictors with their cross-validated statistics')
    .argument('<dir>', 'project folder')
    .option('--json', 'print them as JSON')
    .action((dir: string, o: { json?: boolean }) =>
      withEngine({}, async (engine) => {
        const rows = await engine.call('nr.list', { projectDir: resolve(dir) });
        if (o.json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        if (rows.length === 0) return void process.stdout.write('no predictors trained yet (iqa nr train)\n');
        printTable(
          ['metric', 'features', 'target', 'study', 'stimuli', 'contents', 'CV SROCC', 'CV PLCC', 'CV RMSE', 'created'],
          rows.map((r) => [`nr:${r.name}`, r.backbone, r.target, r.study, String(r.stimuli), String(r.contents), f3(r.cv.srocc), f3(r.cv.plcc), f4(r.cv.rmse), r.createdAt]),
        );
      }),
    );

  nr.command('show')
    .description('one predictor: training data, hyper-parameters per level, combination, fold results')
    .argument('<dir>', 'project folder')
    .argument('<name>', 'the predictor\'s name')
    .option('--json', 'print the whole record as JSON')
    .action((dir: string, name: string, o: { json?: boolean }) =>
      withEngine({}, async (engine) => {
        const r = await engine.call('nr.get', { projectDir: resolve(dir), name });
        if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else printRecord(r, true);
      }),
    );

  nr.command('export')
    .description('write a predictor as one JSON file (models, standardisation, training data reference, folds)')
    .argument('<dir>', 'project folder')
    .argument('<name>', 'the predictor\'s name')
    .option('--out <file>', 'write to a file instead of stdout')
    .action((dir: string, name: string, o: { out?: string }) =>
      withEngine({}, async (engine) => {
        const r = await engine.call('nr.export', { projectDir: resolve(dir), name });
        if (o.out) writeFileSync(resolve(o.out), r.content);
        else process.stdout.write(r.content);
      }),
    );

  nr.command('import')
    .description('read an exported predictor into the project (its own name, or --as)')
    .argument('<dir>', 'project folder')
    .argument('<file>', 'a file written by iqa nr export')
    .option('--as <name>', 'store it under this name')
    .option('--json', 'print the stored predictor\'s summary as JSON')
    .action((dir: string, file: string, o: { as?: string; json?: boolean }) =>
      withEngine({}, async (engine) => {
        const r = await engine.call('nr.import', { projectDir: resolve(dir), file: resolve(file), ...(o.as !== undefined ? { as: o.as } : {}) });
        if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else printRecord(r, false);
      }),
    );

  nr.command('delete')
    .description('delete a predictor and the values its metric nr:<name> stored')
    .argument('<dir>', 'project folder')
    .argument('<name>', 'the predictor\'s name')
    .action((dir: string, name: string) =>
      withEngine({}, async (engine) => {
        const r = await engine.call('nr.delete', { projectDir: resolve(dir), name });
        if (!r.deleted) {
          process.stderr.write(`iqa: no predictor named "${name}" in this project\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`deleted nr:${name}\n`);
      }),
    );
}
