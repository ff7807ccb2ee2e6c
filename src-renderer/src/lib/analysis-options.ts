/**
 * The Analysis page's controls: defaults (the contract's ANALYSIS_DEFAULTS and MOS_CHOICE_DEFAULTS,
 * its enumerations from common/contract-names.ts), what is remembered per project (the MOS choice in the project itself through
 * 'analysis.setMosChoice', so the CLI uses it too; the rest in localStorage, read back defensively),
 * checks of typed numbers, and the 'analysis.run' / 'analysis.export' input they make. Pure, tested in
 * test/renderer/analysis-options.test.ts.
 */
import { MAPPING_NAMES, MOS_KINDS, SCORE_NAMES, SCREENINGS, type MappingName, type MosKind, type Screening, type StudyMethodName } from '../../../src-main/common/contract-names';
import { ANALYSIS_DEFAULTS, MOS_CHOICE_DEFAULTS, type CommandInput, type MosChoice } from '../../../src-main/common/contract-types';

export type { MappingName, StudyMethodName };

const MAPPING_LABELS: Record<MappingName, string> = {
  logistic5: 'Logistic-5 (VQEG)',
  logistic4: 'Logistic-4',
  cubic: 'Cubic, monotonic',
  linear: 'Linear',
  none: 'None',
};

/** The contract's mappings with their labels, in the contract's order. */
export const MAPPINGS: readonly { id: MappingName; label: string }[] = MAPPING_NAMES.map((id) => ({ id, label: MAPPING_LABELS[id] }));

/** Methods a ratings CSV can be imported as (the study runner's SSCQE and PC are not files). */
export const IMPORT_METHODS = ['ACR', 'ACR-HR', 'DCR', 'DSCQS'] as const satisfies readonly StudyMethodName[];

const SCORE_TEXT: Record<MosChoice['scores'], { label: string; title: string }> = {
  auto: { label: 'auto', title: 'DSCQS: difference scores when reference scores were imported; ACR-HR: DMOS; otherwise the scores as given' },
  absolute: { label: 'absolute', title: 'The scores as given (ACR-HR: the ratings of the distorted stimuli, no hidden reference removed)' },
  difference: { label: 'difference', title: 'DSCQS: reference score − test score per participant; ACR-HR: DMOS (ITU-T P.910)' },
};

/** Which scores the MOS averages (the contract's SCORE_NAMES). */
export const SCORE_KINDS: readonly { id: MosChoice['scores']; label: string; title: string }[] = SCORE_NAMES.map((id) => ({ id, ...SCORE_TEXT[id] }));

export interface AnalysisControls {
  /** Study name; null = the first study of the project. */
  study: string | null;
  mos: MosKind;
  screening: Screening;
  minCorrelation: number;
  scores: MosChoice['scores'];
  /** Per-participant z-scores rescaled to the scale. */
  zscore: boolean;
  mapping: MappingName;
  /** Breakdown attribute; null = none. */
  by: string | null;
  seed: number;
  resamples: number;
}

export const DEFAULT_CONTROLS: Readonly<AnalysisControls> = Object.freeze({ study: null, by: null, ...MOS_CHOICE_DEFAULTS, ...ANALYSIS_DEFAULTS });

export const storageKey = (projectDir: string): string => `iqa.analysis:${projectDir}`;

/** The controls that make up the project's stored MOS choice. */
export const MOS_CHOICE_KEYS = ['mos', 'screening', 'minCorrelation', 'scores', 'zscore'] as const satisfies readonly (keyof MosChoice & keyof AnalysisControls)[];

export const isMosChoiceKey = (k: keyof AnalysisControls): k is (typeof MOS_CHOICE_KEYS)[number] => (MOS_CHOICE_KEYS as readonly string[]).includes(k);

/** The MOS choice part of the controls. */
export function mosChoiceOf(c: AnalysisControls): MosChoice {
  return { mos: c.mos, screening: c.screening, minCorrelation: c.minCorrelation, scores: c.scores, zscore: c.zscore };
}

/** The controls with the project's stored MOS choice in place of what localStorage remembered. */
export function withMosChoice(c: AnalysisControls, choice: MosChoice): AnalysisControls {
  return { ...c, ...mosChoiceOf({ ...c, ...choice }) };
}

export type NumberField = 'minCorrelation' | 'seed' | 'resamples';

/** The number a field's text stands for, or the reason it is not acceptable (the contract's ranges). */
export function parseNumberField(field: NumberField, text: string): { value: number } | { error: string } {
  const t = text.trim();
  if (t === '') return { error: 'a number is required' };
  const v = Number(t);
  if (!Number.isFinite(v)) return { error: 'not a number' };
  switch (field) {
    case 'minCorrelation':
      return v > -1 && v < 1 ? { value: v } : { error: 'between −1 and 1 (exclusive)' };
    case 'seed':
      return Number.isInteger(v) && v >= 0 && v <= 2 ** 31 - 1 ? { value: v } : { error: 'an integer from 0 to 2147483647' };
    case 'resamples':
      return Number.isInteger(v) && v >= 0 && v <= 100_000 ? { value: v } : { error: 'an integer from 0 to 100000 (0: no intervals)' };
  }
}

const oneOf = <T extends string>(v: unknown, options: readonly T[], fallback: T): T =>
  typeof v === 'string' && (options as readonly string[]).includes(v) ? (v as T) : fallback;

const okNumber = (field: NumberField, v: unknown, fallback: number): number => {
  if (typeof v !== 'number') return fallback;
  const r = parseNumberField(field, String(v));
  return 'value' in r ? r.value : fallback;
};

const okName = (v: unknown, max: number): string | null => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : null);

/** Controls from what localStorage held (anything malformed falls back to the default, field by field). */
export function parseStoredControls(text: string | null | undefined): AnalysisControls {
  let o: Record<string, unknown> = {};
  try {
    const v = text ? (JSON.parse(text) as unknown) : null;
    if (v && typeof v === 'object' && !Array.isArray(v)) o = v as Record<string, unknown>;
  } catch {
    // a corrupt entry is ignored
  }
  const d = DEFAULT_CONTROLS;
  return {
    study: okName(o.study, 200),
    mos: oneOf(o.mos, MOS_KINDS, d.mos),
    screening: oneOf(o.screening, SCREENINGS, d.screening),
    minCorrelation: okNumber('minCorrelation', o.minCorrelation, d.minCorrelation),
    scores: oneOf(o.scores, SCORE_NAMES, d.scores),
    zscore: typeof o.zscore === 'boolean' ? o.zscore : d.zscore,
    mapping: oneOf(o.mapping, MAPPING_NAMES, d.mapping),
    by: okName(o.by, 100),
    seed: okNumber('seed', o.seed, d.seed),
    resamples: okNumber('resamples', o.resamples, d.resamples),
  };
}

/**
 * The controls fitted to what the project has: a remembered study that no longer exists becomes the
 * first one, a breakdown name the project does not offer (common/analysis-breakdown.ts) becomes none.
 */
export function reconcileControls(c: AnalysisControls, studies: readonly string[], breakdowns: readonly string[]): AnalysisControls {
  const study = c.study !== null && studies.includes(c.study) ? c.study : (studies[0] ?? null);
  const by = c.by !== null && breakdowns.includes(c.by) ? c.by : null;
  return study === c.study && by === c.by ? c : { ...c, study, by };
}

export function analysisInput(projectDir: string, c: AnalysisControls): CommandInput<'analysis.run'> {
  return {
    projectDir,
    ...(c.study !== null ? { study: c.study } : {}),
    mos: c.mos,
    screening: c.screening,
    minCorrelation: c.minCorrelation,
    scores: c.scores,
    zscore: c.zscore,
    mapping: c.mapping,
    ...(c.by !== null ? { by: c.by } : {}),
    seed: c.seed,
    resamples: c.resamples,
  };
}

export interface RatingsForm {
  csv: string;
  study: string;
  method: (typeof IMPORT_METHODS)[number];
  scaleMin: string;
  scaleMax: string;
  replace: boolean;
}

/** The 'ratings.import' input of the form, or what is wrong with it. */
export function ratingsImportInput(projectDir: string, f: RatingsForm): { input: CommandInput<'ratings.import'> } | { error: string } {
  const csv = f.csv.trim();
  if (!csv) return { error: 'give the path of the ratings CSV' };
  if (!(csv.startsWith('/') || /^[A-Za-z]:[\\/]/.test(csv) || csv.startsWith('\\\\'))) return { error: 'the CSV path must be absolute' };
  const study = f.study.trim() || 'imported';
  let scale: { min: number; max: number } | undefined;
  const lo = f.scaleMin.trim();
  const hi = f.scaleMax.trim();
  if (lo !== '' || hi !== '') {
    const min = Number(lo);
    const max = Number(hi);
    if (lo === '' || hi === '' || !Number.isFinite(min) || !Number.isFinite(max)) return { error: 'give both ends of the scale as numbers, or neither' };
    if (min >= max) return { error: 'the scale minimum must be below its maximum' };
    scale = { min, max };
  }
  return { input: { projectDir, csv, study, method: f.method, ...(scale ? { scale } : {}), replace: f.replace } };
}
