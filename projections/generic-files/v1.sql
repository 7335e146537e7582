-- Files of generic repositories (projection "generic-files", version 1).
CREATE TABLE {{table}} (
  repository   text        NOT NULL,
  path         text        NOT NULL,
  sha256       text        NOT NULL,
  sha1         text        NOT NULL,
  md5          text        NOT NULL,
  size         bigint      NOT NULL,
  media_type   text        NOT NULL,
  published_at timestamptz NOT NULL,
  published_by text        NOT NULL,
  position     bigint      NOT NULL,
  PRIMARY KEY (repository, path)
);
CREATE INDEX ON {{table}} (repository, path text_pattern_ops);
