/**
 * Probe files of a model (shared/models/<folder>/probes.json and the same layout in the model
 * directory): deterministic inputs with reference outputs of the original network. Two layouts
 * exist and both are read: the LPIPS/CNNIQA one (`id`, `inputs`, `reference_outputs`) and the
 * *-arch one (`name`, `inputs`, `outputs`, plus `derived_probes` whose input is a frame selection
 * of another probe's 5-D input along T). Tensors are raw little-endian float32 in C order.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { IqaError } from '../../common/errors';
import type { TensorData } from '../../common/inference';

const fileRef = z.object({ file: z.string().min(1), shape: z.array(z.number().int().nonnegative()) });
const tensorMap = z.record(z.string(), fileRef);

const probesDocSchema = z.object({
  model: z.string().min(1),
  probes: z.array(
    z.union([
      z.object({ id: z.number().int(), inputs: tensorMap, reference_outputs: tensorMap }),
      z.object({ name: z.string().min(1), inputs: tensorMap, outputs: tensorMap }),
    ]),
  ),
  derived_probes: z
    .array(
      z.object({
        name: z.string().min(1),
        from: z.string().min(1),
        frame_indices: z.array(z.number().int().nonnegative()).min(1),
        input_shape: z.array(z.number().int().positive()),
        outputs: tensorMap,
      }),
    )
    .optional(),
});

type FileRef = z.output<typeof fileRef>;

export interface Probe {
  name: string;
  inputs: Record<string, FileRef>;
  outputs: Record<string, FileRef>;
  /** Input made by selecting frames (axis 2 of a 5-D input) of another probe. */
  derived?: { from: string; frameIndices: number[]; inputShape: number[] };
}

export interface ProbeSet {
  file: string;
  model: string;
  probes: Probe[];
}

export function readProbeSet(file: string): ProbeSet {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new IqaError('E_MODEL', `${file} cannot be read as JSON (${(err as Error).message})`, { file });
  }
  const r = probesDocSchema.safeParse(doc);
  if (!r.success) throw new IqaError('E_MODEL', `${file} is not a probe list (${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message})`, { file });
  const probes: Probe[] = r.data.probes.map((p) =>
    'id' in p ? { name: `probe${p.id}`, inputs: p.inputs, outputs: p.reference_outputs } : { name: p.name, inputs: p.inputs, outputs: p.outputs },
  );
  for (const d of r.data.derived_probes ?? []) {
    const from = probes.find((p) => p.name === d.from);
    if (!from) throw new IqaError('E_MODEL', `${file}: derived probe ${d.name} comes from unknown probe ${d.from}`, { file });
    probes.push({ name: d.name, inputs: from.inputs, outputs: d.outputs, derived: { from: d.from, frameIndices: d.frame_indices, inputShape: d.input_shape } });
  }
  return { file, model: r.data.model, probes };
}

/** Reads a raw little-endian float32 file of the given shape (this engine runs on little-endian CPUs). */
export function readF32(file: string, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const buf = readFileSync(file);
  if (buf.length !== n * 4) throw new IqaError('E_MODEL', `${file}: expected ${n * 4} bytes for shape [${shape.join(', ')}], found ${buf.length}`, { file });
  if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, n);
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Frames `indices` of axis 2 of a [N, C, T, H, W] tensor. */
export function selectFrames(t: TensorData, indices: number[]): TensorData {
  const [n, c, tLen, h, w] = t.dims as [number, number, number, number, number];
  if (t.dims.length !== 5) throw new RangeError('selectFrames needs a 5-D [N, C, T, H, W] tensor');
  const frame = h * w;
  const out = new Float32Array(n * c * indices.length * frame);
  let d = 0;
  for (let i = 0; i < n * c; i++) {
    for (const f of indices) {
      if (f >= tLen) throw new RangeError(`frame ${f} is outside T = ${tLen}`);
      const s = (i * tLen + f) * frame;
      out.set(t.data.subarray(s, s + frame), d);
      d += frame;
    }
  }
  return { data: out, dims: [n, c, indices.length, h, w] };
}

export function loadProbeInputs(set: ProbeSet, probe: Probe): Record<string, TensorData> {
  const base = dirname(set.file);
  const out: Record<string, TensorData> = {};
  for (const [name, ref] of Object.entries(probe.inputs)) {
    const t = { data: readF32(join(base, ref.file), ref.shape), dims: ref.shape };
    out[name] = probe.derived ? selectFrames(t, probe.derived.frameIndices) : t;
  }
  return out;
}

export function loadProbeOutputs(set: ProbeSet, probe: Probe): Record<string, TensorData> {
  const base = dirname(set.file);
  return Object.fromEntries(Object.entries(probe.outputs).map(([name, ref]) => [name, { data: readF32(join(base, ref.file), ref.shape), dims: ref.shape }]));
}

/** probes.json for a model file: beside the file when it names that file, else <dir>/<folder>/probes.json. */
export function findProbeSet(modelPath: string, modelFileName: string, candidatesDirs: string[]): string | null {
  const beside = join(dirname(modelPath), 'probes.json');
  const names = (f: string) => {
    try {
      return (JSON.parse(readFileSync(f, 'utf8')) as { model?: unknown }).model;
    } catch {
      return undefined;
    }
  };
  if (existsSync(beside)) {
    const m = names(beside);
    if (m === modelFileName || m === modelPath.split(/[\\/]/).pop()) return beside;
  }
  for (const d of candidatesDirs) {
    const f = join(d, 'probes.json');
    if (existsSync(f) && f !== beside) return f;
  }
  return null;
}
