-- The staff console's lists and lookups (issue 4).

-- The front desk looks a caller up by their unit before typing a complaint.
ALTER TABLE complaints ADD COLUMN building TEXT;
ALTER TABLE complaints ADD COLUMN unit TEXT;
UPDATE complaints SET building = json_extract(state, '$.building'), unit = json_extract(state, '$.unit');
CREATE INDEX complaints_place ON complaints (project_id, building, unit, id);

-- A list without filters walks the company's complaints in id order (it
-- walked `complaints_received` and sorted the whole company: 1.6 s at
-- 1,000,000 complaints).
CREATE INDEX complaints_company ON complaints (company_id, id);

-- A received-time range walks day by day (UTC days), each day in id order,
-- reading each day only until the page is full; `received_at` itself decides.
CREATE INDEX complaints_received_day ON complaints (company_id, received_at / 86400000, id);
