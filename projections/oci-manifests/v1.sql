-- OCI manifests and indexes (projection "oci-manifests", version 1): one row per live manifest
-- of an image name, with what GET/HEAD and the referrers API answer. The bytes are the blob
-- `sha256` in the blob store (the manifest exactly as pushed).
CREATE TABLE {{table}} (
  repository     text        NOT NULL,
  name           text        NOT NULL,
  digest         text        NOT NULL,
  sha256         text        NOT NULL,
  media_type     text        NOT NULL,
  size           bigint      NOT NULL,
  artifact_type  text,
  subject        text,
  annotations    jsonb,
  -- Helm charts pushed as OCI artifacts: name, version, appVersion, description of the config
  chart          jsonb,
  pushed_at      timestamptz NOT NULL,
  position       bigint      NOT NULL,
  PRIMARY KEY (repository, name, digest)
);
CREATE INDEX ON {{table}} (repository, name, subject) WHERE subject IS NOT NULL;
