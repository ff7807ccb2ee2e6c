/** Parsing the metric-related CLI options shared by `iqa metrics` and `iqa run`. */
import { InvalidArgumentError, type Command } from 'commander';
import { IqaError } from '../common/errors';
import { METRIC_IDS, POOLINGS, SCALER_NAMES, metricById, paramsKey, type Pooling, type Scaler } from '../common/metric-registry';
import { resolveMetricRequest } from '../common/metric-params';
import type { AlignPolicyInput } from '../common/contract-types';
import { NR_METRIC_PREFIX } from '../common/nr-predictor';

/** A metric with its parameters validated and defaults filled in (the contract's metric request, complete). */
export interface ResolvedMetric {
  id: string;
  params: Record<string, string | number>;
}

export interface MetricCliOptions {
  metrics: string[];
  param: string[];
  pooling: Pooling;
  scale?: Scaler;
  truncate?: boolean;
  skipRef?: number;
  skipDist?: number;
  ignoreFps?: boolean;
  acceptDecodeErrors?: boolean;
  threads?: number;
}

const collect = (v: string, prev: string[]) => [...prev, v];
const nonNegativeInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
};
const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export function addMetricOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--metrics <list>', `comma-separated metric ids (${METRIC_IDS.join(', ')}), each optionally with its own parameters: id:key=value[:key=value], e.g. vmaf:model=vmaf_v0.6.1neg`, list)
    .option('--param <key=value>', 'a metric parameter, for every metric that has it (luma=y_uint8) or one metric (ssim-y.variant=ffmpeg); repeatable', collect, [])
    .option('--pooling <pooling>', `how per-frame values pool into one: ${POOLINGS.join(', ')}`, (v: string) => {
      if (!(POOLINGS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${POOLINGS.join(', ')}`);
      return v;
    }, 'mean')
    .option('--scale <scaler>', `scale the distorted to the reference size (${SCALER_NAMES.join(', ')})`, (v: string) => {
      if (!(SCALER_NAMES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${SCALER_NAMES.join(', ')}`);
      return v;
    })
    .option('--truncate', 'compare only the frames both have when frame counts differ')
    .option('--skip-ref <n>', 'drop the first n frames of the reference', nonNegativeInt)
    .option('--skip-dist <n>', 'drop the first n frames of the distorted', nonNegativeInt)
    .option('--ignore-fps', 'compare videos with different frame rates frame by frame')
    .option('--accept-decode-errors', "compute from a damaged file's concealed frames instead of failing it (recorded in the decoder provenance)")
    .option('--threads <n>', 'worker threads (default: one per core; 0 computes on the main thread)', nonNegativeInt);
}

const paramValue = (raw: string): string | number => (/^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw);

/** A --metrics entry, `id` or `id:key=value[:key=value…]`, as it was written (the label) and parsed. */
function parseEntry(entry: string): { label: string; id: string; inline: Record<string, string | number> } {
  // A trained predictor's id has a colon of its own (nr:<name>) and no parameters.
  if (entry.startsWith(NR_METRIC_PREFIX)) return { label: entry, id: entry, inline: {} };
  const [id, ...parts] = entry.split(':');
  const inline: Record<string, string | number> = {};
  for (const part of parts) {
    const m = /^([a-zA-Z0-9_]+)=(.+)$/.exec(part);
    if (!m) throw new IqaError('E_INPUT', `--metrics ${entry}: expected id or id:key=value (e.g. vmaf:model=vmaf_v0.6.1neg)`);
    inline[m[1]!] = paramValue(m[2]!);
  }
  return { label: entry, id: id!, inline };
}

/**
 * Metric ids and --param values into validated requests with defaults filled in, each with the label
 * it was listed under: an entry is an id, or an id with its own parameters (`vmaf:model=vmaf_v0.6.1neg`),
 * so one metric can be listed with several parameter sets; those override --param.
 */
export function resolveLabelledMetrics(entries: string[], params: string[]): { label: string; metric: ResolvedMetric }[] {
  if (entries.length === 0) throw new IqaError('E_INPUT', '--metrics needs at least one metric id');
  const parsed = entries.map(parseEntry);
  const ids = [...new Set(parsed.map((e) => e.id))];
  const perMetric = new Map<string, Record<string, string | number>>(ids.map((id) => [id, {}]));
  for (const id of ids) if (!metricById(id)) throw new IqaError('E_INPUT', `unknown metric "${id}" (known: ${METRIC_IDS.join(', ')})`);
  for (const p of params) {
    const m = /^(?:([a-z0-9-]+)\.)?([a-zA-Z0-9_]+)=(.+)$/.exec(p);
    if (!m) throw new IqaError('E_INPUT', `--param ${p}: expected key=value or metric.key=value`);
    const [, metric, key, raw] = m;
    const value = paramValue(raw!);
    const targets = metric ? [metric] : ids.filter((id) => metricById(id)!.params.some((s) => s.name === key));
    if (metric && !perMetric.has(metric)) throw new IqaError('E_INPUT', `--param ${p}: ${metric} is not among --metrics`);
    if (targets.length === 0) throw new IqaError('E_INPUT', `--param ${p}: none of ${ids.join(', ')} has a parameter "${key}"`);
    for (const t of targets) perMetric.get(t)![key!] = value;
  }
  const seen = new Map<string, string>();
  return parsed.map(({ label, id, inline }) => {
    let metric: ResolvedMetric;
    try {
      metric = { id, params: resolveMetricRequest({ id, params: { ...perMetric.get(id), ...inline } }).params };
    } catch (err) {
      // resolveMetricRequest's messages are one line and start with the metric id.
      throw new IqaError('E_INPUT', (err as Error).message);
    }
    const key = `${id}|${paramsKey(metric.params)}`;
    if (seen.has(key)) throw new IqaError('E_INPUT', `--metrics lists ${label} and ${seen.get(key)}, the same metric with the same parameters`);
    seen.set(key, label);
    return { label, metric };
  });
}

/** Metric ids and --param values into validated requests with defaults filled in. */
export function resolveMetrics(ids: string[], params: string[]): ResolvedMetric[] {
  return resolveLabelledMetrics(ids, params).map((e) => e.metric);
}

export function policyOf(o: MetricCliOptions): AlignPolicyInput {
  return { scale: o.scale, truncate: o.truncate, skipRef: o.skipRef, skipDist: o.skipDist, ignoreFps: o.ignoreFps };
}
