/**
 * Metric runs and values. A run is one metric with fixed parameters, metric version and engine
 * version; its values are stored per stimulus (pooled) and per frame, each pair in one transaction.
 * Provenance (parameters, versions, decoder command, timings) travels with every number.
 *
 * Pooling is not part of a run: the per-frame values are, and each pooling asked for is one pooled row
 * (addPooling), so several poolings of one run sit side by side and a new pooling needs no decoding.
 * The values are pooled by the compute side (services/metrics/compute-pair.ts); the store only stores
 * them. Recomputing a stimulus (saveResults) is given every pooling it had, recomputed.
 *
 * A value describes the file content the stimulus had when it was computed: when that content changes
 * (stimuli-repo records the new SHA-256), its values are deleted in the same transaction
 * (dropValuesOfChangedStimulus), so no value is ever listed or exported next to a hash it was not
 * computed from, and the next run recomputes them.
 */
import type { MetricResultRow } from '../../common/domain';
import { toJsonNumber } from '../../common/json-numbers';
import { metricById, paramsKey, type MetricParams, type Pooling } from '../../common/metric-registry';
import { parseMetricSummary, type MetricSummary } from '../../common/metric-summary';
import type { Db } from './project-db';

export interface RunKey {
  metricId: string;
  metricVersion: string;
  params: MetricParams;
  engineVersion: string;
}

/** The run for this metric configuration, created on first use. */
export function ensureRun(db: Db, key: RunKey): number {
  // One IMMEDIATE transaction: two processes starting the same run at once must both find one row
  // (their pair claims are per run), not each insert their own.
  return db.transaction(() => findOrInsertRun(db, key)).immediate();
}

function findOrInsertRun(db: Db, key: RunKey): number {
  const pk = paramsKey(key.params);
  const found = db
    .prepare('SELECT id FROM metric_runs WHERE metric_id = ? AND params_key = ? AND metric_version = ? AND engine_version = ? ORDER BY id DESC LIMIT 1')
    .get(key.metricId, pk, key.metricVersion, key.engineVersion) as { id: number } | undefined;
  if (found) return found.id;
  const info = db
    .prepare(
      "INSERT INTO metric_runs (metric_id, metric_version, params, params_key, engine_version, status, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)",
    )
    .run(key.metricId, key.metricVersion, pk, pk, key.engineVersion, new Date().toISOString());
  return Number(info.lastInsertRowid);
}

/**
 * Whether the stimulus has values for this run (in any pooling); with `since` (ISO time), only values
 * computed at or after it count (a forced run recomputes what was stored before it began, not what a
 * concurrent forced run has just stored).
 */
export function hasResult(db: Db, runId: number, stimulusId: number, since?: string): boolean {
  return db.prepare('SELECT 1 FROM metric_values WHERE run_id = ? AND stimulus_id = ? AND computed_at >= ? LIMIT 1').get(runId, stimulusId, since ?? '') !== undefined;
}

/**
 * Deletes the values computed from a file whose content has changed: every value of the stimulus, and
 * the full-reference values of the distorted stimuli it is the reference of (their no-reference values
 * do not depend on it). Values of a metric no longer in the registry are deleted with the
 * full-reference ones: what they depend on is unknown. Returns how many pooled values were deleted.
 */
export function dropValuesOfChangedStimulus(db: Db, stimulusId: number): number {
  return db.transaction(() => {
    const dependants = db
      .prepare('SELECT DISTINCT v.run_id, v.stimulus_id, m.metric_id FROM metric_values v JOIN metric_runs m ON m.id = v.run_id JOIN pairs p ON p.distorted_id = v.stimulus_id WHERE p.reference_id = ?')
      .all(stimulusId) as { run_id: number; stimulus_id: number; metric_id: string }[];
    const delValues = db.prepare('DELETE FROM metric_values WHERE run_id = ? AND stimulus_id = ?');
    const delFrames = db.prepare('DELETE FROM frame_values WHERE run_id = ? AND stimulus_id = ?');
    const delSummary = db.prepare('DELETE FROM metric_summaries WHERE run_id = ? AND stimulus_id = ?');
    let dropped = 0;
    for (const d of dependants) {
      if (metricById(d.metric_id)?.kind === 'NR') continue;
      dropped += delValues.run(d.run_id, d.stimulus_id).changes;
      delFrames.run(d.run_id, d.stimulus_id);
      delSummary.run(d.run_id, d.stimulus_id);
    }
    dropped += db.prepare('DELETE FROM metric_values WHERE stimulus_id = ?').run(stimulusId).changes;
    db.prepare('DELETE FROM frame_values WHERE stimulus_id = ?').run(stimulusId);
    db.prepare('DELETE FROM metric_summaries WHERE stimulus_id = ?').run(stimulusId);
    return dropped;
  })();
}

/** The poolings stored for a run and stimulus. */
export function storedPoolings(db: Db, runId: number, stimulusId: number): string[] {
  return (db.prepare("SELECT pooling FROM metric_values WHERE run_id = ? AND stimulus_id = ? AND channel = '' ORDER BY pooling").all(runId, stimulusId) as { pooling: string }[]).map((r) => r.pooling);
}

/**
 * Adds (or replaces) the `pooling` value of a stored run and stimulus: `value`, pooled by the caller
 * from the stored per-frame values (frameValues).
 */
export function addPooling(db: Db, runId: number, stimulusId: number, pooling: Pooling, value: number): void {
  // The new pooling comes from the same decoded frames: it keeps their decoder command.
  const source = db.prepare("SELECT decoder FROM metric_values WHERE run_id = ? AND stimulus_id = ? AND channel = '' AND decoder IS NOT NULL LIMIT 1").get(runId, stimulusId) as { decoder: string } | undefined;
  db.prepare("INSERT OR REPLACE INTO metric_values (run_id, stimulus_id, channel, pooling, value, computed_at, elapsed_ms, decoder) VALUES (?, ?, '', ?, ?, ?, 0, ?)").run(
    runId,
    stimulusId,
    pooling,
    Number.isNaN(value) ? null : value,
    new Date().toISOString(),
    source?.decoder ?? null,
  );
}

export interface PairValues {
  runId: number;
  stimulusId: number;
  pooling: string;
  pooled: number;
  /** Further poolings of the same frames to store beside it (the poolings the stimulus had before). */
  otherPoolings?: readonly { pooling: string; value: number }[];
  perFrame: Float64Array;
  decoder: string;
  elapsedMs: number;
  /** The model (and execution provider) a neural or parameter-file metric ran with. */
  model?: { modelId: string; modelSha256: string; provider: string } | null;
  /** What the metric reports beside its number (a class distribution), stored with the values. */
  summary?: MetricSummary | null;
}

/** Replaces a stimulus's values for these runs, all in one transaction. */
export function saveResults(db: Db, results: readonly PairValues[]): void {
  const delValues = db.prepare('DELETE FROM metric_values WHERE run_id = ? AND stimulus_id = ?');
  const delFrames = db.prepare('DELETE FROM frame_values WHERE run_id = ? AND stimulus_id = ?');
  const putValue = db.prepare(
    "INSERT INTO metric_values (run_id, stimulus_id, channel, pooling, value, computed_at, elapsed_ms, decoder) VALUES (?, ?, '', ?, ?, ?, ?, ?)",
  );
  const putFrame = db.prepare("INSERT INTO frame_values (run_id, stimulus_id, channel, frame, value) VALUES (?, ?, '', ?, ?)");
  const delSummary = db.prepare('DELETE FROM metric_summaries WHERE run_id = ? AND stimulus_id = ?');
  const putSummary = db.prepare('INSERT INTO metric_summaries (run_id, stimulus_id, summary) VALUES (?, ?, ?)');
  const setDecoder = db.prepare('UPDATE metric_runs SET decoder = ? WHERE id = ?');
  const setModel = db.prepare('UPDATE metric_runs SET model_sha256 = ?, provider = ? WHERE id = ?');
  db.transaction(() => {
    const now = new Date().toISOString();
    for (const r of results) {
      delValues.run(r.runId, r.stimulusId);
      delFrames.run(r.runId, r.stimulusId);
      delSummary.run(r.runId, r.stimulusId);
      if (r.summary) putSummary.run(r.runId, r.stimulusId, JSON.stringify(r.summary));
      putValue.run(r.runId, r.stimulusId, r.pooling, Number.isNaN(r.pooled) ? null : r.pooled, now, r.elapsedMs, r.decoder);
      for (const o of r.otherPoolings ?? []) {
        if (o.pooling !== r.pooling) putValue.run(r.runId, r.stimulusId, o.pooling, Number.isNaN(o.value) ? null : o.value, now, 0, r.decoder);
      }
      for (let k = 0; k < r.perFrame.length; k++) {
        const v = r.perFrame[k]!;
        putFrame.run(r.runId, r.stimulusId, k, Number.isNaN(v) ? null : v);
      }
      setDecoder.run(r.decoder, r.runId);
      if (r.model) setModel.run(r.model.modelSha256, r.model.provider, r.runId);
    }
  })();
}

interface ResultRow {
  stimulus_id: number;
  stimulus: string;
  reference: string | null;
  metric_id: string;
  metric_version: string;
  params: string;
  pooling: string;
  value: number | null;
  frames: number;
  run_id: number;
  engine_version: string;
  model_sha256: string | null;
  provider: string | null;
  decoder: string | null;
  computed_at: string;
  attributes: string;
  summary: string | null;
}

/** Every pooled value, ordered by stimulus path, metric and parameters (stable for exports). */
export function listResults(db: Db): MetricResultRow[] {
  const rows = db
    .prepare(
      `SELECT v.stimulus_id, s.name AS stimulus, r.name AS reference, m.metric_id, m.metric_version, m.params, v.pooling, v.value,
              (SELECT COUNT(*) FROM frame_values f WHERE f.run_id = v.run_id AND f.stimulus_id = v.stimulus_id AND f.channel = v.channel) AS frames,
              v.run_id, m.engine_version, m.model_sha256, m.provider, v.decoder, v.computed_at, s.attributes, ms.summary
       FROM metric_values v
       JOIN metric_runs m ON m.id = v.run_id
       JOIN stimuli s ON s.id = v.stimulus_id
       LEFT JOIN metric_summaries ms ON ms.run_id = v.run_id AND ms.stimulus_id = v.stimulus_id
       LEFT JOIN pairs p ON p.distorted_id = s.id
       LEFT JOIN stimuli r ON r.id = p.reference_id
       ORDER BY s.path, m.metric_id, m.params_key, v.pooling`,
    )
    .all() as ResultRow[];
  return rows.map((r) => ({
    stimulusId: r.stimulus_id,
    stimulus: r.stimulus,
    reference: r.reference,
    metricId: r.metric_id,
    metricVersion: r.metric_version,
    params: JSON.parse(r.params) as MetricParams,
    pooling: r.pooling,
    value: r.value === null ? null : toJsonNumber(r.value),
    frames: r.frames,
    runId: r.run_id,
    engineVersion: r.engine_version,
    modelSha256: r.model_sha256,
    provider: r.provider,
    decoder: r.decoder,
    computedAt: r.computed_at,
    attributes: JSON.parse(r.attributes) as Record<string, string>,
    ...(r.summary ? { summary: parseMetricSummary(r.summary) } : {}),
  }));
}

/**
 * The stored pooled values as the analysis reads them, in listResults' order: one lean query (no frame
 * counts, no provenance, each distinct parameter set parsed once). 20,000 values read in a fraction of
 * listResults' time, which the analysis' point estimates paid on every new input.
 */
export function listScores(db: Db): { stimulusId: number; metricId: string; params: MetricParams; pooling: string; value: ReturnType<typeof toJsonNumber> | null }[] {
  const rows = db
    .prepare(
      `SELECT v.stimulus_id, m.metric_id, m.params, v.pooling, v.value
       FROM metric_values v
       JOIN metric_runs m ON m.id = v.run_id
       JOIN stimuli s ON s.id = v.stimulus_id
       ORDER BY s.path, m.metric_id, m.params_key, v.pooling`,
    )
    .raw()
    .all() as [number, string, string, string, number | null][];
  const parsed = new Map<string, MetricParams>();
  const paramsOf = (text: string): MetricParams => {
    let p = parsed.get(text);
    if (!p) parsed.set(text, (p = JSON.parse(text) as MetricParams));
    return p;
  };
  return rows.map(([stimulusId, metricId, params, pooling, value]) => ({ stimulusId, metricId, params: paramsOf(params), pooling, value: value === null ? null : toJsonNumber(value) }));
}

export function frameValues(db: Db, runId: number, stimulusId: number): Float64Array {
  const rows = db.prepare("SELECT value FROM frame_values WHERE run_id = ? AND stimulus_id = ? AND channel = '' ORDER BY frame").all(runId, stimulusId) as { value: number | null }[];
  return Float64Array.from(rows, (r) => (r.value === null ? Number.NaN : r.value));
}

/** Per-frame series of every metric configuration stored for a stimulus. */
export function frameSeries(db: Db, stimulusId: number): { metricId: string; params: MetricParams; pooling: string; values: ReturnType<typeof toJsonNumber>[] }[] {
  const runs = db
    .prepare('SELECT v.run_id, m.metric_id, m.params, v.pooling FROM metric_values v JOIN metric_runs m ON m.id = v.run_id WHERE v.stimulus_id = ? ORDER BY m.metric_id, m.params_key')
    .all(stimulusId) as { run_id: number; metric_id: string; params: string; pooling: string }[];
  return runs.map((r) => ({
    metricId: r.metric_id,
    params: JSON.parse(r.params) as MetricParams,
    pooling: r.pooling,
    values: Array.from(frameValues(db, r.run_id, stimulusId), (v) => toJsonNumber(v)),
  }));
}
