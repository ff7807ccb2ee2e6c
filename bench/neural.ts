/**
 * The neural rows of `npm run bench`: LPIPS pairs/s and FID-Inception images/s, on the CPU provider
 * and, where onnxruntime's CUDA provider is installed and a GPU answers, on the GPU.
 *
 * Models come from the model directory (IQA_MODEL_DIR, else ../shared/models beside the repository,
 * else the user data directory). The FID rows use the real `fid-inception` when it is installed and
 * otherwise `fid-inception-arch` (the same graph with random weights: the same work per image, so the
 * same speed). A model that is missing is reported as skipped, never faked.
 *
 * What is timed:
 * - LPIPS, 256×256 pairs in one batched call (lpipsPairs: the [-1, 1] conversion, the transfer to the
 *   inference worker and session.run), after a warm-up that creates the session; and one 1080p pair
 *   (lpipsPair), which is what a 1080p video costs per frame.
 * - Inception: computeImageSetMetrics with metrics ['is'] over a folder of 512×384 PNGs with the
 *   feature cache off: hashing, PNG decode, the pytorch-fid bilinear resize to 299×299 and inference,
 *   i.e. what `iqa is` / `iqa fid` costs per image. Inference alone is reported beside it.
 * - The Fréchet distance at the FID dimension (2048): two sets of 5000 synthetic feature vectors
 *   (full-rank covariances: the matrix square root problem scipy.linalg.sqrtm solves, which the issue
 *   author measured at about 6 s on this machine: QUOTED, not run here), and two sets of 300 (fewer
 *   samples than dimensions: the n×n route).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExecutionProvider } from '../src-main/common/inference';
import { OnnxInference } from '../src-main/services/models/inference';
import { lpipsPair, lpipsPairs, type LpipsModel } from '../src-main/services/models/lpips';
import { listModels } from '../src-main/services/models/model-store';
import { computeImageSetMetrics } from '../src-main/services/sets';
import { featureMatrix } from '../src-main/kernels/features/feature-matrix';
import { frechetDistance } from '../src-main/kernels/features/frechet';
import { fmt, log, median, msSince, mustRun, now, table } from './util';

const LPIPS_SIZE = 256;
const SET_W = 512;
const SET_H = 384;
const NEURAL_MEDIA_VERSION = 'v1';

export interface NeuralRow {
  what: string;
  model: string;
  provider: ExecutionProvider | null;
  items: number;
  /** Median wall time of one timed run, ms. */
  ms: number;
  perS: number;
  /** Time inside session.run (median run), ms, where the code path reports it. */
  inferenceMs: number | null;
  runsMs: number[];
  value: string;
}

export interface FrechetBench {
  dim: number;
  /** Fréchet distance from features (covariances included), full rank, median ms. */
  fullRank: { n: number; ms: number; runsMs: number[]; route: string; fid: number };
  lowRank: { n: number; ms: number; runsMs: number[]; route: string; fid: number };
  scipySqrtmQuotedMs: number;
}

export interface NeuralBenchResult {
  modelDir: string;
  gpu: { available: boolean; note: string };
  rows: NeuralRow[];
  skipped: string[];
  frechet: FrechetBench;
}

/** scipy.linalg.sqrtm on a 2048 × 2048 product, measured by the issue author on this machine: quoted. */
export const SCIPY_SQRTM_QUOTED_MS = 6000;

/** Seeded standard normal features (xorshift + Box–Muller): the same sets on every run. */
function gaussianFeatures(n: number, d: number, seed: number, scale: number, shift: number): Float32Array {
  let x = seed >>> 0 || 1;
  const uniform = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = shift + scale * r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = shift + scale * r * Math.sin(t);
  }
  return out;
}

async function benchFrechet(runs: number): Promise<FrechetBench> {
  const d = 2048;
  const one = async (n: number) => {
    const a = featureMatrix(gaussianFeatures(n, d, 1, 1, 0), n, d);
    const b = featureMatrix(gaussianFeatures(n, d, 2, 1.1, 0.05), n, d);
    frechetDistance(a, b); // warm-up: WebAssembly compile and memory
    const t = await timeRuns(runs, async () => frechetDistance(a, b));
    return { n, ms: t.ms, runsMs: t.runsMs, route: t.last.traceSqrtProduct.route, fid: t.last.fid };
  };
  log(`Frechet distance at d = ${d}: 2 x 5000 and 2 x 300 synthetic features`);
  return { dim: d, fullRank: await one(5000), lowRank: await one(300), scipySqrtmQuotedMs: SCIPY_SQRTM_QUOTED_MS };
}

export interface NeuralBenchInput {
  ffmpeg: string;
  mediaDir: string;
  root: string;
  quick: boolean;
  /** The bench's 1080p image pair, decoded to rgb24. */
  image1080: { ref: Uint8Array; dist: Uint8Array; width: number; height: number };
}

export function chooseModelDir(root: string): string {
  if (process.env.IQA_MODEL_DIR) return resolve(process.env.IQA_MODEL_DIR);
  const shared = resolve(root, '..', 'shared', 'models');
  if (existsSync(shared)) return shared;
  return ''; // the user data directory (model-store's default)
}

/** N frames of testsrc2 as rgb24, and the same with temporal noise: the LPIPS pairs. */
async function lpipsMedia(ffmpeg: string, dir: string, n: number): Promise<{ refs: Uint8Array[]; dists: Uint8Array[] }> {
  const size = `${LPIPS_SIZE}x${LPIPS_SIZE}`;
  const make = async (name: string, vf: string | null): Promise<Buffer> => {
    const file = join(dir, `lpips-${size}-${n}-${name}.rgb`);
    if (!existsSync(file)) {
      const tmp = `${file}.part.rgb`;
      await mustRun(ffmpeg, ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${size}:r=24`, '-frames:v', String(n), ...(vf ? ['-vf', vf] : []), '-pix_fmt', 'rgb24', '-f', 'rawvideo', tmp]);
      renameSync(tmp, file);
    }
    return readFileSync(file);
  };
  const ref = await make('ref', null);
  const dist = await make('noise', 'noise=alls=24:allf=t');
  const per = 3 * LPIPS_SIZE * LPIPS_SIZE;
  const split = (b: Buffer) => Array.from({ length: n }, (_, i) => new Uint8Array(b.buffer, b.byteOffset + i * per, per));
  return { refs: split(ref), dists: split(dist) };
}

/** A folder of n PNGs (testsrc2 frames), the image set for the Inception rows. */
async function inceptionSet(ffmpeg: string, dir: string, n: number): Promise<string> {
  const folder = join(dir, `inception-set-${SET_W}x${SET_H}-${n}`);
  if (existsSync(folder) && readdirSync(folder).filter((f) => f.endsWith('.png')).length === n) return folder;
  mkdirSync(folder, { recursive: true });
  await mustRun(ffmpeg, ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${SET_W}x${SET_H}:r=24`, '-frames:v', String(n), join(folder, 'img%03d.png')]);
  return folder;
}

async function timeRuns<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number; runsMs: number[]; last: T; results: T[] }> {
  const runsMs: number[] = [];
  const results: T[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = now();
    results.push(await fn());
    runsMs.push(msSince(t0));
  }
  return { ms: median(runsMs), runsMs, last: results[results.length - 1]!, results };
}

/** The LPIPS and Inception rows for one provider list; `label` names the provider in the rows. */
async function providerRows(
  inference: OnnxInference,
  input: NeuralBenchInput,
  modelDir: string,
  installed: Set<string>,
  runs: number,
  pairs: { refs: Uint8Array[]; dists: Uint8Array[] },
  setFolder: string,
  skipped: string[],
): Promise<NeuralRow[]> {
  const rows: NeuralRow[] = [];
  const dirOpt = modelDir ? { dir: modelDir } : {};
  const lpipsModels = (['lpips-alex', 'lpips-squeeze', 'lpips-vgg'] as const satisfies readonly LpipsModel[]).filter((m) => installed.has(m));
  for (const model of lpipsModels) {
    const batch = pairs.refs.map((ref, i) => ({ ref, dist: pairs.dists[i]! }));
    const opts = { ...dirOpt, model, inference };
    await lpipsPairs(batch, LPIPS_SIZE, LPIPS_SIZE, opts); // warm-up: session creation
    const t = await timeRuns(runs, () => lpipsPairs(batch, LPIPS_SIZE, LPIPS_SIZE, opts));
    const d = t.last.distances;
    rows.push({
      what: `LPIPS ${LPIPS_SIZE}x${LPIPS_SIZE} pairs, one batched call (${t.last.batches} batch(es))`,
      model,
      provider: t.last.provider,
      items: batch.length,
      ms: t.ms,
      perS: (batch.length * 1000) / t.ms,
      inferenceMs: null,
      runsMs: t.runsMs,
      value: `mean distance ${(d.reduce((a, b) => a + b, 0) / d.length).toFixed(5)}`,
    });
    const { ref, dist, width, height } = input.image1080;
    await lpipsPair(ref, dist, width, height, opts);
    const t1 = await timeRuns(runs, () => lpipsPair(ref, dist, width, height, opts));
    rows.push({
      what: `LPIPS ${width}x${height} pair`,
      model,
      provider: t1.last.provider,
      items: 1,
      ms: t1.ms,
      perS: 1000 / t1.ms,
      inferenceMs: null,
      runsMs: t1.runsMs,
      value: `distance ${t1.last.distance.toFixed(5)}`,
    });
  }
  if (lpipsModels.length === 0) skipped.push('LPIPS: no lpips-* model is installed in the model directory');

  const fidModel = installed.has('fid-inception') ? 'fid-inception' : installed.has('fid-inception-arch') ? 'fid-inception-arch' : null;
  if (fidModel) {
    const run = () => computeImageSetMetrics({ a: setFolder, metrics: ['is'], model: fidModel, cache: false }, { ...(modelDir ? { modelDir } : {}), inference });
    await run(); // warm-up: session creation
    const t = await timeRuns(runs, run);
    const n = t.last.n_a;
    const inferenceMs = median(t.results.map((r) => r.timing_ms.inference));
    rows.push({
      what: `Inception features, ${SET_W}x${SET_H} PNG -> 299x299 (decode + resize + network, cache off, batch ${t.last.batch_size})`,
      model: fidModel,
      provider: (t.last.provider as ExecutionProvider | null) ?? null,
      items: n,
      ms: t.ms,
      perS: (n * 1000) / t.ms,
      inferenceMs,
      runsMs: t.runsMs,
      value: `IS ${typeof t.last.is?.mean === 'number' ? t.last.is.mean.toFixed(4) : String(t.last.is?.mean)}`,
    });
    rows.push({
      what: '  of which: the network alone (session.run)',
      model: fidModel,
      provider: (t.last.provider as ExecutionProvider | null) ?? null,
      items: n,
      ms: inferenceMs,
      perS: (n * 1000) / inferenceMs,
      inferenceMs,
      runsMs: t.results.map((r) => r.timing_ms.inference),
      value: '',
    });
  } else {
    skipped.push('Inception: neither fid-inception nor fid-inception-arch is installed in the model directory');
  }
  return rows;
}

export async function benchNeural(input: NeuralBenchInput): Promise<{ text: string; json: NeuralBenchResult }> {
  const modelDir = chooseModelDir(input.root);
  const dirOpt = modelDir ? { dir: modelDir } : {};
  const installed = new Set((await listModels(dirOpt)).filter((m) => m.state === 'installed' || m.state === 'unverified').map((m) => m.id));
  const runs = input.quick ? 2 : 3;
  const nPairs = input.quick ? 16 : 64;
  const nImages = input.quick ? 16 : 64;
  const skipped: string[] = [];
  const pairs = await lpipsMedia(input.ffmpeg, input.mediaDir, nPairs);
  const setFolder = await inceptionSet(input.ffmpeg, input.mediaDir, nImages);

  log(`neural rows on the CPU provider (models from ${modelDir || 'the user data directory'})`);
  const cpu = new OnnxInference({ ...dirOpt, providers: ['cpu'] });
  let rows: NeuralRow[];
  try {
    rows = await providerRows(cpu, input, modelDir, installed, runs, pairs, setFolder, skipped);
  } finally {
    await cpu.close();
  }

  // The default provider order (cuda when its provider library is installed, then cpu): a GPU row
  // only when the session really ran on CUDA.
  let gpu = { available: false, note: '' };
  const auto = new OnnxInference(dirOpt);
  try {
    const probeModel = (['lpips-alex', 'lpips-squeeze'] as const).find((m) => installed.has(m));
    if (probeModel) {
      const { ref, dist } = { ref: pairs.refs[0]!, dist: pairs.dists[0]! };
      const p = await lpipsPair(ref, dist, LPIPS_SIZE, LPIPS_SIZE, { ...dirOpt, model: probeModel, inference: auto });
      if (p.provider === 'cuda') {
        log('neural rows on the CUDA provider');
        gpu = { available: true, note: 'onnxruntime CUDA provider' };
        const gpuSkipped: string[] = [];
        rows.push(...(await providerRows(auto, input, modelDir, installed, runs, pairs, setFolder, gpuSkipped)));
      } else {
        gpu.note = `no GPU rows: the default provider order ran on ${p.provider} (onnxruntime's CUDA provider is not installed here, or no GPU answered); see the README's "ffmpeg, GPU and native modules"`;
      }
    } else {
      gpu.note = 'no GPU rows: no LPIPS model to probe the provider with';
    }
  } finally {
    await auto.close();
  }

  const frechet = await benchFrechet(runs);

  const text = [
    table(
      `7. Neural metrics (onnxruntime-node; models: ${modelDir || 'user data directory'})`,
      ['what', 'model', 'provider', 'items', 'median s', 'items/s', 'runs (s)', 'value'],
      rows.map((r) => [r.what, r.model, r.provider ?? '-', r.items, fmt(r.ms / 1000, 3), fmt(r.perS, 2), r.runsMs.map((x) => fmt(x / 1000, 2)).join(' '), r.value]),
    ),
    `    ${gpu.available ? 'GPU rows: onnxruntime CUDA provider.' : gpu.note}`,
    '    fid-inception-arch has the real graph with random weights: its speed is the real model\'s, its values mean nothing.',
    ...skipped.map((s) => `    skipped: ${s}`),
    table(
      `8. Frechet distance at d = ${frechet.dim} (one core; covariances from the features included)`,
      ['sets', 'route', 'median s', 'runs (s)', 'FID'],
      [frechet.fullRank, frechet.lowRank].map((f) => [`2 x ${f.n} vectors${f.n < frechet.dim ? ' (fewer than d)' : ' (full rank)'}`, f.route, fmt(f.ms / 1000, 2), f.runsMs.map((x) => fmt(x / 1000, 2)).join(' '), f.fid.toFixed(4)]),
    ),
    `    scipy.linalg.sqrtm on a ${frechet.dim} x ${frechet.dim} product: about ${SCIPY_SQRTM_QUOTED_MS / 1000} s on the development machine (QUOTED by the issue author, not measured here)`,
  ].join('\n');
  return { text, json: { modelDir: modelDir || '(user data directory)', gpu, rows, skipped, frechet } };
}
