/**
 * Analysis reports cached by their inputs, so that revisiting the Analysis tab, exporting, or running
 * `iqa analyze` again on unchanged data costs a file read instead of a bootstrap.
 *
 * The key is the SHA-256 of everything the computation reads (kernels/analysis/compute-analysis.ts is a
 * pure function of its AnalysisInput): the ratings, the MOS choice, the stimuli, every stored metric
 * value, the mapping, the breakdown, the seed and the resamples, plus the engine version (a new engine
 * may compute differently). A new rating, a recomputed metric or another option gives another key; a
 * cached report is therefore the report the computation would give now, number for number.
 *
 * Stored as `<project>/.iqa/analysis/<key>.json` (the project's folder for derived data, safe to
 * delete), written to a temporary name and renamed, so a crash never leaves a half file under a key.
 * At most CACHED_ANALYSES are kept; the oldest go first. A file that cannot be read or parsed is a miss.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisReport } from '../../common/domain';
import { APP_VERSION } from '../../common/version';
import type { AnalysisInput } from '../../kernels/analysis/compute-analysis';
import { PROJECT_CACHE_DIR } from '../store/project-db';

/** Reports kept per project. */
export const CACHED_ANALYSES = 32;
/** Bumped when the cached file's layout changes (old files then simply miss). */
const CACHE_FORMAT = 1;

export function analysisCacheDir(projectDir: string): string {
  return join(projectDir, PROJECT_CACHE_DIR, 'analysis');
}

/** The key of an input: hex SHA-256 over the engine version and the input (NaN written as a tagged string, so it stays distinct from null). */
export function analysisCacheKey(input: AnalysisInput): string {
  const text = JSON.stringify([CACHE_FORMAT, APP_VERSION, input], (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `#${v}` : v));
  return createHash('sha256').update(text).digest('hex');
}

/** The cached report of `key`, or null (none, or unreadable: recomputed). */
export function readCachedAnalysis(projectDir: string, key: string): AnalysisReport | null {
  try {
    const stored = JSON.parse(readFileSync(join(analysisCacheDir(projectDir), `${key}.json`), 'utf8')) as { key?: string; report?: AnalysisReport };
    return stored.key === key && stored.report ? stored.report : null;
  } catch {
    return null;
  }
}

/**
 * Stores a report under its key. Best effort: a read-only project or a full disk costs the cache, never
 * the analysis.
 */
export function writeCachedAnalysis(projectDir: string, key: string, report: AnalysisReport): void {
  const dir = analysisCacheDir(projectDir);
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${key}.json`);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, report }));
    renameSync(tmp, file);
    prune(dir);
  } catch {
    // The cache is an optimisation.
  }
}

function prune(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(CACHED_ANALYSES)) rmSync(join(dir, f), { force: true });
}
