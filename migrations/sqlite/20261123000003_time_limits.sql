-- Time limits, escalation and notifications (issue 3).

-- Repeats are found by the customer's phone within a company.
ALTER TABLE complaints ADD COLUMN customer_phone TEXT;
UPDATE complaints SET customer_phone = json_extract(state, '$.customer.phone');
CREATE INDEX complaints_customer ON complaints (company_id, customer_phone, id);

-- The escalation worker looks only at deadlines whose next check is due:
-- its cost follows what is due, not what is open.
ALTER TABLE deadlines ADD COLUMN next_check_at INTEGER;
UPDATE deadlines SET next_check_at = due_at WHERE state = 'open';
DROP INDEX deadlines_open_due;
CREATE INDEX deadlines_next_check ON deadlines (next_check_at) WHERE next_check_at IS NOT NULL;

-- The transactional outbox: a notification is written in the same
-- transaction as the event that causes it, then routed to deliveries.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies (id),
    complaint_id    INTEGER REFERENCES complaints (id),
    event_seq       INTEGER,
    kind            TEXT NOT NULL,
    level           TEXT,
    department_code TEXT,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    routed_at       INTEGER
);
CREATE INDEX notifications_unrouted ON notifications (id) WHERE routed_at IS NULL;

-- One delivery per notification and configured route (the route's channel,
-- with its secrets, stays in the configuration, never in the database).
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications (id),
    route           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_status ON deliveries (status, id);

-- Working-day calendars imported by the company (replacing the shipped year).
CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    content     TEXT NOT NULL,
    imported_at INTEGER NOT NULL
);
