/**
 * Running a user's `--pattern` on file stems with a time limit. A user regular expression keeps
 * JavaScript RegExp semantics (named groups, lookarounds, backreferences), so it can backtrack
 * catastrophically (`^(?<ref>(a+)+)$` on a long name never ends). Every stem of one import is
 * matched in a single `vm` script whose timeout V8 enforces even inside a backtracking regex, so
 * pairing a whole folder takes at most PATTERN_TIME_LIMIT_MS however many files it has.
 */
import { createContext, Script } from 'node:vm';
import { IqaError } from '../../common/errors';

/** For all stems of one import together: ordinary patterns match 100,000 stems in milliseconds. */
export const PATTERN_TIME_LIMIT_MS = 2000;

/** The named groups of a match (undefined groups left out), or null where the stem does not match. */
export type PatternGroups = Record<string, string> | null;

// Runs inside the context: `at` tells the caller which stem was being matched when time ran out.
// Groups are copied into plain string arrays so nothing of the context's realm leaks out.
const MATCH_ALL = `
  const re = new RegExp(source);
  for (at = 0; at < stems.length; at++) {
    const m = re.exec(stems[at]);
    const g = [];
    if (m && m.groups) for (const k of Object.keys(m.groups)) if (m.groups[k] !== undefined) g.push(k, m.groups[k]);
    out.push(m ? g : null);
  }
`;

/**
 * Matches `pattern` against the stem of every file, in order; throws E_INPUT naming the pattern and
 * the file whose name took too long.
 */
export function matchStems(pattern: string, files: readonly { file: string; stem: string }[], limitMs = PATTERN_TIME_LIMIT_MS): PatternGroups[] {
  const ctx = createContext({ source: pattern, stems: files.map((f) => f.stem), out: [] as (string[] | null)[], at: -1 });
  try {
    new Script(MATCH_ALL).runInContext(ctx, { timeout: limitMs });
  } catch (err) {
    const at = ctx.at as number;
    if ((err as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      const file = files[at]?.file ?? '';
      throw new IqaError(
        'E_INPUT',
        `pattern ${JSON.stringify(pattern)} took longer than ${limitMs} ms matching the name of ${file} (file ${at + 1} of ${files.length}): simplify it (a nested repetition such as (a+)+ backtracks without end)`,
        { file, details: { pattern } },
      );
    }
    throw new IqaError('E_INPUT', `pattern ${JSON.stringify(pattern)}: not a valid regular expression`, { details: { pattern } });
  }
  return (ctx.out as (string[] | null)[]).map((g) => {
    if (!g) return null;
    const groups: Record<string, string> = {};
    for (let k = 0; k < g.length; k += 2) groups[g[k]!] = g[k + 1]!;
    return groups;
  });
}
