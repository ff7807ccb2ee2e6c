/** `iqa mos --model`: the named MOS models on a ratings file alone, against numbers worked out by hand. */
import { describe, expect, it } from 'vitest';
import { mosFromModel, mosFromRatings, mosFromSubjectModel, type ModelRatingRow } from '../../../src-main/kernels/analysis/mos-from-ratings';
import { MOS_CHOICE_DEFAULTS } from '../../../src-main/common/contract-types';

const rows = (table: Record<string, Record<string, number>>, reference: Record<string, string> = {}): ModelRatingRow[] =>
  Object.entries(table).flatMap(([participant, scores]) =>
    Object.entries(scores).map(([stimulus, score]) => ({ participant, stimulus, score, ...(stimulus in reference || Object.keys(reference).length ? { reference: reference[stimulus] ?? '' } : {}) })),
  );

describe('mosFromModel', () => {
  it('dmos: V(PVS) - V(REF) + scale max per participant, against the same participant\'s reference; references drop out', () => {
    // a: R1 = 5, P1 = 3 -> 3; b: R1 = 4, P1 = 3 -> 4; a: R2 = 4, P2 = 4 -> 5; b: R2 = 2, P2 = 1 -> 4.
    const r = rows({ a: { R1: 5, P1: 3, R2: 4, P2: 4 }, b: { R1: 4, P1: 3, R2: 2, P2: 1 } }, { P1: 'R1', P2: 'R2' });
    const out = mosFromModel(r, { model: 'dmos', screening: 'none', scale: { min: 1, max: 5 } });
    expect(out.stimuli.map((s) => [s.stimulus, s.mos, s.n])).toEqual([
      ['P1', 3.5, 2],
      ['P2', 4.5, 2],
    ]);
    expect(out.mosModel).toBe('dmos');
    expect(out.description).toMatch(/V\(PVS\) - V\(REF\) \+ 5/);
    // A participant who did not rate the reference gives no differential score (excluded, counted).
    const missing = mosFromModel([...r, { participant: 'c', stimulus: 'P1', score: 2, reference: 'R1' }], { model: 'dmos', screening: 'none' });
    expect(missing.stimuli[0]!.n).toBe(2);
    expect(missing.counts.excluded).toBe(1);
    expect(() => mosFromModel(rows({ a: { P1: 3 }, b: { P1: 4 } }), { model: 'dmos' })).toThrow(/needs a "reference" column/);
  });

  it('zscore: each participant standardised (ddof 1) and rescaled to the scale as min + (max - min)(z + 3)/6', () => {
    // a: 1, 3, 5 -> mean 3, std 2 -> z -1, 0, 1 -> 1 + 4*(2/6, 3/6, 4/6); b: 2, 3, 4 -> std 1 -> z -1, 0, 1: the same.
    const out = mosFromModel(rows({ a: { s1: 1, s2: 3, s3: 5 }, b: { s1: 2, s2: 3, s3: 4 } }), { model: 'zscore', screening: 'none', scale: { min: 1, max: 5 } });
    expect(out.stimuli.map((s) => s.mos)).toEqual([1 + 4 * (2 / 6), 3, 1 + 4 * (4 / 6)].map((v) => expect.closeTo(v, 12)) as unknown as number[]);
    expect(out.stimuli[1]!.std).toBe(0);
    // A participant with constant scores cannot be standardised: listed, scores excluded.
    const flat = mosFromModel(rows({ a: { s1: 1, s2: 3, s3: 5 }, b: { s1: 2, s2: 3, s3: 4 }, c: { s1: 3, s2: 3, s3: 3 } }), { model: 'zscore', screening: 'none' });
    expect(flat.notStandardised).toEqual(['c']);
    expect(flat.counts.excluded).toBe(3);
  });

  it('mle: the P.913 subject model with each participant\'s bias and inconsistency and their intervals', () => {
    const r = rows({
      a: { s1: 5, s2: 4, s3: 2, s4: 1 },
      b: { s1: 4, s2: 4, s3: 3, s4: 2 },
      c: { s1: 5, s2: 5, s3: 3, s4: 2 },
      d: { s1: 3, s2: 2, s3: 1, s4: 1 },
    });
    const out = mosFromModel(r, { model: 'mle' });
    expect(out).toMatchObject({ ...mosFromSubjectModel(r), mosModel: 'mle' });
    expect(out.subjects).toHaveLength(4);
    for (const s of out.subjects!) {
      expect(s.biasCi95[0]).toBeLessThanOrEqual(s.bias);
      expect(s.biasCi95[1]).toBeGreaterThanOrEqual(s.bias);
      expect(s.inconsistencyCi95[0]).toBeLessThanOrEqual(s.inconsistency);
      expect(s.inconsistencyCi95[1]).toBeGreaterThan(s.inconsistency);
    }
    // d rates 1.25 below the others' mean on average: the most negative bias; biases are centred.
    expect(out.subjects!.find((s) => s.participant === 'd')!.bias).toBeLessThan(-1);
    expect(out.subjects!.reduce((t, s) => t + s.bias, 0)).toBeCloseTo(0, 10);
    expect(() => mosFromModel(r, { model: 'mle', screening: 'bt500' })).toThrow(/screens nobody/);
  });

  it('bt500 and raw are the screened and unscreened MOS; bt500 is the default MOS choice of the analysis too', () => {
    const r = rows({ a: { s1: 5, s2: 4 }, b: { s1: 4, s2: 4 }, c: { s1: 5, s2: 2 } });
    expect(mosFromModel(r, { model: 'bt500' }).stimuli).toEqual(mosFromRatings(r, { screening: 'bt500' }).stimuli);
    expect(mosFromModel(r, { model: 'raw' }).stimuli).toEqual(mosFromRatings(r, { screening: 'none' }).stimuli);
    expect(mosFromModel(r, { model: 'bt500' }).screening).toBe('bt500');
    expect(MOS_CHOICE_DEFAULTS).toMatchObject({ mos: 'screened', screening: 'bt500' });
    expect(() => mosFromModel(r, { model: 'raw', screening: 'corr' })).toThrow(/raw MOS screens nobody/);
  });
});
