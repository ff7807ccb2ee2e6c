import { describe, expect, it } from 'vitest';
import { analysisToCsv, analysisToLatex, analysisToMarkdown } from '../../src-main/services/export/analysis-export';
import type { AnalysisReport } from '../../src-main/common/domain';
import { BOOTSTRAP_INTERVAL } from '../../src-main/kernels/analysis/compute-analysis';
import { corr } from '../helpers/analysis-fixtures';

/** The exports say when a mapping fell back or is degenerate, and which interval and MOS bound they use. */
function report(): AnalysisReport {
  const fell = corr('ssim-y', {
    mapping: { kind: 'logistic4', params: [5, 1, 0.9, 0.08], sse: 1, converged: true, solver: 'lm', requested: 'logistic5', direction: 1, fallback: { from: 'logistic5', because: 'logistic5 from 11 starts: not-monotone: falling near x = 0.472 although the mapping must rise' }, degenerate: null },
  });
  const extreme = corr('mse', { mapping: { kind: 'logistic5', params: [4e5, -0.02, -513, 0, 2e5], sse: 1, converged: true, solver: 'lm', requested: 'logistic5', direction: -1, fallback: null, degenerate: { issue: 'extreme-parameters', detail: 'b1 = 4.00e+5, b2 = -0.0228' } } });
  return {
    provenance: {
      engineVersion: 'test',
      study: 'st',
      method: 'ACR',
      scale: { min: 1, max: 5 },
      mos: 'raw',
      screening: 'none',
      differential: false,
      mapping: 'logistic5',
      by: null,
      bootstrap: { seed: 1, resamples: 100, resampling: 'source contents', interval: BOOTSTRAP_INTERVAL },
      mosInterval: 't interval (95 %), clipped to the range the scores can take [1, 5] (2 of 30 clipped)',
      conventions: '',
    },
    counts: { participants: 8, ratings: 240, excluded: 0, repetitionsAveraged: 0 },
    screening: { rejected: [], reasons: {} },
    subjects: null,
    mos: [],
    correlations: [corr('psnr'), fell, extreme],
  };
}

describe('analysis exports and the mapping fit', () => {
  it('Markdown marks the mapped values of a fallen-back or degenerate fit and explains each once', () => {
    const md = analysisToMarkdown(report());
    expect(md).toMatch(/†: the mapping fell back or is degenerate \(notes below\)\. MOS choice: raw \(no screening\)\. Bootstrap intervals: BCa \(bias-corrected and accelerated, Efron 1987\); MOS intervals: t interval \(95 %\), clipped to the range the scores can take \[1, 5\]/);
    const ssimRow = md.split('\n').find((l) => l.startsWith('| SSIM-Y'))!;
    expect(ssimRow).toContain('**0.9000** †'); // tied with PSNR: bold too
    expect(md.split('\n').find((l) => l.startsWith('| PSNR'))).not.toContain('†');
    expect(md).toContain('- SSIM-Y: † fitted logistic4 instead of logistic5 (logistic5 from 11 starts: not-monotone: falling near x = 0.472 although the mapping must rise)');
    expect(md).toContain('- MSE: † degenerate fit, extreme-parameters: b1 = 4.00e+5, b2 = -0.0228');
  });

  it('LaTeX uses a dagger and keeps the notes as comments', () => {
    const tex = analysisToLatex(report());
    expect(tex).toContain('\\textbf{0.9000}$^{\\dagger}$');
    expect(tex).toContain('% SSIM-Y: (dagger) fitted logistic4 instead of logistic5');
    expect(tex).toMatch(/^% bootstrap intervals: BCa/m);
  });

  it('bolds every tied best value, and never the raw RMSE (its units differ between metrics)', () => {
    const r = report();
    r.correlations[2] = { ...r.correlations[2]!, srocc: -0.7, rmseMapped: 0.5 };
    const md = analysisToMarkdown(r);
    const row = (name: string) => md.split('\n').find((l) => l.startsWith(`| ${name} |`))!.split(' | ');
    // Columns: Metric, SROCC, KROCC, PLCC, RMSE, PLCC (mapped), RMSE (mapped), RMSE*, OR, n.
    expect(row('PSNR')[1]).toMatch(/^\*\*0\.8000\*\*/);
    expect(row('SSIM-Y')[1]).toMatch(/^\*\*0\.8000\*\*/); // tied with PSNR: both bold
    expect(row('MSE')[1]).toMatch(/^-0\.7000/);
    expect(row('MSE')[6]).toBe('0.5000 †');
    expect(row('SSIM-Y')[6]).toBe('**0.4000** †');
    for (const name of ['PSNR', 'SSIM-Y', 'MSE']) expect(row(name)[4], name).toBe('10.0000'); // raw RMSE: never bold
    const tex = analysisToLatex(r);
    const texRow = (name: string) => tex.split('\n').find((l) => l.startsWith(`${name} &`))!.split(' & ');
    expect(texRow('PSNR')[4]).toBe('10.0000');
    expect(texRow('PSNR')[1]).toBe('\\textbf{0.8000}');
    expect(texRow('SSIM-Y')[1]).toBe('\\textbf{0.8000}');
  });

  it('LaTeX writes negative numbers with a true minus sign; Markdown writes the letters in brackets, not ^a^ superscripts', () => {
    const r = report();
    r.correlations[2] = { ...r.correlations[2]!, srocc: -0.7, krocc: '-Infinity', plcc: -0.85, letters: { srocc: 'ab', plcc: 'a', rmse: 'b' } };
    r.correlations[0] = { ...r.correlations[0]!, letters: { srocc: 'a', plcc: 'a', rmse: 'a' } };
    r.groupMos = [{ group: 'g', stimuli: 3, mos: -1.25, std: 0.5, n: 8, ci95: [-1.5, -1] }];
    r.provenance.by = 'condition';
    const tex = analysisToLatex(r);
    const mse = tex.split('\n').find((l) => l.startsWith('MSE &'))!.split(' & ');
    expect(mse[1]).toBe('$-$0.7000$^{\\mathrm{ab}}$');
    expect(mse[2]).toBe('$-\\infty$');
    expect(mse[3]).toBe('\\textbf{$-$0.8500}'); // |-0.85| ties with the others' 0.85
    expect(tex).toContain('g & $-$1.250 & [$-$1.500, $-$1.000] & 3 & 8 \\\\');
    // No hyphen-minus before a digit anywhere in the table body (comments may quote parameters).
    const body = tex.split('\n').filter((l) => !l.startsWith('%'));
    expect(body.filter((l) => /(^|[^$])-\d/.test(l))).toEqual([]);
    const md = analysisToMarkdown(r);
    expect(md).not.toMatch(/\^[a-z]+\^/);
    expect(md).toContain('letters in brackets, (a): metrics sharing a letter do not differ significantly');
    const mdMse = md.split('\n').find((l) => l.startsWith('| MSE |'))!.split(' | ');
    expect(mdMse[1]).toBe('-0.7000 (ab) [0.500, 0.950]');
    const psnr = md.split('\n').find((l) => l.startsWith('| PSNR |'))!.split(' | ');
    expect(psnr[1]).toBe('**0.8000** (a) [0.500, 0.950]');
  });

  it('CSV carries the kind fitted, the note and the interval method on the mapped statistics', () => {
    const rows = analysisToCsv(report()).trim().split('\n');
    expect(rows[0]!.endsWith(',mapping_fitted,mapping_note,ci_method')).toBe(true);
    const ssimMapped = rows.find((r) => r.startsWith('ssim-y,') && r.includes(',plccMapped,'))!;
    expect(ssimMapped).toContain(',logistic4,fitted logistic4 instead of logistic5 (logistic5 from 11 starts: not-monotone: falling near x = 0.472 although the mapping must rise),');
    const ssimSrocc = rows.find((r) => r.startsWith('ssim-y,') && r.includes(',srocc,'))!;
    expect(ssimSrocc.endsWith(',,,BCa')).toBe(true);
  });
});
