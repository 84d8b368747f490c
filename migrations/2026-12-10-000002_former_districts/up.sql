SET LOCAL ROLE homeward_owner;

-- Issue 21: an episode keeps the districts it was transferred from, so its read policy
-- compares a column of the row itself instead of looking up the episode's transfers for
-- every row a list passes over (kept by hw_episode_transfers_changed, 60_episodes.sql).
ALTER TABLE episodes ADD COLUMN former_district_ids uuid[] NOT NULL DEFAULT '{}';
UPDATE episodes e
   SET former_district_ids = t.ids
  FROM (SELECT episode_id, array_agg(DISTINCT from_district_id ORDER BY from_district_id) AS ids
          FROM episode_transfers GROUP BY episode_id) t
 WHERE t.episode_id = e.id;

RESET ROLE;
