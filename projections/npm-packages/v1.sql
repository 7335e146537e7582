-- npm packages (projection "npm-packages", version 1): per package, the state it is rendered from
-- and both documents ready to serve (full packument and abbreviated install document) with ETags.
CREATE TABLE {{table}} (
  repository   text        NOT NULL,
  name         text        NOT NULL,
  state        text        NOT NULL,
  rev          text,
  full_doc     text,
  full_etag    text,
  abbrev_doc   text,
  abbrev_etag  text,
  latest       text,
  description  text        NOT NULL DEFAULT '',
  keywords     text[]      NOT NULL DEFAULT '{}',
  maintainers  text[]      NOT NULL DEFAULT '{}',
  publisher    text,
  owner_grants text[]      NOT NULL DEFAULT '{}',
  -- live tarballs by file name: {"<file>": {"version", "sha256", "size"}}
  tarballs     jsonb       NOT NULL DEFAULT '{}',
  modified     timestamptz NOT NULL,
  position     bigint      NOT NULL,
  PRIMARY KEY (repository, name)
);
CREATE INDEX ON {{table}} USING gin (owner_grants);
