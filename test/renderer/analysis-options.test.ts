import { describe, expect, it } from 'vitest';
import {
  analysisInput,
  DEFAULT_CONTROLS,
  IMPORT_METHODS,
  MAPPINGS,
  mosChoiceOf,
  MOS_CHOICE_KEYS,
  parseNumberField,
  SCORE_KINDS,
  withMosChoice,
  parseStoredControls,
  ratingsImportInput,
  reconcileControls,
  storageKey,
} from '../../src-renderer/src/lib/analysis-options';
import { analysisOptionsSchema, commands, MAPPING_NAMES, mosChoiceSchema, STUDY_METHOD_NAMES } from '../../src-main/common/contract';

describe('analysis controls', () => {
  it('defaults are those of the contract (the MOS choice ones from mosChoiceSchema)', () => {
    const parsed = analysisOptionsSchema.parse({ projectDir: '/p' });
    const { projectDir: _p, ...fromContract } = parsed;
    const { study: _s, by: _b, ...ours } = DEFAULT_CONTROLS;
    expect(ours).toEqual({ ...fromContract, ...mosChoiceSchema.parse({}) });
    expect([...MOS_CHOICE_KEYS].sort()).toEqual(Object.keys(mosChoiceSchema.shape).sort());
    expect(SCORE_KINDS.map((k) => k.id)).toEqual([...mosChoiceSchema.shape.scores.unwrap().options]);
    expect(MAPPINGS.map((m) => m.id).sort()).toEqual([...MAPPING_NAMES].sort());
    for (const m of IMPORT_METHODS) expect(STUDY_METHOD_NAMES).toContain(m);
  });

  it('reads back what was stored, field by field, falling back to defaults', () => {
    const stored = { ...DEFAULT_CONTROLS, study: 'lab', mos: 'raw', screening: 'corr', minCorrelation: 0.6, scores: 'difference', zscore: true, mapping: 'cubic', by: 'codec', seed: 7, resamples: 500 };
    expect(parseStoredControls(JSON.stringify(stored))).toEqual(stored);
    expect(parseStoredControls(null)).toEqual(DEFAULT_CONTROLS);
    expect(parseStoredControls('{not json')).toEqual(DEFAULT_CONTROLS);
    expect(parseStoredControls('[1,2]')).toEqual(DEFAULT_CONTROLS);
    expect(parseStoredControls(JSON.stringify({ mos: 'median', mapping: 'spline', minCorrelation: 1, seed: -1, resamples: 2.5, study: '', by: 42, scores: 'ratio', zscore: 'yes' }))).toEqual(DEFAULT_CONTROLS);
    expect(parseStoredControls(JSON.stringify({ seed: 3 }))).toEqual({ ...DEFAULT_CONTROLS, seed: 3 });
    expect(storageKey('/a/b')).toBe('iqa.analysis:/a/b');
  });

  it('checks typed numbers against the contract ranges', () => {
    expect(parseNumberField('minCorrelation', '0.8')).toEqual({ value: 0.8 });
    expect(parseNumberField('minCorrelation', '1')).toHaveProperty('error');
    expect(parseNumberField('minCorrelation', '-1')).toHaveProperty('error');
    expect(parseNumberField('seed', '12')).toEqual({ value: 12 });
    expect(parseNumberField('seed', '1.5')).toHaveProperty('error');
    expect(parseNumberField('seed', '')).toHaveProperty('error');
    expect(parseNumberField('resamples', '0')).toEqual({ value: 0 });
    expect(parseNumberField('resamples', '100001')).toHaveProperty('error');
    expect(parseNumberField('resamples', 'abc')).toHaveProperty('error');
  });

  it('fits remembered choices to the studies and attributes the project has', () => {
    const c = { ...DEFAULT_CONTROLS, study: 'gone', by: 'codec' };
    expect(reconcileControls(c, ['a', 'b'], ['codec'])).toEqual({ ...c, study: 'a' });
    expect(reconcileControls(c, [], [])).toEqual({ ...c, study: null, by: null });
    const ok = { ...DEFAULT_CONTROLS, study: 'b', by: null };
    expect(reconcileControls(ok, ['a', 'b'], ['codec'])).toBe(ok);
  });

  it('the project\'s stored MOS choice replaces the remembered MOS controls, and only those', () => {
    const c = { ...DEFAULT_CONTROLS, mapping: 'linear' as const, by: 'codec', mos: 'raw' as const };
    const stored = mosChoiceSchema.parse({ mos: 'mle', screening: 'corr', minCorrelation: 0.6, scores: 'absolute', zscore: true });
    const merged = withMosChoice(c, stored);
    expect(merged).toEqual({ ...c, ...stored });
    expect(mosChoiceOf(merged)).toEqual(stored);
    expect(commands['analysis.setMosChoice'].input.parse({ projectDir: '/p', choice: mosChoiceOf(merged) })).toBeTruthy();
  });

  it('makes inputs the contract accepts', () => {
    const input = analysisInput('/p', { ...DEFAULT_CONTROLS, study: 'lab', by: 'condition', mapping: 'cubic' });
    expect(analysisOptionsSchema.parse(input)).toMatchObject({ study: 'lab', by: 'condition', mapping: 'cubic', mos: 'screened', scores: 'auto', zscore: false });
    const bare = analysisInput('/p', DEFAULT_CONTROLS);
    expect(bare).not.toHaveProperty('study');
    expect(bare).not.toHaveProperty('by');
    expect(commands['analysis.export'].input.parse({ ...bare, format: 'latex' })).toMatchObject({ format: 'latex' });
  });

  it('turns the ratings form into a ratings.import input, or says what is wrong', () => {
    const form = { csv: ' /data/r.csv ', study: '', method: 'ACR' as const, scaleMin: '', scaleMax: '', replace: false };
    const r = ratingsImportInput('/p', form);
    expect(r).toEqual({ input: { projectDir: '/p', csv: '/data/r.csv', study: 'imported', method: 'ACR', replace: false } });
    expect(commands['ratings.import'].input.parse((r as { input: unknown }).input)).toBeTruthy();
    expect(ratingsImportInput('/p', { ...form, scaleMin: '0', scaleMax: '10', method: 'DSCQS', replace: true })).toEqual({
      input: { projectDir: '/p', csv: '/data/r.csv', study: 'imported', method: 'DSCQS', scale: { min: 0, max: 10 }, replace: true },
    });
    expect(ratingsImportInput('/p', { ...form, csv: '' })).toHaveProperty('error');
    expect(ratingsImportInput('/p', { ...form, csv: 'ratings.csv' })).toHaveProperty('error');
    expect(ratingsImportInput('/p', { ...form, scaleMin: '1' })).toHaveProperty('error');
    expect(ratingsImportInput('/p', { ...form, scaleMin: '5', scaleMax: '1' })).toHaveProperty('error');
    expect(ratingsImportInput('/p', { ...form, csv: 'C:\\data\\r.csv' })).toHaveProperty('input');
  });
});
