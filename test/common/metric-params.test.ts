/** Metric parameter resolution (common/metric-params.ts): defaults filled in, bad parameters as one line. */
import { describe, expect, it } from 'vitest';
import { resolveMetricRequest } from '../../src-main/common/metric-params';

describe('resolveMetricRequest', () => {
  it('fills in the registry defaults', () => {
    expect(resolveMetricRequest({ id: 'ssim-y' }).params).toEqual({ luma: 'y_float', variant: 'wang', downsample: 'none' });
  });

  it('refuses an unknown metric, an unknown parameter and a bad value, each in one line naming the metric', () => {
    expect(() => resolveMetricRequest({ id: 'nope' })).toThrow(/^unknown metric "nope" \(known: /);
    for (const params of [{ bogus: 1 }, { luma: 'y_float', variant: 'nope' }]) {
      let message = '';
      try {
        resolveMetricRequest({ id: 'ssim-y', params });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^ssim-y: /);
      expect(message).not.toContain('\n');
    }
    expect(() => resolveMetricRequest({ id: 'ssim-y', params: { variant: 'nope' } })).toThrow(/^ssim-y: variant: /);
    expect(() => resolveMetricRequest({ id: 'ssim-y', params: { variant: 'ffmpeg', downsample: 'matlab-auto' } })).toThrow('applies to the Wang variant only');
  });
});
