-- Sign-in. password_hash is an Argon2id PHC string; the empty string (users created
-- before sign-in existed) never matches any password. can_bulk_delete is the permission
-- an admin grants a plain user; admins may always bulk delete.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN can_bulk_delete BOOLEAN NOT NULL DEFAULT false;

-- Failed sign-ins per key: 'email:<address>' or 'ip:<address>'. After a few failures
-- the next attempt must wait, longer after each further failure; a quiet quarter of an
-- hour starts the count again, and a successful sign-in clears the email's row.
CREATE TABLE login_failures (
    key      TEXT   PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at  BIGINT NOT NULL
);
