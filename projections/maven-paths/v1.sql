-- Maven repositories (projection "maven-paths", version 1): one row per servable path of the
-- Maven 2 layout, so that any GET (file, plain -SNAPSHOT alias, metadata, checksum) is one
-- indexed row. Metadata rows hold the document ready to serve; the artifact-level metadata row
-- also holds the state it is rendered from (and body NULL once every version is deleted).
CREATE TABLE {{table}} (
  repository text        NOT NULL,
  path       text        COLLATE "C" NOT NULL,
  -- 'file' (deployed), 'alias' (plain -SNAPSHOT name of the newest build), 'metadata'
  kind       text        NOT NULL,
  -- groupId:artifactId and version of file, alias and artifact/snapshot metadata rows
  artifact   text,
  version    text,
  group_id   text,
  sha256     text,
  size       bigint,
  sha1       text,
  md5        text,
  sha512     text,
  media_type text        NOT NULL,
  body       text,
  state      text,
  -- artifact-level metadata rows of maven-plugin artifacts: {"name", "prefix", "artifactId"}
  plugin     jsonb,
  modified   timestamptz NOT NULL,
  position   bigint      NOT NULL,
  PRIMARY KEY (repository, path)
);
CREATE INDEX ON {{table}} (repository, artifact, version);
CREATE INDEX ON {{table}} (repository, group_id) WHERE plugin IS NOT NULL;
