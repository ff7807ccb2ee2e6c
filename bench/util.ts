/** Helpers shared by the bench sections (timing, logging, running tools, printing tables). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Small helpers

export const now = (): bigint => process.hrtime.bigint();
export const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (; dir !== parse(dir).root; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src-main'))) return dir;
  }
  return process.cwd();
}

export const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
export const MiB = 1024 * 1024;

export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export interface ToolRun {
  code: number;
  stderr: string;
  ms: number;
}

export function runTool(cmd: string, args: string[]): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.length > 1 << 20) stderr = stderr.slice(-65536);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr, ms: msSince(t0) }));
  });
}

export async function mustRun(cmd: string, args: string[]): Promise<ToolRun> {
  const r = await runTool(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Table printing

export function table(title: string, header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [``, title, '-'.repeat(Math.max(title.length, widths.reduce((a, b) => a + b + 2, -2))), line(header), ...cells.slice(1).map(line)].join('\n');
}

