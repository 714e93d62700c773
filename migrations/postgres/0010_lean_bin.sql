-- Moving to the Recycle Bin writes every related row of a deleted contact into a bin_
-- table (11 million rows for a million contacts), in the delete's own chunks: each index
-- and each foreign-key check on those tables is paid per row by the delete. Measured at
-- 100,000 contacts, the delete into the bin took 2.13x the permanent one; the goal is 2x.
--
-- Dropped here:
-- * the reference from every bin row to bulk_actions: PostgreSQL checks it with one
--   query per inserted row, locking the delete's own record each time. bulk_actions rows
--   are deleted only by the demo's reset, which removes their bin rows first.
-- * the primary key of the related rows' bin tables: they are read and removed by the
--   bulk action that put them there, through their (bulk_action_id, contact_id) or
--   (bulk_action_id, conversation_id) index, never by their own id. Their ids stay unique
--   all the same: each was the primary key of its live table, and a row moves out of the
--   bin in the transaction that moves it back (or removes it).
-- bin_contacts keeps its primary key: the Recycle Bin page ticks contacts by id.
ALTER TABLE bin_contacts DROP CONSTRAINT bin_contacts_bulk_action_id_fkey;
ALTER TABLE bin_conversations DROP CONSTRAINT bin_conversations_pkey, DROP CONSTRAINT bin_conversations_bulk_action_id_fkey;
ALTER TABLE bin_messages DROP CONSTRAINT bin_messages_pkey, DROP CONSTRAINT bin_messages_bulk_action_id_fkey;
ALTER TABLE bin_notes DROP CONSTRAINT bin_notes_pkey, DROP CONSTRAINT bin_notes_bulk_action_id_fkey;
ALTER TABLE bin_opportunities DROP CONSTRAINT bin_opportunities_pkey, DROP CONSTRAINT bin_opportunities_bulk_action_id_fkey;
ALTER TABLE bin_tasks DROP CONSTRAINT bin_tasks_pkey, DROP CONSTRAINT bin_tasks_bulk_action_id_fkey;
ALTER TABLE bin_appointments DROP CONSTRAINT bin_appointments_pkey, DROP CONSTRAINT bin_appointments_bulk_action_id_fkey;
ALTER TABLE bin_manual_actions DROP CONSTRAINT bin_manual_actions_pkey, DROP CONSTRAINT bin_manual_actions_bulk_action_id_fkey;
ALTER TABLE bin_campaign_enrollments DROP CONSTRAINT bin_campaign_enrollments_pkey, DROP CONSTRAINT bin_campaign_enrollments_bulk_action_id_fkey;
