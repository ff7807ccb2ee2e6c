/**
 * A generated project for analysis load: `contents` references with `perContent` distorted versions
 * each, stored metric values for a few metrics and an ACR study rated by `observers` participants,
 * written straight into the SQLite tables through the store repositories (no media files: the
 * analysis reads only the database). Deterministic: the same sizes give the same project. Used by the
 * engine responsiveness test and the bench's event-loop row.
 */
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { APP_VERSION } from '../../src-main/common/version';
import { createRng } from '../../src-main/kernels/stats/rng';
import { ensureRun, saveResults } from '../../src-main/services/store/metrics-repo';
import { openProjectDb } from '../../src-main/services/store/project-db';
import { saveImportedStudy, type ImportedRating } from '../../src-main/services/store/ratings-repo';
import { saveStimulus, type StimulusRecord } from '../../src-main/services/store/stimuli-repo';

export interface SyntheticSize {
  contents: number;
  perContent: number;
  observers: number;
  /** Metric ids (default parameters), or configurations (an id with parameters: several per id). */
  metrics: readonly (string | { id: string; params: Record<string, string | number> })[];
  /**
   * 'levels' (default): five quality levels per content, each metric a steep curve of quality (clusters);
   * 'continuous': quality spread evenly over the scale, each metric rising with it (the direction of
   * higher-is-better metrics) through one of the shapes real metrics show against a MOS (sigmoid, straight
   * line, saturating exponential, logarithm), with its own noise.
   */
  shape?: 'levels' | 'continuous';
}

/** 1,000 rated stimuli (50 contents × 20 versions), 10 observers, three metrics. */
export const THOUSAND_STIMULI: SyntheticSize = { contents: 50, perContent: 20, observers: 10, metrics: ['psnr-y', 'ssim-y', 'ms-ssim-y'] };

const record = (name: string, role: 'reference' | 'distorted', content: string, attributes: Record<string, string>): StimulusRecord => ({
  path: `media/${name}.png`,
  name,
  role,
  content,
  sha256: name.padEnd(64, '0').slice(0, 64),
  sizeBytes: 1000,
  kind: 'image',
  container: 'png_pipe',
  codec: 'png',
  width: 64,
  height: 48,
  frameCount: 1,
  fps: null,
  durationS: null,
  pixFmt: 'rgb24',
  bitDepth: 8,
  colorSpace: null,
  colorRange: null,
  colorPrimaries: null,
  colorTransfer: null,
  attributes,
  rawGeometry: null,
});

/** Metric m's value at quality q (shape 'continuous'): four rising shapes in turn, noise growing with m. */
function continuousMetric(m: number, q: number, u: () => number): number {
  const noise = (scale: number) => scale * (1 + (m % 5) / 2) * (u() - 0.5);
  switch (m % 4) {
    case 0:
      return 1 / (1 + Math.exp(-(q - 3) * (1 + (m % 3)))) + noise(0.08);
    case 1:
      return 22 + 4.5 * q + noise(3);
    case 2:
      return 1 - Math.exp(-0.8 * q) + noise(0.03);
    default:
      return Math.log(q) + noise(0.15);
  }
}

/** Creates the project in `dir` (a new folder) with study 'load'; returns the number of rated stimuli. */
export function writeSyntheticAnalysisProject(dir: string, size: SyntheticSize = THOUSAND_STIMULI): number {
  const db = openProjectDb(dir, { create: true, name: 'synthetic analysis load' });
  try {
    const rng = createRng(12345);
    const u = () => rng.nextFloat();
    const quality: { id: number; q: number }[] = [];
    for (let c = 0; c < size.contents; c++) {
      const content = `src${String(c).padStart(3, '0')}`;
      const ref = saveStimulus(db, record(content, 'reference', content, {}), null);
      for (let v = 0; v < size.perContent; v++) {
        const level = v % 5;
        // 0..1, evenly over a content's versions (drawn only for this shape: 'levels' keeps its numbers).
        const spread = size.shape === 'continuous' ? (v + u()) / size.perContent : 0;
        const dist = saveStimulus(db, record(`${content}_d${String(v).padStart(2, '0')}`, 'distorted', content, { level: String(level) }), ref.id);
        // True quality on 1..5, falling with the level, plus a content effect.
        quality.push({ id: dist.id, q: size.shape === 'continuous' ? 4.7 - 3.4 * spread + 0.4 * (u() - 0.5) : 4.5 - 0.7 * level + 0.4 * (u() - 0.5) });
      }
    }
    size.metrics.forEach((metric, m) => {
      const id = typeof metric === 'string' ? metric : metric.id;
      const { descriptor, params } = resolveMetricRequest(typeof metric === 'string' ? { id } : metric);
      const runId = ensureRun(db, { metricId: id, metricVersion: descriptor.version, params, engineVersion: APP_VERSION });
      // Each metric follows quality through a different monotonic curve with its own noise.
      saveResults(
        db,
        quality.map(({ id: stimulusId, q }) => {
          const x = size.shape === 'continuous' ? continuousMetric(m, q, u) : m === 0 ? 20 + 5 * q + 2 * (u() - 0.5) : 1 / (1 + Math.exp(-(q - 3) * (1 + m))) + 0.1 * (u() - 0.5) / (m + 1);
          return { runId, stimulusId, pooling: 'mean', pooled: x, perFrame: Float64Array.of(x), decoder: 'synthetic', elapsedMs: 0 };
        }),
      );
    });
    const ratings: ImportedRating[] = [];
    for (let p = 0; p < size.observers; p++) {
      const bias = 0.6 * (u() - 0.5);
      for (const { id, q } of quality) {
        const score = Math.min(5, Math.max(1, Math.round(q + bias + 1.2 * (u() - 0.5))));
        ratings.push({ participant: `p${String(p).padStart(2, '0')}`, session: 's1', stimulusId: id, value: score, responseMs: null });
      }
    }
    saveImportedStudy(db, { name: 'load', method: 'ACR', scale: { min: 1, max: 5 }, source: 'synthetic' }, ratings, false);
    return quality.length;
  } finally {
    db.close();
  }
}
