-- One row per bulk action (a delete): what was asked, how far it got, what it removed.
-- request_key makes a repeated request (double click, retry, second tab of the same
-- dialog) find the first one instead of running again. The counts are updated in the
-- same transaction as each chunk of the delete, so they never disagree with the data.
CREATE TABLE bulk_actions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id         INTEGER NOT NULL REFERENCES accounts(id),
    user_id            INTEGER REFERENCES users(id),
    request_key        TEXT    NOT NULL,
    action             TEXT    NOT NULL CHECK (action IN ('delete')),
    selection          TEXT    NOT NULL,   -- JSON of the selection as the browser sent it
    description        TEXT    NOT NULL,   -- the selection in words
    status             TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    contacts_requested INTEGER NOT NULL,
    contacts_done      INTEGER NOT NULL DEFAULT 0,
    rows_done          TEXT    NOT NULL DEFAULT '{}',  -- JSON: area table -> rows removed
    started_at         INTEGER NOT NULL,
    finished_at        INTEGER,
    UNIQUE (account_id, request_key)   -- its index also serves the account_id FK
);
CREATE INDEX bulk_actions_user_id ON bulk_actions(user_id);
