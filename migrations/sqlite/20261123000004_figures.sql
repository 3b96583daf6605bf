-- Figures kept as events are written (see tousu_domain::stats): dashboards
-- and reports read these instead of scanning every complaint.
CREATE TABLE stats_daily (
    company_id INTEGER NOT NULL REFERENCES companies (id),
    day        TEXT NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    key        TEXT NOT NULL,
    value      INTEGER NOT NULL,
    PRIMARY KEY (company_id, day, project_id, key)
) WITHOUT ROWID;

CREATE TABLE stats_current (
    company_id INTEGER NOT NULL REFERENCES companies (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    key        TEXT NOT NULL,
    value      INTEGER NOT NULL,
    PRIMARY KEY (company_id, project_id, key)
) WITHOUT ROWID;

-- Complaints recorded before the figures existed: their statuses, and what
-- was received per day, category and building (Asia/Shanghai dates).
INSERT INTO stats_current (company_id, project_id, key, value)
SELECT company_id, project_id, 'status:' || status, COUNT(*) FROM complaints GROUP BY company_id, project_id, status;

INSERT INTO stats_daily (company_id, day, project_id, key, value)
SELECT company_id, date(received_at / 1000, 'unixepoch', '+8 hours'), project_id,
       'received:' || COALESCE(category, 'uncategorised'), COUNT(*)
FROM complaints GROUP BY 1, 2, 3, 4;

INSERT INTO stats_daily (company_id, day, project_id, key, value)
SELECT company_id, date(received_at / 1000, 'unixepoch', '+8 hours', 'start of month'), project_id,
       'received_building:' || json_extract(state, '$.building'), COUNT(*)
FROM complaints GROUP BY 1, 2, 3, 4;
