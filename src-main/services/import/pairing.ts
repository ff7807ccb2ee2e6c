/**
 * Pairing distorted files with their references, and attributes from names: pure functions over
 * file paths, so the rules are testable without touching the disk.
 *
 * Default rules (no pattern), decided per folder, so one import may hold both layouts:
 *  1. A folder named ref, refs, reference, references, original or originals holds references; its
 *     parent is a "reference scope". A file below a scope's folder (its sibling dist/ folder, say) is
 *     distorted and pairs with the reference of that scope whose stem is the longest prefix of its own
 *     stem, ending at a separator (_ - . space) or at the end. The deepest scope above a file is its.
 *  2. Files below no reference scope (a flat images/ folder beside videos/ref, or an import with no
 *     ref folder at all) pair among themselves by name: a file is a reference when its stem prefixes
 *     another such file's stem (at a separator) and no other stem prefixes its own; the files it
 *     prefixes are its distorted versions. One left without a reference there falls back to the
 *     references of the ref folders (the rule before scopes existed).
 *  The rest of a distorted stem after the reference stem becomes the `condition` attribute. A
 *  distorted file left without a reference carries `unpairedReason`, a sentence for the report.
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
  /** Why a distorted file has no reference in this import (set exactly when referenceKey is null). */
  unpairedReason?: string;
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

type Item = PairingInput & { stem: string };

/** Index of the first reference folder in `dirs`, or -1. */
function referenceDirIndex(dirs: readonly string[]): number {
  return dirs.findIndex((d) => REFERENCE_DIRS.has(d.toLowerCase()));
}

const scopeKey = (dirs: readonly string[]) => dirs.join('/');

function planDefault(items: readonly Item[]): PlannedStimulus[] {
  // Reference scopes: the parent folders of reference folders, each with its references.
  const scopes = new Map<string, { dirs: string[]; refDirs: Set<string>; refs: Item[] }>();
  for (const i of items) {
    const d = referenceDirIndex(i.dirs);
    if (d < 0) continue;
    const dirs = i.dirs.slice(0, d);
    const key = scopeKey(dirs);
    const scope = scopes.get(key) ?? { dirs, refDirs: new Set<string>(), refs: [] };
    scope.refs.push(i);
    scope.refDirs.add(`${scopeKey(i.dirs.slice(0, d + 1))}/`);
    scopes.set(key, scope);
  }
  const scopeOf = (i: Item) => {
    for (let n = i.dirs.length; n >= 0; n--) {
      const scope = scopes.get(scopeKey(i.dirs.slice(0, n)));
      if (scope) return scope;
    }
    return null;
  };
  const allFolderRefs = [...scopes.values()].flatMap((s) => s.refs);
  const refKeys = new Set(allFolderRefs.map((r) => r.key));

  // Files below no scope: the prefix rule among themselves.
  const loose = items.filter((i) => referenceDirIndex(i.dirs) < 0 && scopeOf(i) === null);
  const prefixesOther = (i: Item) => loose.some((o) => o.key !== i.key && o.stem !== i.stem && stemHasPrefix(o.stem, i.stem));
  const prefixedByOther = (i: Item) => loose.some((o) => o.key !== i.key && o.stem !== i.stem && stemHasPrefix(i.stem, o.stem));
  const looseRefs = loose.filter((i) => prefixesOther(i) && !prefixedByOther(i));
  for (const r of looseRefs) refKeys.add(r.key);

  return items.map((i) => {
    if (refKeys.has(i.key)) {
      return { key: i.key, stem: i.stem, role: 'reference', referenceKey: null, referenceStem: null, content: i.stem, attributes: {} };
    }
    const scope = scopeOf(i);
    const ref = scope ? bestReference(i.stem, scope.refs, i.key) : (bestReference(i.stem, looseRefs, i.key) ?? bestReference(i.stem, allFolderRefs, i.key));
    const attributes: Record<string, string> = {};
    const condition = ref ? remainderAfter(i.stem, ref.stem) : '';
    if (condition) attributes.condition = condition;
    const planned: PlannedStimulus = {
      key: i.key,
      stem: i.stem,
      role: 'distorted',
      referenceKey: ref?.key ?? null,
      referenceStem: ref?.stem ?? null,
      content: ref?.stem ?? null,
      attributes,
    };
    if (!ref) planned.unpairedReason = whyNoReference(i, scope);
    return planned;
  });
}

/** The sentence the import report gives for a distorted file without a reference. */
function whyNoReference(i: Item, scope: { refDirs: Set<string> } | null): string {
  const head = /^[^_\-. ]+/.exec(i.stem)?.[0] ?? i.stem;
  if (scope) {
    return `no reference found: no file in ${[...scope.refDirs].sort().join(' or ')} is named "${head}" or another start of "${i.stem}" ending at _ - . or a space`;
  }
  if (head === i.stem) {
    return `no reference found: no other file is named "${i.stem}_<condition>" (then this one would be their reference), and no reference folder (ref/) holds it; name the pairing with --pattern if the names follow another rule`;
  }
  return `no reference found: no file named "${head}" (or another start of "${i.stem}" ending at _ - . or a space) is in this import; import references into a ref/ folder or name the pairing with --pattern`;
}

function planWithPattern(items: readonly Item[], pattern: string): PlannedStimulus[] {
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
    const planned: PlannedStimulus = {
      key: i.key,
      stem: i.stem,
      role: 'distorted',
      referenceKey: ref?.key ?? null,
      referenceStem: groups?.ref ?? null,
      content: groups?.ref ?? null,
      attributes,
    };
    if (!ref) {
      planned.unpairedReason = groups
        ? `no reference found: the pattern names reference "${groups.ref}", and no file of that name is in this import or the project`
        : `no reference found: "${i.stem}" does not match the pattern, and no file that matches names it as its reference`;
    }
    return planned;
  });
}
