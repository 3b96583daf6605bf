-- The twin of the PostgreSQL migration that gives each event its writing
-- transaction's id for the search index's feed. SQLite has one writer and
-- event ids in commit order, so the feed follows `id` alone: nothing to
-- add here.
SELECT 1;
