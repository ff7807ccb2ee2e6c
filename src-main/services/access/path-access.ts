/**
 * Least privilege for whoever holds a transport's token: every path a request names (a project
 * folder, an import source, a ratings CSV, a model file, a set folder, and the media a project row
 * points at) must lie inside a folder the user chose for this engine — the roots given when the host
 * was started (`iqa web --root DIR`, `IQA_ROOTS`, else the home folder), plus the model and user-data
 * folders — and outside hidden folders and the system's pseudo-filesystems. The command line is the
 * user at their own shell and runs unconfined.
 *
 * Paths are compared after resolving symbolic links (of the longest existing prefix, so a folder
 * still to be created is judged by where it would land), so a link inside a root cannot lead out.
 */
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { IqaError } from '../../common/errors';
import { pseudoFilesystemOf } from './pseudo-fs';

export type AccessRoots = readonly string[] | 'unconfined';

/** The roots of a host started without `--root`: `IQA_ROOTS` (path-list) when set, else the home folder. */
export function defaultHostRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.IQA_ROOTS ?? '').split(delimiter).filter((p) => p.trim() !== '');
  return fromEnv.length ? fromEnv.map((p) => resolve(p)) : [homedir()];
}

/** `path` with symbolic links resolved as far as the path exists; the rest appended as given. */
export function realpathOfPrefix(path: string): string {
  const tail: string[] = [];
  let head = resolve(path);
  for (;;) {
    try {
      return join(realpathSync.native(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return resolve(path);
      tail.push(basename(head));
      head = parent;
    }
  }
}

function inside(child: string, root: string): boolean {
  if (child === root) return true;
  const rel = relative(root, child);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export class PathAccess {
  readonly #roots: string[] | null;

  constructor(roots: AccessRoots) {
    this.#roots = roots === 'unconfined' ? null : roots.map((r) => realpathOfPrefix(r));
  }

  get confined(): boolean {
    return this.#roots !== null;
  }

  /** The folders requests may name (empty when unconfined). */
  get roots(): readonly string[] {
    return this.#roots ?? [];
  }

  /** Adds a folder the user chose (a native dialog's pick, the model folder). */
  allow(dir: string): void {
    if (!this.#roots) return;
    const real = realpathOfPrefix(dir);
    if (!this.#roots.some((r) => inside(real, r))) this.#roots.push(real);
  }

  /**
   * `path` resolved, when a request may use it; otherwise E_FORBIDDEN saying why. `what` names the
   * argument in the message ("project folder", "ratings file", ...). Pseudo-filesystems are refused
   * even unconfined: reading /proc or /dev as media or creating a project there never ends.
   */
  check(path: string, what: string): string {
    const abs = resolve(path);
    const real = realpathOfPrefix(abs);
    const pseudo = pseudoFilesystemOf(real);
    if (pseudo) throw new IqaError('E_FORBIDDEN', `${abs}: the ${what} is on the system's ${pseudo} pseudo-filesystem, not a folder for studies`, { file: abs });
    if (!this.#roots) return abs;
    const root = this.#roots.find((r) => inside(real, r));
    if (!root) {
      throw new IqaError(
        'E_FORBIDDEN',
        `${abs}: the ${what} is outside the folders this app may use (${this.#roots.join(', ')}); start it with --root <folder> (or IQA_ROOTS) to allow another`,
        { file: abs },
      );
    }
    const hidden = relative(root, real).split(sep).find((seg) => seg.startsWith('.'));
    if (hidden) throw new IqaError('E_FORBIDDEN', `${abs}: the ${what} is inside the hidden folder "${hidden}", which the app does not read`, { file: abs });
    return abs;
  }
}
