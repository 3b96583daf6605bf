-- The defect library (缺陷库, issue 7): each complaint's root cause as
-- `component:phase`, mirrored from its state, so that the design-review
-- checklist finds example complaints of a defect, and a closing complaint
-- finds whether its household already had it, without a scan.
ALTER TABLE complaints ADD COLUMN defect_key TEXT;
CREATE INDEX complaints_defect ON complaints (company_id, defect_key, id) WHERE defect_key IS NOT NULL;
CREATE INDEX complaints_defect_household ON complaints (project_id, building, unit, defect_key)
    WHERE defect_key IS NOT NULL;
