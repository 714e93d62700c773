-- The CRM's schema on SQLite. Timestamps are Unix epoch seconds (UTC) in both engines,
-- so ordering, keyset cursors and date filters are plain integer comparisons.
-- Foreign keys have no ON DELETE CASCADE on purpose: the cascade is declared once in
-- code (app/src/db/cascade.rs) and these constraints refuse any delete that would
-- leave a row without its contact. Every foreign-key column leads some index.

CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    email      TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'user')),
    created_at INTEGER NOT NULL
);
CREATE INDEX users_account_id ON users(account_id);

-- AUTOINCREMENT: ids are never reused, so "the highest id when the selection was made"
-- is a safe watermark for contacts created later.
CREATE TABLE contacts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    first_name       TEXT    NOT NULL DEFAULT '',
    last_name        TEXT    NOT NULL DEFAULT '',
    email            TEXT,
    phone            TEXT,
    company          TEXT,
    tags             TEXT    NOT NULL DEFAULT '',  -- lower-case, comma separated
    source           TEXT,
    name_norm        TEXT    NOT NULL DEFAULT '',  -- lower("first last"), for search
    email_norm       TEXT,   -- lower(trim(email)) without inner spaces
    phone_norm       TEXT,   -- digits of phone only
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_activity_at INTEGER
);
-- The list's order (newest first) and its keyset cursor; leads with account_id (the FK).
CREATE INDEX contacts_account_created ON contacts(account_id, created_at DESC, id DESC);
CREATE INDEX contacts_account_activity ON contacts(account_id, last_activity_at);
CREATE INDEX contacts_account_email_norm ON contacts(account_id, email_norm);
CREATE INDEX contacts_account_phone_norm ON contacts(account_id, phone_norm);

-- Campaigns belong to the account and survive the deletion of their contacts.
CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    name       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX campaigns_account_id ON campaigns(account_id);

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id      INTEGER NOT NULL REFERENCES contacts(id),
    channel         TEXT    NOT NULL,   -- sms, email, call
    last_message_at INTEGER NOT NULL
);
CREATE INDEX conversations_contact_id ON conversations(contact_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    direction       TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    body            TEXT    NOT NULL,
    sent_at         INTEGER NOT NULL
);
CREATE INDEX messages_conversation_id ON messages(conversation_id);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX notes_contact_id ON notes(contact_id);

CREATE TABLE opportunities (
    id             INTEGER PRIMARY KEY,
    contact_id     INTEGER NOT NULL REFERENCES contacts(id),
    name           TEXT    NOT NULL,
    pipeline_stage TEXT    NOT NULL,
    value_cents    INTEGER NOT NULL,
    status         TEXT    NOT NULL,  -- open, won, lost
    created_at     INTEGER NOT NULL
);
CREATE INDEX opportunities_contact_id ON opportunities(contact_id);

CREATE TABLE tasks (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    title      TEXT    NOT NULL,
    due_at     INTEGER NOT NULL,
    done       BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX tasks_contact_id ON tasks(contact_id);

CREATE TABLE appointments (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    title      TEXT    NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL
);
CREATE INDEX appointments_contact_id ON appointments(contact_id);

-- Pending manual steps of a workflow: a call to make or an SMS to send by hand.
CREATE TABLE manual_actions (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    kind       TEXT    NOT NULL CHECK (kind IN ('call', 'sms')),
    status     TEXT    NOT NULL,
    due_at     INTEGER NOT NULL
);
CREATE INDEX manual_actions_contact_id ON manual_actions(contact_id);

CREATE TABLE campaign_enrollments (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    contact_id  INTEGER NOT NULL REFERENCES contacts(id),
    status      TEXT    NOT NULL,
    enrolled_at INTEGER NOT NULL,
    UNIQUE (campaign_id, contact_id)   -- its index also serves the campaign_id FK
);
CREATE INDEX campaign_enrollments_contact_id ON campaign_enrollments(contact_id);

-- A saved search + filters; `filter` is the JSON of the app's typed filter value.
CREATE TABLE smart_lists (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    name       TEXT    NOT NULL,
    filter     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (account_id, name)          -- its index also serves the account_id FK
);
