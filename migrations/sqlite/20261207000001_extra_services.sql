-- The extra-services ledger (惊喜服务, issue 7): an unannounced extra
-- service given to a household, logged by staff. Callbacks record whether
-- their household had one, so that the satisfaction figures compare the two.
-- Append-only, like the history.
CREATE TABLE extra_services (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies (id),
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    building    TEXT NOT NULL,
    unit        TEXT NOT NULL,
    -- The catalogue's service code, when it is one of the catalogue's.
    service     TEXT,
    description TEXT NOT NULL,
    -- Who gave it (a name: it may be someone without an account).
    given_by    TEXT NOT NULL,
    given_at    INTEGER NOT NULL,
    recorded_by INTEGER REFERENCES staff (id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX extra_services_household ON extra_services (project_id, building, unit, given_at);
CREATE INDEX extra_services_company ON extra_services (company_id, id);
