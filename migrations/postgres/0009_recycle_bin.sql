-- The Recycle Bin (issue 13). An account keeps deleted contacts for `keep_deleted_days`
-- (0: a delete is permanent, the default). A delete accepted while it is above 0 moves
-- each chunk's rows, in the chunk's own transaction, into the `bin_` tables below, each
-- row tagged with the bulk action that deleted it; a restore (a bulk action of its own,
-- `bin_of` naming the delete) moves them back, keeping their ids (identity columns
-- never hand an id out twice); a purge (`bin_of` too) removes them for good.
ALTER TABLE accounts ADD COLUMN keep_deleted_days BIGINT NOT NULL DEFAULT 0
    CHECK (keep_deleted_days BETWEEN 0 AND 365);

ALTER TABLE bulk_actions DROP CONSTRAINT bulk_actions_action_check;
ALTER TABLE bulk_actions ADD CONSTRAINT bulk_actions_action_check
    CHECK (action IN ('delete', 'export', 'restore', 'purge'));
-- A delete that moves its rows to the bin; a restore or purge: the delete whose rows in
-- the bin it acts on; JSON: area table -> rows a restore could not bring back.
ALTER TABLE bulk_actions ADD COLUMN to_bin BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE bulk_actions ADD COLUMN bin_of BIGINT REFERENCES bulk_actions(id);
ALTER TABLE bulk_actions ADD COLUMN left_out TEXT NOT NULL DEFAULT '{}';
CREATE INDEX bulk_actions_bin_of ON bulk_actions(bin_of);

-- The bin: one table per live table, with the same columns (without their constraints:
-- a bin row keeps the campaign id of a campaign removed since) and the bulk action that
-- put the row there. The app reads the column names from the catalog, so the order of
-- the columns does not matter; a column added to a live table must be added here too
-- (a schema test checks it).
CREATE TABLE bin_contacts (
    id               BIGINT PRIMARY KEY,
    account_id       BIGINT NOT NULL,
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
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    last_activity_at BIGINT,
    bulk_action_id   BIGINT NOT NULL REFERENCES bulk_actions(id)
);
-- The Recycle Bin page (an account's deleted contacts, newest deletion first), and a
-- restore or purge of one bulk action.
CREATE INDEX bin_contacts_account ON bin_contacts(account_id, bulk_action_id, id);
CREATE INDEX bin_contacts_bulk_action ON bin_contacts(bulk_action_id, id);

CREATE TABLE bin_conversations (
    id              BIGINT PRIMARY KEY,
    contact_id      BIGINT NOT NULL,
    channel         TEXT    NOT NULL,
    last_message_at BIGINT NOT NULL,
    bulk_action_id  BIGINT NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_conversations_bulk_action ON bin_conversations(bulk_action_id, contact_id);

CREATE TABLE bin_messages (
    id              BIGINT PRIMARY KEY,
    conversation_id BIGINT NOT NULL,
    direction       TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    sent_at         BIGINT NOT NULL,
    bulk_action_id  BIGINT NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_messages_bulk_action ON bin_messages(bulk_action_id, conversation_id);

CREATE TABLE bin_notes (
    id             BIGINT PRIMARY KEY,
    contact_id     BIGINT NOT NULL,
    body           TEXT    NOT NULL,
    created_at     BIGINT NOT NULL,
    bulk_action_id BIGINT NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_notes_bulk_action ON bin_notes(bulk_action_id, contact_id);

CREATE TABLE bin_opportunities (
    id             BIGINT PRIMARY KEY,
    contact_id     BIGINT NOT NULL,
    name           TEXT    NOT NULL,
    pipeline_stage TEXT    NOT NULL,
    value_cents    BIGINT NOT NULL,
    status         TEXT    NOT NULL,
    created_at     BIGINT NOT NULL,
    bulk_action_id BIGINT NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_opportunities_bulk_action ON bin_opportunities(bulk_action_id, contact_id);

CREATE TABLE bin_tasks (
    id             BIGINT PRIMARY KEY,
    contact_id     BIGINT NOT NULL,
    title          TEXT    NOT NULL,
    due_at         BIGINT NOT NULL,
    done           BOOLEAN NOT NULL,
    bulk_action_id BIGINT NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_tasks_bulk_action ON bin_tasks(bulk_action_id, contact_id);

CREATE TABLE bin_appointments (
    id             BIGINT PRIMARY KEY,
    contact_id     BIGINT NOT NULL,
    title          TEXT    NOT NULL,
    starts_at      BIGINT NOT NULL,
    ends_at        BIGINT NOT NULL,
    bulk_action_id BIGINT NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_appointments_bulk_action ON bin_appointments(bulk_action_id, contact_id);

CREATE TABLE bin_manual_actions (
    id             BIGINT PRIMARY KEY,
    contact_id     BIGINT NOT NULL,
    kind           TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    due_at         BIGINT NOT NULL,
    bulk_action_id BIGINT NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_manual_actions_bulk_action ON bin_manual_actions(bulk_action_id, contact_id);

CREATE TABLE bin_campaign_enrollments (
    id             BIGINT PRIMARY KEY,
    campaign_id    BIGINT NOT NULL,
    contact_id     BIGINT NOT NULL,
    status         TEXT    NOT NULL,
    enrolled_at    BIGINT NOT NULL,
    bulk_action_id BIGINT NOT NULL REFERENCES bulk_actions(id)
);
CREATE INDEX bin_campaign_enrollments_bulk_action ON bin_campaign_enrollments(bulk_action_id, contact_id);
