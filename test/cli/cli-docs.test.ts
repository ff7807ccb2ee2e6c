/** docs/cli.md documents every command `iqa --help` lists, and `iqa pairwise` with each of its options. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iqa } from '../helpers/cli';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'cli.md'), 'utf8');
const headings = doc.split('\n').filter((l) => l.startsWith('## `iqa '));

/** The commands of `iqa --help` (its "Commands:" block, one name at the start of each entry). */
function helpCommands(): string[] {
  const out = iqa(['--help']).stdout;
  const block = out.split('Commands:\n')[1]!;
  return [...block.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

describe('docs/cli.md', () => {
  it('has a section for every command in iqa --help', () => {
    const commands = helpCommands();
    expect(commands).toContain('pairwise');
    const missing = commands.filter((c) => !headings.some((h) => new RegExp(`^## \`iqa (?:[^\`]*\\| )?${c}\\b`).test(h)));
    expect(missing).toEqual([]);
  });

  it('documents iqa pairwise with every option its --help lists', () => {
    const heading = headings.find((h) => h.startsWith('## `iqa pairwise '))!;
    const options = [...iqa(['pairwise', '--help']).stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help');
    expect(options).toEqual(['--model', '--seed', '--resamples', '--json']);
    for (const o of options) expect(heading, o).toContain(o);
  });
});
