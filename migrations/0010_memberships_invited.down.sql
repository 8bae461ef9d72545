DELETE FROM memberships WHERE status = 'invited';
ALTER TABLE memberships DROP COLUMN invited_name;
ALTER TABLE memberships DROP COLUMN status;
