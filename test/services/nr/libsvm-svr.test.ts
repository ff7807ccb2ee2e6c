/**
 * libsvm-js against libsvm's reference behaviour: scikit-learn's SVR / NuSVR (which wrap libsvm) on
 * the standardised diabetes toy set (scripts/libsvm-svr-reference.py wrote the fixture; this test needs
 * no Python). Both run libsvm's SMO solver to the same stopping tolerance (1e-3), so the predictions
 * agree to within what that tolerance leaves between two libsvm builds, far inside SVR_TOLERANCE.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { libsvmBackend } from '../../../src-main/workers/libsvm-svr';
import type { SvrParams } from '../../../src-main/kernels/nr/svr';

interface Fixture {
  trainRows: number;
  x: number[][];
  y: number[];
  cases: { params: SvrParams; supportVectors: number; predictions: number[] }[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'libsvm-svr-reference.json'), 'utf8')) as Fixture;

/**
 * Largest |libsvm-js − scikit-learn| allowed on a prediction (targets have standard deviation 1).
 * At libsvm's default stopping tolerance (1e-3 on the KKT violation) both builds stop on an iterate
 * within that tolerance of the optimum, not on the same one: we measured at most 2.1e-15 on three
 * cases and 1.18e-3 on the ν-SVR C=4 one, so the bound is twice the stopping tolerance.
 */
const SVR_TOLERANCE = 2e-3;
/** Solved to tol 1e-9, both reach the same optimum: we measured at most 1.12e-9. */
const TIGHT_TOLERANCE = 1e-8;

describe('libsvm-js SVR equals libsvm (scikit-learn) on the diabetes toy set', () => {
  const x = fixture.x.map((r) => Float64Array.from(r));
  const train = x.slice(0, fixture.trainRows);
  const yTrain = fixture.y.slice(0, fixture.trainRows);

  for (const c of fixture.cases) {
    const label = (c.params.tolerance ? 'tol 1e-9 ' : '') + (c.params.type === 'nu' ? `ν-SVR C=${c.params.C} γ=${c.params.gamma} ν=${c.params.nu}` : `ε-SVR C=${c.params.C} γ=${c.params.gamma} ε=${c.params.epsilon}`);
    it(`${label}: every prediction within ${c.params.tolerance ? TIGHT_TOLERANCE : SVR_TOLERANCE}${c.params.tolerance ? ', the same support vectors' : ''}`, async () => {
      const svr = await libsvmBackend();
      const model = svr.train(train, yTrain, c.params);
      try {
        const p = model.predict(x);
        let worst = 0;
        for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i]! - c.predictions[i]!));
        expect(worst).toBeLessThan(c.params.tolerance ? TIGHT_TOLERANCE : SVR_TOLERANCE);
        const text = model.serialize();
        if (c.params.tolerance) expect(Number(/total_sv (\d+)/.exec(text)![1])).toBe(c.supportVectors);
        // The stored text form predicts as the model in memory, to the precision libsvm writes it with.
        const back = svr.load(text);
        const q = back.predict(x);
        back.free();
        for (let i = 0; i < p.length; i++) expect(Math.abs(q[i]! - p[i]!)).toBeLessThan(1e-6);
      } finally {
        model.free();
      }
    });
  }

  it('the same data and parameters give the same model text twice (libsvm SVR training is deterministic)', async () => {
    const svr = await libsvmBackend();
    const a = svr.train(train, yTrain, fixture.cases[0]!.params);
    const b = svr.train(train, yTrain, fixture.cases[0]!.params);
    expect(a.serialize()).toBe(b.serialize());
    a.free();
    b.free();
  });

  it('loading leaves no process-wide unhandledRejection handler behind', async () => {
    const before = process.listeners('unhandledRejection').length;
    await libsvmBackend();
    expect(process.listeners('unhandledRejection').length).toBe(before);
  });

  it('loads and trains in a worker thread', async () => {
    const source = `
      const { parentPort } = require('node:worker_threads');
      const { createRequire } = require('node:module');
      const req = createRequire(${JSON.stringify(join(process.cwd(), 'package.json'))});
      req('libsvm-js').then((SVM) => {
        const svm = new SVM({ type: SVM.SVM_TYPES.EPSILON_SVR, kernel: SVM.KERNEL_TYPES.RBF, gamma: 0.5, cost: 1, epsilon: 0.1, quiet: true });
        svm.train([[0, 0], [1, 1], [1, 0], [0, 1]], [0, 2, 1, 1]);
        parentPort.postMessage(svm.predictOne([1, 1]));
        svm.free();
      });`;
    const worker = new Worker(source, { eval: true, stderr: true });
    const value = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(Number.isFinite(value)).toBe(true);
  });
});
