/**
 * verifyModel: runs a model's probe inputs and compares the outputs with the stored reference
 * outputs of the original network, under the manifest's tolerance for that model (taken from
 * shared/models/README.md and each provenance.md, with the reason written next to it).
 */
import { join } from 'node:path';
import { IqaError } from '../../common/errors';
import { compareTensors, withinTolerance } from '../../kernels/nn/tensor-compare';
import type { ExecutionProvider } from '../../common/inference';
import { sharedInference, type OnnxInference } from './inference';
import { manifestEntry, type ModelTolerance } from './manifest';
import { modelDir, requireModel, type ModelDirOptions, type ModelState, modelStatus } from './model-store';
import { findProbeSet, loadProbeInputs, loadProbeOutputs, readProbeSet } from './probes';
import { parameterProbesFile, runParameterProbes } from './verify-params';
import type { OutputCheck, ProbeCheck } from './probe-check';

export type { OutputCheck, ProbeCheck } from './probe-check';

/** Parameter-file models whose probes (images with reference scores) verify can run. */
const PARAMETER_MODELS = new Set(['brisque-live', 'niqe-live']);

export interface ModelVerification {
  id: string;
  state: ModelState;
  comparable: boolean;
  /** The model's SHA-256 (null when missing). */
  sha256: string | null;
  provider: ExecutionProvider | null;
  tolerance: ModelTolerance | null;
  probesFile: string | null;
  probes: ProbeCheck[];
  /** Why no probe ran (missing model, no probe file, not an ONNX model). */
  skipped?: string;
  /** All probes ran and passed (a skipped model with a right hash passes only when it has nothing to run). */
  pass: boolean;
  sessionMs: number;
}

export interface VerifyOptions extends ModelDirOptions {
  /** Probe names to run (default: all; `probe0`… for the id-numbered layout). */
  probes?: string[];
  /** Run at most this many probes (after the name filter). */
  maxProbes?: number;
  inference?: OnnxInference;
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

export async function verifyModel(id: string, opts: VerifyOptions = {}): Promise<ModelVerification> {
  const entry = manifestEntry(id);
  const status = await modelStatus(id, opts);
  const base: ModelVerification = {
    id,
    state: status.state,
    comparable: entry.comparable,
    sha256: status.files[0]!.actualSha256,
    provider: null,
    tolerance: entry.probes?.tolerance ?? null,
    probesFile: null,
    probes: [],
    pass: false,
    sessionMs: 0,
  };
  if (status.state === 'missing' || status.state === 'wrong-hash') {
    try {
      await requireModel(id, opts);
    } catch (err) {
      return { ...base, skipped: (err as Error).message };
    }
  }
  if (entry.format === 'json' && PARAMETER_MODELS.has(id)) {
    // Parameter files: score the probe images with the installed file and compare with the reference implementation.
    const model = await requireModel(id, opts);
    const probesFile = parameterProbesFile(model);
    if (!probesFile) return { ...base, skipped: `no probes.json beside ${model.path}: the file was checked by hash only`, pass: status.state === 'installed' };
    const names = opts.probes?.length ? opts.probes : undefined;
    let { probes, tolerance } = runParameterProbes(id, model, probesFile, names);
    if (opts.maxProbes !== undefined) probes = probes.slice(0, Math.max(0, opts.maxProbes));
    return { ...base, sha256: model.sha256, provider: null, tolerance, probesFile, probes, pass: probes.length > 0 && probes.every((p) => p.pass) };
  }
  if (entry.format !== 'onnx' || !entry.probes) {
    return { ...base, skipped: entry.probesNote ?? 'no probes for this model: its file was checked by hash only', pass: status.state === 'installed' };
  }
  const model = await requireModel(id, opts);
  const probesFile = findProbeSet(model.path, entry.files[0]!.name, [join(modelDir(opts), entry.probes.folder)]);
  if (!probesFile) return { ...base, skipped: `no probes.json beside ${model.path} or in ${join(modelDir(opts), entry.probes.folder)}` };
  const set = readProbeSet(probesFile);
  let probes = set.probes;
  if (opts.probes?.length) {
    const unknown = opts.probes.filter((p) => !probes.some((q) => q.name === p));
    if (unknown.length) throw new IqaError('E_INPUT', `model ${id} has no probe ${unknown.join(', ')} (probes: ${probes.map((p) => p.name).join(', ')})`);
    probes = probes.filter((p) => opts.probes!.includes(p.name));
  }
  if (opts.maxProbes !== undefined) probes = probes.slice(0, Math.max(0, opts.maxProbes));
  const tol = entry.probes.tolerance;
  const inference = opts.inference ?? sharedInference();
  const out: ModelVerification = { ...base, sha256: model.sha256, probesFile };
  for (const probe of probes) {
    const feeds = loadProbeInputs(set, probe);
    const refs = loadProbeOutputs(set, probe);
    const r = await inference.run(id, feeds, { outputs: Object.keys(refs) });
    out.provider = r.provider;
    out.sessionMs += r.sessionMs;
    const outputs: OutputCheck[] = [];
    for (const [name, ref] of Object.entries(refs)) {
      const got = r.outputs[name]!;
      if (!sameShape(got.dims, ref.dims)) {
        outputs.push({ name, shape: got.dims, maxAbs: NaN, maxRel: NaN, relToMax: NaN, refMaxAbs: NaN, allFinite: false, pass: false, problem: `shape [${got.dims.join(', ')}] differs from the reference [${ref.dims.join(', ')}]` });
        continue;
      }
      const e = compareTensors(got.data, ref.data);
      outputs.push({ name, shape: got.dims, ...e, pass: withinTolerance(e, tol) });
    }
    out.probes.push({ probe: probe.name, pass: outputs.every((o) => o.pass), runMs: r.runMs, outputs });
  }
  out.pass = out.probes.length > 0 && out.probes.every((p) => p.pass);
  return out;
}
