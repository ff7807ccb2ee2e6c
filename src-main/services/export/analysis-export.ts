/**
 * The analysis as files a paper can use: a tidy CSV (one row per metric × group × statistic), JSON
 * with full provenance, a LaTeX booktabs table ready to \input, and a Markdown table. The best value
 * of each column is bold, every tied one (highest correlation, lowest mapped RMSE; correlations compared
 * by magnitude, so a lower-is-better metric's negative coefficients count as they should); the raw RMSE,
 * in each metric's own units, is never marked (common/analysis-stats.ts). Deterministic: the same
 * report gives byte-identical files.
 */
import { stringify } from 'csv-stringify/sync';
import type { AnalysisReport, CorrelationRow, JsonNum } from '../../common/domain';
import { fromJsonNumber, toCsvNumber } from '../../common/json-numbers';
import { bestRows, mappingNote, type StatKey } from '../../common/analysis-stats';

type Stat = StatKey;
const STATS: { key: Stat; label: string; latex: string; lowerIsBetter: boolean }[] = [
  { key: 'srocc', label: 'SROCC', latex: 'SROCC', lowerIsBetter: false },
  { key: 'krocc', label: 'KROCC', latex: 'KROCC', lowerIsBetter: false },
  { key: 'plcc', label: 'PLCC', latex: 'PLCC', lowerIsBetter: false },
  { key: 'rmse', label: 'RMSE', latex: 'RMSE', lowerIsBetter: true },
  { key: 'plccMapped', label: 'PLCC (mapped)', latex: 'PLCC$_{\\mathrm{map}}$', lowerIsBetter: false },
  { key: 'rmseMapped', label: 'RMSE (mapped)', latex: 'RMSE$_{\\mathrm{map}}$', lowerIsBetter: true },
  { key: 'rmseStar', label: 'RMSE*', latex: 'RMSE$^{*}$', lowerIsBetter: true },
  { key: 'outlierRatio', label: 'OR', latex: 'OR', lowerIsBetter: true },
];

/** Which significance letters go with a statistic's column (P.1401 tests across metrics). */
function lettersFor(r: CorrelationRow, key: Stat): string {
  if (!r.letters) return '';
  if (key === 'srocc') return r.letters.srocc;
  if (key === 'plccMapped') return r.letters.plcc;
  if (key === 'rmseMapped') return r.letters.rmse;
  return '';
}

const num = (v: JsonNum): number => (v === null ? Number.NaN : fromJsonNumber(v));

/** The bootstrap interval of a statistic's column (none for RMSE* and OR). */
function ciFor(r: CorrelationRow, key: Stat): [JsonNum, JsonNum] | null {
  if (!r.ci95) return null;
  switch (key) {
    case 'srocc':
    case 'krocc':
    case 'plcc':
      return r.ci95[key];
    case 'rmse':
    case 'plccMapped':
    case 'rmseMapped':
      return r.ci95[key] ?? null;
    default:
      return null;
  }
}

/** Why a statistic is NaN: the mapping's reason for the mapped columns, the row's reason otherwise. */
function reasonFor(r: CorrelationRow, key: Stat): string {
  const mappedColumn = key === 'plccMapped' || key === 'rmseMapped' || key === 'rmseStar' || key === 'outlierRatio';
  if (!Number.isNaN(num(r[key]))) return '';
  if (mappedColumn && r.mappingReason) return r.mappingReason;
  if ((key === 'rmseStar' || key === 'outlierRatio') && !r.reason) {
    const d = r.mapping?.params.length ?? 0;
    if (r.n > 0 && r.n <= d + 1) return `RMSE* and OR need at least ${d + 2} stimuli with a ${d}-parameter mapping (ITU-T P.1401, N - d degrees of freedom), got ${r.n}`;
  }
  return r.reason ?? '';
}

/**
 * The notes under a table: one line per cause (rows with no statistics, mapped values NaN, a fallback or a
 * degenerate fit), naming the rows it applies to, with their count when there are several (a breakdown
 * into many small groups gives one line, not one per row). A count that the table's n column shows
 * ("got 3") is left out of the cause, so that groups of different sizes share their line.
 */
function notes(report: AnalysisReport): string[] {
  const causes = new Map<string, string[]>();
  const add = (cause: string, where: string) => {
    const list = causes.get(cause);
    if (list) list.push(where);
    else causes.set(cause, [where]);
  };
  for (const r of report.correlations) {
    const where = `${configLabel(r, report.correlations)}${r.group !== null ? ` (${report.provenance.by} = ${r.group})` : ''}`;
    if (r.srocc === null && r.reason) add(`no statistics: ${r.reason}`, where);
    else if (r.mappingReason) add(`mapped PLCC/RMSE NaN: ${r.mappingReason.replace(/, got \d+$/, ' (n in the table)')}`, where);
    else if (mappingNote(r)) add(`${MAPPING_MARK} ${mappingNote(r)}`, where);
  }
  return [...causes].map(([cause, rows]) => (rows.length === 1 ? `${rows[0]}: ${cause}` : `${rows.length} rows (${rows.join('; ')}): ${cause}`));
}

/** A row without any statistic (a group too small): its cells show a dash, not NaN (the note says why). */
const noStatistics = (r: CorrelationRow): boolean => r.srocc === null && r.reason !== null && r.plcc === null;

/** Marks the mapped values of a row whose mapping fell back or is degenerate (explained in the notes). */
const MAPPING_MARK = '†';
const markedColumn = (key: Stat): boolean => key === 'plccMapped' || key === 'rmseMapped' || key === 'rmseStar' || key === 'outlierRatio';

/** The interval and MOS-bound statements of the provenance, for the header lines. */
function intervalText(report: AnalysisReport): string {
  const p = report.provenance;
  const parts: string[] = [];
  if (p.bootstrap) parts.push(`bootstrap intervals: ${p.bootstrap.interval ? p.bootstrap.interval.split(':')[0] : 'percentile'}`);
  if (p.mosInterval) parts.push(`MOS intervals: ${p.mosInterval}`);
  return parts.join('; ');
}

/**
 * The MOS choice in words, with where it came from, for the header lines: the same MOS everywhere needs
 * the reader to see which one it is (the default is ITU-R BT.500 screening, as `iqa mos`'s).
 */
export function mosChoiceText(report: AnalysisReport): string {
  const p = report.provenance;
  const what =
    p.mos === 'mle'
      ? 'the ITU-T P.913 subject model'
      : p.mos === 'raw'
        ? 'no screening'
        : p.screening === 'corr'
          ? `correlation screening (PLCC with the others' MOS >= ${p.minCorrelation ?? 0.75})`
          : 'ITU-R BT.500 screening';
  const source = p.mosChoice === 'default' ? ', the default' : p.mosChoice === 'stored' ? ", the project's stored choice" : p.mosChoice === 'given' ? ', as given' : '';
  return `MOS choice: ${p.mos} (${what}${source})`;
}

function scoresText(report: AnalysisReport): string {
  const s = report.provenance.scores;
  if (!s) return '';
  return `${s.kind === 'difference' ? 'difference scores' : 'absolute scores'}${s.zscore ? ', z-scored per participant' : ''}`;
}

function paramsText(params: Record<string, string | number>): string {
  return Object.entries(params)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
}

/** A label that tells configurations of one metric apart, e.g. "SSIM-Y (variant=ffmpeg)". */
function configLabel(r: CorrelationRow, all: readonly CorrelationRow[]): string {
  const siblings = new Set(all.filter((o) => o.metricId === r.metricId).map((o) => `${paramsText(o.params)}|${o.pooling}`));
  if (siblings.size <= 1) return r.metricName;
  const extra = [paramsText(r.params), r.pooling !== 'mean' ? `pooling=${r.pooling}` : ''].filter(Boolean).join('; ');
  return extra ? `${r.metricName} (${extra})` : r.metricName;
}

function groups(report: AnalysisReport): (string | null)[] {
  return [...new Set(report.correlations.map((r) => r.group))];
}

const fixed = (v: JsonNum, digits = 4): string => {
  const n = num(v);
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return n.toFixed(digits);
};

/**
 * A number for LaTeX text: a true minus sign ($-$; a hyphen in text mode is a hyphen, not a minus) and
 * ±∞ as $\infty$.
 */
const latexNumber = (v: JsonNum, digits = 4): string => {
  const t = fixed(v, digits);
  if (t === 'inf') return '$\\infty$';
  if (t === '-inf') return '$-\\infty$';
  return t.startsWith('-') ? `$-$${t.slice(1)}` : t;
};

export function analysisToCsv(report: AnalysisReport): string {
  const header = ['metric', 'params', 'pooling', 'group', 'statistic', 'value', 'ci95_low', 'ci95_high', 'significance_group', 'n', 'mapping', 'mos', 'screening', 'mos_choice', 'study', 'scores', 'reason', 'mapping_fitted', 'mapping_note', 'ci_method'];
  const ciMethod = report.provenance.bootstrap ? (report.provenance.bootstrap.interval ? report.provenance.bootstrap.interval.split(' ')[0]! : 'percentile') : '';
  const body: string[][] = [];
  const scores = scoresText(report);
  for (const r of report.correlations) {
    for (const s of STATS) {
      const ci = ciFor(r, s.key);
      body.push([
        r.metricId,
        paramsText(r.params),
        r.pooling,
        r.group ?? '',
        s.key,
        toCsvNumber(num(r[s.key])),
        ci ? toCsvNumber(num(ci[0])) : '',
        ci ? toCsvNumber(num(ci[1])) : '',
        lettersFor(r, s.key),
        String(r.n),
        report.provenance.mapping,
        report.provenance.mos,
        report.provenance.screening,
        report.provenance.mosChoice ?? '',
        report.provenance.study,
        scores,
        reasonFor(r, s.key),
        markedColumn(s.key) ? (r.mapping?.kind ?? '') : '',
        markedColumn(s.key) ? mappingNote(r) : '',
        ci ? ciMethod : '',
      ]);
    }
  }
  // MOS per group (with --by): rows without a metric, statistic group_mos (CI from the t-distribution)
  // and group_mos_std; n = participants.
  for (const g of report.groupMos ?? []) {
    const common = [report.provenance.mapping, report.provenance.mos, report.provenance.screening, report.provenance.mosChoice ?? '', report.provenance.study, scores, '', '', ''];
    body.push(['', '', '', g.group, 'group_mos', toCsvNumber(num(g.mos)), toCsvNumber(num(g.ci95[0])), toCsvNumber(num(g.ci95[1])), '', String(g.n), ...common, 't']);
    body.push(['', '', '', g.group, 'group_mos_std', toCsvNumber(num(g.std)), '', '', '', String(g.n), ...common, '']);
  }
  return stringify([header, ...body], { record_delimiter: '\n' });
}

export function analysisToJson(report: AnalysisReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

function latexEscape(s: string): string {
  return s.replace(/([\\{}&%$#_^~])/g, (c) => (c === '\\' ? '\\textbackslash{}' : c === '^' ? '\\^{}' : c === '~' ? '\\~{}' : `\\${c}`));
}

export function analysisToLatex(report: AnalysisReport): string {
  const p = report.provenance;
  const lines: string[] = [];
  lines.push(`% IQA Studio ${p.engineVersion}: study "${p.study}" (${p.method}), ${p.differential ? 'DMOS' : 'MOS'} ${p.mos}${p.mos === 'screened' ? ` (${p.screening})` : ''}${p.scores ? ` of ${scoresText(report)}` : ''}, mapping ${p.mapping}${p.bootstrap ? `, bootstrap seed ${p.bootstrap.seed} (${p.bootstrap.resamples} resamples)` : ''}`);
  lines.push(`% ${mosChoiceText(report)}`);
  if (intervalText(report)) lines.push(`% ${intervalText(report)}`);
  lines.push(`% Requires \\usepackage{booktabs}. Best value per column in bold (all tied ones; none for the raw RMSE, whose units differ between metrics); $^{\\dagger}$: the mapping fell back or is degenerate (see the notes below). Superscript letters: metrics sharing a letter do not differ significantly (alpha 0.05; ${p.significance ? "Williams' t on PLCC/SROCC, P.1401 F-test on RMSE" : 'ITU-T P.1401 tests'}).`);
  lines.push('\\begin{tabular}{l' + 'r'.repeat(STATS.length + 1) + '}');
  lines.push('\\toprule');
  lines.push(['Metric', ...STATS.map((s) => s.latex), '$n$'].join(' & ') + ' \\\\');
  for (const g of groups(report)) {
    const rows = report.correlations.filter((r) => r.group === g);
    const best = bestRows(rows);
    lines.push('\\midrule');
    if (g !== null) lines.push(`\\multicolumn{${STATS.length + 2}}{l}{\\emph{${latexEscape(`${p.by} = ${g}`)}}} \\\\`);
    rows.forEach((r, i) => {
      const cells = STATS.map((s) => {
        if (noStatistics(r)) return '--';
        const t = latexNumber(r[s.key]);
        const letters = lettersFor(r, s.key);
        const mark = markedColumn(s.key) && mappingNote(r) && r[s.key] !== null ? '$^{\\dagger}$' : '';
        return (best[s.key].includes(i) ? `\\textbf{${t}}` : t) + (letters ? `$^{\\mathrm{${letters}}}$` : '') + mark;
      });
      lines.push([latexEscape(configLabel(r, report.correlations)), ...cells, String(r.n)].join(' & ') + ' \\\\');
    });
  }
  lines.push('\\bottomrule');
  lines.push('\\end{tabular}');
  for (const n of notes(report)) lines.push(`% ${n.replace(MAPPING_MARK, '(dagger)')}`);
  if (report.groupMos && report.groupMos.length) {
    lines.push('');
    lines.push(`% ${p.differential ? 'DMOS' : 'MOS'} per ${p.by}: participants' means over the group's stimuli, averaged; 95 % CI from the t-distribution.`);
    lines.push('\\begin{tabular}{lrrrr}');
    lines.push('\\toprule');
    lines.push([latexEscape(p.by ?? 'group'), p.differential ? 'DMOS' : 'MOS', '95\\,\\% CI', 'Stimuli', '$n$'].join(' & ') + ' \\\\');
    lines.push('\\midrule');
    for (const g of report.groupMos) {
      lines.push([latexEscape(g.group), latexNumber(g.mos, 3), `[${latexNumber(g.ci95[0], 3)}, ${latexNumber(g.ci95[1], 3)}]`, String(g.stimuli), String(g.n)].join(' & ') + ' \\\\');
    }
    lines.push('\\bottomrule');
    lines.push('\\end{tabular}');
  }
  return lines.join('\n') + '\n';
}

export function analysisToMarkdown(report: AnalysisReport): string {
  const p = report.provenance;
  const out: string[] = [];
  out.push(`Study **${p.study}** (${p.method}), ${p.differential ? 'DMOS' : 'MOS'} ${p.mos}${p.mos === 'screened' ? ` (${p.screening} screening, rejected: ${report.screening.rejected.join(', ') || 'none'})` : ''}${p.scores ? ` of ${scoresText(report)}` : ''}, mapping ${p.mapping}${p.bootstrap ? `, bootstrap 95% CIs (seed ${p.bootstrap.seed}, ${p.bootstrap.resamples} resamples)` : ''}. Best per column in bold (all tied ones; none for the raw RMSE, whose units differ between metrics); letters in brackets, (a): metrics sharing a letter do not differ significantly (alpha 0.05; ${p.significance ? "Williams' t on PLCC/SROCC, ITU-T P.1401 F-test on RMSE" : 'ITU-T P.1401'}); ${MAPPING_MARK}: the mapping fell back or is degenerate (notes below). ${mosChoiceText(report)}.${intervalText(report) ? ` ${intervalText(report)[0]!.toUpperCase()}${intervalText(report).slice(1)}.` : ''}`);
  for (const g of groups(report)) {
    const rows = report.correlations.filter((r) => r.group === g);
    const best = bestRows(rows);
    out.push('');
    if (g !== null) out.push(`**${p.by} = ${g}**`, '');
    out.push(`| Metric | ${STATS.map((s) => s.label).join(' | ')} | n |`);
    out.push(`|---|${STATS.map(() => '---:').join('|')}|---:|`);
    rows.forEach((r, i) => {
      const cells = STATS.map((s) => {
        if (noStatistics(r)) return '—';
        const t = fixed(r[s.key]);
        const interval = ciFor(r, s.key);
        const ci = interval ? ` [${fixed(interval[0], 3)}, ${fixed(interval[1], 3)}]` : '';
        const letters = lettersFor(r, s.key);
        const mark = markedColumn(s.key) && mappingNote(r) && r[s.key] !== null ? ` ${MAPPING_MARK}` : '';
        return (best[s.key].includes(i) ? `**${t}**` : t) + (letters ? ` (${letters})` : '') + mark + ci;
      });
      out.push(`| ${configLabel(r, report.correlations).replace(/\|/g, '\\|')} | ${cells.join(' | ')} | ${r.n} |`);
    });
  }
  const n = notes(report);
  if (n.length) out.push('', ...n.map((line) => `- ${line}`));
  if (report.groupMos && report.groupMos.length) {
    const y = p.differential ? 'DMOS' : 'MOS';
    out.push('', `**${y} per ${p.by}** (each participant's mean over the group's stimuli, averaged; 95% CI from the t-distribution)`, '');
    out.push(`| ${(p.by ?? 'group').replace(/\|/g, '\\|')} | ${y} | 95% CI | std | stimuli | n |`);
    out.push('|---|---:|---:|---:|---:|---:|');
    for (const g of report.groupMos) out.push(`| ${g.group.replace(/\|/g, '\\|')} | ${fixed(g.mos, 3)} | [${fixed(g.ci95[0], 3)}, ${fixed(g.ci95[1], 3)}] | ${fixed(g.std, 3)} | ${g.stimuli} | ${g.n} |`);
  }
  return out.join('\n') + '\n';
}

export type AnalysisFormat = 'csv' | 'json' | 'latex' | 'md';

/**
 * Does the format print the bootstrap intervals? The LaTeX table does not (its group MOS intervals come
 * from the t-distribution, not the bootstrap), so its export skips the bootstrap.
 */
export function exportPrintsIntervals(format: AnalysisFormat): boolean {
  return format !== 'latex';
}

export function exportAnalysis(report: AnalysisReport, format: AnalysisFormat): string {
  switch (format) {
    case 'csv':
      return analysisToCsv(report);
    case 'json':
      return analysisToJson(report);
    case 'latex':
      return analysisToLatex(report);
    case 'md':
      return analysisToMarkdown(report);
  }
}
