import { describe, expect, it } from 'vitest';
import type { MetricResultRow, Stimulus } from '../../src-main/common/domain';
import { METRICS } from '../../src-main/common/metric-registry';
import { pivotResults } from '../../src-renderer/src/lib/results-table';
import { stimulusDetail } from '../../src-renderer/src/lib/stimulus-detail';

const stim = (id: number, name: string, referenceId: number | null, extra: Partial<Stimulus> = {}): Stimulus => ({
  id, name, path: `media/${name}.mp4`, role: referenceId === null ? 'reference' : 'distorted', referenceId, referenceName: referenceId === null ? null : 'src',
  content: 'src', sha256: 'ab'.repeat(32), sizeBytes: 2048, attributes: { codec: 'x264' }, rawGeometry: null, importedAt: '',
  kind: 'video', container: 'mp4', codec: 'h264', width: 96, height: 64, frameCount: 12, fps: 10, durationS: 1.2, pixFmt: 'yuv420p', bitDepth: 8,
  colorSpace: null, colorRange: 'tv', colorPrimaries: null, colorTransfer: null, ...extra,
});
const value = (metricId: string, v: number, extra: Partial<MetricResultRow> = {}): MetricResultRow => ({
  stimulusId: 2, stimulus: 'src_small', reference: 'src', metricId, metricVersion: '1', params: {}, pooling: 'mean', value: v, frames: 10, runId: 1,
  engineVersion: '0.1.0', modelSha256: null, provider: null, computedAt: '2025-01-01T00:00:00Z', attributes: {},
  decoder: 'ffmpeg -i /m/src.mp4 -vf trim=start_frame=1,setpts=PTS-STARTPTS -f rawvideo - | ffmpeg -i /m/src_small.mp4 -vf scale=96:64:flags=bicubic -f rawvideo -',
  ...extra,
});

describe('the stimulus detail', () => {
  const stimuli = [stim(1, 'src', null), stim(2, 'src_small', 1, { width: 64, height: 48, frameCount: 10 }), stim(3, 'src_blur', 1)];
  const rows = [
    value('psnr', 31.23456),
    value('lpips', 0.1234567, { modelSha256: 'cd'.repeat(32), provider: 'cpu', params: { net: 'alex' } }),
    value('niqe', 4.5, { decoder: 'ffmpeg -i /m/src_small.mp4 -f rawvideo -' }),
  ];

  it('lists the media properties and the reference of a distorted stimulus', () => {
    const d = stimulusDetail(2, stimuli, rows)!;
    expect(d.reference?.name).toBe('src');
    expect(d.distorted).toEqual([]);
    expect(Object.fromEntries(d.media)).toMatchObject({ Size: '64×48', Frames: '10', 'Frame rate': '10 fps', Codec: 'h264', codec: 'x264', 'File size': '2.0 KiB (2,048 bytes)' });
  });

  it('lists the distorted versions of a reference', () => {
    expect(stimulusDetail(1, stimuli, rows)!.distorted.map((s) => s.name)).toEqual(['src_small', 'src_blur']);
  });

  it('gives every stored value with its provenance: version, parameters, pooling, model and provider, alignment, decoder', () => {
    const d = stimulusDetail(2, stimuli, rows, pivotResults(rows, METRICS, stimuli).columns)!;
    const byHeading = Object.fromEntries(d.values.map((v) => [v.heading, v]));
    const psnr = Object.fromEntries(byHeading['PSNR ↑ dB']!.provenance);
    expect(byHeading['PSNR ↑ dB']!.text).toBe('31.23');
    expect(psnr.Metric).toBe('psnr v1 (against src)');
    expect(psnr.Pooling).toBe('mean over 10 frames');
    // 12 reference frames, 1 skipped: 11 against 10, so the longer was truncated.
    expect(psnr.Alignment).toBe('distorted scaled (bicubic) to 96x64 · 1 reference frame skipped · truncated to the shorter');
    expect(psnr.Decoder).toContain('scale=96:64:flags=bicubic');
    const lpips = Object.fromEntries(d.values.find((v) => v.heading.startsWith('LPIPS'))!.provenance);
    expect(lpips.Model).toBe(`SHA-256 ${'cd'.repeat(32)}`);
    expect(lpips['Ran on']).toBe('the CPU');
    expect(lpips.Parameters).toBe('net=alex');
    const niqe = Object.fromEntries(d.values.find((v) => v.heading.startsWith('NIQE'))!.provenance);
    expect(niqe.Alignment).toBe('not applicable (no reference)');
    expect(niqe.Metric).toBe('niqe v1 (no reference)');
  });

  it('is null for a stimulus no longer in the project', () => {
    expect(stimulusDetail(99, stimuli, rows)).toBeNull();
  });
});
