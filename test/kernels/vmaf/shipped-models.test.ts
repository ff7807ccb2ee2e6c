// The VMAF models shipped in models/vmaf/ (bundled into the code by kernels/vmaf/shipped-models.ts):
// the files are the upstream files (the SHA-256 sums of their provenance), with their licence, and
// what the code parses from the bundle is what parsing the file gives.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVmafModel } from '../../../src-main/kernels/vmaf/model';
import { shippedVmafModel, VMAF_MODEL_NAMES, VMAF_MODEL_SHA256 } from '../../../src-main/kernels/vmaf/shipped-models';
import { REPO_ROOT } from '../../helpers/media';

const DIR = join(REPO_ROOT, 'models/vmaf');

describe('shipped VMAF models', () => {
  it('are the upstream files, with the licence and the provenance beside them', () => {
    expect(existsSync(join(DIR, 'LICENSE-BSD-2-Clause-Patent.txt'))).toBe(true);
    const provenance = readFileSync(join(DIR, 'PROVENANCE.md'), 'utf8');
    for (const name of VMAF_MODEL_NAMES) {
      const sha = createHash('sha256').update(readFileSync(join(DIR, `${name}.json`))).digest('hex');
      expect(sha, name).toBe(VMAF_MODEL_SHA256[name]);
      expect(provenance, name).toContain(sha);
    }
  });

  it('parse from the bundle as from the file', () => {
    for (const name of VMAF_MODEL_NAMES) {
      const fromFile = parseVmafModel(readFileSync(join(DIR, `${name}.json`), 'utf8'), `${name}.json`);
      expect(shippedVmafModel(name)).toEqual(fromFile);
    }
    expect(() => shippedVmafModel('vmaf_v1.0.16_5d0h')).toThrow(/no VMAF model "vmaf_v1.0.16_5d0h"/);
  });
});
