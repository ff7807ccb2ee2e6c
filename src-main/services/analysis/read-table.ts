/**
 * Reading CSV tables of scores from elsewhere (ratings import, `mos`, `correlate`, `pairwise`). The
 * file may be anything the user names, so errors never echo its content (a header line could be a
 * secret): they give the file, the line and the kind of problem, and name only columns the caller
 * asked for. Only a regular file is read, so a FIFO or a device cannot block or fill memory.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { IqaError } from '../../common/errors';

export interface TableRow {
  cells: Record<string, string>;
  /** Line of the file where the row starts (1 = the header). */
  line: number;
}

/** csv-parse's error codes in words; its own messages quote the offending text, so they are not shown. */
const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote is opened and never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by other characters',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'the row has a different number of fields than the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'the row has a different number of fields than the header',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a closing quote is followed by other characters',
  CSV_MAX_RECORD_SIZE: 'a field is too large',
};

/** An IqaError for a csv-parse failure: the file, the line and the kind of problem, no content. */
export function csvParseError(file: string, err: unknown): IqaError {
  const e = err as { code?: string; lines?: number };
  const where = typeof e.lines === 'number' ? `${file}:${e.lines}` : file;
  const kind = (e.code && CSV_PROBLEMS[e.code]) ?? (e.code ? e.code.replace(/^CSV_/, '').toLowerCase().replace(/_/g, ' ') : 'unreadable');
  return new IqaError('E_INPUT', `${where}: not a readable CSV (${kind})`, { file });
}

/** The bytes of a CSV the user named; refuses anything but a regular file before opening it. */
export function readCsvBytes(file: string): Buffer {
  try {
    if (!statSync(file).isFile()) throw new IqaError('E_INPUT', `${file}: not a regular file`, { file });
    return readFileSync(file);
  } catch (err) {
    if (err instanceof IqaError) throw err;
    throw new IqaError('E_NOT_FOUND', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`, { file });
  }
}

/**
 * The rows of a CSV with a header, each with its line. `required` columns must be present; a column
 * name that appears twice is refused (which one would count?), named only when it is one of
 * `required` or `known`, the caller's own vocabulary.
 */
export function readCsvRows(file: string, required: readonly string[], known: readonly string[] = []): TableRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(readCsvBytes(file), { skip_empty_lines: true, trim: true, bom: true, info: true }) as unknown as typeof records;
  } catch (err) {
    if (err instanceof IqaError) throw err;
    throw csvParseError(file, err);
  }
  if (records.length === 0) throw new IqaError('E_INPUT', `${file}: empty (no header)`, { file });
  const columns = records[0]!.record;
  const expected = `expected ${required.join(', ')}`;
  const ours = new Set([...required, ...known]);
  const firstAt = new Map<string, number>();
  columns.forEach((c, k) => {
    const first = firstAt.get(c);
    if (first === undefined) return void firstAt.set(c, k);
    const what = ours.has(c) ? `column "${c}" appears twice` : 'two columns have the same name';
    throw new IqaError('E_INPUT', `${file}: ${what} (columns ${first + 1} and ${k + 1}); ${expected}`, { file });
  });
  for (const c of required) {
    if (!firstAt.has(c)) throw new IqaError('E_INPUT', `${file}: missing column "${c}" (the header has ${columns.length} column${columns.length === 1 ? '' : 's'}; ${expected})`, { file });
  }
  if (records.length === 1) throw new IqaError('E_INPUT', `${file}: no rows`, { file });
  return records.slice(1).map(({ record, info }) => ({ cells: Object.fromEntries(columns.map((c, k) => [c, record[k]!])), line: info.lines }));
}

/** The rows of `readCsvRows`, without their lines. */
export function readCsvTable(file: string, required: readonly string[], known: readonly string[] = []): Record<string, string>[] {
  return readCsvRows(file, required, known).map((r) => r.cells);
}

/** The cells of a missing score: not rated (excluded from the analysis and counted). */
const NOT_RATED = new Set(['', 'na', 'n/a', 'nan', 'null']);

/**
 * A subjective score cell: NaN when not rated, the number for a plain decimal (`4`, `-1`, `3.5`,
 * `.5`), or null for anything else. Ratings (ITU-T P.910, ITU-R BT.500) are plain decimals, so an
 * exponent, a hex or binary literal, digit separators or infinity are input errors, not scores.
 */
export function scoreCell(v: string | undefined): number | null {
  const t = (v ?? '').trim();
  if (NOT_RATED.has(t.toLowerCase())) return Number.NaN;
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(t) ? Number(t) : null;
}

/**
 * A metric value cell (the `correlate` command): a decimal with an optional exponent, or ±inf (a
 * PSNR of identical files); empty, NA and anything else (hex, digit separators) is NaN, which the
 * caller excludes and counts.
 */
export function cellNumber(v: string | undefined): number {
  if (v === undefined) return Number.NaN;
  const t = v.trim().toLowerCase();
  if (t === 'inf' || t === 'infinity' || t === '+inf' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

/**
 * Checks the score cells of `column` in every row; throws one E_INPUT naming the first bad row's
 * `file:line` and how many rows are bad (the cell's text is not shown).
 */
export function checkScoreColumn(file: string, rows: readonly TableRow[], column: string): void {
  let first: number | null = null;
  let bad = 0;
  for (const r of rows) {
    const v = r.cells[column];
    if (v === undefined || scoreCell(v) !== null) continue;
    bad += 1;
    first ??= r.line;
  }
  if (first === null) return;
  const more = bad > 1 ? ` (and ${bad - 1} more row${bad === 2 ? '' : 's'})` : '';
  throw new IqaError('E_INPUT', `${file}:${first}: "${column}" is not a plain decimal number${more}; a score is like 4 or 3.5, or empty/NA when not rated`, { file });
}

/** Raw ratings (`participant`, `stimulus`, `score`) with every score checked (the `mos` command). */
export function readScoreTable(file: string): { participant: string; stimulus: string; score: number; reference?: string }[] {
  const rows = readCsvRows(file, ['participant', 'stimulus', 'score'], ['reference']);
  checkScoreColumn(file, rows, 'score');
  // `reference` (optional): the stimulus's hidden reference, empty for a reference (DMOS, `iqa mos --model dmos`).
  return rows.map((r) => ({
    participant: r.cells.participant!,
    stimulus: r.cells.stimulus!,
    score: scoreCell(r.cells.score)!,
    ...(r.cells.reference !== undefined ? { reference: r.cells.reference } : {}),
  }));
}
