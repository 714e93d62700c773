-- Bulk deletes run as jobs that can be stopped: status 'cancelled', and the flag a Stop
-- sets for the job to see before its next chunk. Exports (a later issue) are recorded
-- here too. SQLite cannot change a CHECK constraint, so the table is rebuilt: nothing
-- references it, and its rows are copied as they are.
CREATE TABLE bulk_actions_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id         INTEGER NOT NULL REFERENCES accounts(id),
    user_id            INTEGER REFERENCES users(id),
    request_key        TEXT    NOT NULL,
    action             TEXT    NOT NULL CHECK (action IN ('delete', 'export')),
    selection          TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    contacts_requested INTEGER NOT NULL,
    contacts_done      INTEGER NOT NULL DEFAULT 0,
    rows_done          TEXT    NOT NULL DEFAULT '{}',
    started_at         INTEGER NOT NULL,
    finished_at        INTEGER,
    cancel_requested   BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE (account_id, request_key)
);
INSERT INTO bulk_actions_new (id, account_id, user_id, request_key, action, selection, description, status,
                              contacts_requested, contacts_done, rows_done, started_at, finished_at)
SELECT id, account_id, user_id, request_key, action, selection, description, status,
       contacts_requested, contacts_done, rows_done, started_at, finished_at
FROM bulk_actions;
DROP TABLE bulk_actions;
ALTER TABLE bulk_actions_new RENAME TO bulk_actions;
CREATE INDEX bulk_actions_user_id ON bulk_actions(user_id);

-- Sign-in compares emails in lower case without surrounding spaces; users written
-- before it may not be.
UPDATE users SET email = LOWER(TRIM(email));
