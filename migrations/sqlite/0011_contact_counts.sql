-- The number of each account's live contacts, kept in step by triggers, so that the
-- list's total is read, not counted, on every page. At a million contacts that count
-- was most of a list request (50-75 ms on PostgreSQL, an index scan of the account) and
-- what made the list slow while a bulk delete shared the machine (issue 12). A filtered
-- or searched list still counts what matches.
--
-- The triggers run in the transaction that adds or removes the contact (a save, a
-- delete's chunk, a move to the Recycle Bin, a restore), so a snapshot that sees a
-- contact sees the count with it.
-- Contacts never change account; the third trigger keeps the count right if one did.
CREATE TABLE contact_counts (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    contacts   INTEGER NOT NULL
);
INSERT INTO contact_counts(account_id, contacts)
SELECT account_id, COUNT(*) FROM contacts GROUP BY account_id;

CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_counts(account_id, contacts) VALUES (new.account_id, 1)
    ON CONFLICT(account_id) DO UPDATE SET contacts = contacts + 1;
END;

-- OR IGNORE: nothing here can fail (the key and the account do not change), and saying
-- so spares SQLite a statement journal per deleted contact. A plain UPDATE cost 20
-- microseconds per contact (25 s of a 1,000,000-contact delete), this one nothing
-- measurable.
CREATE TRIGGER contacts_count_delete AFTER DELETE ON contacts BEGIN
    UPDATE OR IGNORE contact_counts SET contacts = contacts - 1 WHERE account_id = old.account_id;
END;

CREATE TRIGGER contacts_count_move AFTER UPDATE OF account_id ON contacts
WHEN new.account_id IS NOT old.account_id BEGIN
    UPDATE contact_counts SET contacts = contacts - 1 WHERE account_id = old.account_id;
    INSERT INTO contact_counts(account_id, contacts) VALUES (new.account_id, 1)
    ON CONFLICT(account_id) DO UPDATE SET contacts = contacts + 1;
END;
