import { describe, expect, it } from 'vitest';
import { BUILTIN_BREAKDOWNS, breakdownNames, breakdownValue } from '../../src-main/common/analysis-breakdown';

const s = (o: Partial<{ content: string | null; referenceName: string | null; codec: string | null; width: number; height: number; attributes: Record<string, string> }>) => ({
  content: null,
  referenceName: null,
  codec: null,
  width: 96,
  height: 64,
  attributes: {},
  ...o,
});

describe('analysis breakdowns', () => {
  it('offers the built-in properties, then the stored attributes', () => {
    expect(BUILTIN_BREAKDOWNS).toEqual(['content', 'codec', 'resolution']);
    expect(breakdownNames([s({ attributes: { condition: 'blur', crf: '30' } }), s({ attributes: { codec: 'x265' } })])).toEqual(['content', 'codec', 'resolution', 'condition', 'crf']);
    expect(breakdownNames([])).toEqual(['content', 'codec', 'resolution']);
  });

  it('reads content, codec and resolution from the stimulus; an attribute of the same name wins', () => {
    const a = s({ content: 'src01', codec: 'h264', width: 1920, height: 1080, attributes: { condition: 'crf30' } });
    expect(breakdownValue(a, 'content')).toBe('src01');
    expect(breakdownValue(a, 'codec')).toBe('h264');
    expect(breakdownValue(a, 'resolution')).toBe('1920x1080');
    expect(breakdownValue(a, 'condition')).toBe('crf30');
    expect(breakdownValue(a, 'nothing')).toBeNull();
    expect(breakdownValue(s({ referenceName: 'src02' }), 'content')).toBe('src02');
    expect(breakdownValue(s({ codec: 'png', attributes: { codec: 'jpeg-q50' } }), 'codec')).toBe('jpeg-q50');
  });
});
