ALTER TABLE campaigns DROP COLUMN queued_through;
DROP TABLE pacer_leases;
DROP TABLE agent_assignments;
DROP TABLE presence_log;
DROP TABLE agent_presence;
DROP TABLE callbacks;
DROP TABLE calls;
DROP TABLE dial_queue;
