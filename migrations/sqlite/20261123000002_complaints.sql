-- Complaints: the current state (one row, `state` is the domain's JSON) and
-- the append-only history it is folded from. Timestamps are Unix milliseconds.
CREATE TABLE complaints (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies (id),
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    tracking_no     TEXT NOT NULL,
    status          TEXT NOT NULL,
    is_open         INTEGER NOT NULL,
    category        TEXT,
    severity        TEXT,
    department_code TEXT,
    received_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    state           TEXT NOT NULL,
    UNIQUE (tracking_no, company_id)
);
-- One index per list filter, each ending in id so that a page is an index walk.
CREATE INDEX complaints_open ON complaints (company_id, id) WHERE is_open = 1;
CREATE INDEX complaints_status ON complaints (company_id, status, id);
CREATE INDEX complaints_project ON complaints (project_id, id);
CREATE INDEX complaints_category ON complaints (company_id, category, id) WHERE category IS NOT NULL;
CREATE INDEX complaints_severity ON complaints (company_id, severity, id) WHERE severity IS NOT NULL;
CREATE INDEX complaints_department ON complaints (company_id, department_code, id) WHERE department_code IS NOT NULL;
CREATE INDEX complaints_received ON complaints (company_id, received_at);

CREATE TABLE complaint_events (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    seq          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    at           INTEGER NOT NULL,
    actor_id     INTEGER,
    actor_role   TEXT,
    payload      TEXT NOT NULL,
    UNIQUE (complaint_id, seq)
);

-- Nothing is lost: history is append-only and complaints are never deleted.
CREATE TRIGGER complaint_events_no_update BEFORE UPDATE ON complaint_events
BEGIN SELECT RAISE(ABORT, 'complaint_events is append-only'); END;
CREATE TRIGGER complaint_events_no_delete BEFORE DELETE ON complaint_events
BEGIN SELECT RAISE(ABORT, 'complaint_events is append-only'); END;
CREATE TRIGGER complaints_no_delete BEFORE DELETE ON complaints
BEGIN SELECT RAISE(ABORT, 'complaints are never deleted, only closed'); END;

-- The complaint's deadlines, mirrored from its state for the escalation worker.
CREATE TABLE deadlines (
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    ordinal      INTEGER NOT NULL,
    rule         TEXT NOT NULL,
    due_at       INTEGER NOT NULL,
    level        TEXT NOT NULL,
    state        TEXT NOT NULL,
    closed_at    INTEGER,
    PRIMARY KEY (complaint_id, ordinal)
) WITHOUT ROWID;
CREATE INDEX deadlines_open_due ON deadlines (due_at) WHERE state = 'open';

CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;

-- The last tracking sequence given per company and local day.
CREATE TABLE tracking_counters (
    company_id INTEGER NOT NULL REFERENCES companies (id),
    day        TEXT NOT NULL,
    last_seq   INTEGER NOT NULL,
    PRIMARY KEY (company_id, day)
) WITHOUT ROWID;

-- Evidence files. Bytes are content-addressed: the same photo twice is kept once.
CREATE TABLE file_blobs (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    bytes  BLOB NOT NULL
);

CREATE TABLE files (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES companies (id),
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES file_blobs (sha256),
    uploaded_by  INTEGER REFERENCES staff (id),
    uploaded_at  INTEGER NOT NULL
);
CREATE INDEX files_complaint ON files (complaint_id);
CREATE TRIGGER files_no_delete BEFORE DELETE ON files
BEGIN SELECT RAISE(ABORT, 'evidence files are never deleted'); END;
