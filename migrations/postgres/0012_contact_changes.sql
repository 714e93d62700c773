-- Each account's change number: raised by every statement that inserts or deletes
-- contacts of the account, and by every edit of what a search matches or orders by (the
-- searched columns, the creation time, the account), in the transaction that makes it.
-- A server remembers a search's total and first page for the change number it found
-- them at (`SearchCache`) and finds them again once the number moved, whichever server
-- changed the account.
ALTER TABLE contact_counts ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION contact_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_counts(account_id, contacts, changes)
    SELECT account_id, COUNT(*), 1 FROM added GROUP BY account_id
    ON CONFLICT (account_id) DO UPDATE
    SET contacts = contact_counts.contacts + EXCLUDED.contacts, changes = contact_counts.changes + 1;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION contact_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_counts c SET contacts = c.contacts - gone.n, changes = c.changes + 1
    FROM (SELECT account_id, COUNT(*) AS n FROM removed GROUP BY account_id) gone
    WHERE c.account_id = gone.account_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION contact_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_counts SET contacts = contacts - 1, changes = changes + 1 WHERE account_id = OLD.account_id;
    INSERT INTO contact_counts(account_id, contacts, changes) VALUES (NEW.account_id, 1, 1)
    ON CONFLICT (account_id) DO UPDATE
    SET contacts = contact_counts.contacts + 1, changes = contact_counts.changes + 1;
    RETURN NULL;
END $$;

-- A trigger per row: PostgreSQL gives no transition table to a trigger on named
-- columns. (A bulk edit raises the number once per contact.)
CREATE FUNCTION contact_counts_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_counts SET changes = changes + 1 WHERE account_id = NEW.account_id;
    RETURN NULL;
END $$;

CREATE TRIGGER contacts_count_edit AFTER UPDATE OF name_norm, email_norm, phone_norm, created_at ON contacts
FOR EACH ROW EXECUTE FUNCTION contact_counts_edit();
