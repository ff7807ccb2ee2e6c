import { describe, expect, it } from 'vitest';
import {
  countSet,
  defaultSetsForm,
  describeSet,
  filterFields,
  formatSetValue,
  formProblems,
  fvdInput,
  fvdNotes,
  imageSetInput,
  leftOutNote,
  messageLines,
  resultLine,
  setSpecOf,
  type SetsForm,
} from '../../src-renderer/src/lib/set-form';
import type { ImageSetMetricsResult, Stimulus } from '../../src-main/common/domain';
import { imageSetMetricsSchema, fvdSchema } from '../../src-main/common/contract';
import { formatSetSpecText, parseSetSpecText } from '../../src-main/common/set-spec';

const s = (id: number, name: string, extra: Partial<Stimulus> = {}): Stimulus =>
  ({ id, name, path: `${name}.png`, role: 'distorted', referenceId: 1, referenceName: 'src01', content: 'src01', sha256: '', sizeBytes: 1,
    kind: 'image', container: null, codec: 'png', width: 10, height: 10, frameCount: 1, fps: null, durationS: null, pixFmt: null,
    bitDepth: 8, colorSpace: null, colorRange: null, colorPrimaries: null, colorTransfer: null, attributes: {}, rawGeometry: null, importedAt: '', ...extra }) as Stimulus;

const stimuli: Stimulus[] = [
  s(1, 'src01', { role: 'reference', referenceId: null, referenceName: null }),
  s(2, 'src02', { role: 'reference', referenceId: null, referenceName: null, content: 'src02' }),
  s(3, 'src03', { role: 'reference', referenceId: null, referenceName: null, content: 'src03', kind: 'video', path: 'src03.mp4', frameCount: 10 }),
  s(4, 'src01_blur', { attributes: { condition: 'blur', codec: 'x264' } }),
  s(5, 'src01_noise', { attributes: { condition: 'noise' } }),
  s(6, 'src03_blur', { content: 'src03', kind: 'video', path: 'src03_blur.mp4', frameCount: 10, attributes: { condition: 'blur' } }),
  s(7, 'src03_raw', { content: 'src03', kind: 'video', path: 'src03_raw.yuv', frameCount: 40, rawGeometry: { width: 10, height: 10, pixFmt: 'yuv420p', fps: 25 }, attributes: { condition: 'raw' } }),
];

const form = (over: Partial<SetsForm> = {}): SetsForm => ({ ...defaultSetsForm(), ...over });
const group = (filter: Record<string, string>) => ({ type: 'project', dir: '/p', filter });

describe('set form: project groups', () => {
  it('offers role, kind, source content and the attributes, without ones a built-in key shadows', () => {
    const f = filterFields(stimuli);
    expect(f.map((x) => x.key)).toEqual(['role', 'kind', 'content', 'condition']);
    expect(f[0]!.values).toEqual(['reference', 'distorted']);
    expect(f[1]!.values).toEqual(['image', 'video']);
    expect(f[3]!.values).toEqual(['blur', 'noise', 'raw']);
  });

  it('counts the images (or videos) of a group the way the engine resolves it', () => {
    expect(countSet(stimuli, { role: 'reference' }, 'images')).toEqual({ matching: 3, usable: 2, leftOut: 1 });
    expect(countSet(stimuli, { condition: 'blur' }, 'images')).toEqual({ matching: 2, usable: 1, leftOut: 1 });
    expect(countSet(stimuli, { condition: 'blur', role: '' }, 'videos')).toEqual({ matching: 2, usable: 1, leftOut: 1 });
    expect(countSet(stimuli, { content: 'src03' }, 'videos').usable).toBe(2); // the raw .yuv is skipped
    expect(describeSet('A', { source: 'project', folder: '', filter: { role: 'reference' } }, stimuli, 'images')).toBe('A: 2 images where role = reference');
    expect(describeSet('B', { source: 'project', folder: '', filter: { condition: 'blur', kind: 'image' } }, stimuli, 'images')).toBe('B: 1 image where condition = blur, kind = image');
    expect(describeSet('B', { source: 'project', folder: '', filter: {} }, stimuli, 'videos')).toBe('B: 2 videos of the whole project');
    expect(leftOutNote({ matching: 3, usable: 2, leftOut: 1 }, 'images')).toMatch(/^1 more matching stimulus is not used/);
  });

  it('makes the structured set the engine resolves, with only the chosen filter pairs', () => {
    const spec = setSpecOf({ source: 'project', folder: '', filter: { role: 'distorted', condition: 'blur', kind: '' } }, '/p/study');
    expect(spec).toEqual({ type: 'project', dir: '/p/study', filter: { role: 'distorted', condition: 'blur' } });
    expect(setSpecOf({ source: 'project', folder: '', filter: {} }, '/p/study')).toEqual({ type: 'project', dir: '/p/study', filter: {} });
    expect(setSpecOf({ source: 'folder', folder: ' /data/real ', filter: { role: 'x' } }, '/p')).toEqual({ type: 'folder', dir: '/data/real' });
    // the CLI's one-string form of the same set parses back into it
    expect(parseSetSpecText(formatSetSpecText(spec))).toEqual(spec);
  });

  it('carries filter values a set string could not (":", "," and "="), since the set is structured', () => {
    const choice = { source: 'project' as const, folder: '', filter: { content: 'a:b,c=d' } };
    expect(formProblems(form({ a: choice, metrics: { fid: false, kid: false, is: true } }), [...stimuli, s(8, 'odd', { content: 'a:b,c=d' })], '/p')).toEqual([]);
    const input = imageSetInput(form({ a: choice, metrics: { fid: false, kid: false, is: true } }), '/p');
    expect(imageSetMetricsSchema.parse(input).a).toEqual({ type: 'project', dir: '/p', filter: { content: 'a:b,c=d' } });
  });
});

describe('set form: problems and inputs', () => {
  it('runs as it starts: A = references, B = distorted, FID', () => {
    expect(formProblems(form(), stimuli, '/p')).toEqual([]);
    const input = imageSetInput(form(), '/p');
    expect(input).toEqual({ a: group({ role: 'reference' }), b: group({ role: 'distorted' }), metrics: ['fid'], model: 'fid-inception', resize: 'pytorch-fid' });
    expect(imageSetMetricsSchema.safeParse(input).success).toBe(true);
  });

  it('refuses an empty group, a relative folder, no metric, and bad numbers', () => {
    expect(formProblems(form({ b: { source: 'project', folder: '', filter: { condition: 'noise', kind: 'video' } } }), stimuli, '/p')).toEqual([
      'Set B has no images where condition = noise, kind = video.',
    ]);
    expect(formProblems(form({ a: { source: 'folder', folder: 'rel/dir', filter: {} } }), stimuli, '/p')[0]).toMatch(/absolute/);
    expect(formProblems(form({ metrics: { fid: false, kid: false, is: false } }), stimuli, '/p')[0]).toMatch(/at least one/);
    expect(formProblems(form({ bootstrap: true, resamples: 1 }), stimuli, '/p')[0]).toMatch(/resamples/);
    expect(formProblems(form({ mode: 'videos', clipLength: 9 }), stimuli, '/p')).toContain('Clip length must be a whole number from 10 to 512.');
    expect(formProblems(form({ b: { source: 'project', folder: '', filter: { condition: 'blur' } } }), stimuli, '/p')).toEqual([
      'Set B has 1 image where condition = blur; FID and KID need at least 2.',
    ]);
    expect(formProblems(form({ metrics: { fid: false, kid: false, is: true }, a: { source: 'project', folder: '', filter: { condition: 'blur' } } }), stimuli, '/p')).toEqual([]);
  });

  it('leaves set B out for IS alone, and adds the bootstrap to FID only', () => {
    const f = form({ metrics: { fid: false, kid: false, is: true }, b: { source: 'folder', folder: '', filter: {} }, bootstrap: true });
    expect(formProblems(f, stimuli, '/p')).toEqual([]);
    expect(imageSetInput(f, '/p')).toEqual({ a: group({ role: 'reference' }), metrics: ['is'], model: 'fid-inception', resize: 'pytorch-fid' });
    const g = imageSetInput(form({ metrics: { fid: true, kid: true, is: false }, bootstrap: true, resamples: 50, seed: 3 }), '/p');
    expect(g.bootstrap).toEqual({ resamples: 50, seed: 3, confidence: 0.95 });
    expect(imageSetMetricsSchema.safeParse(g).success).toBe(true);
  });

  it('builds an FVD input and notes videos too short for the clip', () => {
    const f = form({ mode: 'videos', a: { source: 'project', folder: '', filter: { role: 'reference' } }, b: { source: 'project', folder: '', filter: { condition: 'blur' } } });
    const input = fvdInput(f, '/p');
    expect(input).toEqual({ a: group({ role: 'reference' }), b: group({ condition: 'blur' }), model: 'i3d-kinetics400', clipLength: 16, start: 0, stride: 1 });
    expect(fvdSchema.safeParse(input).success).toBe(true);
    expect(fvdNotes(f, stimuli)).toEqual([
      'Set A: 1 video has fewer than the 16 frames a clip needs (src03: 10).',
      'Set B: 1 video has fewer than the 16 frames a clip needs (src03_blur: 10).',
    ]);
    expect(fvdNotes({ ...f, clipLength: 10 }, stimuli)).toEqual([]);
  });
});

describe('set form: results', () => {
  it('formats values and one-line summaries', () => {
    expect(formatSetValue(48116.127)).toBe('48116.13');
    expect(formatSetValue(12.34567)).toBe('12.346');
    expect(formatSetValue(0.0123456)).toBe('0.01235');
    expect(formatSetValue(null)).toBe('NaN');
    expect(formatSetValue('Infinity')).toBe('∞');
    const r = { fid: 12.5, kid: { mean: 0.01, std: 0, subsets: 1, subset_size: null, seed: null, mode: 'full-sets' }, n_a: 3, n_b: 4 } as unknown as ImageSetMetricsResult;
    expect(resultLine(r)).toBe('FID 12.500 · KID 0.01000 ± 0 · 3 vs 4 images');
  });

  it('splits an engine message into a head and its instructions', () => {
    const m = messageLines('model fid-inception is not installed: x is not in /m; source: a.pth (url); to make x.onnx: python3 e.py, then iqa models install x --as fid-inception');
    expect(m.head).toBe('model fid-inception is not installed: x is not in /m');
    expect(m.rest).toHaveLength(2);
    expect(m.rest[1]).toContain('iqa models install');
  });
});
