/**
 * The layering of DESIGN.md, enforced: common <- kernels <- workers/services <- host <- app.
 * tsconfig.common.json already fails to compile Node or DOM use in common/kernels; this test also
 * checks the import direction between folders and that only app/, preload/, host/electron-ipc.ts and host/electron-dialogs.ts
 * import electron.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/media';

function files(dir: string, ext = /\.(ts|svelte)$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), ext) : ext.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** One import or re-export of a file: the module as written, and the 1-based line it is written on. */
interface ImportSite {
  readonly spec: string;
  readonly line: number;
  readonly typeOnly: boolean;
}

function imports(file: string): ImportSite[] {
  const src = readFileSync(file, 'utf8');
  const lineAt = (index: number) => src.slice(0, index).split('\n').length;
  // The line of the module string itself (a multi-line import names its module on its last line).
  const site = (m: RegExpMatchArray, spec: string, typeOnly: boolean): ImportSite => ({ spec, typeOnly, line: lineAt(m.index! + m[0].lastIndexOf(spec)) });
  const out: ImportSite[] = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)) out.push(site(m, m[3]!, !!m[2]));
  for (const m of src.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push(site(m, m[1]!, false));
  for (const m of src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(site(m, m[1]!, false));
  return out;
}

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

const WORKER_READS_PROJECT = /^src-main\/workers\/compute(\.worker|-messages)\.ts$/;
const ELECTRON_USERS = /^src-main\/(app|preload)\/|^src-main\/host\/electron-(ipc|dialogs)\.ts$/;
const NODE_MODULES_IN_RENDERER = ['fs', 'path', 'child_process', 'better-sqlite3', 'electron'];

/**
 * The checks, over the files of a tree rooted at `root` (the repository, or a fixture). Each returns one
 * line per offending import, `file:line imports 'module'` and why, so a failure names what to fix.
 */
function checker(root: string) {
  const rel = (abs: string) => relative(root, abs).split('\\').join('/');
  const layerOf = (abs: string): string | null => {
    const r = rel(abs);
    const m = /^src-main\/([^/]+)\//.exec(r);
    if (m) return m[1]!;
    return r.startsWith('src-renderer/') ? 'renderer' : null;
  };
  const at = (file: string, i: ImportSite) => `${rel(file)}:${i.line} imports '${i.spec}'`;
  return {
    layerOf,
    direction(all: string[]): string[] {
      const out: string[] = [];
      for (const file of all) {
        const from = layerOf(file)!;
        for (const i of imports(file)) {
          if (!i.spec.startsWith('.')) continue;
          const to = layerOf(resolve(dirname(file), i.spec));
          // A worker's message types live beside it (workers/*-messages.ts); its service imports them as types.
          if (from === 'services' && to === 'workers' && i.typeOnly && /-messages$/.test(i.spec)) continue;
          // The compute worker reads a project's analysis input itself (its own connection), so the engine's
          // thread neither reads nor clones the ratings, and stores the merged report in the project's analysis
          // cache: it, and its message types, may use those three modules.
          if (from === 'workers' && to === 'services' && WORKER_READS_PROJECT.test(rel(file)) && /\/services\/(analysis\/analyze-project|analysis\/analysis-cache|store\/project-db)$/.test(i.spec)) continue;
          if (to && !ALLOWED[from]!.includes(to)) out.push(`${at(file, i)}: ${from}/ may not import ${to}/ (it may import ${ALLOWED[from]!.join(', ')})`);
        }
      }
      return out;
    },
    electron(all: string[]): string[] {
      return all.flatMap((f) => imports(f).filter((i) => i.spec === 'electron' && !ELECTRON_USERS.test(rel(f))).map((i) => `${at(f, i)}: only app/, preload/, host/electron-ipc.ts and host/electron-dialogs.ts may`));
    },
    rendererNode(all: string[]): string[] {
      return all
        .filter((f) => layerOf(f) === 'renderer')
        .flatMap((f) => imports(f).filter((i) => i.spec.startsWith('node:') || NODE_MODULES_IN_RENDERER.includes(i.spec)).map((i) => `${at(f, i)}: the renderer has no Node`));
    },
    /**
     * Files of `entries` from which a chain of relative imports (type-only ones too) reaches zod: one
     * line per chain, `entry -> module -> … imports 'zod'`. The preload and the renderer import the
     * contract's names and types, never its schemas.
     */
    zodFree(entries: string[]): string[] {
      const out: string[] = [];
      const reaches = new Map<string, string[] | null>();
      const resolveSpec = (from: string, spec: string): string | null => {
        const base = resolve(dirname(from), spec);
        for (const c of [base, `${base}.ts`, join(base, 'index.ts')]) if (existsSync(c) && statSync(c).isFile()) return c;
        return null;
      };
      // The chain from `file` to a zod import, or null; cycles count as clean.
      const chain = (file: string): string[] | null => {
        if (reaches.has(file)) return reaches.get(file)!;
        reaches.set(file, null);
        let found: string[] | null = null;
        for (const i of imports(file)) {
          if (i.spec === 'zod' || i.spec.startsWith('zod/')) found = [`${rel(file)}:${i.line} imports 'zod'`];
          else if (i.spec.startsWith('.')) {
            const target = resolveSpec(file, i.spec);
            const sub = target ? chain(target) : null;
            if (sub) found = [`${rel(file)}:${i.line}`, ...sub];
          }
          if (found) break;
        }
        reaches.set(file, found);
        return found;
      };
      for (const f of entries) {
        const c = chain(f);
        if (c) out.push(c.join(' -> '));
      }
      return out;
    },
    pureLayers(all: string[]): string[] {
      return all
        .filter((f) => ['kernels', 'common'].includes(layerOf(f)!))
        .flatMap((f) => imports(f).filter((i) => !i.spec.startsWith('.') && i.spec !== 'zod').map((i) => `${at(f, i)}: ${layerOf(f)}/ imports no package but zod`));
    },
  };
}

/**
 * Import circles among `all` (type-only imports too: a circle of types still ties two modules into one):
 * one line per strongly connected group of two or more files, `a.ts -> b.ts -> a.ts`.
 */
function importCircles(all: string[], rel: (f: string) => string): string[] {
  const known = new Set(all);
  const edges = new Map<string, string[]>();
  for (const f of all) {
    const targets: string[] = [];
    for (const i of imports(f)) {
      if (!i.spec.startsWith('.')) continue;
      const base = resolve(dirname(f), i.spec);
      const t = [base, `${base}.ts`, join(base, 'index.ts')].find((c) => known.has(c));
      if (t) targets.push(t);
    }
    edges.set(f, targets);
  }
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push([...group.reverse(), group[0]!].map(rel).join(' -> '));
    }
  };
  for (const f of all) if (!index.has(f)) visit(f);
  return out;
}

const repo = checker(REPO_ROOT);
const all = [...files(join(REPO_ROOT, 'src-main')), ...files(join(REPO_ROOT, 'src-renderer/src'))];

describe('architecture', () => {
  it('every folder imports only from the layers inside it', () => {
    expect(repo.direction(all)).toEqual([]);
  });

  it('only app/, preload/, host/electron-ipc.ts and host/electron-dialogs.ts import electron', () => {
    expect(repo.electron(all)).toEqual([]);
  });

  it('the renderer takes only types and data from src-main/common, never Node modules', () => {
    expect(repo.rendererNode(all)).toEqual([]);
  });

  it('kernels and common import nothing from Node, the DOM or native packages', () => {
    expect(repo.pureLayers(all)).toEqual([]);
  });

  it('no modules import each other in a circle', () => {
    expect(importCircles(all, (f) => relative(REPO_ROOT, f).split('\\').join('/'))).toEqual([]);
  });

  it('the preload, the renderer and the contract names and types reach no zod, not even through a type import', () => {
    const entries = all.filter((f) => /^src-main\/preload\/|^src-renderer\//.test(relative(REPO_ROOT, f).split('\\').join('/')));
    const names = ['contract-names.ts', 'contract-types.ts', 'desktop-names.ts', 'set-spec.ts', 'mapping-models.ts', 'analysis-stats.ts'].map((f) => join(REPO_ROOT, 'src-main/common', f));
    expect(entries.length).toBeGreaterThan(10);
    expect(repo.zodFree([...entries, ...names])).toEqual([]);
  });
});

/**
 * The command line is in front of the engine, not beside it: a project command is a contract command
 * through services/engine.ts. These are the only service modules cli/ may import, each for a reason.
 */
const CLI_SERVICE_IMPORTS: Record<string, string> = {
  'src-main/services/engine': 'the engine every project command goes through',
  'src-main/services/user-data': "the engine's user-data folder",
  'src-main/services/models/manifest': 'the model ids, to check a model argument as it is parsed',
  'src-main/services/analysis/read-table': '`iqa mos` / `correlate`: a CSV file, no project',
  'src-main/services/analysis/mos-from-ratings': '`iqa mos`: a CSV file, no project',
  'src-main/services/analysis/pairwise-from-csv': '`iqa pairwise`: a CSV file, no project',
  'src-main/services/metrics/compute-pair': '`iqa metrics`: two files, no project',
  'src-main/services/metrics/frame-pool': "`iqa metrics`: two files, no project (the pool compute-pair's kernels run in)",
  'src-main/services/align/align-pair': '`iqa align`: two files, no project (a stored pair is align.check through the engine)',
};

describe('the command line', () => {
  it('imports from src-main/services only the engine and the pure helpers of its project-less commands', () => {
    const cli = all.filter((f) => repo.layerOf(f) === 'cli');
    expect(cli.length).toBeGreaterThan(3);
    const offending = cli.flatMap((f) =>
      imports(f)
        .filter((i) => i.spec.startsWith('.'))
        .map((i) => ({ i, target: relative(REPO_ROOT, resolve(dirname(f), i.spec)).split('\\').join('/') }))
        .filter(({ target }) => target.startsWith('src-main/services/') && !Object.hasOwn(CLI_SERVICE_IMPORTS, target))
        .map(({ i, target }) => `${relative(REPO_ROOT, f)}:${i.line} imports ${target}: go through the engine (services/engine.ts) instead`),
    );
    expect(offending).toEqual([]);
  });
});

describe('the circle check', () => {
  it('names every file of a circle, and none of a chain', () => {
    const tmp = tempDir('circles');
    try {
      const put = (name: string, text: string) => writeFileSync(join(tmp.dir, name), text);
      put('a.ts', "import { b } from './b';\nexport const a = 1;\n");
      put('b.ts', "import type { C } from './c';\nexport const b = 2;\n");
      put('c.ts', "import { a } from './a';\nexport type C = number;\n");
      put('d.ts', "import { a } from './a';\n");
      const all = ['a.ts', 'b.ts', 'c.ts', 'd.ts'].map((f) => join(tmp.dir, f));
      expect(importCircles(all, (f) => relative(tmp.dir, f))).toEqual(['a.ts -> b.ts -> c.ts -> a.ts']);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('architecture failures name the offending import', () => {
  it('give the file, the line and the imported module of each violation', () => {
    const tmp = tempDir('architecture');
    try {
      const write = (rel: string, text: string) => {
        mkdirSync(dirname(join(tmp.dir, rel)), { recursive: true });
        writeFileSync(join(tmp.dir, rel), text);
      };
      write('src-main/common/a.ts', "export const a = 1;\n");
      write('src-main/services/s.ts', "export const s = 1;\n");
      write('src-main/kernels/k.ts', "import { a } from '../common/a';\nimport {\n  s,\n} from '../services/s';\nimport { readFileSync } from 'node:fs';\n");
      write('src-main/host/h.ts', "// a comment\nimport { app } from 'electron';\n");
      write('src-renderer/src/v.ts', "\nimport path from 'path';\n");
      write('src-main/common/schema.ts', "import { z } from 'zod';\n");
      write('src-main/common/names.ts', "export const n = 1;\n");
      write('src-main/preload/p.ts', "import { n } from '../common/names';\nimport type { X } from '../common/schema';\n");
      const fixture = checker(tmp.dir);
      const tree = [...files(join(tmp.dir, 'src-main')), ...files(join(tmp.dir, 'src-renderer/src'))];
      expect(fixture.direction(tree)).toEqual(["src-main/kernels/k.ts:4 imports '../services/s': kernels/ may not import services/ (it may import common, kernels)"]);
      expect(fixture.electron(tree)).toEqual(["src-main/host/h.ts:2 imports 'electron': only app/, preload/, host/electron-ipc.ts and host/electron-dialogs.ts may"]);
      expect(fixture.rendererNode(tree)).toEqual(["src-renderer/src/v.ts:2 imports 'path': the renderer has no Node"]);
      expect(fixture.pureLayers(tree)).toEqual(["src-main/kernels/k.ts:5 imports 'node:fs': kernels/ imports no package but zod"]);
      expect(fixture.zodFree([join(tmp.dir, 'src-main/preload/p.ts')])).toEqual(["src-main/preload/p.ts:2 -> src-main/common/schema.ts:1 imports 'zod'"]);
    } finally {
      tmp.cleanup();
    }
  });
});
