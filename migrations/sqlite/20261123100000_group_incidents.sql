-- Group complaints (群诉): incidents and the complaints that make them up.
CREATE TABLE group_incidents (
    id                   INTEGER PRIMARY KEY,
    company_id           INTEGER NOT NULL REFERENCES companies (id),
    project_id           INTEGER NOT NULL REFERENCES projects (id),
    cause                TEXT NOT NULL,
    severity             TEXT NOT NULL,
    households           INTEGER NOT NULL,
    flagged_complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    opened_at            INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX group_incidents_company ON group_incidents (company_id, id);

CREATE TABLE group_members (
    incident_id  INTEGER NOT NULL REFERENCES group_incidents (id),
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    PRIMARY KEY (incident_id, complaint_id)
) WITHOUT ROWID;
CREATE INDEX group_members_complaint ON group_members (complaint_id);
