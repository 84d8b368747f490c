SET LOCAL ROLE homeward_owner;
DROP INDEX triggers_short_ref_idx, actions_short_ref_idx, referrals_short_ref_idx, outbox_short_ref_idx;
RESET ROLE;
