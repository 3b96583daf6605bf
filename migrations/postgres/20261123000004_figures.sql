-- PostgreSQL twin of migrations/sqlite/20261123000004_figures.sql.
-- Figures kept as events are written (see tousu_domain::stats): dashboards
-- and reports read these instead of scanning every complaint.
-- Keys are compared byte by byte (COLLATE "C") whatever the database's
-- collation: a key prefix is read as a range of the index.
CREATE TABLE stats_daily (
    company_id BIGINT NOT NULL REFERENCES companies (id),
    day        DATE NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    key        TEXT COLLATE "C" NOT NULL,
    value      BIGINT NOT NULL,
    PRIMARY KEY (company_id, day, project_id, key)
);

CREATE TABLE stats_current (
    company_id BIGINT NOT NULL REFERENCES companies (id),
    project_id BIGINT NOT NULL REFERENCES projects (id),
    key        TEXT COLLATE "C" NOT NULL,
    value      BIGINT NOT NULL,
    PRIMARY KEY (company_id, project_id, key)
);

-- Complaints recorded before the figures existed: their statuses, and what
-- was received per day, category and building (Asia/Shanghai dates). Kept
-- for symmetry with SQLite: a PostgreSQL database gets every migration
-- while still empty.
INSERT INTO stats_current (company_id, project_id, key, value)
SELECT company_id, project_id, 'status:' || status, COUNT(*) FROM complaints GROUP BY company_id, project_id, status;

INSERT INTO stats_daily (company_id, day, project_id, key, value)
SELECT company_id, (received_at AT TIME ZONE 'Asia/Shanghai')::date, project_id,
       'received:' || COALESCE(category, 'uncategorised'), COUNT(*)
FROM complaints GROUP BY 1, 2, 3, 4;

INSERT INTO stats_daily (company_id, day, project_id, key, value)
SELECT company_id, date_trunc('month', received_at AT TIME ZONE 'Asia/Shanghai')::date, project_id,
       'received_building:' || (state ->> 'building'), COUNT(*)
FROM complaints GROUP BY 1, 2, 3, 4;
