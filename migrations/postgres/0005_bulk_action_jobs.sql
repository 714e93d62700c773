-- Bulk deletes run as jobs that can be stopped: status 'cancelled', and the flag a Stop
-- sets for the job to see before its next chunk. Exports (a later issue) are recorded
-- here too.
ALTER TABLE bulk_actions DROP CONSTRAINT bulk_actions_status_check;
ALTER TABLE bulk_actions ADD CONSTRAINT bulk_actions_status_check
    CHECK (status IN ('running', 'done', 'failed', 'cancelled'));
ALTER TABLE bulk_actions DROP CONSTRAINT bulk_actions_action_check;
ALTER TABLE bulk_actions ADD CONSTRAINT bulk_actions_action_check CHECK (action IN ('delete', 'export'));
ALTER TABLE bulk_actions ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT false;

-- Sign-in compares emails in lower case without surrounding spaces; users written
-- before it may not be.
UPDATE users SET email = LOWER(TRIM(email));
