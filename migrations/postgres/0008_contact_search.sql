-- Substring search over names, emails and phones without reading every contact of the
-- account: trigram GIN indexes (pg_trgm, shipped with PostgreSQL and trusted, so a
-- database owner may create it). The planner uses them for the list's
-- `name_norm LIKE '%…%' OR email_norm LIKE … OR phone_norm LIKE …` as a bitmap OR;
-- PostgreSQL keeps them in step with the table itself.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX contacts_name_norm_trgm ON contacts USING gin (name_norm gin_trgm_ops);
CREATE INDEX contacts_email_norm_trgm ON contacts USING gin (email_norm gin_trgm_ops);
CREATE INDEX contacts_phone_norm_trgm ON contacts USING gin (phone_norm gin_trgm_ops);
