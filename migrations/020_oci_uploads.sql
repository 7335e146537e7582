-- OCI blob upload sessions (POST /v2/<repo>/<name>/blobs/uploads/): the bytes are a staged
-- upload in the blob store's temporary area under the same id; sessions survive restarts and
-- expire (the OCI cleanup removes sessions idle longer than the GC grace period).
CREATE TABLE IF NOT EXISTS oci_upload_sessions (
  id          text        PRIMARY KEY,
  repository  text        NOT NULL,
  name        text        NOT NULL,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Blobs uploaded (or mounted) into an image name before any manifest references them: what
-- a repository may serve by digest. Once a manifest references a blob, the blob-references
-- read model says so too. `digest` is the OCI digest (sha256: or sha512:), `sha256` the store address.
CREATE TABLE IF NOT EXISTS oci_blob_links (
  repository  text        NOT NULL,
  name        text        NOT NULL,
  digest      text        NOT NULL,
  sha256      text        NOT NULL,
  size        bigint      NOT NULL,
  linked_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository, name, digest)
);
CREATE INDEX IF NOT EXISTS oci_blob_links_digest ON oci_blob_links (digest);
