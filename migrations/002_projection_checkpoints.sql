-- One row per projection (name + version): the last event position applied to its table.
-- Stored in the same transaction as the read-model change it covers.
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name       text        NOT NULL,
  version    integer     NOT NULL,
  position   bigint      NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);
-- Lease: which process applies this projection now (distributed profile). Exactly-once does not
-- depend on it (each batch locks the checkpoint row and skips what it already covers); the lease
-- only keeps two processes from doing the same work.
ALTER TABLE projection_checkpoints ADD COLUMN IF NOT EXISTS holder text;
ALTER TABLE projection_checkpoints ADD COLUMN IF NOT EXISTS lease_until timestamptz;
