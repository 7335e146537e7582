-- Users (projection "users", version 1). Profile data and password hashes are not here.
CREATE TABLE {{table}} (
  user_id    text        PRIMARY KEY,
  source     text        NOT NULL,
  admin      boolean     NOT NULL,
  disabled   boolean     NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
