/** The one rule for the shared reference folders (test/helpers/shared-data.ts): fail in CI, say why locally. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/media';
import { SHARED_SENTINEL, sharedData } from '../helpers/shared-data';

describe('sharedData', () => {
  it('is true when the folder has its README.md, in CI and locally, and warns about nothing', () => {
    const tmp = tempDir('shared-present');
    try {
      writeFileSync(join(tmp.dir, SHARED_SENTINEL), '');
      const warnings: string[] = [];
      expect(sharedData('models', { dir: tmp.dir, ci: true, warn: (m) => warnings.push(m) })).toBe(true);
      expect(sharedData('models', { dir: tmp.dir, ci: false, warn: (m) => warnings.push(m) })).toBe(true);
      expect(warnings).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });

  it('throws in CI when the folder is missing, naming the missing path', () => {
    const tmp = tempDir('shared-missing-ci');
    try {
      const missing = join(tmp.dir, 'models');
      expect(() => sharedData('models', { dir: missing, ci: true, warn: () => {} })).toThrow(`the shared models folder is missing: ${join(missing, SHARED_SENTINEL)} does not exist`);
    } finally {
      tmp.cleanup();
    }
  });

  it('locally returns false and warns once per file with the missing path and the way to set it', () => {
    const tmp = tempDir('shared-missing-local');
    try {
      const missing = join(tmp.dir, 'golden');
      const warnings: string[] = [];
      expect(sharedData('golden', { dir: missing, ci: false, warn: (m) => warnings.push(m) })).toBe(false);
      expect(sharedData('golden', { dir: missing, ci: false, warn: (m) => warnings.push(m) })).toBe(false);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(join(missing, SHARED_SENTINEL));
      expect(warnings[0]).toContain('IQA_GOLDEN_DIR');
    } finally {
      tmp.cleanup();
    }
  });
});
