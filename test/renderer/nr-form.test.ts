import { describe, expect, it } from 'vitest';
import type { NrCvStatistics, NrPredictorRecord } from '../../src-main/common/nr-predictor';
import { defaultNrForm, nrFormProblems, nrScatterModel, nrStatCells, nrTrainInput } from '../../src-renderer/src/lib/nr-form';

const cv = (ci: boolean): NrCvStatistics => ({
  n: 4,
  srocc: 0.91234,
  krocc: 0.8,
  plcc: null,
  rmse: 0.4567,
  ci95: ci
    ? { srocc: [0.8, 0.95], krocc: [0.6, 0.9], plcc: [null, null], rmse: [0.3, 0.6], seed: 1, resamples: 100, clusters: 2, method: 'bca' }
    : null,
});

describe('the Learned NR form', () => {
  it('needs a valid, unused name and folds from 2 to 50', () => {
    const f = defaultNrForm();
    expect(nrFormProblems(f, [])).toHaveLength(1);
    expect(nrFormProblems({ ...f, name: 'Blur' }, [])[0]).toMatch(/a–z/);
    expect(nrFormProblems({ ...f, name: 'blur' }, ['blur'])[0]).toMatch(/exists/);
    expect(nrFormProblems({ ...f, name: 'blur', folds: 1 }, [])[0]).toMatch(/Folds/);
    expect(nrFormProblems({ ...f, name: 'blur' }, ['other'])).toEqual([]);
  });

  it('makes the nr.train input, the study only when one is chosen', () => {
    const f = { ...defaultNrForm(), name: 'blur', folds: 3, combine: 'stack' as const };
    expect(nrTrainInput(f, '/p')).toEqual({ projectDir: '/p', name: 'blur', features: 'alexnet-levels', target: 'mos', folds: 3, group: 'content', combine: 'stack' });
    expect(nrTrainInput({ ...f, study: 's' }, '/p').study).toBe('s');
  });
});

describe('the cross-validated statistics and scatter', () => {
  it('shows each statistic with its interval, a dash for an undefined one, no interval without resamples', () => {
    expect(nrStatCells(cv(true))).toEqual([
      { label: 'SROCC', value: '0.912', interval: '[0.800, 0.950]' },
      { label: 'PLCC', value: '—', interval: '[—, —]' },
      { label: 'RMSE', value: '0.457', interval: '[0.300, 0.600]' },
    ]);
    expect(nrStatCells(cv(false)).map((c) => c.interval)).toEqual(['', '', '']);
  });

  it('plots one point per training stimulus, prediction against target, a series per fold, on one shared range with the identity line', () => {
    const stimuli = [
      { id: 1, name: 'a', sha256: '', content: 'c1', target: 4.5, fold: 0, cvPrediction: 4.1 },
      { id: 2, name: 'b', sha256: '', content: 'c1', target: 2.0, fold: 0, cvPrediction: 2.6 },
      { id: 3, name: 'c', sha256: '', content: 'c2', target: 3.0, fold: 1, cvPrediction: 3.2 },
      { id: 4, name: 'd', sha256: '', content: 'c2', target: 1.5, fold: 1, cvPrediction: 1.9 },
    ];
    const record = { name: 'blur', target: 'mos', cv: cv(true), options: { folds: 2, group: 'content' }, training: { stimuli, mosChoice: {} } } as unknown as NrPredictorRecord;
    const m = nrScatterModel(record);
    expect(m.series.map((s) => s.name)).toEqual(['fold 1', 'fold 2']);
    expect(m.series.flatMap((s) => s.points.map((p) => [p.stimulusId, p.x, p.y]))).toEqual(stimuli.map((s) => [s.id, s.cvPrediction, s.target]));
    expect(m.xRange).toEqual(m.yRange);
    expect(m.xRange[0]).toBeLessThanOrEqual(1.5);
    expect(m.xRange[1]).toBeGreaterThanOrEqual(4.5);
    expect(m.curve).toEqual([
      { x: m.xRange[0], y: m.xRange[0] },
      { x: m.xRange[1], y: m.xRange[1] },
    ]);
  });
});
