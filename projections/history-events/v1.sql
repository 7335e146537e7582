-- The history index (projection "history-events", version 1): one row per event and per
-- repository/package it touched. package '' marks repository-level events (configuration,
-- permissions). A promotion has two rows: one in its target (direction 'in') and one in its source
-- ('out'). The event's data and metadata are copied so a page is one indexed query.
CREATE TABLE {{table}} (
  position     bigint      NOT NULL,
  repository   text        NOT NULL,
  package      text        NOT NULL,
  type         text        NOT NULL,
  actor        text        NOT NULL,
  recorded_at  timestamptz NOT NULL,
  direction    text,
  stream_id    text        NOT NULL,
  data         jsonb       NOT NULL,
  metadata     jsonb       NOT NULL,
  PRIMARY KEY (repository, package, position)
);
CREATE INDEX ON {{table}} (repository, position);
CREATE INDEX ON {{table}} (repository, recorded_at);
