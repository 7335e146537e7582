-- Files remote repositories cached from their upstreams (projection "remote-files", version 1).
CREATE TABLE {{table}} (
  repository  text        NOT NULL,
  path        text        NOT NULL,
  format      text        NOT NULL,
  name        text        NOT NULL,
  version     text        NOT NULL,
  file        jsonb       NOT NULL,
  url         text        NOT NULL,
  etag        text,
  fetched_at  timestamptz NOT NULL,
  PRIMARY KEY (repository, path)
);
