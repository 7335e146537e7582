-- Background compliance exports (POST /api/v1/exports): the job's progress and, when done, the
-- content address of the exported file in the blob store (GC keeps it for the retention period).
CREATE TABLE IF NOT EXISTS export_jobs (
  id            text        PRIMARY KEY,
  requested_by  text        NOT NULL,
  format        text        NOT NULL,
  filter        jsonb       NOT NULL,
  state         text        NOT NULL,
  from_position bigint      NOT NULL DEFAULT 0,
  to_position   bigint      NOT NULL DEFAULT 0,
  position      bigint      NOT NULL DEFAULT 0,
  exported      bigint      NOT NULL DEFAULT 0,
  digest        text,
  size          bigint,
  chain_head    jsonb,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX IF NOT EXISTS export_jobs_digest ON export_jobs (digest);
