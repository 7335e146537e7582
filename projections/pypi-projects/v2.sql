-- PyPI projects (projection "pypi-projects", version 2): per project, the state it is rendered
-- from and what is served from it, ready to serve with ETags: the simple page in PEP 503 HTML and
-- PEP 691 JSON, and (since v2) PyPI's JSON API documents, whose URLs hold a base-URL mark that
-- the request's base replaces. html/json/json_api are NULL while the project has no live file.
CREATE TABLE {{table}} (
  repository        text        NOT NULL,
  name              text        NOT NULL,
  display_name      text        NOT NULL,
  state             text        NOT NULL,
  html              text,
  html_etag         text,
  json              text,
  json_etag         text,
  -- GET /pypi/<project>/json
  json_api          text,
  json_api_etag     text,
  -- GET /pypi/<project>/<version>/json: {"<version>": {"body", "etag"}}
  json_api_releases jsonb       NOT NULL DEFAULT '{}',
  -- servable paths: {"<file or file.metadata>": {"sha256", "size", "kind"}}
  downloads         jsonb       NOT NULL DEFAULT '{}',
  modified          timestamptz NOT NULL,
  position          bigint      NOT NULL,
  PRIMARY KEY (repository, name)
);
