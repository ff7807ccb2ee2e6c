/**
 * `iqa ratings`, `iqa analyze` (a project's ratings and analysis, through the engine's contract commands)
 * and `iqa correlate`, `iqa mos`, `iqa pairwise` (the same statistics on CSV files from elsewhere, no
 * project: pure helpers).
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { IqaError } from '../common/errors';
import { toJsonNumber } from '../common/json-numbers';
import { ANALYSIS_EXPORT_FORMATS, MAPPING_FITS, MAPPING_NAMES, STUDY_METHOD_NAMES, type AnalysisExportFormat, type MappingName, type MosKind, type ScoreName, type Screening as MosScreening, type StudyMethodName } from '../common/contract-names';
import { MOS_CHOICE_DEFAULTS, type MosChoice } from '../common/contract-types';
import { metricVsMos, type IntervalStatistic } from '../kernels/stats/metric-vs-mos';
import { clipMosInterval, modelScoreBounds, MOS_MODELS, REPEATS, mosFromModel, type MosInterval, type MosModel, type PsiInterval, type Repeats, type Screening } from '../services/analysis/mos-from-ratings';
import { MOS_INTERVALS } from '../kernels/stats/mos';
import { PSI_INTERVALS } from '../kernels/stats/subject-model-mle';
import { pairwiseFromCsv } from '../services/analysis/pairwise-from-csv';
import { cellNumber, readCsvTable, readScoreTable } from '../services/analysis/read-table';
import { withEngine } from './engine-client';
import { printTable } from './table';

/**
 * `iqa mos`'s default model: the one default MOS of `iqa analyze` and the app (MOS_CHOICE_DEFAULTS:
 * screened, ITU-R BT.500), so both give the same MOS for the same ratings.
 */
const DEFAULT_MOS_MODEL: MosModel = MOS_CHOICE_DEFAULTS.mos === 'mle' ? 'mle' : MOS_CHOICE_DEFAULTS.mos === 'raw' ? 'raw' : 'bt500';

/** `--by none`, as the app offers it: no breakdown. */
const NO_BREAKDOWN = 'none';

const choice = (allowed: readonly string[]) => (v: string) => {
  if (!allowed.includes(v)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
  return v;
};
const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
};

/** JSON numbers for statistics: NaN -> null, ±Infinity -> strings (see common/json-numbers.ts). */
const j = (v: number) => toJsonNumber(v);
const jPair = (p: [number, number]) => [j(p[0]), j(p[1])];
const fmt = (v: number, digits = 4) => (Number.isNaN(v) ? 'NaN' : v.toFixed(digits));

const minCorr = (v: string) => {
  const n = Number(v);
  if (!(n > -1 && n < 1)) throw new InvalidArgumentError('expected a number between -1 and 1');
  return n;
};

const scaleArg = (v: string) => {
  const m = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$/.exec(v);
  if (!m || !(Number(m[1]) < Number(m[2]))) throw new InvalidArgumentError('expected MIN..MAX, e.g. 1..5 or 0..100');
  return { min: Number(m[1]), max: Number(m[2]) };
};

/** The variants behind `iqa mos`'s numbers, each marked when it is the default (docs/analysis.md "Variants"). */
function variantsLine(v: { repeats: Repeats; interval?: MosInterval; psiInterval?: PsiInterval }): string {
  const parts: string[] = [];
  if (v.interval !== undefined) parts.push(v.interval === 't' ? 'MOS interval t (the default)' : 'MOS interval normal (1.96 * SE)');
  if (v.psiInterval !== undefined) parts.push(v.psiInterval === 'information' ? 'psi interval information (the default)' : 'psi interval residual (P.913 reference code)');
  parts.push(v.repeats === 'average' ? 'repeats average (the default)' : 'repeats observations');
  return parts.join(', ');
}

export function addAnalysisCommands(program: Command): void {
  const ratings = program.command('ratings').description("a project's subjective ratings");
  ratings
    .command('import')
    .description('import ratings (CSV columns participant, stimulus, score; optional session, response_ms) as a study of the project')
    .argument('<dir>', 'project folder')
    .argument('<csv>', 'ratings CSV; stimulus = a stimulus name (file stem) or its project path')
    .option('--study <name>', 'study name', 'imported')
    .option('--method <method>', `test method: ${STUDY_METHOD_NAMES.join(', ')} (ACR-HR gives DMOS in the analysis)`, choice(STUDY_METHOD_NAMES), 'ACR')
    .option('--scale <min..max>', 'rating scale (default: 1..5 for ACR/ACR-HR/DCR, 0..100 for DSCQS)', scaleArg)
    .option('--replace', 'replace a study of the same name')
    .option('--json', 'print the import report as JSON')
    .action((dir: string, csv: string, o: { study: string; method: StudyMethodName; scale?: { min: number; max: number }; replace?: boolean; json?: boolean }) =>
      withEngine({}, async (engine) => {
        const report = await engine.call('ratings.import', {
          projectDir: resolve(dir),
          csv: resolve(csv),
          study: o.study,
          method: o.method,
          ...(o.scale ? { scale: o.scale } : {}),
          replace: o.replace ?? false,
        });
        if (o.json) return void process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        process.stdout.write(`study "${report.study}": ${report.ratings} ratings from ${report.participants} participants (${report.notRated} without a score), scale ${report.scale.min}..${report.scale.max}, ${report.issues.length} problem(s)\n`);
        for (const i of report.issues) process.stdout.write(`  ${i.row}: ${i.reason}\n`);
      }),
    );

  ratings
    .command('export-sureal')
    .description("write a study's raw ratings as a SUREAL dataset file (Python), to cross-check with Netflix's sureal")
    .argument('<dir>', 'project folder')
    .option('--study <name>', 'the study (default: the only one)')
    .action((dir: string, o: { study?: string }) =>
      withEngine({}, async (engine) => {
        const file = await engine.call('ratings.exportSureal', { projectDir: resolve(dir), ...(o.study !== undefined ? { study: o.study } : {}) });
        process.stdout.write(file.content);
      }),
    );

  program
    .command('analyze')
    .description('MOS, observer screening and metric-vs-MOS statistics of a project (ITU-T P.1401), as a table')
    .argument('<dir>', 'project folder')
    .option('--study <name>', 'the study to analyse (default: the only one)')
    .option('--mos <kind>', "screened (after --screen), raw, or mle (the ITU-T P.913 subject model); default: the project's stored choice, else screened", choice(['screened', 'raw', 'mle']))
    .option('--screen <method>', 'screening for --mos screened: bt500 or corr (default: stored, else bt500)', choice(['bt500', 'corr']))
    .option('--min-corr <r>', 'threshold for --screen corr (default: stored, else 0.75)', minCorr)
    .option('--scores <kind>', 'auto (DSCQS: difference scores when reference scores were imported; ACR-HR: DMOS), absolute, or difference (DSCQS reference - test; ACR-HR DMOS)', choice(['auto', 'absolute', 'difference']))
    .option('--zscore', 'z-score each participant\'s scores and rescale them to the scale before the MOS')
    .option('--no-zscore', 'use the scores without z-scores (overrides a stored choice)')
    .option('--remember', 'store this MOS choice (--mos, --screen, --min-corr, --scores, --zscore) in the project as its default, for the CLI and the app')
    .option('--mapping <kind>', 'monotonic mapping before PLCC/RMSE: logistic5 (VQEG), logistic4, cubic, linear, none', choice(MAPPING_NAMES), 'logistic5')
    .option('--by <name>', 'also break the statistics and the MOS down by content, codec, resolution or a stored attribute (condition, ...); none: no breakdown')
    .option('--format <format>', 'md, csv, json or latex', choice(ANALYSIS_EXPORT_FORMATS), 'md')
    .option('--seed <n>', 'bootstrap seed', int, 1)
    .option('--resamples <n>', 'bootstrap resamples (0 skips the intervals)', int, 2000)
    .action(
      (
        dir: string,
        o: { study?: string; mos?: MosKind; screen?: MosScreening; minCorr?: number; scores?: ScoreName; zscore?: boolean; remember?: boolean; mapping: MappingName; by?: string; format: AnalysisExportFormat; seed: number; resamples: number },
      ) =>
        withEngine({}, async (engine) => {
          const projectDir = resolve(dir);
          // The MOS choice given on the command line; what is not given comes from the project's stored choice.
          const given: Partial<MosChoice> = Object.fromEntries(
            Object.entries({ mos: o.mos, screening: o.screen, minCorrelation: o.minCorr, scores: o.scores, zscore: o.zscore }).filter(([, v]) => v !== undefined),
          );
          const by = o.by === NO_BREAKDOWN ? undefined : o.by;
          const file = await engine.call('analysis.export', {
            projectDir,
            ...(o.study !== undefined ? { study: o.study } : {}),
            ...given,
            mapping: o.mapping,
            ...(by !== undefined ? { by } : {}),
            seed: o.seed,
            resamples: o.resamples,
            format: o.format,
          });
          // Stored only once it has given an analysis (a typo in another option stores nothing).
          if (o.remember) {
            const current = await engine.call('analysis.mosChoice', { projectDir });
            await engine.call('analysis.setMosChoice', { projectDir, choice: { ...current.choice, ...given } });
          }
          process.stdout.write(file.content);
        }),
    );

  program
    .command('correlate')
    .description('how well a metric column predicts a MOS column (SROCC, KROCC, PLCC, RMSE, mapped PLCC/RMSE, bootstrap CIs)')
    .argument('<csv>', 'CSV file with a header row')
    .requiredOption('--x <column>', 'the metric column')
    .requiredOption('--y <column>', 'the MOS column')
    .option('--mapping <kind>', 'monotonic mapping before PLCC/RMSE: logistic5 (VQEG), logistic4, cubic, linear, none', choice(MAPPING_NAMES), 'logistic5')
    .option('--seed <n>', 'bootstrap seed (stored in the output)', int, 1)
    .option('--resamples <n>', 'bootstrap resamples (0 skips the intervals)', int, 2000)
    .option('--json', 'print one JSON object')
    .action((csv: string, o: { x: string; y: string; mapping: MappingName; seed: number; resamples: number; json?: boolean }) => {
      const rows = readCsvTable(csv, [o.x, o.y]);
      const x = rows.map((r) => cellNumber(r[o.x]));
      const y = rows.map((r) => cellNumber(r[o.y]));
      let res;
      try {
        res = metricVsMos(x, y, { mapping: MAPPING_FITS[o.mapping], bootstrap: o.resamples > 0 ? { seed: o.seed, resamples: o.resamples } : undefined });
      } catch (err) {
        if (err instanceof RangeError) throw new IqaError('E_INPUT', `${csv}: ${err.message}`, { file: csv });
        throw err;
      }
      const out = {
        n: res.n,
        n_excluded: res.nTotal - res.n,
        srocc: j(res.srocc),
        krocc: j(res.krocc),
        plcc: j(res.plcc),
        rmse: j(res.rmse),
        plcc_mapped: j(res.plccMapped),
        rmse_mapped: j(res.rmseMapped),
        mapping: res.mapping && {
          kind: res.mapping.kind === MAPPING_FITS[o.mapping] ? o.mapping : res.mapping.kind,
          requested: o.mapping,
          params: res.mapping.params.map(j),
          sse: j(res.mapping.sse),
          converged: res.mapping.converged,
          solver: res.mapping.solver,
          direction: res.mapping.direction,
          fallback: res.mapping.fallback,
          degenerate: res.mapping.degenerate,
        },
        ...(res.mappingReason ? { mapping_reason: res.mappingReason } : {}),
        p_values: { srocc: j(res.pValues.srocc), krocc: j(res.pValues.krocc), plcc: j(res.pValues.plcc) },
        ...(res.ci95
          ? {
              ci95: {
                srocc: jPair(res.ci95.srocc),
                krocc: jPair(res.ci95.krocc),
                plcc: jPair(res.ci95.plcc),
                rmse: jPair(res.ci95.rmse),
                plcc_mapped: jPair(res.ci95.plccMapped),
                rmse_mapped: jPair(res.ci95.rmseMapped),
              },
              bootstrap: { seed: res.ci95.seed, resamples: res.ci95.resamples, method: res.ci95.method, ...(res.ci95.widened.length ? { widened: res.ci95.widened } : {}) },
            }
          : {}),
        ...(res.reason ? { reason: res.reason } : {}),
        conventions:
          "SROCC with average ranks; KROCC tau-b; PLCC/RMSE raw and after the monotone mapping fitted to y in the direction of the PLCC (ITU-T P.1401; several starts on standardised data; a degenerate fit is in mapping.degenerate, a fallback logistic5 -> logistic4 -> cubic in mapping.fallback; docs/analysis.md); the mapped values are null with mapping_reason when the mapping has too few rows for its parameters or no monotone fit exists; BCa bootstrap over rows, the mapping refitted on each resample from the full-data fit",
      };
      if (o.json) return void process.stdout.write(JSON.stringify(out) + '\n');
      const m = res.mapping;
      const note = m && !res.mappingReason ? [m.fallback ? `mapping: ${m.kind} instead of ${o.mapping} (${m.fallback.because})` : '', m.degenerate ? `degenerate fit, ${m.degenerate.issue}: ${m.degenerate.detail}` : ''].filter(Boolean).join('; ') : '';
      process.stdout.write(`${o.x} vs ${o.y}: n = ${res.n}${res.nTotal > res.n ? ` (${res.nTotal - res.n} rows excluded: missing or not numeric)` : ''}${res.reason ? `; ${res.reason}` : ''}${res.mappingReason ? `; mapped values NaN: ${res.mappingReason}` : ''}${note ? `; ${note}` : ''}\n`);
      const ci = (k: IntervalStatistic) => (res.ci95 ? `[${fmt(res.ci95[k][0])}, ${fmt(res.ci95[k][1])}]` : '');
      printTable(
        ['statistic', 'value', `95% CI (bootstrap, ${res.ci95?.method === 'bca' ? 'BCa' : 'percentile'})`],
        [
          ['SROCC', fmt(res.srocc), ci('srocc')],
          ['KROCC', fmt(res.krocc), ci('krocc')],
          ['PLCC', fmt(res.plcc), ci('plcc')],
          ['RMSE', fmt(res.rmse), ci('rmse')],
          [`PLCC (${m && m.kind !== MAPPING_FITS[o.mapping] ? m.kind : o.mapping})`, fmt(res.plccMapped), ci('plccMapped')],
          [`RMSE (${m && m.kind !== MAPPING_FITS[o.mapping] ? m.kind : o.mapping})`, fmt(res.rmseMapped), ci('rmseMapped')],
        ],
      );
    });

  program
    .command('pairwise')
    .description('a quality scale from pairwise comparisons (CSV columns a, b, choice = a|b|tie): Thurstone Case V or Bradley-Terry')
    .argument('<csv>', 'one row per comparison')
    .option('--model <model>', 'thurstone (Case V, JND units) or bradley-terry (log-odds)', choice(['thurstone', 'bradley-terry']), 'thurstone')
    .option('--seed <n>', 'bootstrap seed', int, 1)
    .option('--resamples <n>', 'bootstrap resamples (0 skips the intervals)', int, 1000)
    .option('--json', 'print one JSON object')
    .action((file: string, o: { model: 'thurstone' | 'bradley-terry'; seed: number; resamples: number; json?: boolean }) => {
      const r = pairwiseFromCsv(file, { model: o.model === 'thurstone' ? 'thurstone-case-v' : 'bradley-terry', seed: o.seed, resamples: o.resamples });
      if (o.json) {
        return void process.stdout.write(
          JSON.stringify({ ...r, conditions: r.conditions.map((c) => ({ ...c, score: j(c.score), ci95: c.ci95 && jPair(c.ci95), standardError: c.standardError === null ? null : j(c.standardError) })) }) + '\n',
        );
      }
      process.stdout.write(`${r.comparisons} comparisons (${r.ties} ties) of ${r.conditions.length} conditions; ${r.model} scale in ${r.unit} (anchor ${r.anchor})${r.issues.length ? `; ${r.issues.length} row(s) skipped` : ''}\n`);
      for (const i of r.issues) process.stdout.write(`  ${i.row}: ${i.reason}\n`);
      printTable(
        ['condition', 'score', '95% CI', 'wins', 'comparisons'],
        [...r.conditions].sort((a, b) => b.score - a.score).map((c) => [c.condition, fmt(c.score, 3), c.ci95 ? `[${fmt(c.ci95[0], 3)}, ${fmt(c.ci95[1], 3)}]` : '', String(c.wins), String(c.comparisons)]),
      );
    });

  program
    .command('mos')
    .description(`MOS per stimulus from raw ratings (CSV columns participant, stimulus, score; reference for dmos), no project needed; default model ${DEFAULT_MOS_MODEL} (as iqa analyze)`)
    .argument('<ratings>', 'CSV with columns participant, stimulus, score (one row per rating); optional reference (the hidden reference of each distorted stimulus, empty for references) for --model dmos')
    .option(
      '--model <model>',
      `bt500 (MOS after ITU-R BT.500 screening), raw (no screening), mle (ITU-T P.913 subject model: bias and inconsistency per participant), zscore (per-participant z-scores rescaled to --scale, then bt500), dmos (ACR-HR V(PVS) - V(REF) + max, then bt500); default ${DEFAULT_MOS_MODEL}, the default of iqa analyze and the app`,
      choice(MOS_MODELS),
    )
    .option(
      '--screen <method>',
      "observer screening of bt500, zscore and dmos: bt500 (ITU-R BT.500 beta2 rule, as the Recommendation writes it), bt500-sureal (the same rule as SUREAL computes it: population std, all presentations in the denominator), corr (PLCC with the others' MOS), none (default bt500)",
      choice(['bt500', 'bt500-sureal', 'corr', 'none']),
    )
    .option('--min-corr <r>', 'threshold for --screen corr', minCorr, 0.75)
    .option('--scale <min..max>', 'rating scale: the 95 % intervals are clipped to the range the scores can take on it (not clipped without it); zscore rescales to it and dmos adds its max (default 1..5 for those two)', scaleArg)
    .option('--ci <interval>', 'MOS 95% interval of bt500, raw, zscore and dmos: t (Student t, n - 1 df; default) or normal (1.96 * SE, as SUREAL\'s MosModel)', choice(MOS_INTERVALS))
    .option('--psi-ci <interval>', "psi 95% interval of mle: information (Fisher information, from each participant's inconsistency; default) or residual (each stimulus's residual spread, as the P.913 reference code)", choice(PSI_INTERVALS))
    .option('--repeats <how>', "repeated ratings of a stimulus by one participant: average (each participant's mean counts once; default) or observations (every rating counts, as SUREAL stacks repetitions)", choice(REPEATS))
    .option('--json', 'print one JSON object')
    .action((file: string, o: { model?: MosModel; screen?: Screening; minCorr: number; scale?: { min: number; max: number }; ci?: MosInterval; psiCi?: PsiInterval; repeats?: Repeats; json?: boolean }) => {
      const rows = readScoreTable(file);
      // `--screen none` alone (before --model existed) is the raw MOS.
      const noScreening = o.model === undefined && o.screen === 'none';
      const model = noScreening ? 'raw' : (o.model ?? DEFAULT_MOS_MODEL);
      const source = o.model !== undefined || o.screen !== undefined ? 'given' : 'default';
      let report;
      try {
        report = mosFromModel(rows, {
          model,
          ...(o.screen !== undefined && !noScreening ? { screening: o.screen } : {}),
          minCorrelation: o.minCorr,
          scale: o.scale ?? { min: 1, max: 5 },
          ...(o.ci !== undefined ? { interval: o.ci } : {}),
          ...(o.psiCi !== undefined ? { psiInterval: o.psiCi } : {}),
          ...(o.repeats !== undefined ? { repeats: o.repeats } : {}),
        });
      } catch (err) {
        if (err instanceof RangeError) throw new IqaError('E_INPUT', `${file}: ${err.message}`, { file });
        throw err;
      }
      // With the rating scale given, the intervals as the analysis shows them: within the range the scores
      // can take, never excluding their MOS (the kernel's are unclipped, as SUREAL reports them). A CSV
      // alone does not say its scale, so without --scale nothing is clipped, and the output says so.
      const bounds = o.scale ? modelScoreBounds(report.mosModel, o.scale) : null;
      let clipped = 0;
      const stimuli = report.stimuli.map((s) => {
        if (!bounds) return s;
        const ci = clipMosInterval(s.ci95, s.mos, bounds);
        if (ci[0] !== s.ci95[0] || ci[1] !== s.ci95[1]) clipped++;
        return { ...s, ci95: ci };
      });
      const clipping = bounds
        ? `95 % intervals clipped to the range the scores can take [${bounds.min}, ${bounds.max}] (${clipped ? `${clipped} of ${stimuli.length} clipped` : 'none reached it'}), never excluding their MOS`
        : '95 % intervals not clipped (give --scale to clip them to the range the scores can take)';
      if (o.json) {
        const out = {
          model: report.mosModel,
          modelSource: source,
          description: report.description,
          rejected: report.rejected,
          reasons: report.reasons,
          screening: report.screening,
          variants: report.variants,
          stimuli: stimuli.map((s) => ({ stimulus: s.stimulus, mos: j(s.mos), std: j(s.std), n: s.n, ci95: jPair(s.ci95) })),
          mosInterval: { bounds: bounds ? [bounds.min, bounds.max] : null, clipped, description: clipping },
          counts: report.counts,
          ...(report.notStandardised ? { notStandardised: report.notStandardised } : {}),
          ...(report.subjects
            ? {
                subjects: report.subjects.map((s) => ({ participant: s.participant, bias: j(s.bias), biasCi95: jPair(s.biasCi95), inconsistency: j(s.inconsistency), inconsistencyCi95: jPair(s.inconsistencyCi95) })),
                subjectModel: report.model,
              }
            : {}),
        };
        return void process.stdout.write(JSON.stringify(out) + '\n');
      }
      process.stdout.write(`MOS model: ${report.mosModel}${source === 'default' ? ' (the default, as iqa analyze)' : ''}: ${report.description}\n`);
      process.stdout.write(
        `${report.counts.participants} participants, ${report.counts.ratings} ratings (${report.counts.excluded} excluded, ${report.counts.repetitionsKept !== undefined ? `${report.counts.repetitionsKept} repetitions kept as observations` : `${report.counts.repetitionsAveraged} repetitions averaged`}); screening ${report.screening}: ${report.rejected.length ? `rejected ${report.rejected.join(', ')}` : 'none rejected'}\n`,
      );
      process.stdout.write(`variants: ${variantsLine(report.variants)}\n`);
      process.stdout.write(`${clipping}\n`);
      for (const [p, why] of Object.entries(report.reasons)) process.stdout.write(`  ${p}: ${why}\n`);
      if (report.notStandardised) process.stdout.write(`  not z-scored (fewer than 2 scores, or all equal; excluded): ${report.notStandardised.join(', ')}\n`);
      printTable(
        ['stimulus', report.mosModel === 'dmos' ? 'DMOS' : 'MOS', 'std', 'n', '95% CI'],
        stimuli.map((s) => [s.stimulus, fmt(s.mos, 3), fmt(s.std, 3), String(s.n), `[${fmt(s.ci95[0], 3)}, ${fmt(s.ci95[1], 3)}]`]),
      );
      if (report.subjects) {
        process.stdout.write('\n');
        printTable(
          ['participant', 'bias', '95% CI', 'inconsistency', '95% CI'],
          report.subjects.map((s) => [s.participant, fmt(s.bias, 3), `[${fmt(s.biasCi95[0], 3)}, ${fmt(s.biasCi95[1], 3)}]`, fmt(s.inconsistency, 3), `[${fmt(s.inconsistencyCi95[0], 3)}, ${fmt(s.inconsistencyCi95[1], 3)}]`]),
        );
      }
    });
}
