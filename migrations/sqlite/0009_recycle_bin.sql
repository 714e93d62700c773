-- The Recycle Bin (issue 13). An account keeps deleted contacts for `keep_deleted_days`
-- (0: a delete is permanent, the default). A delete accepted while it is above 0 moves
-- each chunk's rows, in the chunk's own transaction, into the `bin_` tables below, each
-- row tagged with the bulk action that deleted it; a restore (a bulk action of its own,
-- `bin_of` naming the delete) moves them back, keeping their ids; a purge (`bin_of`
-- too) removes them for good.
ALTER TABLE accounts ADD COLUMN keep_deleted_days INTEGER NOT NULL DEFAULT 0
    CHECK (keep_deleted_days BETWEEN 0 AND 365);

-- bulk_actions gains the actions 'restore' and 'purge', which SQLite's CHECK cannot be
-- changed to allow: the table is rebuilt. bulk_action_targets references it, so its rows
-- are set aside and it is rebuilt after (a delete that was running when the server
-- stopped keeps its targets and resumes).
CREATE TABLE bulk_actions_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id         INTEGER NOT NULL REFERENCES accounts(id),
    user_id            INTEGER REFERENCES users(id),
    request_key        TEXT    NOT NULL,
    action             TEXT    NOT NULL CHECK (action IN ('delete', 'export', 'restore', 'purge')),
    selection          TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    contacts_requested INTEGER NOT NULL,
    contacts_done      INTEGER NOT NULL DEFAULT 0,
    rows_done          TEXT    NOT NULL DEFAULT '{}',
    started_at         INTEGER NOT NULL,
    finished_at        INTEGER,
    cancel_requested   BOOLEAN NOT NULL DEFAULT 0,
    worker             TEXT,
    lease_until_ms     INTEGER NOT NULL DEFAULT 0,
    resumed            INTEGER NOT NULL DEFAULT 0,
    to_bin             BOOLEAN NOT NULL DEFAULT 0,  -- a delete that moves its rows to the bin
    bin_of             INTEGER REFERENCES bulk_actions(id),  -- a restore or purge: the delete whose bin rows it acts on
    left_out           TEXT    NOT NULL DEFAULT '{}',  -- JSON: area table -> rows a restore could not bring back
    UNIQUE (account_id, request_key)
);
INSERT INTO bulk_actions_new (id, account_id, user_id, request_key, action, selection, description, status,
                              contacts_requested, contacts_done, rows_done, started_at, finished_at,
                              cancel_requested, worker, lease_until_ms, resumed)
SELECT id, account_id, user_id, request_key, action, selection, description, status,
       contacts_requested, contacts_done, rows_done, started_at, finished_at,
       cancel_requested, worker, lease_until_ms, resumed
FROM bulk_actions;
CREATE TABLE bulk_action_targets_kept AS SELECT bulk_action_id, contact_id FROM bulk_action_targets;
DROP TABLE bulk_action_targets;
DROP TABLE bulk_actions;
ALTER TABLE bulk_actions_new RENAME TO bulk_actions;
CREATE INDEX bulk_actions_user_id ON bulk_actions(user_id);
CREATE INDEX bulk_actions_running_lease ON bulk_actions(lease_until_ms) WHERE status = 'running';
CREATE INDEX bulk_actions_bin_of ON bulk_actions(bin_of);
CREATE TABLE bulk_action_targets (
    bulk_action_id INTEGER NOT NULL REFERENCES bulk_actions(id),
    contact_id     INTEGER NOT NULL,   -- no FK: the contact is deleted before this row
    PRIMARY KEY (bulk_action_id, contact_id)
) WITHOUT ROWID;
INSERT INTO bulk_action_targets SELECT bulk_action_id, contact_id FROM bulk_action_targets_kept;
DROP TABLE bulk_action_targets_kept;

-- A restore puts rows back with their ids, so an id must never be given to a new row
-- while its old row waits in the bin. An INTEGER PRIMARY KEY without AUTOINCREMENT hands
-- out the highest id + 1 again once that row is gone: these tables are rebuilt with
-- AUTOINCREMENT (contacts and conversations have it already). Nothing references them.
CREATE TABLE messages_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    direction       TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    body            TEXT    NOT NULL,
    sent_at         INTEGER NOT NULL
);
INSERT INTO messages_new SELECT id, conversation_id, direction, body, sent_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_conversation_id ON messages(conversation_id);

CREATE TABLE notes_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO notes_new SELECT id, contact_id, body, created_at FROM notes;
DROP TABLE notes;
ALTER TABLE notes_new RENAME TO notes;
CREATE INDEX notes_contact_id ON notes(contact_id);

CREATE TABLE opportunities_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id     INTEGER NOT NULL REFERENCES contacts(id),
    name           TEXT    NOT NULL,
    pipeline_stage TEXT    NOT NULL,
    value_cents    INTEGER NOT NULL,
    status         TEXT    NOT NULL,  -- open, won, lost
    created_at     INTEGER NOT NULL
);
INSERT INTO opportunities_new
SELECT id, contact_id, name, pipeline_stage, value_cents, status, created_at FROM opportunities;
DROP TABLE opportunities;
ALTER TABLE opportunities_new RENAME TO opportunities;
CREATE INDEX opportunities_contact_id ON opportunities(contact_id);

CREATE TABLE tasks_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    title      TEXT    NOT NULL,
    due_at     INTEGER NOT NULL,
    done       BOOLEAN NOT NULL DEFAULT 0
);
INSERT INTO tasks_new SELECT id, contact_id, title, due_at, done FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_contact_id ON tasks(contact_id);

CREATE TABLE appointments_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    title      TEXT    NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL
);
INSERT INTO appointments_new SELECT id, contact_id, title, starts_at, ends_at FROM appointments;
DROP TABLE appointments;
ALTER TABLE appointments_new RENAME TO appointments;
CREATE INDEX appointments_contact_id ON appointments(contact_id);

CREATE TABLE manual_actions_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    kind       TEXT    NOT NULL CHECK (kind IN ('call', 'sms')),
    status     TEXT    NOT NULL,
    due_at     INTEGER NOT NULL
);
INSERT INTO manual_actions_new SELECT id, contact_id, kind, status, due_at FROM manual_actions;
DROP TABLE manual_actions;
ALTER TABLE manual_actions_new RENAME TO manual_actions;
CREATE INDEX manual_actions_contact_id ON manual_actions(contact_id);

CREATE TABLE campaign_enrollments_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    contact_id  INTEGER NOT NULL REFERENCES contacts(id),
    status      TEXT    NOT NULL,
    enrolled_at INTEGER NOT NULL,
    UNIQUE (campaign_id, contact_id)
);
INSERT INTO campaign_enrollments_new SELECT id, campaign_id, contact_id, status, enrolled_at FROM campaign_enrollments;
DROP TABLE campaign_enrollments;
ALTER TABLE campaign_enrollments_new RENAME TO campaign_enrollments;
CREATE INDEX campaign_enrollments_contact_id ON campaign_enrollments(contact_id);

-- The bin: one table per live table, with the same columns (without their constraints:
-- a bin row keeps the campaign id of a campaign removed since) and the bulk action that
-- put the row there. The app reads the column names from the catalog, so the order of
-- the columns does not matter; a column added to a live table must be added here too
-- (a schema test checks it).
CREATE TABLE bin_contacts (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL,
    first_name       TEXT    NOT NULL,
    last_name        TEXT    NOT NULL,
    email            TEXT,
    phone            TEXT,
    company          TEXT,
    tags             TEXT    NOT NULL,
    source           TEXT,
    name_norm        TEXT    NOT NULL,
    email_norm       TEXT,
    phone_norm       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_activity_at INTEGER,
    bulk_action_id   INTEGER NOT NULL REFERENCES bulk_actions(id)
);
-- The Recycle Bin page (an account's deleted contacts, newest deletion first), and a
-- restore or purge of one bulk action.
CREATE INDEX bin_contacts_account ON bin_contacts(account_id, bulk_action_id, id);
CREATE INDEX bin_contacts_bulk_action ON bin_contacts(bulk_action_id, id);

CREATE TABLE bin_conversations (
    id              INTEGER PRIMARY KEY,
    contact_id      INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    last_message_at INTEGER NOT NULL,
    bulk_action_id  INTEGER NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_conversations_bulk_action ON bin_conversations(bulk_action_id, contact_id);

CREATE TABLE bin_messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    direction       TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    sent_at         INTEGER NOT NULL,
    bulk_action_id  INTEGER NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_messages_bulk_action ON bin_messages(bulk_action_id, conversation_id);

CREATE TABLE bin_notes (
    id             INTEGER PRIMARY KEY,
    contact_id     INTEGER NOT NULL,
    body           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    bulk_action_id INTEGER NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_notes_bulk_action ON bin_notes(bulk_action_id, contact_id);

CREATE TABLE bin_opportunities (
    id             INTEGER PRIMARY KEY,
    contact_id     INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    pipeline_stage TEXT    NOT NULL,
    value_cents    INTEGER NOT NULL,
    status         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    bulk_action_id INTEGER NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_opportunities_bulk_action ON bin_opportunities(bulk_action_id, contact_id);

CREATE TABLE bin_tasks (
    id             INTEGER PRIMARY KEY,
    contact_id     INTEGER NOT NULL,
    title          TEXT    NOT NULL,
    due_at         INTEGER NOT NULL,
    done           BOOLEAN NOT NULL,
    bulk_action_id INTEGER NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_tasks_bulk_action ON bin_tasks(bulk_action_id, contact_id);

CREATE TABLE bin_appointments (
    id             INTEGER PRIMARY KEY,
    contact_id     INTEGER NOT NULL,
    title          TEXT    NOT NULL,
    starts_at      INTEGER NOT NULL,
    ends_at        INTEGER NOT NULL,
    bulk_action_id INTEGER NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_appointments_bulk_action ON bin_appointments(bulk_action_id, contact_id);

CREATE TABLE bin_manual_actions (
    id             INTEGER PRIMARY KEY,
    contact_id     INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    due_at         INTEGER NOT NULL,
    bulk_action_id INTEGER NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_manual_actions_bulk_action ON bin_manual_actions(bulk_action_id, contact_id);

CREATE TABLE bin_campaign_enrollments (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL,
    contact_id     INTEGER NOT NULL,
    status         TEXT    NOT NULL,
    enrolled_at    INTEGER NOT NULL,
    bulk_action_id INTEGER NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_campaign_enrollments_bulk_action ON bin_campaign_enrollments(bulk_action_id, contact_id);
