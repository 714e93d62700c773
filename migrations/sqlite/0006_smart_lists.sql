-- Smart Lists (the table is in 0001): a search beside the filter, and who saved it.
-- The filter stays the JSON of the typed Filter value (app/src/filter.rs), never SQL:
-- it is validated and turned into bound SQL each time it is used.
ALTER TABLE smart_lists ADD COLUMN search TEXT NOT NULL DEFAULT '';
ALTER TABLE smart_lists ADD COLUMN created_by INTEGER REFERENCES users(id);
CREATE INDEX smart_lists_created_by ON smart_lists(created_by);
