-- Point-in-time views: one schema per (repository, last event position touching it) holding that
-- repository's read models as they were then. Cached; least recently used are dropped.
CREATE TABLE IF NOT EXISTS point_in_time_views (
  schema_name  text        PRIMARY KEY,
  repository   text        NOT NULL,
  position     bigint      NOT NULL,
  events       integer     NOT NULL,
  build_ms     integer     NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now()
);
