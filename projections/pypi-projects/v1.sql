-- PyPI projects (projection "pypi-projects", version 1): per project, the state it is rendered
-- from and its simple page ready to serve in both PEP 503 HTML and PEP 691 JSON, with ETags.
-- html/json are NULL while the project has no live file (every version deleted).
CREATE TABLE {{table}} (
  repository   text        NOT NULL,
  name         text        NOT NULL,
  display_name text        NOT NULL,
  state        text        NOT NULL,
  html         text,
  html_etag    text,
  json         text,
  json_etag    text,
  -- servable paths: {"<file or file.metadata>": {"sha256", "size", "kind"}}
  downloads    jsonb       NOT NULL DEFAULT '{}',
  modified     timestamptz NOT NULL,
  position     bigint      NOT NULL,
  PRIMARY KEY (repository, name)
);
