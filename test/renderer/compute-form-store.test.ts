import { describe, expect, it } from 'vitest';
import { METRICS } from '../../src-main/common/metric-registry';
import { restoreForm, serializeForm } from '../../src-renderer/src/lib/compute-form-store';
import { initialForm } from '../../src-renderer/src/lib/metric-form';

describe('the compute dialog remembered per project', () => {
  it('reads back the metrics, parameters, pooling and alignment it stored', () => {
    const form = initialForm(METRICS);
    form.metrics.psnr!.checked = true;
    form.metrics['ssim-y']!.checked = true;
    form.metrics['ssim-y']!.params.variant = 'ffmpeg';
    form.pooling = 'p5';
    form.scale = 'lanczos';
    form.skipRef = 2;
    form.force = true;
    form.scope = 'filtered';
    const back = restoreForm(METRICS, serializeForm(form));
    expect(back.metrics.psnr!.checked).toBe(true);
    expect(back.metrics['ssim-y']!.params.variant).toBe('ffmpeg');
    expect(back.metrics.lpips!.checked).toBe(false);
    expect([back.pooling, back.scale, back.skipRef]).toEqual(['p5', 'lanczos', 2]);
    // Not remembered: recomputing everything, and a scope that depends on filters not kept either.
    expect([back.force, back.scope]).toEqual([false, 'all']);
  });

  it('starts from the defaults for a project with nothing stored or with a damaged entry', () => {
    const fresh = initialForm(METRICS);
    expect(restoreForm(METRICS, null)).toEqual(fresh);
    expect(restoreForm(METRICS, '{not json')).toEqual(fresh);
    const odd = restoreForm(METRICS, JSON.stringify({ metrics: { psnr: { checked: 'yes', params: {} }, 'ssim-y': { checked: true, params: { variant: 'nope' } } }, pooling: 'max', scale: 'x', skipRef: -1 }));
    expect(odd.metrics.psnr!.checked).toBe(false);
    expect(odd.metrics['ssim-y']!.params.variant).toBe('wang');
    expect([odd.pooling, odd.scale, odd.skipRef]).toEqual(['mean', 'none', 0]);
  });
});
