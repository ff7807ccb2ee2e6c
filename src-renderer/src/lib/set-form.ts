/**
 * The Sets tab's form as plain data, and the pure functions around it: the filter fields offered for
 * a project group (from the project's stimuli), which stimuli a group holds (the engine's own rules,
 * src-main/common/set-spec.ts), the set specs and `sets.metrics` / `sets.fvd` inputs the form becomes,
 * problems to show before running, and the formatting of a result.
 * Tested without a browser (test/renderer/set-form.test.ts).
 */
import type { CommandInput } from '../../../src-main/common/contract-types';
import { IMAGE_SET_METRIC_NAMES, SET_RESIZE_NAMES, type ImageSetMetricName, type SetResizeName } from '../../../src-main/common/contract-names';
import type { FvdResult, JsonNum, SetJobResult, Stimulus } from '../../../src-main/common/domain';
import { BUILTIN_FILTER_KEYS, matchesFilter, type SetSpec } from '../../../src-main/common/set-spec';
import { attributeValues } from './stimuli-table';

/** Image sets (FID, KID, IS) or video sets (FVD). */
export type SetMode = 'images' | 'videos';
export type SetSource = 'project' | 'folder';
export type ImageSetMetric = ImageSetMetricName;
export type ResizeMode = SetResizeName;

export interface SetChoice {
  source: SetSource;
  /** An absolute folder (source 'folder'). */
  folder: string;
  /** Filter key → required value ('' = any) (source 'project'). */
  filter: Record<string, string>;
}

export interface SetsForm {
  mode: SetMode;
  a: SetChoice;
  b: SetChoice;
  metrics: Record<ImageSetMetric, boolean>;
  model: string;
  resize: ResizeMode;
  fvdModel: string;
  clipLength: number;
  start: number;
  stride: number;
  bootstrap: boolean;
  resamples: number;
  seed: number;
}

export interface ModelOption {
  id: string;
  label: string;
  comparable: boolean;
  note: string;
}

export const IMAGE_MODELS: readonly ModelOption[] = [
  { id: 'fid-inception', label: 'fid-inception', comparable: true, note: 'the FID Inception v3 network (pytorch-fid weights): comparable with published values' },
  { id: 'fid-inception-arch', label: 'fid-inception-arch — random weights, not comparable', comparable: false, note: 'random weights — pipeline test only, not comparable' },
];

export const VIDEO_MODELS: readonly ModelOption[] = [
  { id: 'i3d-kinetics400', label: 'i3d-kinetics400', comparable: true, note: 'I3D trained on Kinetics-400 (the FVD network): comparable with published values' },
  { id: 'i3d-arch', label: 'i3d-arch — random weights, not comparable', comparable: false, note: 'random weights — pipeline test only, not comparable' },
];

export const DEFAULT_IMAGE_MODEL = 'fid-inception';
export const DEFAULT_VIDEO_MODEL = 'i3d-kinetics400';

export const RESIZE_MODES: readonly ResizeMode[] = SET_RESIZE_NAMES;
export const RESIZE_HELP: Record<ResizeMode, string> = {
  'pytorch-fid': 'x/255, then torch bilinear (align_corners=False, no antialias) to 299×299 — as pytorch-fid',
  'clean-fid': 'PIL bicubic with antialiasing on float values to 299×299 — as clean-fid',
  tf1: 'TF1 legacy bilinear (no antialias) to 299×299 — as the original TensorFlow FID code',
};

export const METRIC_LABELS: Record<ImageSetMetric, string> = { fid: 'FID', kid: 'KID', is: 'IS' };
export const METRIC_HELP: Record<ImageSetMetric, string> = {
  fid: 'Fréchet Inception Distance between A and B (lower is closer)',
  kid: 'Kernel Inception Distance: unbiased MMD² with the cubic kernel (lower is closer)',
  is: 'Inception Score of set A alone (higher is more confident and diverse)',
};

export const CLIP_MIN = 10;
export const CLIP_MAX = 512;
export const DEFAULT_CLIP_LENGTH = 16;
export const BOOTSTRAP_CONFIDENCE = 0.95;
const MAX_SEED = 2 ** 31 - 1;

export { BUILTIN_FILTER_KEYS, stimulusField } from '../../../src-main/common/set-spec';

export function defaultSetsForm(): SetsForm {
  return {
    mode: 'images',
    a: { source: 'project', folder: '', filter: { role: 'reference' } },
    b: { source: 'project', folder: '', filter: { role: 'distorted' } },
    metrics: { fid: true, kid: false, is: false },
    model: DEFAULT_IMAGE_MODEL,
    resize: 'pytorch-fid',
    fvdModel: DEFAULT_VIDEO_MODEL,
    clipLength: DEFAULT_CLIP_LENGTH,
    start: 0,
    stride: 1,
    bootstrap: false,
    resamples: 200,
    seed: 0,
  };
}

/** A select of the project-group picker: a key and the values the project's stimuli have for it. */
export interface FilterField {
  key: string;
  label: string;
  values: string[];
}

const distinct = (values: (string | null)[]): string[] => [...new Set(values.filter((v): v is string => v !== null && v !== ''))].sort();

/** Role, kind, source content and every attribute (not shadowed by a built-in key), with their values. */
export function filterFields(stimuli: readonly Stimulus[]): FilterField[] {
  const order = (vs: string[], first: string[]) => [...first.filter((v) => vs.includes(v)), ...vs.filter((v) => !first.includes(v))];
  const fields: FilterField[] = [
    { key: 'role', label: 'role', values: order(distinct(stimuli.map((s) => s.role)), ['reference', 'distorted']) },
    { key: 'kind', label: 'kind', values: order(distinct(stimuli.map((s) => s.kind)), ['image', 'video']) },
    { key: 'content', label: 'source content', values: distinct(stimuli.map((s) => s.content)) },
  ];
  for (const [key, values] of Object.entries(attributeValues(stimuli))) {
    if ((BUILTIN_FILTER_KEYS as readonly string[]).includes(key)) continue;
    fields.push({ key, label: key, values });
  }
  return fields.filter((f) => f.values.length > 0);
}

/** The filter's set pairs, in a stable order. */
export function activeFilter(filter: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(filter).filter(([, v]) => v !== '');
}

export function matchingStimuli(stimuli: readonly Stimulus[], filter: Readonly<Record<string, string>>): Stimulus[] {
  const active = Object.fromEntries(activeFilter(filter));
  return stimuli.filter((s) => matchesFilter(s, active));
}

export interface SetCount {
  /** Stimuli matching the filter. */
  matching: number;
  /** Of those, the images (or videos) the engine will use (raw .yuv files are left out). */
  usable: number;
  /** Matching stimuli of the other kind, or raw .yuv. */
  leftOut: number;
}

const mediaKind = (mode: SetMode) => (mode === 'images' ? 'image' : 'video');

export function countSet(stimuli: readonly Stimulus[], filter: Readonly<Record<string, string>>, mode: SetMode): SetCount {
  const m = matchingStimuli(stimuli, filter);
  const usable = m.filter((s) => s.kind === mediaKind(mode) && !s.rawGeometry).length;
  return { matching: m.length, usable, leftOut: m.length - usable };
}

export function usableStimuli(stimuli: readonly Stimulus[], filter: Readonly<Record<string, string>>, mode: SetMode): Stimulus[] {
  return matchingStimuli(stimuli, filter).filter((s) => s.kind === mediaKind(mode) && !s.rawGeometry);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const unitOf = (mode: SetMode) => (mode === 'images' ? 'image' : 'video');

export function describeFilter(filter: Readonly<Record<string, string>>): string {
  const pairs = activeFilter(filter);
  return pairs.length ? `where ${pairs.map(([k, v]) => `${k} = ${v}`).join(', ')}` : 'of the whole project';
}

/** "A: 12 images where condition = x264", or "A: folder /data/real". */
export function describeSet(label: string, choice: SetChoice, stimuli: readonly Stimulus[], mode: SetMode): string {
  if (choice.source === 'folder') return `${label}: folder ${choice.folder.trim() || '(none)'}`;
  const c = countSet(stimuli, choice.filter, mode);
  return `${label}: ${plural(c.usable, unitOf(mode))} ${describeFilter(choice.filter)}`;
}

/** What left the count short: "1 more matching stimulus is not used (FID, KID and IS take images)". */
export function leftOutNote(count: SetCount, mode: SetMode): string | null {
  if (count.leftOut === 0) return null;
  const n = count.leftOut;
  const what = mode === 'images' ? 'FID, KID and IS take images' : 'FVD takes videos';
  return `${n} more matching ${n === 1 ? 'stimulus is' : 'stimuli are'} not used (${what}; raw .yuv files are skipped)`;
}

export const isAbsolutePath = (p: string): boolean => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');

/** The set the engine resolves: the folder, or the project group of the filter's set pairs. */
export function setSpecOf(choice: SetChoice, projectDir: string): SetSpec {
  if (choice.source === 'folder') return { type: 'folder', dir: choice.folder.trim() };
  return { type: 'project', dir: projectDir, filter: Object.fromEntries(activeFilter(choice.filter)) };
}

/** Does the run use set B? IS alone looks at set A only. */
export function needsB(form: SetsForm): boolean {
  return form.mode === 'videos' || form.metrics.fid || form.metrics.kid;
}

export function chosenMetrics(form: SetsForm): ImageSetMetric[] {
  return IMAGE_SET_METRIC_NAMES.filter((m) => form.metrics[m]);
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** `min`: FID, KID and FVD need at least 2 items per set (IS alone takes 1). */
function setProblems(label: string, choice: SetChoice, stimuli: readonly Stimulus[], mode: SetMode, projectDir: string | null, min: number): string[] {
  if (choice.source === 'folder') {
    const f = choice.folder.trim();
    if (!f) return [`Set ${label}: enter a folder.`];
    if (!isAbsolutePath(f)) return [`Set ${label}: the folder must be an absolute path.`];
    return [];
  }
  if (!projectDir) return [`Set ${label}: no project is open.`];
  const c = countSet(stimuli, choice.filter, mode);
  if (c.usable === 0) return [`Set ${label} has no ${mode} ${describeFilter(choice.filter)}.`];
  if (c.usable < min) return [`Set ${label} has ${plural(c.usable, unitOf(mode))} ${describeFilter(choice.filter)}; ${mode === 'videos' ? 'FVD' : 'FID and KID'} need at least ${min}.`];
  return [];
}

/** Why the form cannot run yet (empty when it can). */
export function formProblems(form: SetsForm, stimuli: readonly Stimulus[], projectDir: string | null): string[] {
  const out: string[] = [];
  if (form.mode === 'images' && chosenMetrics(form).length === 0) out.push('Choose at least one of FID, KID and IS.');
  const min = needsB(form) ? 2 : 1;
  out.push(...setProblems('A', form.a, stimuli, form.mode, projectDir, min));
  if (needsB(form)) out.push(...setProblems('B', form.b, stimuli, form.mode, projectDir, min));
  if (form.mode === 'videos') {
    if (!isInt(form.clipLength, CLIP_MIN, CLIP_MAX)) out.push(`Clip length must be a whole number from ${CLIP_MIN} to ${CLIP_MAX}.`);
    if (!isInt(form.start, 0, 1_000_000)) out.push('Start must be a whole number of frames, 0 or more.');
    if (!isInt(form.stride, 1, 1000)) out.push('Stride must be a whole number from 1 to 1000.');
  }
  if (form.bootstrap && (form.mode === 'videos' || form.metrics.fid)) {
    if (!isInt(form.resamples, 2, 10_000)) out.push('Bootstrap resamples must be a whole number from 2 to 10000.');
    if (!isInt(form.seed, 0, MAX_SEED)) out.push('Bootstrap seed must be a whole number, 0 or more.');
  }
  return out;
}

/** Frames one FVD clip spans: start + (length − 1) × stride + 1. */
export function framesNeeded(form: Pick<SetsForm, 'clipLength' | 'start' | 'stride'>): number {
  return form.start + (form.clipLength - 1) * form.stride + 1;
}

/** Non-blocking notes: project videos too short for the clip (their frame count is known). */
export function fvdNotes(form: SetsForm, stimuli: readonly Stimulus[]): string[] {
  if (form.mode !== 'videos' || !isInt(form.clipLength, CLIP_MIN, CLIP_MAX) || !isInt(form.start, 0, 1_000_000) || !isInt(form.stride, 1, 1000)) return [];
  const need = framesNeeded(form);
  const out: string[] = [];
  for (const [label, choice] of [['A', form.a], ['B', form.b]] as const) {
    if (choice.source !== 'project') continue;
    const short = usableStimuli(stimuli, choice.filter, 'videos').filter((s) => s.frameCount !== null && s.frameCount < need);
    if (short.length) out.push(`Set ${label}: ${plural(short.length, 'video')} ${short.length === 1 ? 'has' : 'have'} fewer than the ${need} frames a clip needs (${short.slice(0, 3).map((s) => `${s.name}: ${s.frameCount}`).join(', ')}${short.length > 3 ? ', …' : ''}).`);
  }
  return out;
}

const bootstrapOf = (form: SetsForm) => (form.bootstrap ? { bootstrap: { resamples: form.resamples, seed: form.seed, confidence: BOOTSTRAP_CONFIDENCE } } : {});

export function imageSetInput(form: SetsForm, projectDir: string): CommandInput<'sets.metrics'> {
  return {
    a: setSpecOf(form.a, projectDir),
    ...(needsB(form) ? { b: setSpecOf(form.b, projectDir) } : {}),
    metrics: chosenMetrics(form),
    model: form.model,
    resize: form.resize,
    ...(form.metrics.fid ? bootstrapOf(form) : {}),
  };
}

export function fvdInput(form: SetsForm, projectDir: string): CommandInput<'sets.fvd'> {
  return {
    a: setSpecOf(form.a, projectDir),
    b: setSpecOf(form.b, projectDir),
    model: form.fvdModel,
    clipLength: form.clipLength,
    start: form.start,
    stride: form.stride,
    ...bootstrapOf(form),
  };
}

/** A run of this session: what was asked, and (once finished) what came back. */
export interface SetRun {
  jobId: string;
  mode: SetMode;
  projectDir: string | null;
  startedAt: string;
  /** "A: 2 images where role = reference" */
  a: string;
  b: string | null;
  metrics: string[];
  model: string;
  /** Resize mode, or the clip (length, start, stride). */
  settings: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  result: SetJobResult | null;
  error: { code: string; message: string } | null;
}

export const isFvdResult = (r: SetJobResult): r is FvdResult => 'fvd' in r && 'protocol' in r;

/** A set metric value for display: large values with 2 decimals, small ones with 4 significant digits. */
export function formatSetValue(v: JsonNum | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'NaN';
  if (v === 'Infinity') return '∞';
  if (v === '-Infinity') return '−∞';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(2);
  if (a >= 1) return v.toFixed(3);
  return v.toPrecision(4);
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 1 : 2)} s` : `${Math.round(ms)} ms`;
}

/** The key numbers of a result in one line (the jobs panel, the comparison table). */
export function resultLine(r: SetJobResult): string {
  if (isFvdResult(r)) return `FVD ${formatSetValue(r.fvd)} · ${r.n_a} vs ${r.n_b} videos`;
  const parts: string[] = [];
  if (r.fid !== undefined) parts.push(`FID ${formatSetValue(r.fid)}`);
  if (r.kid) parts.push(`KID ${formatSetValue(r.kid.mean)} ± ${formatSetValue(r.kid.std)}`);
  if (r.is) parts.push(`IS ${formatSetValue(r.is.mean)} ± ${formatSetValue(r.is.std)}`);
  parts.push(r.n_b === null ? `${r.n_a} images` : `${r.n_a} vs ${r.n_b} images`);
  return parts.join(' · ');
}

/** Splits an engine message at '; ' into a head line and detail lines (install instructions). */
export function messageLines(message: string): { head: string; rest: string[] } {
  const parts = message.split(/;\s+/);
  return { head: parts[0] ?? message, rest: parts.slice(1) };
}
