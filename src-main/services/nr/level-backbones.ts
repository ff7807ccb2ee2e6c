/**
 * Level backbones on disk: the derived graph of a manifest `levelBackbones` entry, made from its
 * installed source model by graph-surgery.ts and written beside it (`<model dir>/<folder>/<file>`),
 * with a sidecar `<file>.json` that records the source model's SHA-256, the derived file's SHA-256,
 * the levels and the surgery version. The derived file is made at install time of its source model
 * (install.ts) and on demand here when it is missing or stale (a model installed before this feature,
 * a source file replaced, a damaged derived file). A model folder that cannot be written, or whose
 * mode grants no write access (the read-only shared reference folder, even to root), gets the derived
 * file in `<user data>/derived-models/<folder>/` instead.
 *
 * The derived file's hash is what identifies the features (the feature cache is keyed by it): it
 * follows from the source bytes, the level list and the surgery version, all recorded in the sidecar.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IqaError } from '../../common/errors';
import { sha256File } from '../models/file-hash';
import { loadManifest, manifestEntry } from '../models/manifest';
import type { LevelBackboneSpec } from '../models/level-backbone-spec';
import { requireModel, type ModelDirOptions, type ResolvedModel } from '../models/model-store';
import { defaultUserDataDir } from '../user-data';
import { deriveLevelGraph, type DerivedLevelGraph } from './graph-surgery';

/** Bumped whenever deriveLevelGraph writes a different graph for the same source and levels. */
export const LEVEL_SURGERY_VERSION = 1;

export interface LevelGraph {
  spec: LevelBackboneSpec;
  path: string;
  sha256: string;
  sourceModel: string;
  sourceSha256: string;
  inputName: string;
  outputs: DerivedLevelGraph['outputs'];
}

interface Sidecar {
  backbone: string;
  from: string;
  sourceFile: string;
  sourceSha256: string;
  sha256: string;
  bytes: number;
  surgeryVersion: number;
  /** The source graph input the levels were taken from. */
  sourceInput: string;
  inputName: string;
  levels: { name: string; tensor: string; channels: number }[];
  outputs: DerivedLevelGraph['outputs'];
}

export function levelBackboneSpecs(): readonly LevelBackboneSpec[] {
  return loadManifest().levelBackbones ?? [];
}

/** The manifest entry of a level backbone, or E_INPUT naming the known ones. */
export function levelBackboneSpec(id: string): LevelBackboneSpec {
  const all = levelBackboneSpecs();
  const spec = all.find((b) => b.id === id);
  if (!spec) throw new IqaError('E_INPUT', `unknown level backbone "${id}" (known: ${all.map((b) => b.id).join(', ') || 'none'})`);
  return spec;
}

/**
 * A folder whose mode grants nobody write access is read-only by intent (the shared reference models):
 * nothing is written there even by a process (root) that the kernel would let write.
 */
function writableByMode(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o222) !== 0;
  } catch {
    return false;
  }
}

function candidateDirs(model: ResolvedModel): string[] {
  const fallback = join(defaultUserDataDir(), 'derived-models', model.entry.folder);
  return [dirname(model.path), fallback];
}

function readSidecar(file: string): Sidecar | null {
  try {
    return JSON.parse(readFileSync(`${file}.json`, 'utf8')) as Sidecar;
  } catch {
    return null;
  }
}

function sameLevels(a: Sidecar['levels'] | undefined, spec: LevelBackboneSpec): boolean {
  return !!a && a.length === spec.levels.length && a.every((l, i) => l.name === spec.levels[i]!.name && l.tensor === spec.levels[i]!.tensor && l.channels === spec.levels[i]!.channels);
}

/** A derived file that is current: made from this source by this surgery, and not damaged since. */
async function currentAt(file: string, spec: LevelBackboneSpec, model: ResolvedModel): Promise<LevelGraph | null> {
  if (!existsSync(file)) return null;
  const side = readSidecar(file);
  if (!side || side.surgeryVersion !== LEVEL_SURGERY_VERSION || side.sourceSha256 !== model.sha256 || side.sourceInput !== spec.input || !sameLevels(side.levels, spec)) return null;
  let actual: string;
  try {
    actual = await sha256File(file);
  } catch {
    return null;
  }
  if (actual !== side.sha256) return null;
  return { spec, path: file, sha256: actual, sourceModel: spec.from, sourceSha256: model.sha256, inputName: side.inputName, outputs: side.outputs };
}

function writeAtomic(file: string, data: Uint8Array | string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.part-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

async function requireSource(spec: LevelBackboneSpec, opts: ModelDirOptions): Promise<ResolvedModel> {
  try {
    return await requireModel(spec.from, opts);
  } catch (err) {
    if (err instanceof IqaError && err.code === 'E_MODEL') {
      // The model store's message names the file, the folders looked in and the install command.
      const file = manifestEntry(spec.from).files[0]!.name;
      const how = err.message.includes('iqa models install') ? '' : ` (install it with: iqa models install <path to ${file}>)`;
      throw new IqaError('E_MODEL', `level backbone ${spec.id} is made from model ${spec.from}, which is not usable: ${err.message.replace(/\s+/g, ' ')}${how}`, {
        file: err.file,
        details: { backbone: spec.id, modelId: spec.from, cause: err.details },
      });
    }
    throw err;
  }
}

/** Derives and writes the graph of `spec` from its resolved source model; returns where it went. */
function writeDerived(spec: LevelBackboneSpec, model: ResolvedModel): LevelGraph {
  const src = readFileSync(model.path);
  const derived = deriveLevelGraph(src, { input: spec.input, levels: spec.levels, label: `model ${spec.from} (${model.path})` });
  const sha256 = createHash('sha256').update(derived.bytes).digest('hex');
  const side: Sidecar = {
    backbone: spec.id,
    from: spec.from,
    sourceFile: model.path,
    sourceSha256: model.sha256,
    sha256,
    bytes: derived.bytes.length,
    surgeryVersion: LEVEL_SURGERY_VERSION,
    sourceInput: spec.input,
    inputName: derived.inputName,
    levels: spec.levels.map((l) => ({ name: l.name, tensor: l.tensor, channels: l.channels })),
    outputs: derived.outputs,
  };
  let firstError: Error | null = null;
  for (const dir of candidateDirs(model)) {
    if (dir === dirname(model.path) && !writableByMode(dir)) continue;
    const file = join(dir, spec.file);
    try {
      writeAtomic(file, derived.bytes);
      writeAtomic(`${file}.json`, JSON.stringify(side, null, 2) + '\n');
      return { spec, path: file, sha256, sourceModel: spec.from, sourceSha256: model.sha256, inputName: derived.inputName, outputs: derived.outputs };
    } catch (err) {
      firstError ??= err as Error;
    }
  }
  throw new IqaError('E_MODEL', `level backbone ${spec.id}: the derived graph cannot be written (${firstError?.message ?? 'no folder'})`);
}

/**
 * The derived graph of a level backbone, made now when it is missing or stale. E_INPUT for an
 * unknown id; E_MODEL when the source model is missing or has the wrong hash (naming it and how to
 * install it), or when its graph lacks the input or a level tensor the manifest names.
 */
export async function ensureLevelGraph(id: string, opts: ModelDirOptions = {}): Promise<LevelGraph> {
  const spec = levelBackboneSpec(id);
  const model = await requireSource(spec, opts);
  for (const dir of candidateDirs(model)) {
    const hit = await currentAt(join(dir, spec.file), spec, model);
    if (hit) return hit;
  }
  return writeDerived(spec, model);
}

/**
 * Derives every level backbone made from `modelId` (called after that model is installed). Returns the
 * derived files written or found current; a failure is not an install failure (the model itself is
 * fine): it is reported in `failed` and the graph is made again on first use.
 */
export async function deriveLevelGraphsFor(modelId: string, opts: ModelDirOptions = {}): Promise<{ written: LevelGraph[]; failed: { id: string; message: string }[] }> {
  const written: LevelGraph[] = [];
  const failed: { id: string; message: string }[] = [];
  for (const spec of levelBackboneSpecs()) {
    if (spec.from !== modelId) continue;
    try {
      written.push(await ensureLevelGraph(spec.id, opts));
    } catch (err) {
      failed.push({ id: spec.id, message: (err as Error).message });
    }
  }
  return { written, failed };
}
