/**
 * Pairing distorted files with their references, and attributes from names: pure functions over
 * file paths, so the rules are testable without touching the disk.
 *
 * Default rules (no pattern):
 *  1. Files inside a folder named ref, refs, reference, references, original or originals are
 *     references; every other file is distorted and pairs with the reference whose stem is the
 *     longest prefix of its own stem, ending at a separator (_ - . space) or at the end.
 *  2. Without such a folder, a file is a reference when its stem prefixes another file's stem (at a
 *     separator) and no other stem prefixes its own; the files it prefixes are its distorted versions.
 *  The rest of a distorted stem after the reference stem becomes the `condition` attribute.
 *
 * With a pattern (a regular expression on the stem): a file whose stem matches and has a `ref` group
 * is distorted and pairs with the file whose stem equals that group; every other named group is an
 * attribute. Files that do not match are references when some distorted names them, else unpaired.
 * The pattern runs with a time limit (`user-pattern.ts`): pure, but not unbounded.
 */
import { basename, extname } from 'node:path';
import { matchStems } from './user-pattern';

export interface PairingInput {
  /** A unique key for the file (its absolute path). */
  key: string;
  /** Folder names between the import root and the file. */
  dirs: string[];
}

export interface PlannedStimulus {
  key: string;
  stem: string;
  role: 'reference' | 'distorted';
  /** Key of the reference for a paired distorted file. */
  referenceKey: string | null;
  /** Stem of the reference named by the pattern or rules when no file in this import has it. */
  referenceStem: string | null;
  content: string | null;
  attributes: Record<string, string>;
}

const REFERENCE_DIRS = new Set(['ref', 'refs', 'reference', 'references', 'original', 'originals']);
const SEPARATORS = new Set(['_', '-', '.', ' ']);

export function stemOf(file: string): string {
  const name = basename(file);
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

export function isInReferenceDir(dirs: readonly string[]): boolean {
  return dirs.some((d) => REFERENCE_DIRS.has(d.toLowerCase()));
}

/** True when `prefix` is `stem` itself or its start followed by a separator. */
export function stemHasPrefix(stem: string, prefix: string): boolean {
  if (!stem.startsWith(prefix) || prefix.length === 0) return false;
  return stem.length === prefix.length || SEPARATORS.has(stem[prefix.length]!);
}

function remainderAfter(stem: string, prefix: string): string {
  return stem.slice(prefix.length).replace(/^[_\-. ]+/, '');
}

/** The longest reference stem that prefixes `stem`; ties broken by key order for determinism. */
function bestReference(stem: string, refs: readonly { key: string; stem: string }[], exclude?: string) {
  let best: { key: string; stem: string } | null = null;
  for (const r of refs) {
    if (r.key === exclude || !stemHasPrefix(stem, r.stem)) continue;
    if (!best || r.stem.length > best.stem.length || (r.stem.length === best.stem.length && r.key < best.key)) best = r;
  }
  return best;
}

export function planPairs(files: readonly PairingInput[], pattern?: string): PlannedStimulus[] {
  const items = [...files].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((f) => ({ ...f, stem: stemOf(f.key) }));
  return pattern ? planWithPattern(items, pattern) : planDefault(items);
}

function planDefault(items: readonly (PairingInput & { stem: string })[]): PlannedStimulus[] {
  const hasRefDir = items.some((i) => isInReferenceDir(i.dirs));
  let refs: { key: string; stem: string }[];
  if (hasRefDir) {
    refs = items.filter((i) => isInReferenceDir(i.dirs));
  } else {
    const prefixesOther = (i: { key: string; stem: string }) =>
      items.some((o) => o.key !== i.key && o.stem !== i.stem && stemHasPrefix(o.stem, i.stem));
    const prefixedByOther = (i: { key: string; stem: string }) =>
      items.some((o) => o.key !== i.key && o.stem !== i.stem && stemHasPrefix(i.stem, o.stem));
    refs = items.filter((i) => prefixesOther(i) && !prefixedByOther(i));
  }
  const refKeys = new Set(refs.map((r) => r.key));
  return items.map((i) => {
    if (refKeys.has(i.key)) {
      return { key: i.key, stem: i.stem, role: 'reference', referenceKey: null, referenceStem: null, content: i.stem, attributes: {} };
    }
    const ref = bestReference(i.stem, refs, i.key);
    const attributes: Record<string, string> = {};
    const condition = ref ? remainderAfter(i.stem, ref.stem) : '';
    if (condition) attributes.condition = condition;
    return {
      key: i.key,
      stem: i.stem,
      role: 'distorted',
      referenceKey: ref?.key ?? null,
      referenceStem: ref?.stem ?? null,
      content: ref?.stem ?? null,
      attributes,
    };
  });
}

function planWithPattern(items: readonly (PairingInput & { stem: string })[], pattern: string): PlannedStimulus[] {
  const matches = new Map<string, Record<string, string>>();
  matchStems(pattern, items.map((i) => ({ file: i.key, stem: i.stem }))).forEach((groups, k) => {
    if (groups?.ref) matches.set(items[k]!.key, groups);
  });
  const namedRefs = new Set([...matches.values()].map((g) => g.ref));
  const refs = items.filter((i) => !matches.has(i.key) && namedRefs.has(i.stem));
  const refKeys = new Set(refs.map((r) => r.key));
  return items.map((i) => {
    if (refKeys.has(i.key)) {
      return { key: i.key, stem: i.stem, role: 'reference', referenceKey: null, referenceStem: null, content: i.stem, attributes: {} };
    }
    const groups = matches.get(i.key);
    const attributes: Record<string, string> = {};
    let ref: { key: string; stem: string } | undefined;
    if (groups) {
      for (const [k, v] of Object.entries(groups)) if (k !== 'ref') attributes[k] = v;
      ref = refs.find((r) => r.stem === groups.ref);
    }
    return {
      key: i.key,
      stem: i.stem,
      role: 'distorted',
      referenceKey: ref?.key ?? null,
      referenceStem: groups?.ref ?? null,
      content: groups?.ref ?? null,
      attributes,
    };
  });
}
