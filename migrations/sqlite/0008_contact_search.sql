-- Substring search over names, emails and phones without reading every contact of the
-- account: an FTS5 index with the trigram tokenizer (every three characters of a value
-- are a token, so a phrase query is a substring query). It indexes the normalized
-- columns, which the app stores lower case already: case_sensitive 1 keeps the index
-- from folding them a second time, so it matches exactly what `LIKE '%…%'` matches.
-- External content: the text lives only in `contacts`; the triggers keep the index
-- in step with every insert, edit and delete of a contact.
CREATE VIRTUAL TABLE contact_search USING fts5(
    name_norm, email_norm, phone_norm,
    content = 'contacts', content_rowid = 'id',
    tokenize = 'trigram case_sensitive 1'
);
INSERT INTO contact_search(contact_search) VALUES ('rebuild');

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_search(rowid, name_norm, email_norm, phone_norm)
    VALUES (new.id, new.name_norm, new.email_norm, new.phone_norm);
END;

-- An external-content index forgets a row through the 'delete' command, given the
-- values it indexed.
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contact_search(contact_search, rowid, name_norm, email_norm, phone_norm)
    VALUES ('delete', old.id, old.name_norm, old.email_norm, old.phone_norm);
END;

CREATE TRIGGER contacts_search_update AFTER UPDATE OF name_norm, email_norm, phone_norm ON contacts BEGIN
    INSERT INTO contact_search(contact_search, rowid, name_norm, email_norm, phone_norm)
    VALUES ('delete', old.id, old.name_norm, old.email_norm, old.phone_norm);
    INSERT INTO contact_search(rowid, name_norm, email_norm, phone_norm)
    VALUES (new.id, new.name_norm, new.email_norm, new.phone_norm);
END;
