ALTER TABLE pacer_leases DROP COLUMN held_reason;
ALTER TABLE pacer_leases DROP COLUMN held_until;
DROP TABLE sip_trunks;
