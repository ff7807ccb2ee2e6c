/** `iqa correlate` and `iqa mos` on golden data written to CSV, through the built CLI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iqa } from '../helpers/cli';
import { readGoldenJson } from '../helpers/golden';
import { makeStudyFolder, tempDir } from '../helpers/media';

// Golden tolerances (../shared/golden/README.md): coefficients 1e-12, mapped PLCC/RMSE 1e-6; MOS and
// CIs are exact up to float64 round-off (1e-12). CSV round trips numbers exactly (shortest repr).
const COEF_TOL = 1e-12;
const MAPPED_TOL = 1e-6;
const MOS_TOL = 1e-12;

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => (tmp = tempDir('analysis-cli')));
afterAll(() => tmp.cleanup());

interface CorrCase {
  x: (number | null)[];
  y: (number | null)[];
  n_used: number;
  srocc: number;
  plcc: number;
  krocc_tau_b: number;
  rmse_raw: number;
  logistic5?: { plcc_mapped: number; rmse_mapped: number };
  logistic4?: { plcc_mapped: number; rmse_mapped: number };
}

describe('iqa correlate', () => {
  const cases = readGoldenJson<{ cases: Record<string, CorrCase> }>('stats/correlation.json').cases;
  it.each(Object.entries(cases))('%s matches SciPy', (name, c) => {
    const csv = join(tmp.dir, `${name}.csv`);
    writeFileSync(csv, 'metric,mos\n' + c.x.map((x, i) => `${x ?? 'NaN'},${c.y[i] ?? ''}`).join('\n') + '\n');
    for (const mapping of ['logistic5', 'logistic4'] as const) {
      const r = iqa(['correlate', csv, '--x', 'metric', '--y', 'mos', '--mapping', mapping, '--resamples', '200', '--json']);
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      expect(out.n).toBe(c.n_used);
      expect(Math.abs(out.srocc - c.srocc)).toBeLessThanOrEqual(COEF_TOL);
      expect(Math.abs(out.plcc - c.plcc)).toBeLessThanOrEqual(COEF_TOL);
      expect(Math.abs(out.krocc - c.krocc_tau_b)).toBeLessThanOrEqual(COEF_TOL);
      expect(Math.abs(out.rmse - c.rmse_raw)).toBeLessThanOrEqual(COEF_TOL * 10);
      const fit = c[mapping];
      if (fit) {
        expect(Math.abs(out.plcc_mapped - fit.plcc_mapped)).toBeLessThanOrEqual(MAPPED_TOL);
        expect(Math.abs(out.rmse_mapped - fit.rmse_mapped)).toBeLessThanOrEqual(MAPPED_TOL);
      }
      expect(out.mapping.requested).toBe(mapping);
      if (out.mapping.kind !== mapping) expect(out.mapping.fallback.from).toBe(mapping);
      expect(out.ci95.srocc[0]).toBeLessThanOrEqual(out.srocc);
      expect(out.ci95.srocc[1]).toBeGreaterThanOrEqual(out.srocc);
      expect(out.bootstrap).toEqual({ seed: 1, resamples: 200, method: 'bca' });
    }
  });

  it('is deterministic: the same input and seed give the same bytes', () => {
    const c = cases.continuous_no_ties!;
    const csv = join(tmp.dir, 'det.csv');
    writeFileSync(csv, 'm,q\n' + c.x.map((x, i) => `${x},${c.y[i]}`).join('\n') + '\n');
    const a = iqa(['correlate', csv, '--x', 'm', '--y', 'q', '--resamples', '100', '--json']).stdout;
    expect(iqa(['correlate', csv, '--x', 'm', '--y', 'q', '--resamples', '100', '--json']).stdout).toBe(a);
  });

  it('gives NaN (null) with a reason for a constant vector, and a one-line error for n < 3 or a missing column', () => {
    const constant = join(tmp.dir, 'const.csv');
    writeFileSync(constant, 'm,q\n1,2\n1,3\n1,4\n1,5\n1,6\n1,7\n');
    const out = JSON.parse(iqa(['correlate', constant, '--x', 'm', '--y', 'q', '--mapping', 'linear', '--resamples', '0', '--json']).stdout);
    expect(out.plcc).toBeNull();
    expect(out.reason).toBe('constant-x');
    const small = join(tmp.dir, 'small.csv');
    writeFileSync(small, 'm,q\n1,2\n2,3\n');
    expect(iqa(['correlate', small, '--x', 'm', '--y', 'q', '--json']).stderr).toMatch(/at least 3 finite pairs/);
    const r = iqa(['correlate', small, '--x', 'm', '--y', 'q', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^iqa: .*small\.csv: /);
    const missing = iqa(['correlate', small, '--x', 'ssim', '--y', 'q']);
    expect(missing.stderr).toBe(`iqa: ${small}: missing column "ssim" (the header has 2 columns; expected ssim, q)\n`);
  });
});

describe('iqa correlate on few rows', () => {
  it('gives the raw statistics from 3 rows on; the mapped ones are null with mapping_reason until the mapping can be fitted', () => {
    const c = readGoldenJson<{ cases: Record<string, CorrCase> }>('stats/correlation.json').cases.small_n_exact!;
    const csv = join(tmp.dir, 'five.csv');
    writeFileSync(csv, 'm,q\n' + c.x.slice(0, 5).map((x, i) => `${x},${c.y[i]}`).join('\n') + '\n');
    const r = iqa(['correlate', csv, '--x', 'm', '--y', 'q', '--resamples', '100', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.n).toBe(5);
    for (const k of ['srocc', 'krocc', 'plcc', 'rmse']) expect(typeof out[k], k).toBe('number');
    expect(out.plcc_mapped).toBeNull();
    expect(out.rmse_mapped).toBeNull();
    expect(out.mapping_reason).toBe('the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 5');
    expect(out.mapping).toMatchObject({ kind: 'logistic5', converged: false, params: [null, null, null, null, null] });
    expect(Object.keys(out.ci95)).toEqual(['srocc', 'krocc', 'plcc', 'rmse', 'plcc_mapped', 'rmse_mapped']);
    expect(out.ci95.rmse[0]).toBeLessThanOrEqual(out.rmse);
    expect(out.ci95.rmse[1]).toBeGreaterThanOrEqual(out.rmse);
    expect(out.ci95.plcc_mapped).toEqual([null, null]);
    const four = JSON.parse(iqa(['correlate', csv, '--x', 'm', '--y', 'q', '--mapping', 'logistic4', '--resamples', '0', '--json']).stdout);
    expect(typeof four.plcc_mapped).toBe('number');
    expect(four.mapping_reason).toBeUndefined();
    const table = iqa(['correlate', csv, '--x', 'm', '--y', 'q', '--resamples', '0']);
    expect(table.stdout).toContain('mapped values NaN: the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 5');
  });
});

describe('iqa analyze on a project', () => {
  let dir: string;
  beforeAll(() => {
    makeStudyFolder(join(tmp.dir, 'media'));
    dir = join(tmp.dir, 'proj');
    expect(iqa(['project', 'create', dir]).code).toBe(0);
    expect(iqa(['import', dir, join(tmp.dir, 'media')]).code).toBe(0);
    expect(iqa(['run', dir, '--metrics', 'psnr,ssim-y']).code).toBe(0);
    const names = ['src01_blur', 'src01_noise', 'src02_blur', 'src02_noise', 'src03_blur', 'src03_x264'];
    const lines = ['participant,stimulus,score'];
    const quality = [1.6, 3.1, 2.2, 3.4, 2.6, 4.1];
    for (let p = 0; p < 6; p++) names.forEach((n, k) => lines.push(`p${p},${n},${Math.min(5, Math.max(1, Math.round(quality[k]! + (((p * 7 + k * 3) % 5) - 2) * 0.4)))}`));
    writeFileSync(join(tmp.dir, 'acr.csv'), lines.join('\n') + '\n');
    expect(iqa(['ratings', 'import', dir, join(tmp.dir, 'acr.csv'), '--study', 'lab']).code).toBe(0);
  });

  it('--by condition with the default logistic5 keeps the raw statistics of a 3-stimulus group', () => {
    const out = JSON.parse(iqa(['analyze', dir, '--by', 'condition', '--resamples', '50', '--format', 'json']).stdout);
    const blur = out.correlations.filter((c: { group: string | null }) => c.group === 'blur');
    expect(blur).toHaveLength(2);
    for (const c of blur) {
      expect(c.n).toBe(3);
      expect(typeof c.srocc).toBe('number');
      expect(typeof c.rmse).toBe('number');
      expect(c.plccMapped).toBeNull();
      expect(c.mappingReason).toMatch(/needs at least 6 stimuli, got 3/);
    }
    expect(out.groupMos.map((g: { group: string }) => g.group)).toEqual(['blur', 'noise', 'x264']);
    expect(out.provenance.significance.correlations).toMatch(/^Williams' t/);
    // The tidy CSV carries the MOS per group too, as rows without a metric.
    const csv = iqa(['analyze', dir, '--by', 'condition', '--resamples', '50', '--format', 'csv']).stdout.split('\n');
    const blurMos = csv.find((l) => l.startsWith(',,,blur,group_mos,'))!;
    const g = out.groupMos.find((x: { group: string }) => x.group === 'blur');
    expect(Number(blurMos.split(',')[5])).toBeCloseTo(g.mos, 12);
    expect(Number(blurMos.split(',')[6])).toBeCloseTo(g.ci95[0], 12);
    expect(csv.filter((l) => /^,,,\w+,group_mos_std,/.test(l))).toHaveLength(3);
  });

  it('gives the same MOS as iqa mos on the same ratings: one default (BT.500 screening), printed in every output', () => {
    const analyzed = JSON.parse(iqa(['analyze', dir, '--resamples', '0', '--format', 'json']).stdout);
    expect(analyzed.provenance).toMatchObject({ mos: 'screened', screening: 'bt500', mosChoice: 'default' });
    const alone = JSON.parse(iqa(['mos', join(tmp.dir, 'acr.csv'), '--json']).stdout);
    expect(alone).toMatchObject({ model: 'bt500', modelSource: 'default', screening: 'bt500' });
    expect(alone.rejected).toEqual(analyzed.screening.rejected);
    for (const m of analyzed.mos) {
      const s = alone.stimuli.find((x: { stimulus: string }) => x.stimulus === m.stimulus);
      expect(s.mos, m.stimulus).toBeCloseTo(m.mos, 12);
    }
    expect(iqa(['analyze', dir, '--resamples', '0']).stdout).toContain('MOS choice: screened (ITU-R BT.500 screening, the default).');
  });

  it('--by content, codec and resolution are built in; an unknown name is a one-line error listing the valid ones', () => {
    for (const [by, groups] of [['content', ['src01', 'src02', 'src03']], ['codec', ['h264', 'png']], ['resolution', ['96x64']]] as const) {
      const out = JSON.parse(iqa(['analyze', dir, '--by', by, '--resamples', '0', '--format', 'json']).stdout);
      expect(out.groupMos.map((g: { group: string }) => g.group), by).toEqual(groups);
    }
    const bad = iqa(['analyze', dir, '--by', 'bitrate']);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('iqa: unknown breakdown "bitrate": choose one of content, codec, resolution, condition\n');
  });

  it('--by none, as the app offers it, is the analysis without a breakdown', () => {
    const none = iqa(['analyze', dir, '--by', 'none', '--resamples', '0', '--format', 'json']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(iqa(['analyze', dir, '--resamples', '0', '--format', 'json']).stdout);
    expect(JSON.parse(none.stdout).groupMos ?? []).toEqual([]);
  });

  it('stores the MOS choice with --remember and uses it when --mos is not given (a new process on the same file)', () => {
    // Its own copy of the project and media (stored paths are relative): what it stores stays there.
    const own = join(tmp.dir, 'remember');
    cpSync(join(tmp.dir, 'proj'), join(own, 'proj'), { recursive: true, preserveTimestamps: true });
    cpSync(join(tmp.dir, 'media'), join(own, 'media'), { recursive: true, preserveTimestamps: true });
    const dir = join(own, 'proj');
    const prov = (args: string[]) => {
      const r = iqa(['analyze', dir, '--resamples', '0', '--format', 'json', ...args]);
      expect(r.stderr, args.join(' ')).toBe('');
      return JSON.parse(r.stdout).provenance;
    };
    expect(prov([])).toMatchObject({ mos: 'screened', screening: 'bt500', mosChoice: 'default' });
    expect(prov(['--mos', 'raw', '--zscore'])).toMatchObject({ mos: 'raw', mosChoice: 'given', scores: { zscore: true } });
    expect(prov([])).toMatchObject({ mos: 'screened', mosChoice: 'default' }); // not stored without --remember
    expect(prov(['--mos', 'screened', '--screen', 'corr', '--min-corr', '0.5', '--zscore', '--remember'])).toMatchObject({ screening: 'corr', mosChoice: 'given' });
    expect(prov([])).toMatchObject({ mos: 'screened', screening: 'corr', minCorrelation: 0.5, mosChoice: 'stored', scores: { kind: 'absolute', zscore: true } });
    expect(prov(['--no-zscore'])).toMatchObject({ screening: 'corr', scores: { zscore: false } });
    expect(prov(['--mos', 'raw', '--remember'])).toMatchObject({ mos: 'raw' });
    expect(prov([])).toMatchObject({ mos: 'raw', screening: 'none', mosChoice: 'stored', scores: { zscore: true } });
    // A run that fails stores nothing.
    expect(iqa(['analyze', dir, '--mos', 'mle', '--by', 'bitrate', '--remember']).code).not.toBe(0);
    expect(prov([])).toMatchObject({ mos: 'raw', mosChoice: 'stored' });
  });
});

describe('iqa ratings export-sureal / analyze --format latex / pairwise through the CLI', () => {
  let dir: string;
  beforeAll(() => {
    makeStudyFolder(join(tmp.dir, 'media-x'));
    dir = join(tmp.dir, 'proj-x');
    expect(iqa(['project', 'create', dir]).code).toBe(0);
    expect(iqa(['import', dir, join(tmp.dir, 'media-x')]).code).toBe(0);
    expect(iqa(['run', dir, '--metrics', 'psnr']).code).toBe(0);
    const lines = ['participant,stimulus,score'];
    ['src01_blur', 'src01_noise', 'src02_blur', 'src02_noise', 'src03_blur', 'src03_x264'].forEach((n, k) => {
      for (let p = 0; p < 4; p++) lines.push(`p${p},${n},${1 + ((k + p) % 5)}`);
    });
    writeFileSync(join(tmp.dir, 'acr-x.csv'), lines.join('\n') + '\n');
    expect(iqa(['ratings', 'import', dir, join(tmp.dir, 'acr-x.csv'), '--study', 'lab']).code).toBe(0);
  });

  it('exports the ratings as a SUREAL dataset with every rating, the same bytes twice', () => {
    const a = iqa(['ratings', 'export-sureal', dir]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^dataset_name = /m);
    expect(a.stdout).toMatch(/^dis_videos = \[/m);
    expect((a.stdout.match(/"os": \{ "p0": \d, "p1": \d, "p2": \d, "p3": \d \}/g) ?? []).length).toBe(6); // every rating, per distorted stimulus
    expect(iqa(['ratings', 'export-sureal', dir]).stdout).toBe(a.stdout);
  });

  it('writes a booktabs LaTeX table, byte-identical on a second run', () => {
    const a = iqa(['analyze', dir, '--mos', 'raw', '--format', 'latex', '--resamples', '50']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('\\toprule');
    expect(a.stdout).toContain('\\bottomrule');
    expect(a.stdout).toContain('PSNR');
    expect(iqa(['analyze', dir, '--mos', 'raw', '--format', 'latex', '--resamples', '50']).stdout).toBe(a.stdout);
  });

  it('scales pairwise comparisons (Thurstone Case V) with the preferred condition on top', () => {
    const rows = ['a,b,choice'];
    for (let i = 0; i < 12; i++) rows.push('good,bad,a', i % 3 ? 'good,mid,a' : 'good,mid,b', i % 4 ? 'mid,bad,a' : 'mid,bad,tie');
    writeFileSync(join(tmp.dir, 'pc.csv'), rows.join('\n') + '\n');
    const r = iqa(['pairwise', join(tmp.dir, 'pc.csv'), '--resamples', '100', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { comparisons: number; conditions: { condition: string; score: number }[] };
    expect(out.comparisons).toBe(36);
    const score = (c: string) => out.conditions.find((x) => x.condition === c)!.score;
    expect(score('good')).toBeGreaterThan(score('mid'));
    expect(score('mid')).toBeGreaterThan(score('bad'));
    const bad = iqa(['pairwise', join(tmp.dir, 'missing.csv')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('iqa mos', () => {
  const g = readGoldenJson<{
    ratings: number[][];
    kept_observers: number[];
    before_screening: { mean: number[]; std_ddof1: number[]; ci95_halfwidth_t: number[] };
    after_screening: { mean: number[]; std_ddof1: number[]; ci95_halfwidth_t: number[] };
    screening: { rejected_observers: number[] };
  }>('stats/bt500.json');
  let csv: string;
  beforeAll(() => {
    csv = join(tmp.dir, 'ratings.csv');
    const lines = ['participant,stimulus,score'];
    g.ratings.forEach((row, o) => row.forEach((v, s) => lines.push(`obs${o},pvs${String(s).padStart(2, '0')},${v}`)));
    writeFileSync(csv, lines.join('\n') + '\n');
  });

  const check = (stimuli: { mos: number; std: number; n: number; ci95: [number, number] }[], want: { mean: number[]; std_ddof1: number[]; ci95_halfwidth_t: number[] }, n: number) => {
    expect(stimuli).toHaveLength(30);
    stimuli.forEach((s, i) => {
      expect(Math.abs(s.mos - want.mean[i]!)).toBeLessThanOrEqual(MOS_TOL);
      expect(Math.abs(s.std - want.std_ddof1[i]!)).toBeLessThanOrEqual(MOS_TOL);
      expect(s.n).toBe(n);
      expect(Math.abs(s.ci95[1] - s.mos - want.ci95_halfwidth_t[i]!)).toBeLessThanOrEqual(MOS_TOL * 100);
      expect(Math.abs(s.mos - s.ci95[0] - want.ci95_halfwidth_t[i]!)).toBeLessThanOrEqual(MOS_TOL * 100);
    });
  };

  it('without screening gives the MOS, std and t intervals of every observer', () => {
    const out = JSON.parse(iqa(['mos', csv, '--model', 'raw', '--json']).stdout);
    expect(out.rejected).toEqual([]);
    expect(out).toMatchObject({ model: 'raw', modelSource: 'given', screening: 'none' });
    check(out.stimuli, g.before_screening, 24);
    // --screen none alone (before --model) is the raw MOS too.
    expect(JSON.parse(iqa(['mos', csv, '--screen', 'none', '--json']).stdout).stimuli).toEqual(out.stimuli);
  });

  it('defaults to BT.500 screening, the default of iqa analyze, and says so in the JSON and the table', () => {
    const def = JSON.parse(iqa(['mos', csv, '--json']).stdout);
    expect(def).toMatchObject({ model: 'bt500', modelSource: 'default', screening: 'bt500' });
    expect(def.rejected).toEqual(g.screening.rejected_observers.map((o) => `obs${o}`));
    expect(def.stimuli).toEqual(JSON.parse(iqa(['mos', csv, '--model', 'bt500', '--json']).stdout).stimuli);
    const table = iqa(['mos', csv]).stdout.split('\n');
    expect(table[0]).toMatch(/^MOS model: bt500 \(the default, as iqa analyze\): MOS after ITU-R BT\.500 screening/);
    expect(iqa(['mos', csv, '--model', 'raw']).stdout.split('\n')[0]).toMatch(/^MOS model: raw: MOS of every participant \(no screening\)/);
  });

  it('--model mle fits the P.913 subject model on the CSV alone: bias and inconsistency per observer with intervals', () => {
    const out = JSON.parse(iqa(['mos', csv, '--model', 'mle', '--json']).stdout);
    expect(out).toMatchObject({ model: 'mle', screening: 'none', rejected: [], subjectModel: { converged: true } });
    expect(out.stimuli).toHaveLength(30);
    expect(out.subjects).toHaveLength(24);
    for (const s of out.subjects) {
      expect(Object.keys(s)).toEqual(['participant', 'bias', 'biasCi95', 'inconsistency', 'inconsistencyCi95']);
      expect(s.biasCi95[0]).toBeLessThan(s.bias);
      expect(s.biasCi95[1]).toBeGreaterThan(s.bias);
      expect(s.inconsistencyCi95[0]).toBeLessThan(s.inconsistency);
      expect(s.inconsistencyCi95[1]).toBeGreaterThan(s.inconsistency);
    }
    const table = iqa(['mos', csv, '--model', 'mle']).stdout;
    expect(table).toMatch(/participant\s+bias\s+95% CI\s+inconsistency\s+95% CI/);
    const bad = iqa(['mos', csv, '--model', 'mle', '--screen', 'bt500']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--model dmos reads the reference column; --model zscore rescales to --scale', () => {
    const f = join(tmp.dir, 'acrhr.csv');
    writeFileSync(f, 'participant,stimulus,reference,score\na,R1,,5\na,P1,R1,3\nb,R1,,4\nb,P1,R1,3\nc,R1,,5\nc,P1,R1,4\n');
    const d = JSON.parse(iqa(['mos', f, '--model', 'dmos', '--screen', 'none', '--json']).stdout);
    expect(d.stimuli).toEqual([expect.objectContaining({ stimulus: 'P1', n: 3, mos: (3 + 4 + 4) / 3 })]);
    expect(d.description).toMatch(/V\(PVS\) - V\(REF\) \+ 5/);
    const z = JSON.parse(iqa(['mos', f, '--model', 'zscore', '--scale', '0..100', '--screen', 'none', '--json']).stdout);
    expect(z.model).toBe('zscore');
    // Each participant's two scores become z = ±0.7071 (ddof 1): the reference 50 + 100·0.7071/6 above the middle.
    expect(z.stimuli[0].mos).toBeCloseTo(50 + (100 * Math.SQRT1_2) / 6, 10);
  });

  it('with BT.500 screening rejects the planted observers and recomputes', () => {
    const out = JSON.parse(iqa(['mos', csv, '--screen', 'bt500', '--json']).stdout);
    expect(out.rejected).toEqual(g.screening.rejected_observers.map((o) => `obs${o}`));
    expect(out.stimuli[0].stimulus).toBe('pvs00');
    check(out.stimuli, g.after_screening, g.kept_observers.length);
  });

  it('offers the variants people compare against (--ci, --screen bt500-sureal, --psi-ci, --repeats), printed and recorded in the JSON', () => {
    // SUREAL's test_dataset_os_as_dict_with_repetitions (Apache-2.0): baz1 is rated 3, 2 by Tom, 4 by Jerry, 1 by Pinokio.
    const f = join(tmp.dir, 'repeats.csv');
    writeFileSync(f, 'participant,stimulus,score\nTom,baz1,3\nTom,baz1,2\nJerry,baz1,4\nPinokio,baz1,1\nTom,baz2,2\nTom,baz2,2\nJerry,baz2,1\nPinokio,baz2,3\nPinokio,baz2,3\nPinokio,baz2,1\nTom,baz3,4\nJerry,baz3,1\nPinokio,baz3,3\n');
    // The defaults, named: t interval, repeats averaged (baz1: Tom 2.5, Jerry 4, Pinokio 1 → n 3).
    const def = JSON.parse(iqa(['mos', f, '--json']).stdout);
    expect(def.variants).toEqual({ repeats: 'average', interval: 't' });
    expect(def.stimuli[0]).toMatchObject({ stimulus: 'baz1', mos: 2.5, n: 3 });
    // Kept as observations with the normal interval, as SUREAL's MosModel: baz1 = 3, 2, 4, 1 → mean 2.5, S = √(5/3),
    // half-width 1.959964·√(5/3)/2 = 1.26515131188166 (SUREAL, with 1.95996: 1.2651487398721146).
    const obs = JSON.parse(iqa(['mos', f, '--repeats', 'observations', '--ci', 'normal', '--json']).stdout);
    expect(obs.variants).toEqual({ repeats: 'observations', interval: 'normal' });
    expect(obs.counts).toMatchObject({ repetitionsAveraged: 0, repetitionsKept: 4 });
    expect(obs.stimuli[0]).toMatchObject({ stimulus: 'baz1', mos: 2.5, n: 4 });
    expect(obs.stimuli[0].ci95[1] - 2.5).toBeCloseTo(1.26515131188166, 12);
    const text = iqa(['mos', f, '--repeats', 'observations', '--ci', 'normal']).stdout.split('\n');
    expect(text[0]).toMatch(/95 % normal interval \(1\.96 \* SE\); repeated ratings kept as separate observations$/);
    expect(text[1]).toMatch(/4 repetitions kept as observations/);
    expect(text[2]).toBe('variants: MOS interval normal (1.96 * SE), repeats observations');
    expect(iqa(['mos', f]).stdout.split('\n')[2]).toBe('variants: MOS interval t (the default), repeats average (the default)');
    // SUREAL's screening is recorded as the screening; on the golden ratings it rejects the planted observers too.
    const sureal = JSON.parse(iqa(['mos', csv, '--screen', 'bt500-sureal', '--json']).stdout);
    expect(sureal).toMatchObject({ model: 'bt500', screening: 'bt500-sureal', rejected: g.screening.rejected_observers.map((o) => `obs${o}`) });
    expect(sureal.description).toMatch(/as SUREAL computes it \(population std, all presentations in the denominator\)/);
    expect(sureal.reasons.obs5).toMatch(/population std/);
    // The subject model's psi interval: information (default) or residual.
    const mle = JSON.parse(iqa(['mos', csv, '--model', 'mle', '--json']).stdout);
    const residual = JSON.parse(iqa(['mos', csv, '--model', 'mle', '--psi-ci', 'residual', '--json']).stdout);
    expect(mle.variants).toEqual({ repeats: 'average', psiInterval: 'information' });
    expect(residual.variants).toEqual({ repeats: 'average', psiInterval: 'residual' });
    expect(residual.stimuli.map((s: { mos: number }) => s.mos)).toEqual(mle.stimuli.map((s: { mos: number }) => s.mos));
    expect(residual.stimuli.map((s: { std: number }) => s.std)).not.toEqual(mle.stimuli.map((s: { std: number }) => s.std));
    expect(iqa(['mos', csv, '--model', 'mle', '--psi-ci', 'residual']).stdout.split('\n')[2]).toBe('variants: psi interval residual (P.913 reference code), repeats average (the default)');
    // An option that does not apply to the model is an error, not ignored.
    for (const bad of [['--model', 'mle', '--ci', 'normal'], ['--psi-ci', 'residual'], ['--model', 'raw', '--screen', 'bt500-sureal']]) {
      const r = iqa(['mos', csv, ...bad]);
      expect(r.code, bad.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('with --scale clips the intervals to the range the scores can take, never excluding the MOS; without it clips nothing and says so', () => {
    // Three participants: s1 rated 5, 5, 4 (MOS 4.667, s 0.577, t(2) half-width 1.434: [3.233, 6.101], past 5);
    // s2 rated 3, 3, 4 (MOS 3.333, the same half-width: [1.899, 4.768], inside the scale).
    const near = join(tmp.dir, 'near-top.csv');
    writeFileSync(near, 'participant,stimulus,score\na,s1,5\nb,s1,5\nc,s1,4\na,s2,3\nb,s2,3\nc,s2,4\n');
    const open = JSON.parse(iqa(['mos', near, '--model', 'raw', '--json']).stdout);
    expect(open.stimuli[0].ci95[1]).toBeGreaterThan(5);
    expect(open.mosInterval).toMatchObject({ bounds: null, clipped: 0 });
    const clipped = JSON.parse(iqa(['mos', near, '--model', 'raw', '--scale', '1..5', '--json']).stdout);
    expect(clipped.mosInterval).toMatchObject({ bounds: [1, 5], clipped: 1 });
    expect(clipped.stimuli[0].ci95).toEqual([open.stimuli[0].ci95[0], 5]);
    expect(clipped.stimuli[1].ci95).toEqual(open.stimuli[1].ci95);
    expect(clipped.stimuli.map((s: { mos: number }) => s.mos)).toEqual(open.stimuli.map((s: { mos: number }) => s.mos));
    const table = iqa(['mos', near, '--model', 'raw', '--scale', '1..5']).stdout;
    expect(table).toContain('95 % intervals clipped to the range the scores can take [1, 5] (1 of 2 clipped), never excluding their MOS');
    expect(iqa(['mos', near, '--model', 'raw']).stdout).toContain('95 % intervals not clipped (give --scale');
  });

  it('excludes and counts missing scores', () => {
    const holes = join(tmp.dir, 'holes.csv');
    writeFileSync(holes, 'participant,stimulus,score\na,s1,4\nb,s1,\nc,s1,5\na,s2,3\nb,s2,NA\nc,s2,2\nb,s1,5\n');
    const out = JSON.parse(iqa(['mos', holes, '--json']).stdout);
    expect(out.counts).toEqual({ ratings: 7, excluded: 2, repetitionsAveraged: 0, participants: 3 });
    expect(out.stimuli[0]).toMatchObject({ stimulus: 's1', n: 3 });
    expect(out.stimuli[1]).toMatchObject({ stimulus: 's2', n: 2, mos: 2.5 });
  });
});
