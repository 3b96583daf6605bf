-- The organisation: group → company → project → building → unit, departments, staff.
CREATE TABLE groups (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE companies (
    id              INTEGER PRIMARY KEY,
    group_id        INTEGER NOT NULL REFERENCES groups (id),
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    tracking_prefix TEXT NOT NULL,
    timezone        TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    created_at      INTEGER NOT NULL
);

CREATE TABLE projects (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    UNIQUE (company_id, code)
);

CREATE TABLE buildings (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    name       TEXT NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    building_id INTEGER NOT NULL REFERENCES buildings (id),
    name        TEXT NOT NULL,
    UNIQUE (building_id, name)
);

CREATE TABLE departments (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    UNIQUE (company_id, code)
);

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies (id),
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('front_desk', 'handler', 'department_head',
                                                  'company_leader', 'board', 'analyst', 'admin')),
    department_code TEXT,
    password_hash   TEXT,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    FOREIGN KEY (company_id, department_code) REFERENCES departments (company_id, code)
);
CREATE INDEX staff_role ON staff (role, id);

-- Sessions and API tokens, by the SHA-256 of their secret. Revoked, never deleted.
CREATE TABLE credentials (
    secret_hash TEXT PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff (id),
    kind        TEXT NOT NULL CHECK (kind IN ('session', 'api_token')),
    label       TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
) WITHOUT ROWID;
