-- The event log. Positions are gap-free and assigned in commit order: appends are serialised by
-- an advisory lock (see event-store-postgres), so a plain sequence is not used.
CREATE TABLE IF NOT EXISTS events (
  position       bigint      PRIMARY KEY,
  stream_id      text        NOT NULL,
  stream_version integer     NOT NULL,
  type           text        NOT NULL,
  schema_version integer     NOT NULL,
  data           jsonb       NOT NULL,
  metadata       jsonb       NOT NULL,
  recorded_at    timestamptz NOT NULL,
  prev_hash      text        NOT NULL,
  hash           text        NOT NULL,
  CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_type_position ON events (type, position);
