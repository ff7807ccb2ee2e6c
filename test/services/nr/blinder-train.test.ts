/**
 * The BLINDER-style training (kernels/nr/blinder-train.ts) with libsvm on a synthetic feature table whose
 * MOS depends on known distortion strengths: honest cross-validation finds the dependence, finds nothing
 * in shuffled scores, never splits a content between training and test, and repeats itself exactly.
 */
import { describe, expect, it } from 'vitest';
import { assignFolds, crossValidate, fitPredictor, predictRows, type Combine } from '../../../src-main/kernels/nr/blinder-train';
import { srocc } from '../../../src-main/kernels/stats/correlation';
import { createRng } from '../../../src-main/kernels/stats/rng';
import { libsvmBackend } from '../../../src-main/workers/libsvm-svr';
import { syntheticLevelTable } from '../../helpers/synthetic-level-features';

const table = syntheticLevelTable({ contents: 12, perContent: 6 });

describe('fold assignment', () => {
  it('puts every content in exactly one fold, with the same folds for the same seed and other folds for another', () => {
    const a = assignFolds(table.groups, 5, 11);
    const b = assignFolds(table.groups, 5, 11);
    expect(Array.from(a)).toEqual(Array.from(b));
    const byContent = new Map<string, Set<number>>();
    table.groups.forEach((g, i) => byContent.set(g, (byContent.get(g) ?? new Set()).add(a[i]!)));
    for (const folds of byContent.values()) expect(folds.size).toBe(1);
    expect(new Set(a).size).toBe(5);
    expect(Array.from(assignFolds(table.groups, 5, 12))).not.toEqual(Array.from(a));
  });

  it('does not depend on the order the samples come in', () => {
    const order = table.groups.map((_, i) => i).reverse();
    const a = assignFolds(table.groups, 4, 3);
    const b = assignFolds(order.map((i) => table.groups[i]!), 4, 3);
    order.forEach((i, j) => expect(b[j]).toBe(a[i]));
  });

  it('refuses fewer than 2 groups or folds', () => {
    expect(() => assignFolds(['a', 'a', 'a'], 5, 1)).toThrow(/at least 2 groups/);
    expect(() => assignFolds(['a', 'b'], 1, 1)).toThrow(/≥ 2/);
  });
});

// Measured with these seeds (12 contents × 6 strengths, 3 levels of 12 values, 5 outer and 4 inner folds):
// CV SROCC 0.968 (mean), 0.961 (stack), 0.966 (ν-SVR, mean); shuffled MOS 0.078.
describe('cross-validated BLINDER-style training on synthetic features', () => {
  for (const combine of ['mean', 'stack'] as Combine[]) {
    it(`combine ${combine}: the CV SROCC is high (> 0.9) where the MOS follows the distortion strength`, async () => {
      const svr = await libsvmBackend();
      const cv = crossValidate(svr, table.levels, table.mos, table.groups, { svr: 'epsilon', combine, folds: 5, innerFolds: 4, seed: 1 });
      const rho = srocc(cv.predictions, table.mos).value;
      expect(rho).toBeGreaterThan(0.9);
      // No content in both the training and the test set of any fold.
      for (let f = 0; f < 5; f++) {
        const test = new Set(table.groups.filter((_, i) => cv.foldOf[i] === f));
        const train = new Set(table.groups.filter((_, i) => cv.foldOf[i] !== f));
        for (const g of test) expect(train.has(g)).toBe(false);
      }
    });
  }

  it('ν-SVR learns the same dependence (CV SROCC > 0.9)', async () => {
    const svr = await libsvmBackend();
    const cv = crossValidate(svr, table.levels, table.mos, table.groups, { svr: 'nu', combine: 'mean', folds: 5, innerFolds: 4, seed: 1 });
    expect(srocc(cv.predictions, table.mos).value).toBeGreaterThan(0.9);
  });

  it('with the MOS shuffled over the stimuli, the CV SROCC is near zero (|SROCC| < 0.3)', async () => {
    // 72 stimuli: a correlation of unrelated rankings has standard deviation 1/√71 ≈ 0.12; 0.3 is 2.5 of them.
    const svr = await libsvmBackend();
    const rng = createRng(99);
    const shuffled = table.mos.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const cv = crossValidate(svr, table.levels, shuffled, table.groups, { svr: 'epsilon', combine: 'mean', folds: 5, innerFolds: 4, seed: 1 });
    expect(Math.abs(srocc(cv.predictions, shuffled).value)).toBeLessThan(0.3);
  });

  it('the same seed gives the same folds, hyper-parameters, models and predictions', async () => {
    const svr = await libsvmBackend();
    const opts = { svr: 'epsilon' as const, combine: 'stack' as const, folds: 4, innerFolds: 3, seed: 5 };
    const a = crossValidate(svr, table.levels, table.mos, table.groups, opts);
    const b = crossValidate(svr, table.levels, table.mos, table.groups, opts);
    expect(Array.from(b.foldOf)).toEqual(Array.from(a.foldOf));
    expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
    expect(b.folds).toEqual(a.folds);
  });

  it('a predictor predicts from its stored form what it predicted when trained', async () => {
    const svr = await libsvmBackend();
    const all = table.groups.map((_, i) => i);
    const p = fitPredictor(svr, table.levels, table.mos, table.groups, all, { svr: 'epsilon', combine: 'stack', innerFolds: 3, seed: 2 });
    const stored = JSON.parse(JSON.stringify(p)) as typeof p;
    const a = predictRows(svr, p, table.levels, all);
    const b = predictRows(svr, stored, table.levels, all);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(p.combination.kind).toBe('stack');
    expect(p.levels.map((l) => l.name)).toEqual(['level1', 'level2', 'level3']);
  });
});
