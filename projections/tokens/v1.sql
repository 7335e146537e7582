-- API tokens' metadata (projection "tokens", version 1). Secrets live in api_tokens (hash only).
CREATE TABLE {{table}} (
  token_id     text        PRIMARY KEY,
  user_id      text        NOT NULL,
  name         text        NOT NULL,
  expires_at   timestamptz,
  read_only    boolean     NOT NULL,
  repositories text[],
  cidrs        text[],
  created_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX ON {{table}} (user_id);
