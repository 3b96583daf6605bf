-- PostgreSQL twin of migrations/sqlite/20261206060000_worker_leases.sql.
-- Leases for the background work when several server processes share one
-- database (issue 6). A worker claims what it is about to do for a short
-- time; a process that dies mid-work leaves its claims to expire, and
-- another process takes them over. On SQLite one process owns the file,
-- so a claim never meets another's, but the same statements run, so the
-- same conformance tests hold on both backends. Deliveries are leased
-- with FOR UPDATE SKIP LOCKED (two processes never wait on each other);
-- a complaint is claimed by inserting its row here (the primary key lets
-- one of two racing claims through).

-- The escalation worker's claim on a complaint with due deadlines: one row
-- per claimed complaint, so two workers never fire the same complaint. Any
-- later write of the complaint's deadlines (the firing it was claimed for,
-- or a user's action) ends the claim.
CREATE TABLE deadline_claims (
    complaint_id  BIGINT PRIMARY KEY REFERENCES complaints (id),
    claimed_by    TEXT NOT NULL,
    claimed_until TIMESTAMPTZ NOT NULL
);

-- The dispatcher's lease on a delivery it is sending, and the worker that
-- made the last attempt (shown to administrators: which server sent it).
ALTER TABLE deliveries ADD COLUMN leased_by TEXT;
ALTER TABLE deliveries ADD COLUMN lease_until TIMESTAMPTZ;
ALTER TABLE deliveries ADD COLUMN attempted_by TEXT;
