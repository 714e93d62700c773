-- Each account's change number: raised by every insert and delete of one of its
-- contacts, and by every edit of what a search matches or orders by (the searched
-- columns, the creation time, the account), in the transaction that makes it. A server
-- remembers a search's total and first page for the change number it found them at
-- (`SearchCache`) and finds them again once the number moved, whichever server changed
-- the account.
ALTER TABLE contact_counts ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER contacts_count_insert;
CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_counts(account_id, contacts, changes) VALUES (new.account_id, 1, 1)
    ON CONFLICT(account_id) DO UPDATE SET contacts = contacts + 1, changes = changes + 1;
END;

-- OR IGNORE, as before (migration 0011): no statement journal per deleted contact.
DROP TRIGGER contacts_count_delete;
CREATE TRIGGER contacts_count_delete AFTER DELETE ON contacts BEGIN
    UPDATE OR IGNORE contact_counts SET contacts = contacts - 1, changes = changes + 1
    WHERE account_id = old.account_id;
END;

DROP TRIGGER contacts_count_move;
CREATE TRIGGER contacts_count_move AFTER UPDATE OF account_id ON contacts
WHEN new.account_id IS NOT old.account_id BEGIN
    UPDATE contact_counts SET contacts = contacts - 1, changes = changes + 1 WHERE account_id = old.account_id;
    INSERT INTO contact_counts(account_id, contacts, changes) VALUES (new.account_id, 1, 1)
    ON CONFLICT(account_id) DO UPDATE SET contacts = contacts + 1, changes = changes + 1;
END;

CREATE TRIGGER contacts_count_edit AFTER UPDATE OF name_norm, email_norm, phone_norm, created_at ON contacts BEGIN
    UPDATE contact_counts SET changes = changes + 1 WHERE account_id = new.account_id;
END;
