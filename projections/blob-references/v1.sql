-- Which artifact files reference which blob (projection "blob-references", version 1).
-- deleted_at is set when the artifact is deleted: GC keeps the blob through the undo window.
CREATE TABLE {{table}} (
  digest      text        NOT NULL,
  repository  text        NOT NULL,
  format      text        NOT NULL,
  name        text        NOT NULL,
  version     text        NOT NULL,
  path        text        NOT NULL,
  size        bigint      NOT NULL,
  deleted_at  timestamptz,
  purged      boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (digest, repository, format, name, version, path)
);
CREATE INDEX ON {{table}} (digest) WHERE deleted_at IS NULL;
