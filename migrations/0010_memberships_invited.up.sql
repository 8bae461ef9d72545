-- A person who already has an account, added to another org, is invited to
-- join it: the membership waits for them to accept (status 'invited'),
-- under the name the inviting org gave, which is all that org sees of them
-- until then.
ALTER TABLE memberships ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invited'));
ALTER TABLE memberships ADD COLUMN invited_name TEXT NOT NULL DEFAULT '';
