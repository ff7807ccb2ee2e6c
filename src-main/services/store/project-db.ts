/**
 * Opening a project's SQLite database: one file per project folder, WAL journal, foreign keys on,
 * migrations applied in order. better-sqlite3 is synchronous, so the engine calls it from services
 * (never from the Electron main thread's UI paths) and keeps statements short.
 *
 * In the Electron app the binding must be built for Electron's ABI while `npm test` needs Node's: the
 * app sets IQA_SQLITE_BINDING to its own build of the addon (see scripts/electron-native.mjs), and
 * plain Node never sees that variable.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IqaError } from '../../common/errors';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';
import { recoverInterruptedRuns } from './run-leases';

export type Db = Database.Database;

export const PROJECT_DB_FILE = 'iqa-project.sqlite';
/** Folder inside a project for derived data (thumbnails, caches); safe to delete. */
export const PROJECT_CACHE_DIR = '.iqa';

export function projectDbPath(dir: string): string {
  return join(dir, PROJECT_DB_FILE);
}

/** A folder holding a project file; an empty (0-byte) one is not a project (see openProjectDb). */
export function isProjectDir(dir: string): boolean {
  const file = projectDbPath(dir);
  return existsSync(file) && statSync(file).size > 0;
}

function connect(file: string): Db {
  const binding = process.env.IQA_SQLITE_BINDING;
  let db: Db | undefined;
  try {
    db = new Database(file, binding ? { nativeBinding: binding } : {});
    // First, so that every later statement waits for a concurrent process's write instead of failing.
    // Several processes may write one project (concurrent runs claim pairs, a study session saves a
    // rating): on a loaded machine a writer can hold the lock for seconds, and a reader or writer
    // should wait for it rather than fail with SQLITE_BUSY.
    db.pragma('busy_timeout = 30000');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // NORMAL is durable against application crashes in WAL mode (only power loss can drop the last
    // transactions), which is the guarantee rating sessions need.
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (err) {
    db?.close();
    throw new IqaError('E_STORE', `${file} cannot be read as a project (${oneLine((err as Error).message)}): ${DAMAGED_HINT}`, { file, cause: err });
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration above the database's user_version, each in its own transaction. A migration
 * that rebuilds a table runs with foreign keys off (inside a transaction the pragma is ignored, so it is
 * switched around it) and must leave no dangling reference, or it is rolled back.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  let version = schemaVersion(db);
  if (version > LATEST_SCHEMA_VERSION && migrations === MIGRATIONS) {
    throw new IqaError(
      'E_STORE',
      `project database ${db.name} has schema ${version}, newer than this IQA Studio (${LATEST_SCHEMA_VERSION}): update the app`,
      { file: db.name },
    );
  }
  for (const m of migrations) {
    if (m.version <= version) continue;
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    if (m.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (m.rebuildsTables && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
          throw new IqaError('E_STORE', `project database ${db.name}: migration ${m.version} left dangling references`, { file: db.name });
        }
        db.pragma(`user_version = ${m.version}`);
      })();
    } finally {
      if (m.rebuildsTables) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    }
    version = m.version;
  }
  return version;
}

export interface OpenOptions {
  /** Create the database (and folder) when missing; otherwise a missing project is an error. */
  create?: boolean;
  name?: string;
}

export function openProjectDb(dir: string, options: OpenOptions = {}): Db {
  const file = projectDbPath(dir);
  if (!existsSync(file)) {
    if (!options.create) {
      throw new IqaError('E_NOT_PROJECT', `${dir} is not an IQA Studio project (no ${PROJECT_DB_FILE} in it)`, { file: dir });
    }
    mkdirSync(dir, { recursive: true });
  } else if (statSync(file).size === 0) {
    // SQLite would take an empty file for a new database and silently turn it into an empty project;
    // an empty project file is more likely a failed copy or a full disk than a wish for a new project.
    throw new IqaError('E_STORE', `${file} is empty (0 bytes): not a project; delete it to create a new project here`, { file });
  }
  const db = connect(file);
  try {
    migrate(db);
    if (options.create) {
      const now = new Date().toISOString();
      const put = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');
      db.transaction(() => {
        put.run('name', options.name ?? dirName(dir));
        put.run('created_at', now);
      })();
    }
    const problems = db.pragma('quick_check') as { quick_check: string }[];
    if (problems.length !== 1 || problems[0]!.quick_check !== 'ok') {
      throw new IqaError('E_STORE', `${file} is damaged (${oneLine(problems[0]?.quick_check ?? 'no check result')}${problems.length > 1 ? ` and ${problems.length - 1} more problems` : ''}): ${DAMAGED_HINT}`, { file });
    }
    recoverInterruptedRuns(db);
  } catch (err) {
    db.close();
    if (err instanceof IqaError) throw err;
    throw new IqaError('E_STORE', `${file} cannot be read as a project (${oneLine((err as Error).message)}): ${DAMAGED_HINT}`, { file, cause: err });
  }
  return db;
}

const DAMAGED_HINT = 'restore it from a backup, or move it away to start a new project here';

/** SQLite messages are one line today; a check result may not be, and errors stay one line. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, '; ');
}

function dirName(dir: string): string {
  const parts = dir.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? 'project';
}

export function readMeta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}
