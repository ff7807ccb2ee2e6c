/**
 * The Learned NR page as plain data (issue 16, docs/learned-nr.md): the training form and the
 * `nr.train` input it makes, the problems that keep it from starting, the cross-validated statistics
 * as text, and the cross-validated scatter (one point per training stimulus: its out-of-fold
 * prediction against its target, coloured by fold) as a ScatterModel, which the Analysis page's chart
 * code draws. Pure; the page's state is lib/state/nr.svelte.ts.
 */
import type { NrTrainInput } from '../../../src-main/common/contract-types';
import {
  NR_COMBINES,
  NR_GROUPINGS,
  NR_NAME_PATTERN,
  NR_TARGETS,
  type NrCombine,
  type NrCvStatistics,
  type NrGrouping,
  type NrPredictorRecord,
  type NrTarget,
} from '../../../src-main/common/nr-predictor';
import { groupColors } from './analysis-table';
import { niceRange, type ScatterModel, type ScatterSeries } from './scatter-model';

/**
 * The level backbones the shipped manifest declares (models/manifest.json `levelBackbones`). No contract
 * command lists them; the engine refuses any other with a one-line E_INPUT naming the known ones, which
 * the page shows, so a manifest that adds one needs it added here too.
 */
export const NR_BACKBONES = ['alexnet-levels', 'squeezenet-levels'] as const;

export { NR_COMBINES, NR_GROUPINGS, NR_TARGETS };

export interface NrForm {
  name: string;
  features: string;
  target: NrTarget;
  /** '' : the project's only study (the engine refuses to guess among several). */
  study: string;
  folds: number;
  group: NrGrouping;
  combine: NrCombine;
}

export function defaultNrForm(): NrForm {
  return { name: '', features: NR_BACKBONES[0], target: 'mos', study: '', folds: 5, group: 'content', combine: 'mean' };
}

/** Why the form cannot start a training, in words (empty: it can). Mirrors the schema's own limits. */
export function nrFormProblems(form: NrForm, existing: readonly string[]): string[] {
  const problems: string[] = [];
  if (form.name === '') problems.push('Name the predictor: its metric will be nr:<name>.');
  else if (!NR_NAME_PATTERN.test(form.name)) problems.push('A name is 1–64 of a–z, 0–9, _ and -, starting with a letter or digit.');
  else if (existing.includes(form.name)) problems.push(`A predictor named "${form.name}" exists: choose another name or delete it.`);
  if (!Number.isInteger(form.folds) || form.folds < 2 || form.folds > 50) problems.push('Folds: a whole number from 2 to 50.');
  return problems;
}

export function nrTrainInput(form: NrForm, projectDir: string): NrTrainInput {
  return {
    projectDir,
    name: form.name,
    features: form.features,
    target: form.target,
    ...(form.study ? { study: form.study } : {}),
    folds: form.folds,
    group: form.group,
    combine: form.combine,
  };
}

const fixed = (v: number | null, digits: number) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export interface StatCell {
  label: 'SROCC' | 'PLCC' | 'RMSE';
  value: string;
  /** "[lo, hi]", or '' without bootstrap intervals. */
  interval: string;
}

/** SROCC, PLCC and RMSE with their 95 % bootstrap intervals, as the table cells show them. */
export function nrStatCells(cv: NrCvStatistics): StatCell[] {
  const c = cv.ci95;
  const cell = (label: StatCell['label'], v: number | null, ci: [number | null, number | null] | undefined, digits: number): StatCell => ({
    label,
    value: fixed(v, digits),
    interval: ci ? `[${fixed(ci[0], digits)}, ${fixed(ci[1], digits)}]` : '',
  });
  return [cell('SROCC', cv.srocc, c?.srocc, 3), cell('PLCC', cv.plcc, c?.plcc, 3), cell('RMSE', cv.rmse, c?.rmse, 3)];
}

/** Where the intervals come from, in one line. */
export function nrIntervalNote(cv: NrCvStatistics): string {
  const c = cv.ci95;
  if (!c) return 'no bootstrap intervals';
  return `95 % ${c.method.toUpperCase()} intervals, ${c.resamples} bootstrap resamples${c.clusters !== null ? ` over ${c.clusters} contents` : ''} (seed ${c.seed})`;
}

/**
 * The cross-validated scatter: each training stimulus's out-of-fold prediction (x) against its target
 * (y), a series per fold, and the identity line: a perfect predictor's points lie on it. Both axes share
 * one range, so distance from the line reads the same both ways.
 */
export function nrScatterModel(record: NrPredictorRecord): ScatterModel {
  const rows = record.training.stimuli;
  const names = rows.map((r) => `fold ${r.fold + 1}`);
  const colors = groupColors(names);
  const byFold = new Map<string, ScatterSeries>();
  rows.forEach((r, i) => {
    const name = names[i]!;
    let s = byFold.get(name);
    if (!s) byFold.set(name, (s = { name, color: colors.get(name)!, points: [] }));
    s.points.push({ stimulusId: r.id, label: `${r.name} (${r.content})`, x: r.cvPrediction, y: r.target, lo: null, hi: null });
  });
  const series = [...byFold.values()].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  const values = rows.flatMap((r) => [r.cvPrediction, r.target]).filter(Number.isFinite);
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  const pad = (hi - lo) * 0.05 || 0.5;
  lo -= pad;
  hi += pad;
  const axis = niceRange([lo, hi], 6);
  const t = record.target.toUpperCase();
  const [s] = nrStatCells(record.cv);
  return {
    title: `nr:${record.name}: cross-validated prediction vs ${t}`,
    subtitle: `${record.options.folds} folds by ${record.options.group === 'content' ? 'content' : 'stimulus'} · SROCC ${s!.value} · n = ${rows.length}`,
    xLabel: `out-of-fold prediction (${t} scale)`,
    yLabel: t,
    series,
    curve: [
      { x: axis.range[0], y: axis.range[0] },
      { x: axis.range[1], y: axis.range[1] },
    ],
    curveLabel: `prediction = ${t}`,
    curveNote: null,
    xRange: axis.range,
    yRange: axis.range,
    xStep: axis.step,
    yStep: axis.step,
    colourBy: 'fold',
  };
}
