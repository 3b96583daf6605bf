-- Training cases (案例库, issue 7): a closed complaint turned into an
-- anonymised case for the training file; one case per complaint.
CREATE TABLE training_cases (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES companies (id),
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    -- The case document (tousu_domain::training::TrainingCase) as JSON.
    document     TEXT NOT NULL,
    created_by   INTEGER REFERENCES staff (id),
    created_at   INTEGER NOT NULL,
    UNIQUE (company_id, complaint_id)
);
