-- The account's contacts in id order: the bulk delete walks a selection in chunks by id
-- ("id > last ORDER BY id LIMIT n"); without this index each chunk sorted every
-- remaining contact of the account again.
CREATE INDEX contacts_account_id_id ON contacts(account_id, id);
