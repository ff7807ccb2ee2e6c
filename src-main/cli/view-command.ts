/**
 * `iqa view <dir> <stimulus> [--port N] [--root FOLDER]... [--no-open]`: the viewer of one distorted
 * stimulus, in the UI. The desktop window cannot be assumed (nor opened from a shell here), so this
 * starts the same loopback host as `iqa web` and prints (and, unless --no-open, opens) an address that
 * lands on the project's viewer of that stimulus (common/ui-route.ts). The project and the stimulus are
 * checked first through the contract (engine-client.ts), so a wrong one is a one-line typed error and
 * no host is started.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { IqaError } from '../common/errors';
import type { Stimulus } from '../common/domain';
import { runWeb } from '../host/web-main';
import { withEngine } from './engine-client';

/** How to find what `<stimulus>` may be, said with every refusal. */
const howToFind = (dir: string) => `give its id, its name or its path in the project, as \`iqa stimuli ${dir}\` lists them (\`--json\` also gives each id)`;

/**
 * The stimulus `arg` names: an id (digits), a name (the file stem), or a path, relative to the project
 * (as stored) or to the current folder, or absolute.
 */
export function findStimulus(stimuli: readonly Stimulus[], arg: string, projectDir: string, cwd: string = process.cwd()): Stimulus {
  const trimmed = arg.trim();
  if (/^\d+$/.test(trimmed)) {
    const byId = stimuli.find((s) => s.id === Number(trimmed));
    if (byId) return byId;
  }
  const asStored = (p: string) => p.split(sep).join('/');
  const candidates = new Set([asStored(trimmed).replace(/^\.\//, '')]);
  // Stored paths are relative to the project, with '..' for media beside it.
  const fromCwd = relative(projectDir, resolve(cwd, trimmed));
  if (!isAbsolute(fromCwd)) candidates.add(asStored(fromCwd));
  const byPath = stimuli.find((s) => candidates.has(s.path));
  if (byPath) return byPath;
  const byName = stimuli.filter((s) => s.name === trimmed);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new IqaError('E_INPUT', `${byName.length} stimuli are named "${trimmed}" in ${projectDir} (${byName.map((s) => `${s.id}: ${s.path}`).join(', ')}): give the id or the path`);
  }
  throw new IqaError('E_NOT_FOUND', `no stimulus "${trimmed}" in ${projectDir}: ${howToFind(projectDir)}`);
}

interface ViewOptions {
  port: number;
  root: string[];
  open: boolean;
}

export function addViewCommand(program: Command): void {
  program
    .command('view')
    .description("open the viewer of a distorted stimulus in the UI (serves it on 127.0.0.1 like `iqa web`, prints the address and opens it in a browser)")
    .argument('<dir>', 'project folder')
    .argument('<stimulus>', 'distorted stimulus: its id, name or path (as `iqa stimuli` lists them)')
    .option('-p, --port <port>', 'port (0 picks a free one)', (v) => Number.parseInt(v, 10), 0)
    .option('--root <folder>', 'another folder the page may use (repeatable; default: IQA_ROOTS, else your home folder); the project and the pair are always allowed', (v: string, acc: string[]) => [...acc, resolve(v)], [] as string[])
    .option('--no-open', 'only print the address (do not start a browser)')
    .action(async (dir: string, stimulusArg: string, o: ViewOptions) => {
      const projectDir = resolve(dir);
      const { stimulus, reference } = await withEngine({ threads: 0 }, async (engine) => {
        await engine.call('projects.open', { dir: projectDir });
        const stimuli = await engine.call('stimuli.list', { projectDir });
        const s = findStimulus(stimuli, stimulusArg, projectDir);
        const ref = s.referenceId === null ? undefined : stimuli.find((r) => r.id === s.referenceId);
        if (!ref) {
          const of = stimuli.filter((d) => d.referenceId === s.id).map((d) => d.name);
          throw new IqaError(
            'E_INPUT',
            s.role === 'reference'
              ? `${s.name} is a reference: the viewer opens a distorted stimulus against it${of.length ? ` (its distorted versions: ${of.slice(0, 5).join(', ')}${of.length > 5 ? ', …' : ''})` : ''}`
              : `${s.name} has no reference: the viewer compares a distorted stimulus with its reference (pair it when importing: a ref/ folder, a name prefix or --pattern)`,
          );
        }
        return { stimulus: s, reference: ref };
      });
      // The page may use the project and the pair's files wherever they lie, besides the usual roots.
      await runWeb({
        port: o.port,
        roots: o.root,
        alsoAllow: [projectDir, ...[stimulus, reference].map((s) => dirname(resolve(projectDir, s.path)))],
        route: { project: projectDir, stimulus: stimulus.id },
        openBrowser: o.open,
        describe: `the viewer of ${stimulus.name} (stimulus ${stimulus.id}) against ${reference.name}; Ctrl+C stops serving`,
      });
    });
}
