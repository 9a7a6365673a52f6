-- 0003: erasure of personal data (issue 9). Append-only: never edit a migration that has landed.

-- People this workspace has forgotten, or learnt from a bundle that another workspace forgot.
-- An erasure is final: every revision of `id`, held here or arriving later, is kept by rev only
-- (no content) and counts as deleted. The row names no person: the record id, when, and which
-- workspace erased it. Two workspaces that forget the same person keep the earliest marker
-- (then the lowest node id), so every workspace ends with the same one.
CREATE TABLE erasures (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind = 'contact'),
    erased_at    TEXT NOT NULL,
    node_id      TEXT NOT NULL,
    -- When this workspace applied it (its own forget, or the import that brought it).
    applied_at   TEXT NOT NULL
) STRICT;
