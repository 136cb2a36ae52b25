-- weft tuning database, schema version 1 (kSchemaVersion in db/schema.h).
-- Applied as a whole to a new database. Changing it means: bump kSchemaVersion and
-- add the step from the previous version to db/migrations.cpp, so that existing
-- databases are migrated on open.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per tuning task, keyed by the structural hash of its unscheduled program.
CREATE TABLE workloads (
  id         INTEGER PRIMARY KEY,
  hash       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  ir_text    TEXT NOT NULL,
  flops      REAL NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX workloads_by_name ON workloads(name, id);

-- One row per measured candidate. Failures are kept (status != 'ok', median_us 0)
-- so that search does not measure them again and they are never replayed as best.
CREATE TABLE records (
  id              INTEGER PRIMARY KEY,
  workload_id     INTEGER NOT NULL REFERENCES workloads(id),
  target_key      TEXT NOT NULL,
  trace_text      TEXT NOT NULL,
  median_us       REAL NOT NULL,
  latencies_json  TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('ok', 'wrong', 'build_error', 'run_error', 'timeout')),
  error           TEXT NOT NULL DEFAULT '',
  feature_version INTEGER NOT NULL,
  weft_version    TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  -- stable hash of every field but id: finds identical records on import and merge
  digest          TEXT NOT NULL
);
CREATE INDEX records_best ON records(workload_id, target_key, status, median_us);
CREATE INDEX records_by_digest ON records(digest);

-- A model (e.g. bert-large training) is a weighted set of tasks.
CREATE TABLE models (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE TABLE model_tasks (
  model_id    INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  workload_id INTEGER NOT NULL REFERENCES workloads(id),
  position    INTEGER NOT NULL,
  weight      REAL NOT NULL,
  PRIMARY KEY (model_id, workload_id)
);

-- Serialised cost models, so that a later tuning run starts from a trained one.
CREATE TABLE cost_model_snapshots (
  id              INTEGER PRIMARY KEY,
  target_key      TEXT NOT NULL,
  feature_version INTEGER NOT NULL,
  blob            BLOB NOT NULL,
  sample_count    INTEGER NOT NULL,
  created_at      TEXT NOT NULL
);
CREATE INDEX snapshots_latest ON cost_model_snapshots(target_key, feature_version, id);
