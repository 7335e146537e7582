-- Read model of repositories (projection "repositories", version 1). Rebuilt from events.
CREATE TABLE {{table}} (
  name            text        PRIMARY KEY,
  format          text        NOT NULL,
  repository_type text        NOT NULL,
  config          jsonb       NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  position        bigint      NOT NULL
);
