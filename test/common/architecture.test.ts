/**
 * The layering of DESIGN.md, enforced: common <- kernels <- workers/services <- host <- app.
 * tsconfig.common.json already fails to compile Node or DOM use in common/kernels; this test also
 * checks the import direction between folders and that only app/, preload/, host/electron-ipc.ts and host/electron-dialogs.ts
 * import electron.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { REPO_ROOT } from '../helpers/media';

function files(dir: string, ext = /\.(ts|svelte)$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), ext) : ext.test(e.name) ? [join(dir, e.name)] : [],
  );
}

function imports(file: string): { spec: string; typeOnly: boolean }[] {
  const src = readFileSync(file, 'utf8');
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)) out.push({ spec: m[3]!, typeOnly: !!m[2] });
  for (const m of src.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push({ spec: m[1]!, typeOnly: false });
  for (const m of src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, typeOnly: false });
  return out;
}

const layerOf = (abs: string): string | null => {
  const rel = relative(REPO_ROOT, abs).split('\\').join('/');
  const m = /^src-main\/([^/]+)\//.exec(rel);
  if (m) return m[1]!;
  return rel.startsWith('src-renderer/') ? 'renderer' : null;
};

const ALLOWED: Record<string, string[]> = {
  common: ['common'],
  kernels: ['common', 'kernels'],
  workers: ['common', 'kernels', 'workers'],
  services: ['common', 'kernels', 'services'],
  host: ['common', 'services', 'host'],
  cli: ['common', 'kernels', 'services', 'host', 'cli'],
  preload: ['common', 'preload'],
  app: ['common', 'services', 'host', 'app'],
  renderer: ['renderer', 'common'],
};

const all = [...files(join(REPO_ROOT, 'src-main')), ...files(join(REPO_ROOT, 'src-renderer/src'))];

describe('architecture', () => {
  it('every folder imports only from the layers inside it', () => {
    const violations: string[] = [];
    for (const file of all) {
      const from = layerOf(file)!;
      for (const { spec } of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const to = layerOf(resolve(dirname(file), spec));
        if (to && !ALLOWED[from]!.includes(to)) violations.push(`${relative(REPO_ROOT, file)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('only app/, preload/, host/electron-ipc.ts and host/electron-dialogs.ts import electron', () => {
    const users = all.filter((f) => imports(f).some((i) => i.spec === 'electron')).map((f) => relative(REPO_ROOT, f));
    expect(users.every((f) => /^src-main\/(app|preload)\//.test(f) || f === 'src-main/host/electron-ipc.ts' || f === 'src-main/host/electron-dialogs.ts')).toBe(true);
  });

  it('the renderer takes only types and data from src-main/common, never Node modules', () => {
    const bad: string[] = [];
    for (const file of all.filter((f) => layerOf(f) === 'renderer')) {
      for (const { spec } of imports(file)) {
        if (spec.startsWith('node:') || ['fs', 'path', 'child_process', 'better-sqlite3', 'electron'].includes(spec)) bad.push(`${file}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('kernels and common import nothing from Node, the DOM or native packages', () => {
    const bad: string[] = [];
    for (const file of all.filter((f) => ['kernels', 'common'].includes(layerOf(f)!))) {
      for (const { spec } of imports(file)) if (!spec.startsWith('.') && spec !== 'zod') bad.push(`${relative(REPO_ROOT, file)}: ${spec}`);
    }
    expect(bad).toEqual([]);
  });
});
