-- Bulk actions become durable jobs (issue 10). A running job is held by one worker (a
-- server process) through a lease: `worker` names it, `lease_until_ms` (epoch
-- milliseconds) is when another worker may take the job over if the holder has not
-- renewed it. `resumed` counts the take-overs, for the history ("Resumed after a
-- restart").
ALTER TABLE bulk_actions ADD COLUMN worker TEXT;
ALTER TABLE bulk_actions ADD COLUMN lease_until_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bulk_actions ADD COLUMN resumed INTEGER NOT NULL DEFAULT 0;
-- Jobs looking for a worker: only running ones, by lease expiry.
CREATE INDEX bulk_actions_running_lease ON bulk_actions(lease_until_ms) WHERE status = 'running';

-- The contacts a delete still has to remove: written with the job, in the transaction
-- that accepts it, and removed chunk by chunk in the transaction that deletes those
-- contacts. What is left here is exactly what the job has left to do.
CREATE TABLE bulk_action_targets (
    bulk_action_id INTEGER NOT NULL REFERENCES bulk_actions(id),
    contact_id     INTEGER NOT NULL,   -- no FK: the contact is deleted before this row
    PRIMARY KEY (bulk_action_id, contact_id)
) WITHOUT ROWID;
