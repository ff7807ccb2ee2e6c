import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pairwiseFromCsv } from '../../src-main/services/analysis/pairwise-from-csv';
import { createRng } from '../../src-main/kernels/stats/rng';
import { tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => (tmp = tempDir('pairwise')));
afterAll(() => tmp.cleanup());

/** Comparisons drawn from a Thurstone model with known qualities (in JND), seeded. */
function comparisonsCsv(file: string, quality: Record<string, number>, perPair: number, extra = ''): string {
  const rng = createRng(9);
  const names = Object.keys(quality);
  const lines = ['participant,a,b,choice'];
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
  const sigma = 1.482602218505602; // 1 JND = 75 % preference
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++)
      for (let k = 0; k < perPair; k++) {
        const d = quality[names[i]!]! - quality[names[j]!]! + sigma * normal();
        lines.push(`p${k % 5},${names[i]},${names[j]},${d > 0 ? 'a' : 'b'}`);
      }
  writeFileSync(file, lines.join('\n') + '\n' + extra);
  return file;
}

describe('pairwise comparisons to a quality scale', () => {
  const quality = { q0: 0, q1: 1, q2: 2.5, q3: 4 };

  it('recovers the order and the spacing of the planted qualities (Thurstone, JND)', () => {
    const r = pairwiseFromCsv(comparisonsCsv(join(tmp.dir, 'c.csv'), quality, 60), { model: 'thurstone-case-v', seed: 1, resamples: 300 });
    const scores = Object.fromEntries(r.conditions.map((c) => [c.condition, c.score]));
    expect(scores.q0! < scores.q1! && scores.q1! < scores.q2! && scores.q2! < scores.q3!).toBe(true);
    expect(scores.q3! - scores.q0!).toBeGreaterThan(3);
    expect(scores.q3! - scores.q0!).toBeLessThan(5);
    expect(r.unit).toBe('jnd');
    for (const c of r.conditions) expect(c.ci95![0] <= c.score && c.score <= c.ci95![1]).toBe(true);
    expect(r.bootstrap).toMatchObject({ seed: 1, resamples: 300 });
  });

  it('gives Bradley-Terry log-odds in the same order', () => {
    const r = pairwiseFromCsv(comparisonsCsv(join(tmp.dir, 'bt.csv'), quality, 60), { model: 'bradley-terry', seed: 1, resamples: 0 });
    const order = [...r.conditions].sort((a, b) => a.score - b.score).map((c) => c.condition);
    expect(order).toEqual(['q0', 'q1', 'q2', 'q3']);
    expect(r.unit).toBe('logit');
  });

  it('reports bad rows and refuses comparisons that do not connect all conditions', () => {
    const file = comparisonsCsv(join(tmp.dir, 'bad.csv'), { x: 0, y: 1 }, 10, 'p1,x,y,maybe\np1,x,x,a\n');
    const r = pairwiseFromCsv(file, { model: 'thurstone-case-v', seed: 1, resamples: 0 });
    expect(r.issues.map((i) => i.reason)).toEqual(['choice must be a, b or tie (or a stimulus name), got "maybe"', '"x" compared with itself']);
    const split = join(tmp.dir, 'split.csv');
    writeFileSync(split, 'a,b,choice\nu,v,a\nv,u,a\nw,z,b\nz,w,b\n');
    expect(() => pairwiseFromCsv(split, { model: 'thurstone-case-v', seed: 1, resamples: 0 })).toThrow(/connect|unconnected|group/i);
  });

  it('leaves out the training rows of a study export, listed as such', () => {
    const file = join(tmp.dir, 'export.csv');
    // A study export's columns: the training pair (w, z) would split the comparison graph if it were read.
    writeFileSync(file, 'participant,session,a,b,choice,response_ms,trial,training\nP,1,w,z,a,900,0,1\nP,1,u,v,a,900,1,0\nP,1,v,u,a,900,2,0\nP,1,u,v,tie,900,3,0\n');
    const r = pairwiseFromCsv(file, { model: 'thurstone-case-v', seed: 1, resamples: 0 });
    expect(r.issues).toEqual([{ row: `${file}:2`, reason: 'a training trial (not analysed)' }]);
    expect(r.comparisons).toBe(3);
    expect(r.conditions.map((c) => c.condition).sort()).toEqual(['u', 'v']);
  });
});
