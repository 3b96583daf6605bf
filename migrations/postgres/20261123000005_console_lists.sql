-- PostgreSQL twin of migrations/sqlite/20261123000005_console_lists.sql.
-- The staff console's lists and lookups (issue 4).

-- The front desk looks a caller up by their unit before typing a complaint.
ALTER TABLE complaints ADD COLUMN building TEXT;
ALTER TABLE complaints ADD COLUMN unit TEXT;
UPDATE complaints SET building = state ->> 'building', unit = state ->> 'unit';
CREATE INDEX complaints_place ON complaints (project_id, building, unit, id);

-- A list without filters walks the company's complaints in id order.
CREATE INDEX complaints_company ON complaints (company_id, id);

-- SQLite's `complaints_received_day` (company, UTC day bucket, id) is not
-- created here: it lets SQLite, which has no statistics, walk a time range
-- day by day in id order. PostgreSQL's planner chooses between walking
-- `complaints_company` backwards and a top-N sort of the range read from
-- `complaints_received` (company, received_at), from its statistics.
