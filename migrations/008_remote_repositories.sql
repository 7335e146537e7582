-- Remote repositories: upstream metadata as last fetched (served while fresh, revalidated with
-- ETag / Last-Modified, and served stale when the upstream is down), including brief not-found answers.
CREATE TABLE IF NOT EXISTS remote_metadata (
  repository    text        NOT NULL,
  key           text        NOT NULL,
  status        integer     NOT NULL,
  body          bytea,
  content_type  text,
  etag          text,
  last_modified text,
  url           text        NOT NULL,
  fetched_at    timestamptz NOT NULL,
  checked_at    timestamptz NOT NULL,
  PRIMARY KEY (repository, key)
);
-- Upstream credentials, sealed (AES-256-GCM, libs/auth/secret-box.ts): never in the log, never returned by the API.
CREATE TABLE IF NOT EXISTS upstream_credentials (
  repository text        PRIMARY KEY,
  sealed     text        NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
