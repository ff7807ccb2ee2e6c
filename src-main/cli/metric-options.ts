/** Parsing the metric-related CLI options shared by `iqa metrics` and `iqa run`. */
import { InvalidArgumentError, type Command } from 'commander';
import { IqaError } from '../common/errors';
import { METRIC_IDS, POOLINGS, SCALER_NAMES, metricById, type Pooling, type Scaler } from '../common/metric-registry';
import { resolveMetricRequest } from '../common/metric-params';
import type { AlignPolicyInput } from '../common/contract-types';

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
    .requiredOption('--metrics <list>', `comma-separated metric ids: ${METRIC_IDS.join(', ')}`, list)
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

/** Metric ids and --param values into validated requests with defaults filled in. */
export function resolveMetrics(ids: string[], params: string[]): ResolvedMetric[] {
  if (ids.length === 0) throw new IqaError('E_INPUT', '--metrics needs at least one metric id');
  const perMetric = new Map<string, Record<string, string | number>>(ids.map((id) => [id, {}]));
  for (const id of ids) if (!metricById(id)) throw new IqaError('E_INPUT', `unknown metric "${id}" (known: ${METRIC_IDS.join(', ')})`);
  for (const p of params) {
    const m = /^(?:([a-z0-9-]+)\.)?([a-zA-Z0-9_]+)=(.+)$/.exec(p);
    if (!m) throw new IqaError('E_INPUT', `--param ${p}: expected key=value or metric.key=value`);
    const [, metric, key, raw] = m;
    const value = /^-?\d+(\.\d+)?$/.test(raw!) ? Number(raw) : raw!;
    const targets = metric ? [metric] : ids.filter((id) => metricById(id)!.params.some((s) => s.name === key));
    if (metric && !perMetric.has(metric)) throw new IqaError('E_INPUT', `--param ${p}: ${metric} is not among --metrics`);
    if (targets.length === 0) throw new IqaError('E_INPUT', `--param ${p}: none of ${ids.join(', ')} has a parameter "${key}"`);
    for (const t of targets) perMetric.get(t)![key!] = value;
  }
  return ids.map((id) => {
    try {
      return { id, params: resolveMetricRequest({ id, params: perMetric.get(id) }).params };
    } catch (err) {
      // resolveMetricRequest's messages are one line and start with the metric id.
      throw new IqaError('E_INPUT', (err as Error).message);
    }
  });
}

export function policyOf(o: MetricCliOptions): AlignPolicyInput {
  return { scale: o.scale, truncate: o.truncate, skipRef: o.skipRef, skipDist: o.skipDist, ignoreFps: o.ignoreFps };
}
