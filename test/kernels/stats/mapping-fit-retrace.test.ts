import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitMapping, type MappingFit } from '../../../src-main/kernels/stats/mapping-fit';
import { levenbergMarquardt, type LeastSquaresModel } from '../../../src-main/kernels/stats/levenberg-marquardt';
import { createRng } from '../../../src-main/kernels/stats/rng';

/**
 * A start that retraces an earlier start's path is ended where its own end could not change the fit kept
 * (mapping-fit.ts, runLogisticStarts): the result must be exactly the one of running every start to its end,
 * not merely close to it — the same start wins, so parameters, SSE, diagnosis and messages are identical.
 * The data include the shapes that make the logistic's parameters run off (a straight line, a saturating
 * exponential, a logarithm: test/helpers/synthetic-analysis-project.ts 'continuous', the bench's), where most
 * starts retrace one valley until the evaluation budget ends them.
 */

const reference = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/curve-fit-reference.json'), 'utf8')) as {
  cases: Record<string, { x: number[]; y: number[] }>;
};

/** What a fit reports; `predictions` follow from kind and params. */
function outcome(fit: MappingFit): unknown {
  const { predictions: _predictions, ...rest } = fit;
  return rest;
}

/** A MOS-like y (mean of 20 rounded 1..5 scores) against a metric following quality q through one of four shapes. */
function continuous(shape: number, n: number, seed: number): { x: number[]; y: number[] } {
  const rng = createRng(seed);
  const u = (): number => rng.nextFloat();
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = 4.7 - 3.4 * ((i + u()) / n) + 0.4 * (u() - 0.5);
    const noise = (scale: number): number => scale * (1 + (seed % 5) / 2) * (u() - 0.5);
    switch (shape) {
      case 0:
        x.push(1 / (1 + Math.exp(-(q - 3) * (1 + (seed % 3)))) + noise(0.08));
        break;
      case 1:
        x.push(22 + 4.5 * q + noise(3));
        break;
      case 2:
        x.push(1 - Math.exp(-0.8 * q) + noise(0.03));
        break;
      default:
        x.push(Math.log(q) + noise(0.15));
    }
    let sum = 0;
    for (let o = 0; o < 20; o++) sum += Math.min(5, Math.max(1, Math.round(q + 0.6 * (u() - 0.5) + 1.2 * (u() - 0.5))));
    y.push(sum / 20);
  }
  return { x, y };
}

describe('ending retracing starts leaves every fit exactly as running all starts to their end', () => {
  for (const kind of ['logistic5', 'logistic4'] as const) {
    it(`${kind}: the curve_fit reference cases`, () => {
      for (const [name, c] of Object.entries(reference.cases)) {
        expect(outcome(fitMapping(kind, c.x, c.y)), name).toEqual(outcome(fitMapping(kind, c.x, c.y, { retrace: false })));
      }
    });
  }

  it('logistic5 on sigmoid, linear, exponential and logarithmic data, n = 60, 250, 1000', () => {
    for (let shape = 0; shape < 4; shape++) {
      for (const [n, seed] of [
        [60, 11],
        [250, 7],
        [1000, shape + 1],
      ] as const) {
        const { x, y } = continuous(shape, n, seed);
        const label = `shape ${shape}, n = ${n}`;
        expect(outcome(fitMapping('logistic5', x, y)), label).toEqual(outcome(fitMapping('logistic5', x, y, { retrace: false })));
      }
    }
  });
});

describe('levenberg-marquardt onStep', () => {
  // r_i = p0 + p1·t_i − y_i: a linear model, solved in one step from any start.
  const t = [0, 1, 2, 3, 4];
  const yv = [1, 3, 5.5, 6.5, 9];
  const model: LeastSquaresModel = {
    nParams: 2,
    nResiduals: t.length,
    residuals(p, out) {
      for (let i = 0; i < t.length; i++) out[i] = p[0] + p[1] * t[i]! - yv[i]!;
    },
    jacobian(_p, out) {
      for (let i = 0; i < t.length; i++) {
        out[2 * i] = 1;
        out[2 * i + 1] = t[i]!;
      }
    },
  };

  it('is called after each accepted step and ends the iteration when it returns true', () => {
    const seen: number[] = [];
    const stopped = levenbergMarquardt(model, [100, -50], {
      onStep: (_p, sse) => {
        seen.push(sse);
        return true;
      },
    });
    expect(stopped.stop).toBe('stopped');
    expect(stopped.converged).toBe(false);
    expect(seen).toHaveLength(1);
    expect(stopped.sse).toBe(seen[0]);
    const full = levenbergMarquardt(model, [100, -50]);
    expect(full.converged).toBe(true);
    expect(full.sse).toBeLessThanOrEqual(stopped.sse);
  });
});
