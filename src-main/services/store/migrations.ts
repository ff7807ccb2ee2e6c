/**
 * Numbered schema migrations of the project database. Each runs once, in its own transaction, and
 * moves PRAGMA user_version to its number. Never edit a migration that has shipped: add the next one.
 * The first schema already covers the whole product (stimuli, pairs, metric results, studies and
 * ratings) so later features add columns rather than rethink tables.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Drops and recreates a referenced table: runs with foreign keys off, then checks them all. */
  rebuildsTables?: boolean;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Source contents (the SRC of a study): every reference and its distorted versions share one.
CREATE TABLE contents (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE stimuli (
  id              INTEGER PRIMARY KEY,
  path            TEXT NOT NULL UNIQUE,      -- relative to the project folder, '/' separators
  name            TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('reference', 'distorted')),
  content_id      INTEGER REFERENCES contents(id) ON DELETE SET NULL,
  sha256          TEXT NOT NULL,
  size_bytes      INTEGER NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('image', 'video')),
  container       TEXT,
  codec           TEXT,
  width           INTEGER NOT NULL CHECK (width > 0),
  height          INTEGER NOT NULL CHECK (height > 0),
  frame_count     INTEGER,
  fps             REAL,
  duration_s      REAL,
  pix_fmt         TEXT,
  bit_depth       INTEGER,
  color_space     TEXT,
  color_range     TEXT,
  color_primaries TEXT,
  color_transfer  TEXT,
  raw_geometry    TEXT,                      -- JSON {width,height,pixFmt,fps} for headerless .yuv
  attributes      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
  imported_at     TEXT NOT NULL
);
CREATE INDEX stimuli_sha256 ON stimuli(sha256);
CREATE INDEX stimuli_content ON stimuli(content_id);

-- Distorted -> reference. A distorted stimulus has at most one reference.
CREATE TABLE pairs (
  distorted_id INTEGER PRIMARY KEY REFERENCES stimuli(id) ON DELETE CASCADE,
  reference_id INTEGER NOT NULL REFERENCES stimuli(id) ON DELETE CASCADE,
  CHECK (distorted_id <> reference_id)
);
CREATE INDEX pairs_reference ON pairs(reference_id);

-- One computation of one metric with fixed parameters; provenance to reproduce every number.
CREATE TABLE metric_runs (
  id             INTEGER PRIMARY KEY,
  metric_id      TEXT NOT NULL,
  metric_version TEXT NOT NULL,
  params         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  params_key     TEXT NOT NULL,              -- canonical JSON of params, for "same run" lookups
  engine_version TEXT NOT NULL,
  model_sha256   TEXT,
  provider       TEXT,                       -- onnxruntime execution provider actually used
  decoder        TEXT,                       -- the decode command line
  status         TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  error          TEXT,
  created_at     TEXT NOT NULL,
  started_at     TEXT,
  finished_at    TEXT,
  elapsed_ms     REAL
);
CREATE INDEX metric_runs_metric ON metric_runs(metric_id, params_key);

-- Pooled value per stimulus (and channel, and pooling). value NULL means NaN; +Inf is stored as is.
CREATE TABLE metric_values (
  run_id      INTEGER NOT NULL REFERENCES metric_runs(id) ON DELETE CASCADE,
  stimulus_id INTEGER NOT NULL REFERENCES stimuli(id) ON DELETE CASCADE,
  channel     TEXT NOT NULL DEFAULT '',
  pooling     TEXT NOT NULL DEFAULT 'mean',
  value       REAL,
  computed_at TEXT NOT NULL,
  elapsed_ms  REAL,
  PRIMARY KEY (run_id, stimulus_id, channel, pooling)
);
CREATE INDEX metric_values_stimulus ON metric_values(stimulus_id);

CREATE TABLE frame_values (
  run_id      INTEGER NOT NULL REFERENCES metric_runs(id) ON DELETE CASCADE,
  stimulus_id INTEGER NOT NULL REFERENCES stimuli(id) ON DELETE CASCADE,
  channel     TEXT NOT NULL DEFAULT '',
  frame       INTEGER NOT NULL CHECK (frame >= 0),
  value       REAL,
  PRIMARY KEY (run_id, stimulus_id, channel, frame)
) WITHOUT ROWID;

-- Subjective studies (ITU-R BT.500 / ITU-T P.910 designs).
CREATE TABLE studies (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  method     TEXT NOT NULL CHECK (method IN ('ACR', 'ACR-HR', 'DCR', 'DSCQS', 'SSCQE', 'PC')),
  scale      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(scale)),
  design     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(design)),
  created_at TEXT NOT NULL
);

CREATE TABLE participants (
  id         INTEGER PRIMARY KEY,
  study_id   INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  code       TEXT NOT NULL,
  info       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(info)),
  created_at TEXT NOT NULL,
  UNIQUE (study_id, code)
);

CREATE TABLE sessions (
  id             INTEGER PRIMARY KEY,
  study_id       INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
  state          TEXT NOT NULL CHECK (state IN ('created', 'running', 'finished', 'aborted')),
  seed           INTEGER NOT NULL,
  position       INTEGER NOT NULL DEFAULT 0,
  client         TEXT,
  started_at     TEXT,
  finished_at    TEXT
);

-- The playlist of a session: one row per presentation, in order.
CREATE TABLE trials (
  id                 INTEGER PRIMARY KEY,
  session_id         INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  idx                INTEGER NOT NULL,
  stimulus_id        INTEGER NOT NULL REFERENCES stimuli(id),
  reference_id       INTEGER REFERENCES stimuli(id),    -- shown with it (DCR, DSCQS, ACR-HR hidden ref)
  other_stimulus_id  INTEGER REFERENCES stimuli(id),    -- pairwise comparison: the second of the pair
  is_training        INTEGER NOT NULL DEFAULT 0 CHECK (is_training IN (0, 1)),
  presented_at       TEXT,
  UNIQUE (session_id, idx)
);

-- Committed the moment it is given: a crash loses nothing already answered.
CREATE TABLE ratings (
  id          INTEGER PRIMARY KEY,
  trial_id    INTEGER NOT NULL UNIQUE REFERENCES trials(id) ON DELETE CASCADE,
  value       REAL,               -- the score (ACR/DCR), the test score (DSCQS)
  value_ref   REAL,               -- DSCQS: the score given to the reference
  choice      INTEGER,            -- pairwise: 0 first, 1 second, NULL tie
  response_ms REAL,
  rated_at    TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'decoder command per stored value',
    // A run's decoder column holds one command, overwritten by every pair; the command that decoded a
    // value belongs with the value. Values stored before this migration keep NULL (see the run's).
    sql: `
ALTER TABLE metric_values ADD COLUMN decoder TEXT;
`,
  },
  {
    version: 3,
    name: 'file modification times, interrupted runs, workers and pair claims',
    // metric_runs gains the status 'interrupted' (a run whose process died): a CHECK constraint cannot
    // be altered, so the table is rebuilt (SQLite's documented procedure: new table, copy, drop,
    // rename), with foreign keys off so that dropping it cascades into nothing.
    rebuildsTables: true,
    sql: `
-- Size and mtime of the file when sha256 was last computed: a file whose stat differs is re-hashed.
-- NULL for rows imported before this migration (filled by the first run that checks the file).
ALTER TABLE stimuli ADD COLUMN mtime_ms REAL;

CREATE TABLE metric_runs_v3 (
  id             INTEGER PRIMARY KEY,
  metric_id      TEXT NOT NULL,
  metric_version TEXT NOT NULL,
  params         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  params_key     TEXT NOT NULL,
  engine_version TEXT NOT NULL,
  model_sha256   TEXT,
  provider       TEXT,
  decoder        TEXT,
  status         TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
  error          TEXT,
  created_at     TEXT NOT NULL,
  started_at     TEXT,
  finished_at    TEXT,                       -- for 'interrupted': when the interruption was noticed
  elapsed_ms     REAL
);
INSERT INTO metric_runs_v3 SELECT id, metric_id, metric_version, params, params_key, engine_version, model_sha256, provider,
  decoder, status, error, created_at, started_at, finished_at, elapsed_ms FROM metric_runs;
DROP TABLE metric_runs;
ALTER TABLE metric_runs_v3 RENAME TO metric_runs;
CREATE INDEX metric_runs_metric ON metric_runs(metric_id, params_key);

-- One process computing metrics of this project (one runProjectMetrics call). Alive while its
-- heartbeat is recent and, on the same host, its pid exists.
CREATE TABLE workers (
  id           TEXT PRIMARY KEY,             -- random, unique per call
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  started_at   TEXT NOT NULL,
  heartbeat_ms INTEGER NOT NULL              -- Unix ms of the last heartbeat
);

-- The runs a worker is executing: a run stays 'running' while one of its workers lives.
CREATE TABLE run_workers (
  run_id    INTEGER NOT NULL REFERENCES metric_runs(id) ON DELETE CASCADE,
  worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  PRIMARY KEY (run_id, worker_id)
) WITHOUT ROWID;

-- A (metric configuration, stimulus) being computed: concurrent runs skip what another holds. Released
-- with the values' transaction; an expired claim (or one of a dead worker) can be taken over.
CREATE TABLE pair_claims (
  run_id      INTEGER NOT NULL REFERENCES metric_runs(id) ON DELETE CASCADE,
  stimulus_id INTEGER NOT NULL REFERENCES stimuli(id) ON DELETE CASCADE,
  worker_id   TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  expires_ms  INTEGER NOT NULL,
  PRIMARY KEY (run_id, stimulus_id)
) WITHOUT ROWID;
CREATE INDEX pair_claims_worker ON pair_claims(worker_id);
`,
  },
  {
    version: 4,
    name: 'study runner: reference side, rating method and scale, vote times, session display and notes, SSCQE samples',
    sql: `
-- DSCQS: on which side (A is shown first) the reference was. NULL for every other method.
ALTER TABLE trials ADD COLUMN reference_side TEXT CHECK (reference_side IN ('A', 'B'));

-- Each rating carries the method and the scale (JSON: kind, min, max, labels) it was given on, as the
-- study defined them at that moment (labels are editable). NULL for ratings stored before this
-- migration or imported from CSV: the study's own method and scale apply.
ALTER TABLE ratings ADD COLUMN method TEXT;
ALTER TABLE ratings ADD COLUMN scale TEXT CHECK (scale IS NULL OR json_valid(scale));
-- The participant's clock: when the vote was given (trials.presented_at: when the trial was shown).
ALTER TABLE ratings ADD COLUMN voted_at TEXT;

-- The participant's display (JSON: screen size, devicePixelRatio, colour gamut, user agent) and the
-- researcher's notes (JSON: viewing distance, room conditions, text).
ALTER TABLE sessions ADD COLUMN display TEXT CHECK (display IS NULL OR json_valid(display));
ALTER TABLE sessions ADD COLUMN notes TEXT CHECK (notes IS NULL OR json_valid(notes));

-- SSCQE: the slider's samples during a trial, at the study's rate; the rating's value is their mean.
CREATE TABLE rating_samples (
  rating_id INTEGER NOT NULL REFERENCES ratings(id) ON DELETE CASCADE,
  idx       INTEGER NOT NULL CHECK (idx >= 0),
  t_ms      REAL NOT NULL,               -- from the start of the presentation
  value     REAL NOT NULL,
  PRIMARY KEY (rating_id, idx)
) WITHOUT ROWID;
`,
  },
  {
    version: 5,
    name: 'alignment decisions: the detected temporal alignment of a pair, accepted or rejected by the user',
    sql: `
-- One per distorted stimulus: what the user decided after looking at the alignment check's finding
-- (the viewer's "Confirm by flicker"). 'accepted': the timing a later metrics run applies to the pair;
-- 'rejected': the detection was wrong. Valid only for the two contents it was decided on (the hashes):
-- a changed file makes it stale (services/align/alignment-decisions.ts).
CREATE TABLE alignment_decisions (
  distorted_id INTEGER PRIMARY KEY REFERENCES stimuli(id) ON DELETE CASCADE,
  reference_id INTEGER NOT NULL REFERENCES stimuli(id) ON DELETE CASCADE,
  dist_sha256  TEXT NOT NULL,
  ref_sha256   TEXT NOT NULL,
  verdict      TEXT NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
  offset_frames INTEGER NOT NULL,       -- distorted frame j shows reference frame j + offset
  skip_ref     INTEGER NOT NULL CHECK (skip_ref >= 0),
  skip_dist    INTEGER NOT NULL CHECK (skip_dist >= 0),
  truncate     INTEGER NOT NULL CHECK (truncate IN (0, 1)),
  ignore_fps   INTEGER NOT NULL CHECK (ignore_fps IN (0, 1)),
  report       TEXT CHECK (report IS NULL OR json_valid(report)), -- the align.check report it was decided on
  decided_at   TEXT NOT NULL
);
CREATE INDEX alignment_decisions_reference ON alignment_decisions(reference_id);
`,
  },
  {
    version: 6,
    name: 'study trials that ran out of voting time: recorded as timed out, never as a rating',
    sql: `
-- A trial whose voting time limit (design timing.voteLimitMs) passed without an answer: when the limit
-- passed on the participant's clock (ISO 8601). Such a trial has no rating (no value is made up) and
-- the session goes on to the next trial; services/study/sessions.ts counts it as done.
ALTER TABLE trials ADD COLUMN timed_out_at TEXT;
`,
  },
  {
    version: 7,
    name: 'sharded runs: shards merged into the project, and the Slurm jobs submitted for them',
    sql: `
-- A shard store (<project>/shards/<run_key>/shard-<i>-of-<n>.sqlite, services/shards/) folded into this
-- project by iqa merge; done_at is the store's own finish time, so a shard computed again is merged again.
CREATE TABLE shard_merges (
  run_key     TEXT NOT NULL,
  shard_index INTEGER NOT NULL CHECK (shard_index >= 1),
  shard_count INTEGER NOT NULL CHECK (shard_count >= shard_index),
  done_at     TEXT NOT NULL,
  merged_at   TEXT NOT NULL,
  PRIMARY KEY (run_key, shard_index)
);

-- Jobs iqa slurm submit handed to sbatch: the shard array (kind 'array', with the shard indices it runs)
-- and the merge job that depends on it.
CREATE TABLE slurm_jobs (
  id           INTEGER PRIMARY KEY,
  run_key      TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('array', 'merge')),
  job_id       TEXT NOT NULL,
  shards       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(shards)),
  script       TEXT NOT NULL,
  submitted_at TEXT NOT NULL
);
CREATE INDEX slurm_jobs_run ON slurm_jobs(run_key);
`,
  },
  {
    version: 8,
    name: 'learned no-reference predictors trained on the project ratings (iqa nr train)',
    sql: `
-- One trained predictor per name (services/nr/predictor-repo.ts; common/nr-predictor.ts holds the record's
-- shape): the feature backbone and its graph SHA-256, the target (MOS or DMOS), the training options, the
-- models (per level: hyper-parameters, standardisation, libsvm's model text), the combination, the
-- training data (study, MOS choice, every stimulus with its SHA-256, target, fold and cross-validated
-- prediction), the fold results and the cross-validated statistics. Its scores are stored as metric
-- values of the metric nr:<name>, with the predictor's SHA-256 as the model hash.
CREATE TABLE nr_predictors (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  backbone        TEXT NOT NULL,
  backbone_sha256 TEXT NOT NULL,
  target          TEXT NOT NULL CHECK (target IN ('mos', 'dmos')),
  study           TEXT NOT NULL,
  options         TEXT NOT NULL CHECK (json_valid(options)),
  predictor       TEXT NOT NULL CHECK (json_valid(predictor)),
  training        TEXT NOT NULL CHECK (json_valid(training)),
  folds           TEXT NOT NULL CHECK (json_valid(folds)),
  cv              TEXT NOT NULL CHECK (json_valid(cv)),
  levels          TEXT NOT NULL CHECK (json_valid(levels)),
  svm_library     TEXT NOT NULL,
  engine_version  TEXT NOT NULL,
  sha256          TEXT NOT NULL,
  created_at      TEXT NOT NULL
);
`,
  },
  {
    version: 9,
    name: 'what a metric reports about a stimulus beside its number (IQA-CNN++ distortion type)',
    sql: `
-- One JSON document per run and stimulus (common/metric-summary.ts): for a network with a
-- classification head, the class distribution pooled over the stimulus and its most likely class.
-- Written and deleted with the stimulus's values (metrics-repo saveResults / dropValuesOfChangedStimulus).
CREATE TABLE metric_summaries (
  run_id      INTEGER NOT NULL REFERENCES metric_runs(id) ON DELETE CASCADE,
  stimulus_id INTEGER NOT NULL REFERENCES stimuli(id) ON DELETE CASCADE,
  summary     TEXT NOT NULL CHECK (json_valid(summary)),
  PRIMARY KEY (run_id, stimulus_id)
) WITHOUT ROWID;
`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
