-- Permission grants (projection "grants", version 1). repository '*' means every repository.
CREATE TABLE {{table}} (
  grant_id     text        PRIMARY KEY,
  repository   text        NOT NULL,
  subject_type text        NOT NULL,
  subject_id   text        NOT NULL,
  actions      text[]      NOT NULL,
  pattern      text,
  granted_at   timestamptz NOT NULL,
  granted_by   text        NOT NULL
);
CREATE INDEX ON {{table}} (subject_type, subject_id);
CREATE INDEX ON {{table}} (repository);
