/**
 * `iqa fid|kid|is` (sets of images) and `iqa fvd` (sets of videos): distribution metrics between two
 * sets. A set is a folder (searched recursively), `project:<dir>[:key=value,…]` (a group of a project's
 * stimuli; more pairs with --a-filter / --b-filter), or for FID's set B `stats:<file.npz>` (stored μ, Σ).
 * Results go to stdout (--json: one JSON document); warnings (random-weight model, small sets, mixed
 * frame rates…) are also printed to stderr as `warning: …` lines; failures are IqaErrors that main()
 * prints as one `iqa: <message>` line.
 */
import { resolve } from 'node:path';
import type { FvdResult, ImageSetMetricsResult } from '../common/domain';
import { InvalidArgumentError, type Command } from 'commander';
import { IqaError } from '../common/errors';
import type { JsonNumber } from '../common/json-numbers';
import {
  FVD_DEFAULT_CLIP_LENGTH,
  FVD_MIN_CLIP_LENGTH,
  IMAGE_SET_METRIC_NAMES as IMAGE_SET_METRICS,
  SET_RESIZE_NAMES as FID_RESIZE_MODES,
  type ImageSetMetricName as ImageSetMetric,
  type SetResizeName as FidResizeMode,
} from '../common/contract-names';
import { parseFilter, parseSetSpecText, type SetSpec } from '../common/set-spec';
import { withEngine } from './engine-client';
import { parseShardSpec } from '../common/shard-spec';
import { NO_PROGRESS, createProgress } from './progress';

/** A set argument (`--a`/`--b` with its `--a-filter`/`--b-filter` pairs) as the contract's structure, paths made absolute. */
function setOf(text: string, filter: Record<string, string> | undefined, label: string): SetSpec {
  const spec = parseSetSpecText(text, filter ?? {}, label);
  return spec.type === 'stats' ? { type: 'stats', file: resolve(spec.file) } : { ...spec, dir: resolve(spec.dir) };
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
};

const nonNegativeInt = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
};

const level = (v: string) => {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1, e.g. 0.95');
  return n;
};

const metricList = (v: string): ImageSetMetric[] => {
  const out = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = out.filter((m) => !(IMAGE_SET_METRICS as readonly string[]).includes(m));
  if (bad.length || out.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${IMAGE_SET_METRICS.join(', ')}`);
  return out as ImageSetMetric[];
};

const resizeMode = (v: string): FidResizeMode => {
  if (!(FID_RESIZE_MODES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${FID_RESIZE_MODES.join(', ')}`);
  return v as FidResizeMode;
};

const filterPair = (v: string, prev: Record<string, string> = {}): Record<string, string> => {
  try {
    return { ...prev, ...parseFilter(v) };
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

function fmt(v: JsonNumber | undefined, digits = 6): string {
  if (v === null || v === undefined) return 'NaN';
  if (typeof v === 'string') return v;
  if (v === 0) return '0';
  return Math.abs(v) >= 1000 || Math.abs(v) < 1e-3 ? v.toPrecision(digits) : v.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(v)))));
}

function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
}

interface SetsCliOptions {
  a: string;
  b?: string;
  aFilter?: Record<string, string>;
  bFilter?: Record<string, string>;
  model?: string;
  bootstrap?: number;
  seed?: number;
  confidence?: number;
  cache: boolean;
  json?: boolean;
}

interface ImageCliOptions extends SetsCliOptions {
  metrics?: ImageSetMetric[];
  resize?: FidResizeMode;
  kidSubsetSize?: number;
  kidSubsets?: number;
  isSplits?: number;
  saveStats?: string;
  shard?: { index: number; count: number };
}

interface FvdCliOptions extends SetsCliOptions {
  clipLength?: number;
  start?: number;
  stride?: number;
  shard?: { index: number; count: number };
}

function addCommonOptions(cmd: Command, what: string): Command {
  return cmd
    .requiredOption('--a <set>', `set A: a folder of ${what} (recursive), or project:<dir>[:key=value,...]`)
    .option('--a-filter <key=value>', 'for a project set A: keep stimuli whose role, content, name, codec or attribute has this value (repeatable)', filterPair)
    .option('--b-filter <key=value>', 'the same for set B', filterPair)
    .option('--bootstrap <resamples>', 'percentile bootstrap interval of the distance: resample each set with replacement this many times', positiveInt)
    .option('--confidence <level>', 'bootstrap interval level', level, 0.95)
    .option('--seed <n>', 'seed of the bootstrap (and of KID subsets)', nonNegativeInt)
    .option('--no-cache', 'neither read nor write the feature cache')
    .option('--json', 'print one JSON object');
}

function parseShard(v: string): { index: number; count: number } {
  const s = parseShardSpec(v);
  if (!s) throw new InvalidArgumentError('expected I/N with 1 <= I <= N, e.g. 2/3');
  return s;
}

function imageSummary(r: ImageSetMetricsResult): string {
  const lines: string[] = [];
  if (r.shard) lines.push(`shard ${r.shard.index} of ${r.shard.count}: the features of ${r.shard.images} image(s) are cached (set A ${r.n_a}, set B ${r.n_b ?? '-'}); run without --shard for the metrics`);
  const tag = r.comparable ? '' : '  [random-weight model: not a metric value]';
  if (r.fid !== undefined) {
    const ci = r.fid_ci ? `  (${Math.round(r.fid_ci.confidence * 100)}% CI ${fmt(r.fid_ci.low)} .. ${fmt(r.fid_ci.high)}, ${r.fid_ci.resamples} resamples, seed ${r.fid_ci.seed})` : '';
    lines.push(`FID  ${fmt(r.fid)}${ci}${tag}`);
  }
  if (r.kid) {
    const how = r.kid.mode === 'full-sets' ? 'full sets' : `${r.kid.subsets} subsets of ${r.kid.subset_size}, seed ${r.kid.seed}`;
    lines.push(`KID  ${fmt(r.kid.mean)} ± ${fmt(r.kid.std)}  (${how})${tag}`);
  }
  if (r.is) lines.push(`IS   ${fmt(r.is.mean)} ± ${fmt(r.is.std)}  (set A only, ${r.is.n} images, ${r.is.splits} splits)${tag}`);
  lines.push(`n_a ${r.n_a}, n_b ${r.n_b ?? '-'} | model ${r.model} (sha256 ${r.model_sha256.slice(0, 12)}…, ${r.provider ?? 'all features cached'}) | resize ${r.resize}`);
  lines.push(`features: ${r.cache.computed} computed, ${r.cache.hits} from cache${r.cache.corrupt ? ` (${r.cache.corrupt} corrupt entries recomputed)` : ''}${r.images_per_s ? `, ${r.images_per_s.toFixed(1)} images/s` : ''}`);
  if (r.stats_saved) lines.push(`statistics of set A saved to ${r.stats_saved}`);
  return lines.join('\n') + '\n';
}

function fvdSummary(r: FvdResult): string {
  const tag = r.comparable ? '' : '  [random-weight model: not a metric value]';
  const ci = r.fvd_ci ? `  (${Math.round(r.fvd_ci.confidence * 100)}% CI ${fmt(r.fvd_ci.low)} .. ${fmt(r.fvd_ci.high)}, ${r.fvd_ci.resamples} resamples, seed ${r.fvd_ci.seed})` : '';
  const p = r.protocol;
  if (r.shard) {
    return [
      `shard ${r.shard.index} of ${r.shard.count}: the I3D features of ${r.shard.videos} video(s) are cached (set A ${r.n_a}, set B ${r.n_b}); run without --shard for FVD`,
      `features: ${r.cache.computed} computed, ${r.cache.hits} from cache${r.clips_per_s ? `, ${r.clips_per_s.toFixed(2)} clips/s` : ''}`,
    ].join('\n') + '\n';
  }
  return [
    `FVD  ${fmt(r.fvd!)}${ci}${tag}`,
    `n_a ${r.n_a}, n_b ${r.n_b} | model ${r.model} (sha256 ${r.model_sha256.slice(0, 12)}…, ${r.provider ?? 'all features cached'})`,
    `protocol: ${p.frame_sampling}, ${p.size[0]}x${p.size[1]} TF1 bilinear (stretch), 2x/255-1, ${p.feature}`,
    `features: ${r.cache.computed} computed, ${r.cache.hits} from cache${r.clips_per_s ? `, ${r.clips_per_s.toFixed(2)} clips/s` : ''}`,
  ].join('\n') + '\n';
}

function addImageSetCommand(program: Command, name: 'fid' | 'kid' | 'is', description: string, defaultMetrics: ImageSetMetric[]): void {
  const cmd = program.command(name).description(description);
  addCommonOptions(cmd, 'images')
    .option('--b <set>', 'set B: a folder, project:<dir>[:key=value,...], or stats:<file.npz> (stored mu/sigma; FID only). Not needed for IS')
    .option('--metrics <list>', `which of ${IMAGE_SET_METRICS.join(',')} (IS uses set A only)`, metricList, defaultMetrics)
    .option('--model <id>', 'feature network: fid-inception (the real TF 2015-12-05 Inception, default) or fid-inception-arch (random weights, pipeline tests only)')
    .option('--resize <mode>', `how images become 299x299: ${FID_RESIZE_MODES.join(', ')}`, resizeMode, 'pytorch-fid')
    .option('--kid-subset-size <n>', 'KID subset size (default: one estimate over the full sets when both have at most 1000 images, else subsets of 1000)', positiveInt)
    .option('--kid-subsets <n>', 'number of KID subsets (default 100; giving it or --kid-subset-size always uses subsets)', positiveInt)
    .option('--is-splits <n>', 'Inception Score splits (default 10)', positiveInt)
    .option('--save-stats <file.npz>', "also save set A's mu and sigma (pytorch-fid's .npz layout)")
    .option('--shard <i/n>', "only extract the features of shard I of N of the sets' images into the feature cache (no metric); a run without --shard then computes from the cache (docs/cluster.md)", parseShard)
    .action((o: ImageCliOptions) =>
      withEngine({}, async (engine) => {
        const metrics = o.metrics ?? defaultMetrics;
        // IS alone reads set A only: a set B given then is not even parsed.
        const needB = metrics.some((m) => m !== 'is');
        const r = (await engine.job(
          'sets.metrics',
          {
            a: setOf(o.a, o.aFilter, 'set A'),
            ...(o.b !== undefined && needB ? { b: setOf(o.b, o.bFilter, 'set B') } : {}),
            metrics,
            ...(o.model ? { model: o.model } : {}),
            resize: o.resize ?? 'pytorch-fid',
            kid: { ...(o.kidSubsetSize ? { subsetSize: o.kidSubsetSize } : {}), ...(o.kidSubsets ? { subsets: o.kidSubsets } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) },
            ...(o.isSplits ? { isSplits: o.isSplits } : {}),
            ...(o.bootstrap ? { bootstrap: { resamples: o.bootstrap, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.confidence ? { confidence: o.confidence } : {}) } } : {}),
            ...(o.saveStats ? { saveStatsA: resolve(o.saveStats) } : {}),
            cache: o.cache,
            ...(o.shard ? { shard: o.shard } : {}),
          },
          o.json ? NO_PROGRESS : createProgress('images'),
        )) as ImageSetMetricsResult;
        process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : imageSummary(r));
        printWarnings(r.warnings);
      }),
    );
}

export function addSetsCommand(program: Command): void {
  addImageSetCommand(program, 'fid', 'Fréchet Inception Distance between two sets of images (--metrics fid,kid,is for more)', ['fid']);
  addImageSetCommand(program, 'kid', 'Kernel Inception Distance between two sets of images (same options as fid)', ['kid']);
  addImageSetCommand(program, 'is', 'Inception Score of set A (same options as fid; --b is not needed)', ['is']);

  const fvd = program.command('fvd').description('Fréchet Video Distance between two sets of videos (I3D logits of one clip per video)');
  addCommonOptions(fvd, 'videos')
    .requiredOption('--b <set>', 'set B: a folder of videos, or project:<dir>[:key=value,...]')
    .option('--model <id>', 'I3D network: i3d-kinetics400 (real weights, default) or i3d-arch (random weights, pipeline tests only)')
    .option('--clip-length <frames>', `frames per clip (at least ${FVD_MIN_CLIP_LENGTH}; default ${FVD_DEFAULT_CLIP_LENGTH})`, positiveInt)
    .option('--start <frame>', 'first decoded frame of the clip (default 0)', nonNegativeInt)
    .option('--stride <n>', 'take every n-th decoded frame (default 1: consecutive frames)', positiveInt)
    .option('--shard <i/n>', "only extract the I3D features of shard I of N of the sets' videos into the feature cache (no FVD); a run without --shard then computes from the cache (docs/cluster.md)", parseShard)
    .action((o: FvdCliOptions) =>
      withEngine({}, async (engine) => {
        if (o.b === undefined) throw new IqaError('E_INPUT', 'FVD compares two sets: give --b');
        const r = (await engine.job(
          'sets.fvd',
          {
            a: setOf(o.a, o.aFilter, 'set A'),
            b: setOf(o.b, o.bFilter, 'set B'),
            ...(o.model ? { model: o.model } : {}),
            ...(o.clipLength ? { clipLength: o.clipLength } : {}),
            ...(o.start !== undefined ? { start: o.start } : {}),
            ...(o.stride ? { stride: o.stride } : {}),
            ...(o.bootstrap ? { bootstrap: { resamples: o.bootstrap, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.confidence ? { confidence: o.confidence } : {}) } } : {}),
            cache: o.cache,
            ...(o.shard ? { shard: o.shard } : {}),
          },
          o.json ? NO_PROGRESS : createProgress('videos'),
        )) as FvdResult;
        process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : fvdSummary(r));
        printWarnings(r.warnings);
      }),
    );
}
