/**
 * The project's trained learned-NR predictors (migration 8, table nr_predictors). A record is written
 * whole, once, under a name that is not taken (E_EXISTS otherwise); deleting one deletes the metric
 * values it computed (the metric runs of nr:<name>), so no score outlives the model that gave it.
 */
import { createHash } from 'node:crypto';
import { IqaError } from '../../common/errors';
import { NR_METRIC_PREFIX, type NrPredictorRecord, type NrPredictorSummary } from '../../common/nr-predictor';
import type { Db } from '../store/project-db';

interface Row {
  name: string;
  backbone: string;
  backbone_sha256: string;
  target: 'mos' | 'dmos';
  study: string;
  options: string;
  predictor: string;
  training: string;
  folds: string;
  cv: string;
  levels: string;
  svm_library: string;
  engine_version: string;
  sha256: string;
  created_at: string;
}

/**
 * The predictor's identity as a metric's model hash: SHA-256 of its models, combination and target
 * scale (what a prediction depends on), as canonical JSON in that order.
 */
export function predictorSha256(record: Pick<NrPredictorRecord, 'predictor' | 'backboneSha256'>): string {
  return createHash('sha256').update(JSON.stringify({ backboneSha256: record.backboneSha256, predictor: record.predictor })).digest('hex');
}

function summary(r: Row): NrPredictorSummary {
  const training = JSON.parse(r.training) as NrPredictorRecord['training'];
  return {
    name: r.name,
    backbone: r.backbone,
    backboneSha256: r.backbone_sha256,
    target: r.target,
    study: r.study,
    stimuli: training.stimuli.length,
    contents: new Set(training.stimuli.map((s) => s.content)).size,
    options: JSON.parse(r.options) as NrPredictorSummary['options'],
    cv: JSON.parse(r.cv) as NrPredictorSummary['cv'],
    createdAt: r.created_at,
  };
}

function record(r: Row): NrPredictorRecord {
  return {
    ...summary(r),
    engineVersion: r.engine_version,
    svmLibrary: r.svm_library,
    levels: JSON.parse(r.levels) as string[],
    training: JSON.parse(r.training) as NrPredictorRecord['training'],
    folds: JSON.parse(r.folds) as NrPredictorRecord['folds'],
    predictor: JSON.parse(r.predictor) as NrPredictorRecord['predictor'],
  };
}

export function hasNrPredictor(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM nr_predictors WHERE name = ?').get(name) !== undefined;
}

/** Stores a predictor under its name; E_EXISTS when the name is taken (nothing is written then). */
export function saveNrPredictor(db: Db, p: NrPredictorRecord): void {
  db.transaction(() => {
    if (hasNrPredictor(db, p.name)) throw new IqaError('E_EXISTS', `a predictor named "${p.name}" already exists in this project: choose another name or delete it (iqa nr delete)`);
    db.prepare(
      `INSERT INTO nr_predictors (name, backbone, backbone_sha256, target, study, options, predictor, training, folds, cv, levels, svm_library, engine_version, sha256, created_at)
       VALUES (@name, @backbone, @backbone_sha256, @target, @study, @options, @predictor, @training, @folds, @cv, @levels, @svm_library, @engine_version, @sha256, @created_at)`,
    ).run({
      name: p.name,
      backbone: p.backbone,
      backbone_sha256: p.backboneSha256,
      target: p.target,
      study: p.study,
      options: JSON.stringify(p.options),
      predictor: JSON.stringify(p.predictor),
      training: JSON.stringify(p.training),
      folds: JSON.stringify(p.folds),
      cv: JSON.stringify(p.cv),
      levels: JSON.stringify(p.levels),
      svm_library: p.svmLibrary,
      engine_version: p.engineVersion,
      sha256: predictorSha256(p),
      created_at: p.createdAt,
    });
  })();
}

export function listNrPredictors(db: Db): NrPredictorSummary[] {
  return (db.prepare('SELECT * FROM nr_predictors ORDER BY name').all() as Row[]).map(summary);
}

/** The whole record; E_NOT_FOUND naming the predictors there are. */
export function getNrPredictor(db: Db, name: string): NrPredictorRecord & { sha256: string } {
  const r = db.prepare('SELECT * FROM nr_predictors WHERE name = ?').get(name) as Row | undefined;
  if (!r) {
    const names = listNrPredictors(db).map((p) => p.name);
    throw new IqaError('E_NOT_FOUND', `no predictor named "${name}" in this project (${names.length ? `there are: ${names.join(', ')}` : 'none trained yet: iqa nr train'})`);
  }
  return { ...record(r), sha256: r.sha256 };
}

/** Deletes the predictor and the values of its metric; false when there was none. */
export function deleteNrPredictor(db: Db, name: string): boolean {
  return db.transaction(() => {
    const gone = db.prepare('DELETE FROM nr_predictors WHERE name = ?').run(name).changes > 0;
    if (gone) db.prepare('DELETE FROM metric_runs WHERE metric_id = ?').run(`${NR_METRIC_PREFIX}${name}`);
    return gone;
  })();
}
