/**
 * Where a new project may be created: a folder (existing or to be made) on an ordinary filesystem.
 * Checked before anything is created, because `mkdir -p` under /proc spins forever and an existing
 * file in the way would otherwise surface as a bare EEXIST.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { IqaError } from '../../common/errors';
import { PathAccess } from '../access/path-access';
import { isProjectDir } from '../store/project-db';

/** Throws a typed error when `dir` cannot hold a new project; returns it resolved. */
export function checkNewProjectLocation(dir: string, access: PathAccess = new PathAccess('unconfined')): string {
  const abs = access.check(resolve(dir), 'project folder');
  let st;
  try {
    st = statSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return abs; // created on demand
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new IqaError('E_INPUT', `${abs}: a file stands where a folder of the path should be: choose another folder for the project`, { file: abs });
    throw new IqaError('E_INPUT', `${abs}: cannot use this folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: abs });
  }
  if (!st.isDirectory()) throw new IqaError('E_INPUT', `${abs} is a file, not a folder: choose a folder for the project`, { file: abs });
  if (isProjectDir(abs)) throw new IqaError('E_EXISTS', `${abs} already holds a project; open it instead`, { file: abs });
  return abs;
}
