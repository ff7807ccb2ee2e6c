/**
 * The model directory: where weights live and which models are installed (installing: install.ts).
 * Directory: IQA_MODEL_DIR, else <user data>/models. A model file is found flat (<dir>/<file>) or in
 * its per-model folder (<dir>/<folder>/<file>), the layout of shared/models, so tests can point
 * IQA_MODEL_DIR at it. A file is "installed" when its SHA-256 equals the manifest's, "unverified"
 * when the manifest has no hash for it (files the user exports), "wrong-hash" otherwise. A missing
 * or wrong model is an E_MODEL error that names the model, the file and how to get it; nothing
 * else in the app depends on it.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IqaError } from '../../common/errors';
import { defaultUserDataDir } from '../user-data';
import { sha256File } from './file-hash';
import { loadManifest, manifestEntry, type ModelEntry, type ModelFileSpec } from './manifest';

export type ModelState = 'installed' | 'unverified' | 'missing' | 'wrong-hash';

export interface ModelFileStatus {
  name: string;
  expectedSha256: string | null;
  /** Where the file was found (null: missing). */
  path: string | null;
  actualSha256: string | null;
  state: ModelState;
  /** Why a file is wrong or unverified, in words. */
  note?: string;
}

export interface ModelStatus {
  id: string;
  name: string;
  kind: ModelEntry['kind'];
  format: ModelEntry['format'];
  comparable: boolean;
  comparableNote?: string;
  redistributable: boolean;
  /** The worst state of its files. */
  state: ModelState;
  files: ModelFileStatus[];
  /** One line: where the file comes from and the install command. */
  howToGet: string;
}

export interface ModelDirOptions {
  /** Overrides IQA_MODEL_DIR / the user data directory. */
  dir?: string;
}

export function modelDir(opts: ModelDirOptions = {}): string {
  return resolve(opts.dir ?? (process.env.IQA_MODEL_DIR || join(defaultUserDataDir(), 'models')));
}

export const short = (sha: string | null): string => (sha ? `${sha.slice(0, 12)}…` : 'unknown');

export function howToGet(entry: ModelEntry, file: ModelFileSpec = entry.files[0]!): string {
  const s = entry.source;
  const from = s.checkpoint ? `${s.checkpoint.file}${s.checkpoint.url ? ` (${s.checkpoint.url})` : ''}` : s.repository ?? s.description;
  const install = file.sha256 === null && s.export.includes('--as ') ? s.export : `${s.export}; then run: iqa models install <path to ${file.name}>`;
  // An export may write its file under another name (fid-inception's script writes
  // fid_inception_v3_arch.onnx, with the real weights); `--as` installs it under the manifest's name.
  const written = /iqa models install \S*?([^/\s]+) --as /.exec(s.export)?.[1];
  const renamed = written && written !== file.name ? `; the script writes ${written}, which that command installs as ${file.name}` : '';
  return `source: ${from}; to make ${file.name}: ${install}${renamed}`;
}

function candidates(dir: string, entry: ModelEntry, file: ModelFileSpec): string[] {
  return [join(dir, file.name), join(dir, entry.folder, file.name)];
}

/** Hashes of the random-weight graphs, so an *-arch file is never taken for the real model. */
export function archHashes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of loadManifest().models) if (m.archOf) for (const f of m.files) if (f.sha256) out.set(f.sha256, m.id);
  return out;
}

async function fileStatus(dir: string, entry: ModelEntry, file: ModelFileSpec): Promise<ModelFileStatus> {
  const found = candidates(dir, entry, file).filter((p) => existsSync(p) && statSync(p).isFile());
  const base = { name: file.name, expectedSha256: file.sha256 };
  if (found.length === 0) return { ...base, path: null, actualSha256: null, state: 'missing' };
  let first: ModelFileStatus | undefined;
  for (const path of found) {
    let actual: string;
    try {
      actual = await sha256File(path);
    } catch (err) {
      const st: ModelFileStatus = { ...base, path, actualSha256: null, state: 'wrong-hash', note: `cannot be read (${(err as Error).message})` };
      first ??= st;
      continue;
    }
    let st: ModelFileStatus;
    if (file.sha256 === null) {
      const arch = archHashes().get(actual);
      st = arch
        ? { ...base, path, actualSha256: actual, state: 'wrong-hash', note: `this is the random-weight graph of ${arch}, not ${entry.id}` }
        : { ...base, path, actualSha256: actual, state: 'unverified', note: 'the manifest has no SHA-256 for this file (made locally from the checkpoint)' };
    } else if (actual === file.sha256) {
      return { ...base, path, actualSha256: actual, state: 'installed' };
    } else {
      st = { ...base, path, actualSha256: actual, state: 'wrong-hash', note: 'a different or damaged file' };
    }
    if (st.state === 'unverified') return st;
    first ??= st;
  }
  return first!;
}

const RANK: Record<ModelState, number> = { installed: 0, unverified: 1, 'wrong-hash': 2, missing: 3 };

export async function modelStatus(id: string, opts: ModelDirOptions = {}): Promise<ModelStatus> {
  const entry = manifestEntry(id);
  const dir = modelDir(opts);
  const files = await Promise.all(entry.files.map((f) => fileStatus(dir, entry, f)));
  const state = files.reduce<ModelState>((w, f) => (RANK[f.state] > RANK[w] ? f.state : w), 'installed');
  const out: ModelStatus = {
    id: entry.id,
    name: entry.name,
    kind: entry.kind,
    format: entry.format,
    comparable: entry.comparable,
    redistributable: entry.licence.redistributable,
    state,
    files,
    howToGet: howToGet(entry),
  };
  if (entry.comparableNote) out.comparableNote = entry.comparableNote;
  return out;
}

/** Every model of the manifest with its state; hashing is cached per process (path + size + mtime). */
export async function listModels(opts: ModelDirOptions = {}): Promise<ModelStatus[]> {
  const out: ModelStatus[] = [];
  for (const m of loadManifest().models) out.push(await modelStatus(m.id, opts));
  return out;
}

export interface ResolvedModel {
  entry: ModelEntry;
  /** The first (for ONNX models: the only) file. */
  path: string;
  sha256: string;
  /** false: the manifest has no hash for the file (see ModelFileStatus.note). */
  verified: boolean;
  files: ModelFileStatus[];
}

/** The model's files, or E_MODEL naming the model, the file, the hashes and how to get it. */
export async function requireModel(id: string, opts: ModelDirOptions = {}): Promise<ResolvedModel> {
  const entry = manifestEntry(id);
  const dir = modelDir(opts);
  const st = await modelStatus(id, opts);
  for (const f of st.files) {
    const spec = entry.files.find((s) => s.name === f.name)!;
    if (f.state === 'missing') {
      throw new IqaError(
        'E_MODEL',
        `model ${id} is not installed: ${f.name}${f.expectedSha256 ? ` (sha256 ${short(f.expectedSha256)})` : ''} is not in ${dir} (nor in ${join(dir, entry.folder)}); ${howToGet(entry, spec)}`,
        { details: { modelId: id, file: f.name, dir, expectedSha256: f.expectedSha256, actualSha256: null } },
      );
    }
    if (f.state === 'wrong-hash') {
      throw new IqaError(
        'E_MODEL',
        `model ${id}: ${f.path} has sha256 ${f.actualSha256 ?? 'unreadable'}, expected ${f.expectedSha256 ?? `a file other than ${short(f.actualSha256)}`} (${f.note}); replace it: ${howToGet(entry, spec)}`,
        { file: f.path ?? undefined, details: { modelId: id, file: f.name, dir, expectedSha256: f.expectedSha256, actualSha256: f.actualSha256 } },
      );
    }
  }
  const first = st.files[0]!;
  return { entry, path: first.path!, sha256: first.actualSha256!, verified: st.files.every((f) => f.state === 'installed'), files: st.files };
}
