SET LOCAL ROLE homeward_owner;

-- District transfers: the new district takes the episode over; the old one keeps
-- read access (it worked the case) but can no longer change it.
CREATE TABLE episode_transfers (
    id               uuid PRIMARY KEY,
    episode_id       uuid NOT NULL REFERENCES episodes (id),
    from_district_id uuid NOT NULL REFERENCES districts (id),
    to_district_id   uuid NOT NULL REFERENCES districts (id),
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    transferred_by   uuid NOT NULL REFERENCES users (id),
    transferred_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (from_district_id <> to_district_id)
);
CREATE INDEX episode_transfers_episode_idx ON episode_transfers (episode_id, transferred_at);
CREATE INDEX episode_transfers_from_idx ON episode_transfers (from_district_id);

ALTER TABLE episode_transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE episode_transfers FORCE ROW LEVEL SECURITY;
-- Not defined through `episodes`, so the episodes policy below can use this table
-- without the two policies recursing into each other.
CREATE POLICY episode_transfers_read ON episode_transfers FOR SELECT TO homeward_app
    USING (hw_is_operational() AND (hw_covers_district(from_district_id) OR hw_covers_district(to_district_id)));
CREATE POLICY episode_transfers_insert ON episode_transfers FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND transferred_by = hw_user_id() AND hw_covers_district(from_district_id));
CREATE POLICY episode_transfers_owner ON episode_transfers TO homeward_owner USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON episode_transfers TO homeward_app;

-- Former districts may read; only the current one may write.
DROP POLICY episodes_district_read ON episodes;
CREATE POLICY episodes_district_read ON episodes FOR SELECT TO homeward_app
    USING (hw_is_operational() AND (hw_covers_district(district_id)
           OR EXISTS (SELECT 1 FROM episode_transfers t
                       WHERE t.episode_id = episodes.id AND hw_covers_district(t.from_district_id))));

-- The transferring user's district no longer covers the row after the change, so the
-- update's new row is checked against "covers the old district and a transfer is
-- recorded", as well as the usual rule.
DROP POLICY episodes_district_update ON episodes;
CREATE POLICY episodes_district_update ON episodes FOR UPDATE TO homeward_app
    USING (hw_is_operational() AND hw_covers_district(district_id))
    WITH CHECK (hw_is_operational()
                AND (status <> 'closed' OR hw_role() = 'supervisor')
                AND (hw_covers_district(district_id)
                     OR EXISTS (SELECT 1 FROM episode_transfers t
                                 WHERE t.episode_id = episodes.id AND t.to_district_id = episodes.district_id
                                   AND t.transferred_by = hw_user_id()
                                   AND hw_covers_district(t.from_district_id))));

RESET ROLE;
