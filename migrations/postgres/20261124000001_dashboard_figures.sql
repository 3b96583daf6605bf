-- PostgreSQL twin of migrations/sqlite/20261124000001_dashboard_figures.sql.
-- The dashboard reads a few keys over up to a year (callbacks and indexes
-- per month, deadlines per week, buildings per month). By key first, and
-- covering the value, each key is one range of the index (an index-only
-- scan once the table is vacuumed).
CREATE INDEX stats_daily_by_key ON stats_daily (company_id, key, day, project_id) INCLUDE (value);
