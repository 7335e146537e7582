-- npm web logins in flight (`npm login` with auth-type web, owned by libs/formats/npm/web-login-store.ts):
-- short-lived, single-use rows, in SQL so that the browser's sign-in and npm's polling may land on
-- different API nodes. Only sha256 hashes of the two ids are kept; no token is ever stored here
-- (it is minted when npm collects it).
CREATE TABLE IF NOT EXISTS npm_web_logins (
  login_hash  text        PRIMARY KEY,
  done_hash   text        NOT NULL UNIQUE,
  repository  text        NOT NULL,
  user_id     text,
  auth_method text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS npm_web_logins_expires ON npm_web_logins (expires_at);
