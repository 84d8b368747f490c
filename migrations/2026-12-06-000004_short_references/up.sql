SET LOCAL ROLE homeward_owner;

-- Emails name triggers, actions, referrals and notifications by a short reference: a
-- prefix and the last eight hex digits of the id (TRG-7C842753). The lists find them by
-- `reference=`, through these indexes.
CREATE INDEX triggers_short_ref_idx ON triggers (right(id::text, 8));
CREATE INDEX actions_short_ref_idx ON actions (right(id::text, 8));
CREATE INDEX referrals_short_ref_idx ON referrals (right(id::text, 8));
CREATE INDEX outbox_short_ref_idx ON outbox (right(id::text, 8));

RESET ROLE;
