/**
 * Installing a model file into the model directory: the file is matched to a manifest entry (by
 * hash, else by name, or by `as` for a file the user exported), checked, and copied atomically with
 * the probes and licence files that sit beside it.
 *
 * A file whose manifest hash is unknown (exported locally from a checkpoint) cannot be checked by
 * hash, so it is checked by structure before it is copied: an ONNX file must load in onnxruntime and
 * have exactly the manifest's input and output names (the graph contract the metric code relies on),
 * a JSON parameter file must parse. A damaged export is refused here, not at its first use.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { IqaError } from '../../common/errors';
import { sha256File } from './file-hash';
import { OnnxInference } from './inference';
import { loadManifest, manifestEntry, type ModelEntry, type ModelFileSpec } from './manifest';
import { archHashes, howToGet, modelDir, short, type ModelDirOptions } from './model-store';
import { deriveLevelGraphsFor } from '../nr/level-backbones';

export interface InstallResult {
  id: string;
  file: string;
  path: string;
  sha256: string;
  verified: boolean;
  /** Probe and licence files copied from beside the source file. */
  extras: string[];
}

function copyAtomic(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.part-${process.pid}`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

function copyTree(from: string, to: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...copyTree(join(from, e.name), join(to, e.name)));
    else if (e.isFile()) {
      copyAtomic(join(from, e.name), join(to, e.name));
      out.push(join(to, e.name));
    }
  }
  return out;
}

/** probes.json (with its probes/ folder) and the licence files that sit beside the source file. */
function copyExtras(src: string, entry: ModelEntry, spec: ModelFileSpec, destDir: string): string[] {
  const out: string[] = [];
  const srcDir = dirname(src);
  const probes = join(srcDir, 'probes.json');
  if (existsSync(probes)) {
    try {
      const doc = JSON.parse(readFileSync(probes, 'utf8')) as { model?: unknown };
      if (doc.model === basename(src)) {
        if (existsSync(join(srcDir, 'probes'))) out.push(...copyTree(join(srcDir, 'probes'), join(destDir, 'probes')));
        mkdirSync(destDir, { recursive: true });
        writeFileSync(join(destDir, 'probes.json'), JSON.stringify({ ...doc, model: spec.name }, null, 2) + '\n');
        out.push(join(destDir, 'probes.json'));
      }
    } catch {
      // a probes.json that is not ours is left behind
    }
  }
  for (const lic of entry.licence.files) {
    if (existsSync(join(srcDir, lic))) {
      copyAtomic(join(srcDir, lic), join(destDir, lic));
      out.push(join(destDir, lic));
    }
  }
  return out;
}

/**
 * Copies a model file into <model dir>/<folder>/<file> after checking it against the manifest:
 * by hash, else by file name (or `as`, for a file the user exported under another name). A known
 * file with another hash, an *-arch graph offered as the real model, an unknown file, or an unhashed
 * file that fails the structural check is E_MODEL, and nothing is copied.
 */
export async function installModel(file: string, opts: ModelDirOptions & { as?: string; inference?: OnnxInference } = {}): Promise<InstallResult> {
  const src = resolve(file);
  if (!existsSync(src) || !statSync(src).isFile()) throw new IqaError('E_NOT_FOUND', `${src} does not exist or is not a file`, { file: src });
  const actual = await sha256File(src);
  const models = loadManifest().models;
  let entry: ModelEntry | undefined;
  let spec: ModelFileSpec | undefined;
  if (opts.as !== undefined) {
    entry = manifestEntry(opts.as);
    spec = entry.files.find((f) => f.name === basename(src)) ?? (entry.files.length === 1 ? entry.files[0] : undefined);
    if (!spec) throw new IqaError('E_INPUT', `model ${entry.id} has several files (${entry.files.map((f) => f.name).join(', ')}): name the file as one of them`);
  } else {
    for (const m of models) {
      const f = m.files.find((x) => x.sha256 === actual);
      if (f) {
        entry = m;
        spec = f;
        break;
      }
    }
    if (!entry) {
      for (const m of models) {
        const f = m.files.find((x) => x.name === basename(src));
        if (f) {
          entry = m;
          spec = f;
          break;
        }
      }
    }
  }
  if (!entry || !spec) {
    throw new IqaError('E_MODEL', `${src} (sha256 ${actual}) is not a file of any supported model; for a file you exported, name the model: iqa models install <file> --as <id>`, {
      file: src,
      details: { actualSha256: actual },
    });
  }
  if (spec.sha256 !== null && spec.sha256 !== actual) {
    throw new IqaError('E_MODEL', `model ${entry.id}: ${src} has sha256 ${actual}, expected ${spec.sha256} for ${spec.name} (a different or damaged file); ${howToGet(entry, spec)}`, {
      file: src,
      details: { modelId: entry.id, file: spec.name, expectedSha256: spec.sha256, actualSha256: actual },
    });
  }
  const arch = archHashes().get(actual);
  if (spec.sha256 === null && arch) {
    throw new IqaError('E_MODEL', `model ${entry.id}: ${src} is the random-weight graph of ${arch} (sha256 ${short(actual)}), not ${entry.id}; export the real checkpoint: ${entry.source.export}`, {
      file: src,
      details: { modelId: entry.id, file: spec.name, expectedSha256: null, actualSha256: actual },
    });
  }
  if (spec.sha256 === null) await checkUnhashedFile(src, entry, spec, opts.inference);
  const destDir = join(modelDir(opts), entry.folder);
  const dest = join(destDir, spec.name);
  const same = existsSync(dest) && realpathSync(dest) === realpathSync(src);
  if (!same) copyAtomic(src, dest);
  const extras = same ? [] : copyExtras(src, entry, spec, destDir);
  // The level backbones made from this model (manifest levelBackbones) are derived now, so the first
  // feature extraction does not pay for it; one that fails is made again on first use.
  for (const g of (await deriveLevelGraphsFor(entry.id, opts)).written) extras.push(g.path);
  return { id: entry.id, file: spec.name, path: dest, sha256: actual, verified: spec.sha256 !== null, extras };
}

/** E_MODEL unless an unhashed file is structurally the model the manifest describes. */
async function checkUnhashedFile(src: string, entry: ModelEntry, spec: ModelFileSpec, inference: OnnxInference | undefined): Promise<void> {
  if (entry.format === 'json') {
    try {
      JSON.parse(readFileSync(src, 'utf8'));
    } catch (err) {
      throw new IqaError('E_MODEL', `model ${entry.id}: ${src} is not a JSON parameter file (${(err as Error).message}); ${howToGet(entry, spec)}`, { file: src, details: { modelId: entry.id, file: spec.name } });
    }
    return;
  }
  const own = inference ? null : new OnnxInference({ threads: 1, idleTimeoutMs: 1000 });
  let io: { inputs: string[]; outputs: string[] };
  try {
    io = await (inference ?? own!).describeFile(src, entry.id);
  } catch (err) {
    const e = err as IqaError;
    throw new IqaError('E_MODEL', `model ${entry.id}: ${src} is not a loadable ONNX graph (${e.message}); nothing was installed; ${howToGet(entry, spec)}`, { file: src, details: { modelId: entry.id, file: spec.name } });
  } finally {
    await own?.close();
  }
  const want = { inputs: entry.inputs.map((t) => t.name), outputs: entry.outputs.map((t) => t.name) };
  const same = (a: string[], b: string[]) => [...a].sort().join('\n') === [...b].sort().join('\n');
  if (!same(io.inputs, want.inputs) || !same(io.outputs, want.outputs)) {
    throw new IqaError(
      'E_MODEL',
      `model ${entry.id}: ${src} is an ONNX graph with inputs (${io.inputs.join(', ')}) and outputs (${io.outputs.join(', ')}); ${entry.id} needs inputs (${want.inputs.join(', ')}) and outputs (${want.outputs.join(', ')}): it is another model or a different export; nothing was installed`,
      { file: src, details: { modelId: entry.id, file: spec.name, graphInputs: io.inputs, graphOutputs: io.outputs } },
    );
  }
}
