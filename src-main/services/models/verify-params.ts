/**
 * Verification of the parameter-file models (BRISQUE's SVR, NIQE's pristine statistics). Their hash
 * already proves the file; what the probes check is that the file together with our implementation
 * gives the reference implementation's scores: the probe images (8-bit grey values stored as float32)
 * are scored with the installed file and compared with OpenCV's BRISQUE features and scores, or
 * BasicSR's NIQE scores, within the tolerances the kernel tests use (test/kernels/nr).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { IqaError } from '../../common/errors';
import type { Plane } from '../../kernels/image/plane';
import { compareTensors, withinTolerance } from '../../kernels/nn/tensor-compare';
import { brisqueFeatures, brisqueScoreFromFeatures, parseBrisqueModel } from '../../kernels/nr/brisque';
import { niqeScore, parseNiqeParams } from '../../kernels/nr/niqe';
import type { ModelTolerance } from './manifest';
import type { ResolvedModel } from './model-store';
import type { OutputCheck, ProbeCheck } from './probe-check';

/** OpenCV's float32 arithmetic against our float64: see test/kernels/nr/brisque.test.ts. */
export const BRISQUE_SCORE_TOLERANCE: ModelTolerance = { maxAbs: 0.003, relToMax: null, reason: "OpenCV's QualityBRISQUE works in float32; ours in float64 with OpenCV's float32 roundings kept" };
const BRISQUE_FEATURE_TOLERANCE: ModelTolerance = { maxAbs: 1e-3, relToMax: 1e-6, reason: 'the 36 features, relative to the largest' };
/** BasicSR in float64 NumPy/SciPy: see test/kernels/nr/niqe.test.ts. */
export const NIQE_SCORE_TOLERANCE: ModelTolerance = { maxAbs: 1e-4, relToMax: null, reason: "BasicSR's niqe() in float64; differences from the MATLAB-style bicubic and the order of sums" };

const imageSchema = z.object({ file: z.string(), shape: z.tuple([z.number().int().positive(), z.number().int().positive()]) });
const brisqueProbesSchema = z.object({
  probes: z.array(z.object({ name: z.string(), image: imageSchema, opencv_features: z.object({ file: z.string(), shape: z.tuple([z.literal(36)]) }), opencv_score: z.number() })).min(1),
});
const niqeProbesSchema = z.object({ probes: z.array(z.object({ name: z.string(), image: imageSchema, basicsr_niqe: z.number() })).min(1) });

function readF32(file: string, count: number): Float32Array {
  const bytes = readFileSync(file);
  if (bytes.byteLength !== count * 4) throw new IqaError('E_MODEL', `${file}: ${bytes.byteLength} bytes, expected ${count * 4}`, { file });
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function greyPlane(folder: string, image: z.infer<typeof imageSchema>): Plane<Uint8Array> {
  const [height, width] = image.shape;
  const values = readF32(join(folder, image.file), width * height);
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new IqaError('E_MODEL', `${join(folder, image.file)}: sample ${v} is not an 8-bit value`);
    data[i] = v;
  }
  return { data, width, height, stride: width };
}

function check(name: string, got: number[] | Float64Array, ref: number[] | Float32Array, tol: ModelTolerance): OutputCheck {
  const e = compareTensors(Float32Array.from(got), Float32Array.from(ref));
  return { name, shape: [got.length], ...e, pass: withinTolerance(e, tol) };
}

/** probes.json beside the installed parameter file, or null. */
export function parameterProbesFile(model: ResolvedModel): string | null {
  const file = join(dirname(model.path), 'probes.json');
  return existsSync(file) ? file : null;
}

/** Runs the probes of brisque-live or niqe-live with the installed file. */
export function runParameterProbes(id: string, model: ResolvedModel, probesFile: string, names?: readonly string[]): { probes: ProbeCheck[]; tolerance: ModelTolerance } {
  const folder = dirname(probesFile);
  const doc: unknown = JSON.parse(readFileSync(probesFile, 'utf8'));
  const params: unknown = JSON.parse(readFileSync(model.path, 'utf8'));
  const wanted = <T extends { name: string }>(list: T[]) => (names?.length ? list.filter((p) => names.includes(p.name)) : list);
  const out: ProbeCheck[] = [];
  if (id === 'brisque-live') {
    const set = brisqueProbesSchema.parse(doc);
    const svr = parseBrisqueModel(params);
    for (const p of wanted(set.probes)) {
      const t0 = performance.now();
      const features = brisqueFeatures(greyPlane(folder, p.image));
      const score = brisqueScoreFromFeatures(features, svr);
      const outputs = [check('features', features, readF32(join(folder, p.opencv_features.file), 36), BRISQUE_FEATURE_TOLERANCE), check('score', [score], [p.opencv_score], BRISQUE_SCORE_TOLERANCE)];
      out.push({ probe: p.name, pass: outputs.every((o) => o.pass), runMs: performance.now() - t0, outputs });
    }
    return { probes: out, tolerance: BRISQUE_SCORE_TOLERANCE };
  }
  if (id === 'niqe-live') {
    const set = niqeProbesSchema.parse(doc);
    const niqe = parseNiqeParams(params);
    for (const p of wanted(set.probes)) {
      const t0 = performance.now();
      const score = niqeScore(greyPlane(folder, p.image), niqe);
      const outputs = [check('score', [score], [p.basicsr_niqe], NIQE_SCORE_TOLERANCE)];
      out.push({ probe: p.name, pass: outputs.every((o) => o.pass), runMs: performance.now() - t0, outputs });
    }
    return { probes: out, tolerance: NIQE_SCORE_TOLERANCE };
  }
  throw new IqaError('E_UNSUPPORTED', `model ${id}: no probe runner for this parameter file`);
}
