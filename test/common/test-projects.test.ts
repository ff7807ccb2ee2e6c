/** The vitest projects (vitest.config.ts) cover the test folders: every test file runs in exactly one. */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_FOLDERS } from '../../vitest.config';
import { REPO_ROOT } from '../helpers/media';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

describe('vitest projects', () => {
  it('put every test/**/*.test.ts in exactly one project, by its folder', () => {
    const homeless: string[] = [];
    for (const file of testFiles(join(REPO_ROOT, 'test'))) {
      const rel = relative(REPO_ROOT, file).split('\\').join('/');
      const folder = rel.split('/')[1]!;
      const projects = Object.entries(PROJECT_FOLDERS).filter(([, folders]) => (folders as readonly string[]).includes(folder)).map(([name]) => name);
      if (projects.length !== 1) homeless.push(`${rel}: in ${projects.length} projects (add test/${folder}/ to one of PROJECT_FOLDERS in vitest.config.ts)`);
    }
    expect(homeless).toEqual([]);
  });
});
