-- The search index's feed (issue 8): each event carries the id of the
-- transaction that wrote it, so a reader can follow the history in an
-- order no late commit can slip behind (see reads::list_changes_after).
-- Events written before this migration all take its transaction's id.
ALTER TABLE complaint_events
    ADD COLUMN tx BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX complaint_events_feed ON complaint_events (tx, id);
