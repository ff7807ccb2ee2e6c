/**
 * A "set" of the distribution metrics (FID, KID, IS, FVD) as data, shared by the contract, the engine,
 * the CLI and the renderer:
 *  - `{ type: 'folder', dir }`: every image (or, for FVD, video) under an absolute folder;
 *  - `{ type: 'project', dir, filter }`: the stimuli of a project matching every key = value pair; keys
 *    are `role` (reference | distorted), `content`, `name`, `path`, `reference`, `kind` (image | video),
 *    `codec` (BUILTIN_FILTER_KEYS) or any attribute the import recorded (shadowed by a built-in key);
 *  - `{ type: 'stats', file }`: stored Gaussian statistics (mu, sigma) of a set, for FID only.
 * The CLI's one-string syntax (a folder, `project:<dir>[:key=value,…]`, `stats:<file.npz>`) is parsed
 * into this structure by `parseSetSpecText`; nothing else parses set strings. Pure: no Node, no zod
 * (services/sets/set-spec.ts resolves the paths and lists the files).
 */
import { IqaError } from './errors';
import type { Stimulus } from './domain';

export type SetSpec =
  | { readonly type: 'folder'; readonly dir: string }
  | { readonly type: 'project'; readonly dir: string; readonly filter: Readonly<Record<string, string>> }
  | { readonly type: 'stats'; readonly file: string };

/** The keys a project group understands besides attributes; an attribute of the same name is shadowed. */
export const BUILTIN_FILTER_KEYS = ['role', 'content', 'name', 'path', 'reference', 'kind', 'codec'] as const;

/** The value a project group compares for `key` (null: the stimulus has none). */
export function stimulusField(s: Stimulus, key: string): string | null {
  switch (key) {
    case 'role':
      return s.role;
    case 'content':
      return s.content;
    case 'name':
      return s.name;
    case 'path':
      return s.path;
    case 'reference':
      return s.referenceName;
    case 'kind':
      return s.kind;
    case 'codec':
      return s.codec;
    default:
      return Object.prototype.hasOwnProperty.call(s.attributes, key) ? s.attributes[key]! : null;
  }
}

/** Does the stimulus match every pair of the filter? */
export function matchesFilter(s: Stimulus, filter: Readonly<Record<string, string>>): boolean {
  return Object.entries(filter).every(([k, v]) => stimulusField(s, k) === v);
}

const FILTER_PAIR = /^([^=,]+)=([^,]*)$/;

/** "k=v,k2=v2" → { k: v, k2: v2 } (E_INPUT on a malformed pair). */
export function parseFilter(text: string, what = 'filter'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const m = FILTER_PAIR.exec(part.trim());
    if (!m) throw new IqaError('E_INPUT', `${what}: "${part}" is not key=value`);
    out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

/**
 * Parses the one-string syntax (see the header) into a spec, paths as written (the caller resolves
 * them). `extraFilter` adds key=value pairs to a project set; given for a folder or stats file it is an
 * E_INPUT error (it would be silently ignored otherwise).
 */
export function parseSetSpecText(text: string, extraFilter: Readonly<Record<string, string>> = {}, label = 'set'): SetSpec {
  const t = text.trim();
  if (t === '') throw new IqaError('E_INPUT', `${label}: no folder or group given`);
  const hasExtra = Object.keys(extraFilter).length > 0;
  if (t.startsWith('project:')) {
    const rest = t.slice('project:'.length);
    // The filter is the part after the last ':' when it is made of key=value pairs (a Windows drive
    // letter "C:\…" never is).
    const m = /^(.*):((?:[^:=,]+=[^:,]*)(?:,[^:=,]+=[^:,]*)*)$/.exec(rest);
    const dir = m ? m[1]! : rest;
    const filter = { ...(m ? parseFilter(m[2]!, `${label} filter`) : {}), ...extraFilter };
    if (dir === '') throw new IqaError('E_INPUT', `${label}: project: needs a project folder (project:<dir>[:key=value,...])`);
    return { type: 'project', dir, filter };
  }
  if (hasExtra) throw new IqaError('E_INPUT', `${label}: a filter applies to project groups only (project:<dir>), not to ${t}`);
  if (t.startsWith('stats:')) return { type: 'stats', file: t.slice('stats:'.length) };
  return { type: 'folder', dir: t };
}

/** One line naming the set: "folder /x", "statistics /s.npz", "project /p (role=distorted)". */
export function describeSpec(spec: SetSpec): string {
  if (spec.type === 'folder') return `folder ${spec.dir}`;
  if (spec.type === 'stats') return `statistics ${spec.file}`;
  const f = Object.entries(spec.filter).map(([k, v]) => `${k}=${v}`);
  return `project ${spec.dir}${f.length ? ` (${f.join(', ')})` : ''}`;
}

/**
 * The one-string form of a spec (the inverse of parseSetSpecText for a filter whose keys and values
 * hold no ':', ',' or '='): job labels and CLI-style messages.
 */
export function formatSetSpecText(spec: SetSpec): string {
  if (spec.type === 'folder') return spec.dir;
  if (spec.type === 'stats') return `stats:${spec.file}`;
  const f = Object.entries(spec.filter).map(([k, v]) => `${k}=${v}`);
  return `project:${spec.dir}${f.length ? `:${f.join(',')}` : ''}`;
}

/** The folder or file a spec reads (what access checks apply to). */
export const specPath = (spec: SetSpec): string => (spec.type === 'stats' ? spec.file : spec.dir);
