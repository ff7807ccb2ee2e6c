/**
 * The project's stored MOS choice (which MOS, which screening, which scores the analysis uses), kept in
 * the project database's `meta` key/value table under `analysis.mos-choice` as JSON, so that the CLI
 * (`iqa analyze` without --mos) and the UI use the same one. No schema change: `meta` exists since
 * migration 1. A stored value that does not parse (written by a newer version, edited by hand) is
 * ignored field by field in favour of the defaults.
 */
import { mosChoiceSchema, type MosChoice } from '../../common/contract';
import { IqaError } from '../../common/errors';
import type { Db } from '../store/project-db';
import { readMeta } from '../store/project-db';

export const MOS_CHOICE_KEY = 'analysis.mos-choice';

export const DEFAULT_MOS_CHOICE: Readonly<MosChoice> = Object.freeze(mosChoiceSchema.parse({}));

/** The stored choice (null when none is stored). */
export function readMosChoice(db: Db): MosChoice | null {
  const text = readMeta(db, MOS_CHOICE_KEY);
  if (text === null) return null;
  let raw: Record<string, unknown> = {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) raw = v as Record<string, unknown>;
  } catch {
    return { ...DEFAULT_MOS_CHOICE };
  }
  // Field by field: a bad field falls back to its default, unknown fields are dropped.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(mosChoiceSchema.shape) as (keyof MosChoice)[]) {
    const one = mosChoiceSchema.shape[key].safeParse(raw[key]);
    out[key] = one.success ? one.data : DEFAULT_MOS_CHOICE[key];
  }
  return out as MosChoice;
}

export function writeMosChoice(db: Db, choice: MosChoice): MosChoice {
  const parsed = mosChoiceSchema.safeParse(choice);
  if (!parsed.success) throw new IqaError('E_INPUT', `not a valid MOS choice: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(MOS_CHOICE_KEY, JSON.stringify(parsed.data));
  return parsed.data;
}

/**
 * The choice an analysis uses: each field given wins, else the stored one, else the default; `source`
 * says which applied to the MOS kind ('given' when any field was given).
 */
export function resolveMosChoice(db: Db, given: Partial<MosChoice>): { choice: MosChoice; source: 'given' | 'stored' | 'default' } {
  const stored = readMosChoice(db);
  const base = stored ?? DEFAULT_MOS_CHOICE;
  const choice: MosChoice = {
    mos: given.mos ?? base.mos,
    screening: given.screening ?? base.screening,
    minCorrelation: given.minCorrelation ?? base.minCorrelation,
    scores: given.scores ?? base.scores,
    zscore: given.zscore ?? base.zscore,
  };
  const anyGiven = Object.values(given).some((v) => v !== undefined);
  return { choice, source: anyGiven ? 'given' : stored ? 'stored' : 'default' };
}
