-- 0002: exchange between workspaces. Append-only: never edit a migration that has landed.

-- An ancestor revision a bundle named by rev only: this workspace never had its content.
-- It keeps the ancestry whole, so that an older bundle arriving later is recognised as old.
ALTER TABLE revisions ADD COLUMN stub INTEGER NOT NULL DEFAULT 0 CHECK (stub IN (0, 1));

-- Authors whose bundles this workspace has read: trust on first use, by node id.
CREATE TABLE keyring (
    node_id      TEXT PRIMARY KEY,
    public_key   TEXT NOT NULL,
    member       TEXT NOT NULL,
    organisation TEXT NOT NULL,
    first_seen   TEXT NOT NULL,
    last_seen    TEXT NOT NULL
) STRICT;

-- Every bundle import attempt that was applied or found to change nothing.
CREATE TABLE bundles_seen (
    bundle_id    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    author_node  TEXT NOT NULL,
    seen_at      TEXT NOT NULL,
    changed      INTEGER NOT NULL CHECK (changed >= 0)
) STRICT;
CREATE INDEX bundles_seen_by_id ON bundles_seen (bundle_id);

-- Bundles this workspace made, with the change sequence they covered: what
-- `--changed-since-last-to ORG` starts from.
CREATE TABLE exports (
    bundle_id    TEXT PRIMARY KEY,
    for_org      TEXT,
    change_seq   INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    records      INTEGER NOT NULL
) STRICT;
CREATE INDEX exports_by_org ON exports (for_org, change_seq);
