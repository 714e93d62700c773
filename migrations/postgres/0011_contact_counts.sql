-- The number of each account's live contacts, kept in step by triggers, so that the
-- list's total is read, not counted, on every page. At a million contacts that count
-- was most of a list request (50-75 ms, an index scan of the account) and what made the
-- list slow while a bulk delete shared the machine (issue 12). A filtered or searched
-- list still counts what matches.
--
-- The triggers run in the statement that adds or removes contacts (a save, a delete's
-- chunk, a move to the Recycle Bin, a restore), once per statement: an update of one
-- row per account from the statement's transition table. (A trigger per row would write
-- a new version of the same row for each contact of a chunk.) So a snapshot that sees a
-- contact sees the count with it. Contacts never change account; the third trigger
-- keeps the count right if one did.
CREATE TABLE contact_counts (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
    contacts   BIGINT NOT NULL
);
INSERT INTO contact_counts(account_id, contacts)
SELECT account_id, COUNT(*) FROM contacts GROUP BY account_id;

CREATE FUNCTION contact_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_counts(account_id, contacts)
    SELECT account_id, COUNT(*) FROM added GROUP BY account_id
    ON CONFLICT (account_id) DO UPDATE SET contacts = contact_counts.contacts + EXCLUDED.contacts;
    RETURN NULL;
END $$;

CREATE FUNCTION contact_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_counts c SET contacts = c.contacts - gone.n
    FROM (SELECT account_id, COUNT(*) AS n FROM removed GROUP BY account_id) gone
    WHERE c.account_id = gone.account_id;
    RETURN NULL;
END $$;

CREATE FUNCTION contact_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_counts SET contacts = contacts - 1 WHERE account_id = OLD.account_id;
    INSERT INTO contact_counts(account_id, contacts) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET contacts = contact_counts.contacts + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_add();

CREATE TRIGGER contacts_count_delete AFTER DELETE ON contacts
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_remove();

CREATE TRIGGER contacts_count_move AFTER UPDATE OF account_id ON contacts
FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION contact_counts_move();
