SET LOCAL ROLE homeward_owner;

-- Local authorities (children's services areas): placing and host authorities of
-- placements. Reference data, loaded by the seed.
CREATE TABLE local_authorities (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z][0-9]{8}$'),
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100)
);
ALTER TABLE local_authorities ENABLE ROW LEVEL SECURITY;
ALTER TABLE local_authorities FORCE ROW LEVEL SECURITY;
CREATE POLICY local_authorities_read ON local_authorities FOR SELECT TO homeward_app USING (hw_is_authenticated());
CREATE POLICY local_authorities_owner ON local_authorities TO homeward_owner USING (true) WITH CHECK (true);
GRANT SELECT ON local_authorities TO homeward_app;

ALTER TABLE persons
    ADD COLUMN looked_after boolean NOT NULL DEFAULT false,
    -- Set while this record is merged into another (the survivor); cleared on undo.
    ADD COLUMN merged_into uuid REFERENCES persons (id),
    ADD CHECK (merged_into <> id);
CREATE INDEX persons_merged_into_idx ON persons (merged_into) WHERE merged_into IS NOT NULL;

-- Markers: CSE/CCE risk, mental health, self-harm, dementia; each with its source and
-- a review date. Ended, never deleted.
CREATE TABLE person_markers (
    id           uuid PRIMARY KEY,
    person_id    uuid NOT NULL REFERENCES persons (id),
    kind         text NOT NULL CHECK (kind IN ('cse_risk', 'cce_risk', 'mental_health', 'self_harm', 'dementia')),
    source       text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    details      text NOT NULL DEFAULT '' CHECK (length(details) <= 2000),
    review_on    date NOT NULL,
    ended_on     date,
    ended_reason text CHECK (length(ended_reason) BETWEEN 1 AND 2000),
    version      integer NOT NULL DEFAULT 1,
    recorded_by  uuid NOT NULL REFERENCES users (id),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((ended_on IS NULL) = (ended_reason IS NULL))
);
CREATE INDEX person_markers_person_idx ON person_markers (person_id);

-- Placements of looked-after children. At most one open (no end date) per person.
CREATE TABLE placements (
    id                uuid PRIMARY KEY,
    person_id         uuid NOT NULL REFERENCES persons (id),
    kind              text NOT NULL CHECK (kind IN ('regulated_childrens_home', 'unregulated_childrens_home',
                                                    'foster', 'family')),
    provider          text NOT NULL DEFAULT '' CHECK (length(provider) <= 200),
    placing_authority text NOT NULL REFERENCES local_authorities (code),
    host_authority    text NOT NULL REFERENCES local_authorities (code),
    out_of_area       boolean NOT NULL GENERATED ALWAYS AS (placing_authority <> host_authority) STORED,
    starts_on         date NOT NULL,
    ends_on           date,
    version           integer NOT NULL DEFAULT 1,
    recorded_by       uuid NOT NULL REFERENCES users (id),
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX placements_person_idx ON placements (person_id, starts_on);
CREATE UNIQUE INDEX placements_one_open_idx ON placements (person_id) WHERE ends_on IS NULL;

-- Philomena (children in care) and Herbert (dementia) protocol profiles: gathered by
-- the carer before anyone goes missing. One of each kind per person.
CREATE TABLE protocol_profiles (
    id                  uuid PRIMARY KEY,
    person_id           uuid NOT NULL REFERENCES persons (id),
    protocol            text NOT NULL CHECK (protocol IN ('philomena', 'herbert')),
    owning_organisation text NOT NULL CHECK (length(owning_organisation) BETWEEN 1 AND 200),
    description         text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
    photo_reference     text NOT NULL DEFAULT '' CHECK (length(photo_reference) <= 500),
    -- Places frequented (Philomena) or significant places (Herbert).
    places              text NOT NULL DEFAULT '' CHECK (length(places) <= 5000),
    associates          text CHECK (length(associates) <= 5000),
    contact_details     text CHECK (length(contact_details) <= 2000),
    missing_history     text CHECK (length(missing_history) <= 5000),
    medication          text CHECK (length(medication) <= 2000),
    routine             text CHECK (length(routine) <= 5000),
    last_reviewed_on    date NOT NULL,
    review_due_on       date NOT NULL,
    version             integer NOT NULL DEFAULT 1,
    recorded_by         uuid NOT NULL REFERENCES users (id),
    recorded_at         timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (person_id, protocol),
    CHECK (review_due_on > last_reviewed_on),
    CHECK (protocol = 'philomena' OR (associates IS NULL AND contact_details IS NULL AND missing_history IS NULL)),
    CHECK (protocol = 'herbert' OR (medication IS NULL AND routine IS NULL))
);

-- Episodes: the placement a looked-after child went missing from, and whether the
-- person was a looked-after child when the episode was reported.
ALTER TABLE episodes
    ADD COLUMN placement_id uuid REFERENCES placements (id),
    ADD COLUMN looked_after boolean NOT NULL DEFAULT false,
    ADD CHECK (placement_id IS NULL OR missing_from = 'care_placement');

-- Merges: the duplicate's records move to the survivor; each move is recorded so
-- the merge can be undone exactly.
CREATE TABLE person_merges (
    id            uuid PRIMARY KEY,
    survivor_id   uuid NOT NULL REFERENCES persons (id),
    duplicate_id  uuid NOT NULL REFERENCES persons (id),
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    -- Names of the duplicate added to the survivor's aliases (removed on undo).
    added_aliases text[] NOT NULL DEFAULT '{}' CHECK (array_position(added_aliases, NULL) IS NULL),
    merged_by     uuid NOT NULL REFERENCES users (id),
    merged_at     timestamptz NOT NULL DEFAULT now(),
    undone_by     uuid REFERENCES users (id),
    undone_at     timestamptz,
    undo_reason   text CHECK (length(undo_reason) BETWEEN 1 AND 2000),
    CHECK (survivor_id <> duplicate_id),
    CHECK ((undone_at IS NULL) = (undone_by IS NULL) AND (undone_at IS NULL) = (undo_reason IS NULL))
);
CREATE INDEX person_merges_survivor_idx ON person_merges (survivor_id);
CREATE INDEX person_merges_duplicate_idx ON person_merges (duplicate_id);

CREATE TABLE person_merge_moves (
    merge_id    uuid NOT NULL REFERENCES person_merges (id),
    record_type text NOT NULL CHECK (record_type IN ('episode', 'marker', 'placement', 'protocol_profile')),
    record_id   uuid NOT NULL,
    PRIMARY KEY (merge_id, record_type, record_id)
);

-- Moves (or, undoing, moves back) every record of a merge. SECURITY DEFINER because a
-- person is force-wide but their episodes are district-scoped: a merge must move the
-- episodes the merging user cannot see, or it would lose them. It acts only on a merge
-- the caller recorded (or is undoing) in this transaction.
CREATE FUNCTION hw_person_merge_apply(p_merge uuid, p_undo boolean)
RETURNS TABLE (record_type text, record_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    m person_merges;
BEGIN
    IF NOT coalesce(hw_role() IN ('mfhc', 'supervisor'), false) THEN
        RAISE EXCEPTION 'only MFHCs and supervisors merge person records' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO m FROM person_merges WHERE id = p_merge FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such merge' USING ERRCODE = '42501';
    END IF;
    IF NOT p_undo THEN
        IF m.merged_by <> hw_user_id() OR m.undone_at IS NOT NULL
           OR EXISTS (SELECT 1 FROM person_merge_moves mv WHERE mv.merge_id = p_merge) THEN
            RAISE EXCEPTION 'merge % is not being recorded by this user', p_merge USING ERRCODE = '42501';
        END IF;
        RETURN QUERY
        WITH e AS (UPDATE episodes SET person_id = m.survivor_id, version = version + 1, updated_at = now()
                    WHERE person_id = m.duplicate_id RETURNING 'episode'::text AS t, id),
             k AS (UPDATE person_markers SET person_id = m.survivor_id, version = version + 1, updated_at = now()
                    WHERE person_id = m.duplicate_id RETURNING 'marker'::text AS t, id),
             p AS (UPDATE placements SET person_id = m.survivor_id, version = version + 1, updated_at = now()
                    WHERE person_id = m.duplicate_id RETURNING 'placement'::text AS t, id),
             -- A protocol the survivor already has stays with the duplicate's record.
             f AS (UPDATE protocol_profiles pp SET person_id = m.survivor_id, version = pp.version + 1, updated_at = now()
                    WHERE pp.person_id = m.duplicate_id
                      AND NOT EXISTS (SELECT 1 FROM protocol_profiles s
                                       WHERE s.person_id = m.survivor_id AND s.protocol = pp.protocol)
                    RETURNING 'protocol_profile'::text AS t, pp.id),
             moved AS (SELECT * FROM e UNION ALL SELECT * FROM k UNION ALL SELECT * FROM p UNION ALL SELECT * FROM f),
             ins AS (INSERT INTO person_merge_moves (merge_id, record_type, record_id)
                     SELECT p_merge, moved.t, moved.id FROM moved
                     RETURNING person_merge_moves.record_type, person_merge_moves.record_id)
        SELECT ins.record_type, ins.record_id FROM ins;
    ELSE
        IF m.undone_by IS DISTINCT FROM hw_user_id() THEN
            RAISE EXCEPTION 'merge % is not being undone by this user', p_merge USING ERRCODE = '42501';
        END IF;
        -- Only what is still with the survivor goes back.
        RETURN QUERY
        WITH mv AS (SELECT x.record_type AS t, x.record_id AS rid FROM person_merge_moves x WHERE x.merge_id = p_merge),
             e AS (UPDATE episodes SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'episode' AND episodes.id = mv.rid AND episodes.person_id = m.survivor_id
                    RETURNING 'episode'::text AS t, episodes.id),
             k AS (UPDATE person_markers SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'marker' AND person_markers.id = mv.rid AND person_markers.person_id = m.survivor_id
                    RETURNING 'marker'::text AS t, person_markers.id),
             p AS (UPDATE placements SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'placement' AND placements.id = mv.rid AND placements.person_id = m.survivor_id
                    RETURNING 'placement'::text AS t, placements.id),
             f AS (UPDATE protocol_profiles SET person_id = m.duplicate_id, version = version + 1, updated_at = now()
                    FROM mv WHERE mv.t = 'protocol_profile' AND protocol_profiles.id = mv.rid
                      AND protocol_profiles.person_id = m.survivor_id
                    RETURNING 'protocol_profile'::text AS t, protocol_profiles.id)
        SELECT * FROM e UNION ALL SELECT * FROM k UNION ALL SELECT * FROM p UNION ALL SELECT * FROM f;
    END IF;
END $$;
REVOKE ALL ON FUNCTION hw_person_merge_apply(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hw_person_merge_apply(uuid, boolean) TO homeward_app;

-- Policies -------------------------------------------------------------------------
-- Markers and placements belong to the person: operational roles, force-wide.
ALTER TABLE person_markers ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_markers FORCE ROW LEVEL SECURITY;
CREATE POLICY person_markers_read ON person_markers FOR SELECT TO homeward_app USING (hw_is_operational());
CREATE POLICY person_markers_insert ON person_markers FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND recorded_by = hw_user_id());
CREATE POLICY person_markers_update ON person_markers FOR UPDATE TO homeward_app
    USING (hw_is_operational()) WITH CHECK (hw_is_operational());
CREATE POLICY person_markers_owner ON person_markers TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE placements ENABLE ROW LEVEL SECURITY;
ALTER TABLE placements FORCE ROW LEVEL SECURITY;
CREATE POLICY placements_read ON placements FOR SELECT TO homeward_app USING (hw_is_operational());
CREATE POLICY placements_insert ON placements FOR INSERT TO homeward_app
    WITH CHECK (hw_is_operational() AND recorded_by = hw_user_id());
CREATE POLICY placements_update ON placements FOR UPDATE TO homeward_app
    USING (hw_is_operational()) WITH CHECK (hw_is_operational());
CREATE POLICY placements_owner ON placements TO homeward_owner USING (true) WITH CHECK (true);

-- Protocol profiles are handed over only when the person is missing: MFHCs (who hold
-- them for the force) always; officers and supervisors only while the person has an
-- open episode they can see. Only MFHCs record and amend them.
ALTER TABLE protocol_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE protocol_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY protocol_profiles_read ON protocol_profiles FOR SELECT TO homeward_app
    USING (hw_role() = 'mfhc'
           OR (hw_is_operational() AND EXISTS (
                   SELECT 1 FROM episodes e
                    WHERE e.person_id = protocol_profiles.person_id AND e.status IN ('reported', 'active'))));
CREATE POLICY protocol_profiles_insert ON protocol_profiles FOR INSERT TO homeward_app
    WITH CHECK (hw_role() = 'mfhc' AND recorded_by = hw_user_id());
CREATE POLICY protocol_profiles_update ON protocol_profiles FOR UPDATE TO homeward_app
    USING (hw_role() = 'mfhc') WITH CHECK (hw_role() = 'mfhc');
CREATE POLICY protocol_profiles_owner ON protocol_profiles TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE person_merges ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_merges FORCE ROW LEVEL SECURITY;
CREATE POLICY person_merges_read ON person_merges FOR SELECT TO homeward_app USING (hw_is_operational());
CREATE POLICY person_merges_insert ON person_merges FOR INSERT TO homeward_app
    WITH CHECK (hw_role() IN ('mfhc', 'supervisor') AND merged_by = hw_user_id() AND undone_at IS NULL);
CREATE POLICY person_merges_undo ON person_merges FOR UPDATE TO homeward_app
    USING (hw_role() IN ('mfhc', 'supervisor') AND undone_at IS NULL)
    WITH CHECK (hw_role() IN ('mfhc', 'supervisor') AND undone_by = hw_user_id());
CREATE POLICY person_merges_owner ON person_merges TO homeward_owner USING (true) WITH CHECK (true);

ALTER TABLE person_merge_moves ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_merge_moves FORCE ROW LEVEL SECURITY;
CREATE POLICY person_merge_moves_read ON person_merge_moves FOR SELECT TO homeward_app USING (hw_is_operational());
CREATE POLICY person_merge_moves_owner ON person_merge_moves TO homeward_owner USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE ON person_markers, placements, protocol_profiles, person_merges TO homeward_app;
GRANT SELECT ON person_merge_moves TO homeward_app;

-- The sharing hook: whether `part` of the record is shared with the caller's agency
-- now. Nothing is shared until the sharing migration replaces this body (the
-- policies below need not change).
CREATE FUNCTION hw_shared_with_caller(p_record_type text, p_record_id uuid, p_part text)
RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT false $$;
CREATE POLICY episodes_partner_read ON episodes FOR SELECT TO homeward_app
    USING (hw_role() = 'partner' AND hw_shared_with_caller('episode', id, 'summary'));

RESET ROLE;
