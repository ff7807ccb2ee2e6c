/**
 * A CSV manifest: one row per file. Columns: `path` (required; relative to the CSV's folder or
 * absolute), `reference` (the reference's path, empty for references), optional `role`
 * (reference|distorted) and `content`; every other column is an attribute (codec, bitrate, ...).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { IqaError } from '../../common/errors';
import type { ImportIssue } from '../../common/domain';
import { csvParseError, readCsvBytes } from '../analysis/read-table';
import { stemOf, type PlannedStimulus } from './pairing';

const RESERVED = new Set(['path', 'reference', 'role', 'content']);

export function readCsvManifest(csvFile: string): { plan: PlannedStimulus[]; issues: ImportIssue[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // Rows are read as arrays with their line numbers, so a row with too few or too many fields is
    // reported on its own line while the other rows import.
    records = parse(readCsvBytes(csvFile), { skip_empty_lines: true, trim: true, bom: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (err) {
    if (err instanceof IqaError) throw err;
    throw csvParseError(csvFile, err);
  }
  if (records.length < 2) throw new IqaError('E_INPUT', `${csvFile}: the manifest has no rows`, { file: csvFile });
  const columns = records[0]!.record.map((c) => c.trim().toLowerCase());
  if (!columns.includes('path')) {
    // The header is not quoted back: a file given by mistake may hold anything on its first line.
    throw new IqaError('E_INPUT', `${csvFile}: missing column "path" (the header has ${columns.length} column${columns.length === 1 ? '' : 's'}; expected path, reference, role, content and attributes)`, { file: csvFile });
  }
  const issues: ImportIssue[] = [];
  const rows: { row: Record<string, string>; line: number }[] = [];
  for (const { record, info } of records.slice(1)) {
    if (record.length !== columns.length) {
      issues.push({ file: `${csvFile}:${info.lines}`, code: 'E_INPUT', reason: `the row has ${record.length} field(s), the header has ${columns.length} (${columns.join(', ')}); row skipped` });
      continue;
    }
    rows.push({ row: Object.fromEntries(columns.map((c, k) => [c, record[k]!])), line: info.lines });
  }
  const base = dirname(csvFile);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const referenced = new Set(rows.map(({ row }) => row.reference).filter(Boolean).map((p) => abs(p!)));
  const seen = new Set<string>();
  const plan: PlannedStimulus[] = [];
  rows.forEach(({ row, line }) => {
    const where = `${csvFile}:${line}`;
    if (!row.path) {
      issues.push({ file: where, code: 'E_INPUT', reason: 'empty "path"' });
      return;
    }
    const key = abs(row.path);
    if (seen.has(key)) {
      issues.push({ file: where, code: 'E_INPUT', reason: `${row.path} is listed twice` });
      return;
    }
    seen.add(key);
    const role = (row.role?.toLowerCase() || (row.reference ? 'distorted' : referenced.has(key) ? 'reference' : 'distorted')) as string;
    if (role !== 'reference' && role !== 'distorted') {
      issues.push({ file: where, code: 'E_INPUT', reason: `role must be "reference" or "distorted", got "${row.role}"` });
      return;
    }
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(row)) if (!RESERVED.has(k) && v !== undefined && v !== '') attributes[k] = v;
    const refKey = row.reference ? abs(row.reference) : null;
    plan.push({
      key,
      stem: stemOf(key),
      role,
      referenceKey: role === 'distorted' ? refKey : null,
      referenceStem: refKey ? stemOf(refKey) : null,
      content: row.content || (role === 'reference' ? stemOf(key) : refKey ? stemOf(refKey) : null),
      attributes,
    });
  });
  return { plan, issues };
}
