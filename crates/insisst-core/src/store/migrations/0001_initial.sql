-- 0001: the first schema. Append-only: never edit a migration that has landed; add the next.

-- Who this workspace is. One row.
CREATE TABLE identity (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    node_id     TEXT NOT NULL,
    member      TEXT NOT NULL,
    org_id      TEXT,
    secret_key  BLOB NOT NULL CHECK (length(secret_key) = 32),
    created_at  TEXT NOT NULL
) STRICT;

-- One row per record: its winning revision, and what lists and filters need without
-- parsing JSON. The content itself lives once, in `revisions`.
CREATE TABLE records (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    title_key   TEXT NOT NULL,
    status      TEXT,
    rev         TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    -- The change sequence of this record's last change; the search index follows it.
    seq         INTEGER NOT NULL UNIQUE,
    FOREIGN KEY (id, rev) REFERENCES revisions (id, rev) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX records_by_kind ON records (kind, deleted, updated_at, id);
CREATE INDEX records_by_update ON records (deleted, updated_at, id);
CREATE INDEX records_by_title ON records (title_key);

-- Every revision of every record: the ancestry, the history, and (later) conflicting leaves.
CREATE TABLE revisions (
    id          TEXT NOT NULL,
    rev         TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    parent      TEXT,
    deleted     INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    is_leaf     INTEGER NOT NULL CHECK (is_leaf IN (0, 1)),
    -- Canonical JSON; NULL once purged (erasure).
    content     TEXT,
    author      TEXT NOT NULL,
    author_org  TEXT,
    node_id     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (id, rev)
) STRICT;
-- A rowid table on purpose: revision rows carry whole records (kilobytes), and SQLite keeps
-- large rows far better in a rowid table than in a WITHOUT ROWID one.
CREATE INDEX revisions_leaves ON revisions (id) WHERE is_leaf = 1;

CREATE TABLE tags (
    record_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    tag_key     TEXT NOT NULL,
    PRIMARY KEY (record_id, tag_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX tags_by_key ON tags (tag_key);

-- Typed references of the winning revisions: `links` for explicit links, else the field
-- (`session_id`, `participants`, `agenda.method_id` …).
CREATE TABLE refs (
    source_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    target_id   TEXT NOT NULL,
    rel         TEXT NOT NULL,
    PRIMARY KEY (source_id, target_id, rel)
) STRICT, WITHOUT ROWID;
CREATE INDEX refs_by_target ON refs (target_id);

-- [[Wiki links]] by the title they name; resolved when read.
CREATE TABLE wiki_refs (
    source_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    title_key   TEXT NOT NULL,
    PRIMARY KEY (source_id, title_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX wiki_refs_by_title ON wiki_refs (title_key);
