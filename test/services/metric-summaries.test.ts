/**
 * Schema 9 (metric_summaries): a metric's summary (IQA-CNN++'s distortion distribution) is stored with
 * the stimulus's values, replaced when they are, listed with them, and deleted when the file changes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricSummary } from '../../src-main/common/metric-summary';
import { dropValuesOfChangedStimulus, ensureRun, listResults, saveResults, type PairValues } from '../../src-main/services/store/metrics-repo';
import { openProjectDb } from '../../src-main/services/store/project-db';
import { saveStimulus, type StimulusRecord } from '../../src-main/services/store/stimuli-repo';
import { tempDir } from '../helpers/media';

const dirs: { cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

const record = (path: string): StimulusRecord => ({
  path, name: path.replace(/\..*$/, ''), role: 'reference', content: path, sha256: path.padEnd(64, '0'), sizeBytes: 10, kind: 'image',
  container: 'png_pipe', codec: 'png', width: 64, height: 48, frameCount: 1, fps: null, durationS: null, pixFmt: 'rgb24',
  bitDepth: 8, colorSpace: null, colorRange: null, colorPrimaries: null, colorTransfer: null, attributes: {}, rawGeometry: null,
});
const LABELS = ['JPEG2000', 'JPEG', 'white noise', 'Gaussian blur', 'fast fading'];
const summary: MetricSummary = { distortion: { labels: LABELS, probabilities: [0.1, 0.1, 0.5, 0.2, 0.1], top: 'white noise' } };

function setup() {
  const d = tempDir('summaries');
  dirs.push(d);
  const db = openProjectDb(d.dir, { create: true });
  const s = saveStimulus(db, record('a.png'), null);
  const runId = ensureRun(db, { metricId: 'iqacnnpp', metricVersion: '1', params: { model: 'iqacnnpp-arch' }, engineVersion: '0' });
  const values = (extra: Partial<PairValues> = {}): PairValues => ({ runId, stimulusId: s.id, pooling: 'mean', pooled: 0.25, perFrame: Float64Array.of(0.25), decoder: 'ffmpeg', elapsedMs: 1, ...extra });
  return { db, s, values };
}

describe('metric summaries (schema 9)', () => {
  it('are listed with the value they were stored with, and replaced with it', () => {
    const { db, values } = setup();
    saveResults(db, [values({ summary })]);
    expect(listResults(db)[0]!.summary).toEqual(summary);
    saveResults(db, [values()]);
    expect(listResults(db)[0]!.summary).toBeUndefined();
    db.close();
  });

  it('are deleted with the values when the file changes', () => {
    const { db, s, values } = setup();
    saveResults(db, [values({ summary })]);
    expect(dropValuesOfChangedStimulus(db, s.id)).toBe(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM metric_summaries').get()).toEqual({ n: 0 });
    db.close();
  });
});
