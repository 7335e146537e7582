-- Secrets and counters of identity that must never enter the log.
CREATE TABLE IF NOT EXISTS user_credentials (
  user_id       text        PRIMARY KEY,
  password_hash text        NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Refresh tokens of sessions: hash only, rotated on every use.
CREATE TABLE IF NOT EXISTS refresh_tokens (
  id          text        PRIMARY KEY,
  user_id     text        NOT NULL,
  secret_hash text        NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
-- Failed sign-ins per user and per client address (rate limiting across all nodes).
CREATE TABLE IF NOT EXISTS login_failures (
  key          text        PRIMARY KEY,
  failures     integer     NOT NULL,
  window_start timestamptz NOT NULL
);
