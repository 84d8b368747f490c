// @generated automatically by Diesel CLI.

diesel::table! {
    actions (id) {
        id -> Uuid,
        episode_id -> Nullable<Uuid>,
        trigger_id -> Nullable<Uuid>,
        referral_id -> Nullable<Uuid>,
        district_id -> Uuid,
        owner_agency_id -> Uuid,
        owner_user_id -> Nullable<Uuid>,
        description -> Text,
        due_on -> Date,
        status -> Text,
        outcome -> Nullable<Text>,
        completed_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_by -> Uuid,
        updated_at -> Timestamptz,
        restricted -> Bool,
    }
}

diesel::table! {
    agencies (id) {
        id -> Uuid,
        name -> Text,
        agency_type -> Text,
        mailbox -> Text,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    agency_districts (agency_id, district_id) {
        agency_id -> Uuid,
        district_id -> Uuid,
    }
}

diesel::table! {
    agency_types (code) {
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    audit_chain_head (singleton) {
        singleton -> Bool,
        seq -> Int8,
        hash -> Bytea,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> Int8,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_role -> Nullable<Text>,
        operation -> Text,
        record_type -> Text,
        record_ids -> Array<Uuid>,
        purpose -> Nullable<Text>,
        recipients -> Array<Text>,
        request_id -> Nullable<Text>,
        prev_hash -> Bytea,
        hash -> Bytea,
        lawful_basis -> Nullable<Text>,
        purpose_digest -> Nullable<Bytea>,
        purpose_salt -> Nullable<Bytea>,
    }
}

diesel::table! {
    audit_queue (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_role -> Nullable<Text>,
        operation -> Text,
        record_type -> Text,
        record_ids -> Array<Uuid>,
        purpose -> Nullable<Text>,
        recipients -> Array<Text>,
        request_id -> Nullable<Text>,
        lawful_basis -> Nullable<Text>,
    }
}

diesel::table! {
    baselines (id) {
        id -> Uuid,
        district_id -> Nullable<Uuid>,
        age_group -> Text,
        version -> Int4,
        period_end -> Date,
        value -> Int8,
        source -> Text,
        source_note -> Nullable<Text>,
        definition_version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    districts (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    episode_reference_counters (district_id, year) {
        district_id -> Uuid,
        year -> Int4,
        last_value -> Int4,
    }
}

diesel::table! {
    episode_returns (episode_id) {
        episode_id -> Uuid,
        returned_at -> Timestamptz,
        location -> Text,
        how -> Text,
        found_by -> Text,
        harm_suffered -> Bool,
        harm_details -> Text,
        markers_seen -> Array<Text>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    episode_transfers (id) {
        id -> Uuid,
        episode_id -> Uuid,
        from_district_id -> Uuid,
        to_district_id -> Uuid,
        reason -> Text,
        transferred_by -> Uuid,
        transferred_at -> Timestamptz,
    }
}

diesel::table! {
    episodes (id) {
        id -> Uuid,
        reference -> Text,
        person_id -> Uuid,
        district_id -> Uuid,
        status -> Text,
        reported_at -> Timestamptz,
        reported_by -> Text,
        reporter_details -> Text,
        last_seen_at -> Timestamptz,
        last_seen_location -> Text,
        missing_from -> Text,
        circumstances -> Text,
        risk_level -> Text,
        cancelled_reason -> Nullable<Text>,
        version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        closed_at -> Nullable<Timestamptz>,
        closed_by -> Nullable<Uuid>,
        no_interview_reason -> Nullable<Text>,
        next_review_due -> Nullable<Timestamptz>,
        placement_id -> Nullable<Uuid>,
        looked_after -> Bool,
        ukmpu_notified_at -> Nullable<Timestamptz>,
        ukmpu_notified_by -> Nullable<Uuid>,
        ukmpu_reference -> Nullable<Text>,
        pnc_recorded_at -> Nullable<Timestamptz>,
        pnc_recorded_by -> Nullable<Uuid>,
        pnc_reference -> Nullable<Text>,
    }
}

diesel::table! {
    intervention_plans (referral_id) {
        referral_id -> Uuid,
        lead_practitioner -> Text,
        lead_agency_id -> Uuid,
        goals -> Text,
        review_dates -> Array<Date>,
        version -> Int4,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    local_authorities (code) {
        code -> Text,
        name -> Text,
        mailbox -> Nullable<Text>,
    }
}

diesel::table! {
    login_throttle (key_hash) {
        key_hash -> Bytea,
        failures -> Int4,
        window_started_at -> Timestamptz,
    }
}

diesel::table! {
    measure_definitions (version) {
        version -> Int4,
        repeat_threshold -> Int4,
        window_months -> Int4,
        count_hospital -> Bool,
        note -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        episode_start -> Text,
    }
}

diesel::table! {
    notification_preferences (user_id) {
        user_id -> Uuid,
        daily_digest -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        event -> Text,
        event_key -> Text,
        recipient -> Text,
        recipient_kind -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        record_type -> Nullable<Text>,
        record_id -> Nullable<Uuid>,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        message_id -> Text,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        dead_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    person_markers (id) {
        id -> Uuid,
        person_id -> Uuid,
        kind -> Text,
        source -> Text,
        details -> Text,
        review_on -> Date,
        ended_on -> Nullable<Date>,
        ended_reason -> Nullable<Text>,
        version -> Int4,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
        updated_at -> Timestamptz,
        restricted -> Bool,
    }
}

diesel::table! {
    person_merge_moves (merge_id, record_type, record_id) {
        merge_id -> Uuid,
        record_type -> Text,
        record_id -> Uuid,
    }
}

diesel::table! {
    person_merges (id) {
        id -> Uuid,
        survivor_id -> Uuid,
        duplicate_id -> Uuid,
        reason -> Text,
        added_aliases -> Array<Text>,
        merged_by -> Uuid,
        merged_at -> Timestamptz,
        undone_by -> Nullable<Uuid>,
        undone_at -> Nullable<Timestamptz>,
        undo_reason -> Nullable<Text>,
    }
}

diesel::table! {
    persons (id) {
        id -> Uuid,
        given_name -> Text,
        family_name -> Text,
        aliases -> Array<Text>,
        search_names -> Text,
        date_of_birth -> Nullable<Date>,
        sex -> Nullable<Text>,
        ethnicity -> Nullable<Text>,
        home_district_id -> Nullable<Uuid>,
        local_authority -> Nullable<Text>,
        version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        looked_after -> Bool,
        merged_into -> Nullable<Uuid>,
        restricted -> Bool,
        disposed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    placements (id) {
        id -> Uuid,
        person_id -> Uuid,
        kind -> Text,
        provider -> Text,
        placing_authority -> Text,
        host_authority -> Text,
        out_of_area -> Bool,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        version -> Int4,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
        updated_at -> Timestamptz,
        restricted -> Bool,
    }
}

diesel::table! {
    prevention_interviews (episode_id) {
        episode_id -> Uuid,
        conducted_at -> Timestamptz,
        conducted_by -> Text,
        mode -> Text,
        disclosures -> Text,
        referrals_made -> Text,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    protocol_profiles (id) {
        id -> Uuid,
        person_id -> Uuid,
        protocol -> Text,
        owning_organisation -> Text,
        description -> Text,
        photo_reference -> Text,
        places -> Text,
        associates -> Nullable<Text>,
        contact_details -> Nullable<Text>,
        missing_history -> Nullable<Text>,
        medication -> Nullable<Text>,
        routine -> Nullable<Text>,
        last_reviewed_on -> Date,
        review_due_on -> Date,
        version -> Int4,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
        updated_at -> Timestamptz,
        restricted -> Bool,
    }
}

diesel::table! {
    referrals (id) {
        id -> Uuid,
        person_id -> Uuid,
        district_id -> Uuid,
        source -> Text,
        source_agency_id -> Nullable<Uuid>,
        trigger_id -> Nullable<Uuid>,
        reasons -> Array<Text>,
        summary -> Text,
        lawful_basis -> Text,
        status -> Text,
        decision_reason -> Nullable<Text>,
        redirected_to -> Nullable<Text>,
        closure_reason -> Nullable<Text>,
        closed_at -> Nullable<Timestamptz>,
        consent -> Text,
        consent_by -> Nullable<Text>,
        consent_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        restricted -> Bool,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        session_id -> Uuid,
        token_hash -> Bytea,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    retention_decisions (id) {
        id -> Uuid,
        person_id -> Uuid,
        decision -> Text,
        reason -> Text,
        note -> Nullable<Text>,
        next_review_on -> Nullable<Date>,
        decided_by -> Uuid,
        decided_at -> Timestamptz,
    }
}

diesel::table! {
    return_home_interviews (episode_id) {
        episode_id -> Uuid,
        due_at -> Timestamptz,
        provider_agency_id -> Nullable<Uuid>,
        status -> Text,
        status_reason -> Nullable<Text>,
        completed_at -> Nullable<Timestamptz>,
        updated_by -> Uuid,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    risk_gradings (id) {
        id -> Uuid,
        episode_id -> Uuid,
        graded_at -> Timestamptz,
        graded_by -> Uuid,
        from_level -> Nullable<Text>,
        to_level -> Text,
        rationale -> Text,
        information -> Text,
        grader_role -> Nullable<Text>,
    }
}

diesel::table! {
    security_alerts (account_id, window_start) {
        account_id -> Uuid,
        window_start -> Timestamptz,
        events -> Int4,
    }
}

diesel::table! {
    security_events (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        kind -> Text,
        account_id -> Nullable<Uuid>,
        email_hash -> Nullable<Bytea>,
        address -> Text,
        method -> Text,
        route -> Text,
        record_id -> Nullable<Uuid>,
        request_id -> Nullable<Text>,
        status -> Int2,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        web_token_hash -> Nullable<Bytea>,
        last_seen_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    shares (id) {
        id -> Uuid,
        record_type -> Text,
        record_id -> Uuid,
        district_id -> Uuid,
        agency_id -> Uuid,
        parts -> Array<Text>,
        purpose -> Text,
        lawful_basis -> Text,
        shared_by -> Uuid,
        shared_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Uuid>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    subject_access_requests (id) {
        id -> Uuid,
        person_ids -> Array<Uuid>,
        requester -> Text,
        reason -> Text,
        received_on -> Date,
        due_on -> Date,
        extension_reason -> Nullable<Text>,
        status -> Text,
        decided_at -> Nullable<Timestamptz>,
        decided_by -> Nullable<Uuid>,
        decision_note -> Nullable<Text>,
        bundle -> Jsonb,
        assembled_at -> Timestamptz,
        due_alerted_at -> Nullable<Timestamptz>,
        overdue_alerted_at -> Nullable<Timestamptz>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    supervisor_reviews (id) {
        id -> Uuid,
        episode_id -> Uuid,
        reviewed_at -> Timestamptz,
        reviewed_by -> Uuid,
        risk_level -> Text,
        outcome -> Text,
        next_due_at -> Timestamptz,
    }
}

diesel::table! {
    triage_meetings (id) {
        id -> Uuid,
        referral_id -> Uuid,
        held_on -> Date,
        attendee_agency_ids -> Array<Uuid>,
        decisions -> Text,
        next_meeting_on -> Nullable<Date>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    trigger_plans (trigger_id) {
        trigger_id -> Uuid,
        summary -> Text,
        agency_ids -> Array<Uuid>,
        review_on -> Date,
        version -> Int4,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    trigger_rule_versions (rule_id, version) {
        rule_id -> Uuid,
        version -> Int4,
        content -> Jsonb,
        changed_by -> Nullable<Uuid>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    trigger_rules (id) {
        id -> Uuid,
        name -> Text,
        kind -> Text,
        min_episodes -> Nullable<Int4>,
        within_days -> Nullable<Int4>,
        district_id -> Nullable<Uuid>,
        enabled -> Bool,
        escalate_after_hours -> Int4,
        version -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    triggers (id) {
        id -> Uuid,
        person_id -> Uuid,
        rule_id -> Uuid,
        rule_version -> Int4,
        kind -> Text,
        district_id -> Uuid,
        anchor_episode_id -> Uuid,
        basis_episode_ids -> Array<Uuid>,
        window_start -> Timestamptz,
        window_end -> Timestamptz,
        status -> Text,
        assigned_to -> Nullable<Uuid>,
        fired_at -> Timestamptz,
        escalation_due_at -> Timestamptz,
        escalated_at -> Nullable<Timestamptz>,
        acknowledged_at -> Nullable<Timestamptz>,
        acknowledged_by -> Nullable<Uuid>,
        closed_at -> Nullable<Timestamptz>,
        closed_by -> Nullable<Uuid>,
        closure_note -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamptz>,
        withdrawn_reason -> Nullable<Text>,
        version -> Int4,
        updated_at -> Timestamptz,
        restricted -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        district_id -> Nullable<Uuid>,
        agency_id -> Nullable<Uuid>,
        active -> Bool,
        password_hash -> Text,
        token_version -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        must_change_password -> Bool,
    }
}

diesel::table! {
    rectification_notes (id) {
        id -> Uuid,
        person_id -> Uuid,
        request -> Text,
        outcome -> Text,
        audit_seqs -> Array<Int8>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    restrictions (id) {
        id -> Uuid,
        person_id -> Uuid,
        reason -> Text,
        placed_by -> Uuid,
        placed_at -> Timestamptz,
        lifted_by -> Nullable<Uuid>,
        lifted_at -> Nullable<Timestamptz>,
        lift_reason -> Nullable<Text>,
    }
}

diesel::joinable!(actions -> agencies (owner_agency_id));
diesel::joinable!(actions -> districts (district_id));
diesel::joinable!(actions -> episodes (episode_id));
diesel::joinable!(actions -> referrals (referral_id));
diesel::joinable!(actions -> triggers (trigger_id));
diesel::joinable!(agencies -> agency_types (agency_type));
diesel::joinable!(agency_districts -> agencies (agency_id));
diesel::joinable!(agency_districts -> districts (district_id));
diesel::joinable!(baselines -> districts (district_id));
diesel::joinable!(baselines -> measure_definitions (definition_version));
diesel::joinable!(baselines -> users (created_by));
diesel::joinable!(episode_reference_counters -> districts (district_id));
diesel::joinable!(episode_returns -> episodes (episode_id));
diesel::joinable!(episode_returns -> users (recorded_by));
diesel::joinable!(episode_transfers -> episodes (episode_id));
diesel::joinable!(episode_transfers -> users (transferred_by));
diesel::joinable!(episodes -> districts (district_id));
diesel::joinable!(episodes -> persons (person_id));
diesel::joinable!(episodes -> placements (placement_id));
diesel::joinable!(intervention_plans -> agencies (lead_agency_id));
diesel::joinable!(intervention_plans -> referrals (referral_id));
diesel::joinable!(intervention_plans -> users (recorded_by));
diesel::joinable!(measure_definitions -> users (created_by));
diesel::joinable!(notification_preferences -> users (user_id));
diesel::joinable!(person_markers -> persons (person_id));
diesel::joinable!(person_markers -> users (recorded_by));
diesel::joinable!(person_merge_moves -> person_merges (merge_id));
diesel::joinable!(persons -> districts (home_district_id));
diesel::joinable!(persons -> users (created_by));
diesel::joinable!(placements -> persons (person_id));
diesel::joinable!(placements -> users (recorded_by));
diesel::joinable!(prevention_interviews -> episodes (episode_id));
diesel::joinable!(prevention_interviews -> users (recorded_by));
diesel::joinable!(protocol_profiles -> persons (person_id));
diesel::joinable!(protocol_profiles -> users (recorded_by));
diesel::joinable!(referrals -> agencies (source_agency_id));
diesel::joinable!(referrals -> districts (district_id));
diesel::joinable!(referrals -> persons (person_id));
diesel::joinable!(referrals -> triggers (trigger_id));
diesel::joinable!(referrals -> users (created_by));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(retention_decisions -> persons (person_id));
diesel::joinable!(retention_decisions -> users (decided_by));
diesel::joinable!(return_home_interviews -> agencies (provider_agency_id));
diesel::joinable!(return_home_interviews -> episodes (episode_id));
diesel::joinable!(return_home_interviews -> users (updated_by));
diesel::joinable!(risk_gradings -> episodes (episode_id));
diesel::joinable!(risk_gradings -> users (graded_by));
diesel::joinable!(security_alerts -> users (account_id));
diesel::joinable!(security_events -> users (account_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(shares -> agencies (agency_id));
diesel::joinable!(shares -> districts (district_id));
diesel::joinable!(supervisor_reviews -> episodes (episode_id));
diesel::joinable!(supervisor_reviews -> users (reviewed_by));
diesel::joinable!(triage_meetings -> referrals (referral_id));
diesel::joinable!(triage_meetings -> users (recorded_by));
diesel::joinable!(trigger_plans -> triggers (trigger_id));
diesel::joinable!(trigger_plans -> users (recorded_by));
diesel::joinable!(trigger_rule_versions -> trigger_rules (rule_id));
diesel::joinable!(trigger_rule_versions -> users (changed_by));
diesel::joinable!(trigger_rules -> districts (district_id));
diesel::joinable!(trigger_rules -> users (created_by));
diesel::joinable!(triggers -> districts (district_id));
diesel::joinable!(triggers -> episodes (anchor_episode_id));
diesel::joinable!(triggers -> persons (person_id));
diesel::joinable!(triggers -> trigger_rules (rule_id));
diesel::joinable!(users -> agencies (agency_id));
diesel::joinable!(users -> districts (district_id));

diesel::allow_tables_to_appear_in_same_query!(
    actions,
    agencies,
    agency_districts,
    agency_types,
    audit_chain_head,
    audit_log,
    audit_queue,
    baselines,
    districts,
    episode_reference_counters,
    episode_returns,
    episode_transfers,
    episodes,
    intervention_plans,
    local_authorities,
    login_throttle,
    measure_definitions,
    notification_preferences,
    outbox,
    person_markers,
    person_merge_moves,
    person_merges,
    persons,
    placements,
    prevention_interviews,
    protocol_profiles,
    referrals,
    rectification_notes,
    refresh_tokens,
    restrictions,
    retention_decisions,
    return_home_interviews,
    risk_gradings,
    security_alerts,
    security_events,
    sessions,
    shares,
    subject_access_requests,
    supervisor_reviews,
    triage_meetings,
    trigger_plans,
    trigger_rule_versions,
    trigger_rules,
    triggers,
    users,
);
