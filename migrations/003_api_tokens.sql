-- API token secrets live outside the (permanent, exported) log: only their sha256 is stored.
CREATE TABLE IF NOT EXISTS api_tokens (
  id           text        PRIMARY KEY,
  name         text        NOT NULL,
  secret_hash  text        NOT NULL UNIQUE,
  principal    text        NOT NULL,
  is_admin     boolean     NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
