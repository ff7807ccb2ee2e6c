/**
 * A synthetic multi-level feature table for the learned NR tests: `contents` source contents, each
 * with `perContent` distorted versions of known strength s ∈ [0, 1]; the MOS falls with s
 * (5 − 4s + noise); each level's features carry s through a level-specific direction (linear, squared,
 * square-root) buried in a content-specific offset and noise, as real network features carry both the
 * picture and its damage. Deterministic from the seed.
 */
import { createRng } from '../../src-main/kernels/stats/rng';
import type { LevelMatrix } from '../../src-main/kernels/nr/blinder-train';

export interface SyntheticLevels {
  levels: LevelMatrix[];
  mos: Float64Array;
  strength: Float64Array;
  groups: string[];
}

export function syntheticLevelTable(opts: { contents: number; perContent: number; dims?: number; seed?: number }): SyntheticLevels {
  const rng = createRng(opts.seed ?? 7);
  const gauss = () => {
    const u = Math.max(rng.nextFloat(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
  };
  const d = opts.dims ?? 12;
  const n = opts.contents * opts.perContent;
  const shapes = [(s: number) => s, (s: number) => s * s, (s: number) => Math.sqrt(s)];
  const directions = shapes.map(() => Float64Array.from({ length: d }, () => gauss()));
  const offsets = shapes.map(() => Array.from({ length: opts.contents }, () => Float64Array.from({ length: d }, () => gauss())));
  const values = shapes.map(() => new Float64Array(n * d));
  const mos = new Float64Array(n);
  const strength = new Float64Array(n);
  const groups: string[] = [];
  let i = 0;
  for (let c = 0; c < opts.contents; c++) {
    for (let v = 0; v < opts.perContent; v++, i++) {
      const s = (v + rng.nextFloat()) / opts.perContent;
      strength[i] = s;
      mos[i] = 5 - 4 * s + 0.15 * gauss();
      groups.push(`content-${String(c).padStart(3, '0')}`);
      shapes.forEach((shape, l) => {
        for (let j = 0; j < d; j++) values[l]![i * d + j] = 0.6 * offsets[l]![c]![j]! + 2 * shape(s) * directions[l]![j]! + 0.25 * gauss();
      });
    }
  }
  return { levels: shapes.map((_, l) => ({ name: `level${l + 1}`, dims: d, values: values[l]! })), mos, strength, groups };
}
