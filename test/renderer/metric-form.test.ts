import { describe, expect, it } from 'vitest';
import {
  buildRunInput,
  formProblems,
  modelOf,
  initialForm,
  pairedDistorted,
  POOLING_OPTIONS,
  SCALER_OPTIONS,
} from '../../src-renderer/src/lib/metric-form';
import { metricsRunSchema } from '../../src-main/common/contract';
import { METRICS, POOLINGS, SCALER_NAMES } from '../../src-main/common/metric-registry';
import { resolveMetricRequest } from '../../src-main/common/metric-params';

describe('compute dialog form: models', () => {
  it('names the model a metric will run and blocks a run whose model is missing or wrong', () => {
    const lpips = METRICS.find((d) => d.id === 'lpips')!;
    expect(modelOf(lpips, { model: 'lpips-vgg' })).toBe('lpips-vgg');
    expect(modelOf(METRICS.find((d) => d.id === 'psnr')!, {})).toBeNull();
    const f = initialForm(METRICS);
    f.metrics.psnr!.checked = true;
    f.metrics.lpips!.checked = true;
    f.metrics.lpips!.params.model = 'lpips-vgg';
    const states = new Map([['lpips-alex', 'installed'], ['lpips-vgg', 'missing']]);
    expect(formProblems(f, METRICS, 6, states)).toEqual([
      'LPIPS needs the model lpips-vgg, which is not installed: install it on the Models page, or choose another model.'.replace('LPIPS', lpips.name),
    ]);
    f.metrics.lpips!.params.model = 'lpips-alex';
    expect(formProblems(f, METRICS, 6, states)).toEqual([]);
    // Before the model list has loaded nothing is known, so nothing is blocked.
    f.metrics.lpips!.params.model = 'lpips-vgg';
    expect(formProblems(f, METRICS, 6)).toEqual([]);
    expect(formProblems(f, METRICS, 6, new Map([['lpips-vgg', 'wrong-hash']]))[0]).toContain('installed with the wrong file');
  });
});

describe('compute dialog form', () => {
  it('mirrors the engine\'s pooling and scaler names, in order', () => {
    expect([...POOLING_OPTIONS]).toEqual([...POOLINGS]);
    expect([...SCALER_OPTIONS]).toEqual([...SCALER_NAMES]);
  });

  it('starts with every metric unchecked and its parameters at their defaults', () => {
    const f = initialForm(METRICS);
    expect(Object.values(f.metrics).every((m) => !m.checked)).toBe(true);
    expect(f.metrics['ssim-y']!.params).toEqual({ luma: 'y_float', variant: 'wang', downsample: 'none' });
    expect(f.metrics.psnr!.params).toEqual({});
    expect(f).toMatchObject({ pooling: 'mean', scale: 'none', force: false, scope: 'all', skipRef: 0 });
  });

  it('keeps earlier choices that still apply when it is rebuilt', () => {
    const f = initialForm(METRICS);
    f.metrics.psnr!.checked = true;
    f.metrics['ssim-y']!.params.luma = 'bt709';
    f.metrics['ssim-y']!.params.variant = 'no-such-variant';
    f.pooling = 'p5';
    const g = initialForm(METRICS, f);
    expect(g.metrics.psnr!.checked).toBe(true);
    expect(g.metrics['ssim-y']!.params).toEqual({ luma: 'bt709', variant: 'wang', downsample: 'none' });
    expect(g.pooling).toBe('p5');
  });

  it('names what is missing before it can be submitted', () => {
    const f = initialForm(METRICS);
    expect(formProblems(f, METRICS, 6)).toEqual(['Choose at least one metric.']);
    f.metrics.psnr!.checked = true;
    expect(formProblems(f, METRICS, 6)).toEqual([]);
    expect(formProblems(f, METRICS, 0)[0]).toMatch(/no paired/);
    f.skipRef = -1;
    expect(formProblems(f, METRICS, 6)[0]).toMatch(/skip/);
  });

  it('builds a metrics.run input that the contract accepts and the registry resolves', () => {
    const f = initialForm(METRICS);
    f.metrics.psnr!.checked = true;
    f.metrics['ssim-y']!.checked = true;
    f.metrics['ssim-y']!.params.variant = 'ffmpeg';
    f.pooling = 'harmonic';
    f.scale = 'lanczos';
    f.skipDist = 2;
    const input = buildRunInput(f, METRICS, '/tmp/p', [4, 5]);
    expect(input).toEqual({
      projectDir: '/tmp/p',
      metrics: [{ id: 'psnr', params: {} }, { id: 'ssim-y', params: { luma: 'y_float', variant: 'ffmpeg', downsample: 'none' } }],
      stimulusIds: [4, 5],
      force: false,
      pooling: 'harmonic',
      policy: { scale: 'lanczos', skipDist: 2 },
    });
    expect(metricsRunSchema.parse(input)).toEqual(input);
    for (const m of input.metrics) expect(() => resolveMetricRequest(m)).not.toThrow();
    expect('stimulusIds' in buildRunInput(f, METRICS, '/tmp/p')).toBe(false);
  });

  it('computes distorted stimuli that have a reference', () => {
    const s = [
      { id: 1, role: 'reference' as const, referenceId: null },
      { id: 2, role: 'distorted' as const, referenceId: 1 },
      { id: 3, role: 'distorted' as const, referenceId: null },
    ];
    expect(pairedDistorted(s).map((x) => x.id)).toEqual([2]);
  });
});
