//! Typed ids: a `UserId` can never be passed where an `AgencyId` is wanted.

use diesel::deserialize::{FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{Output, ToSql};
use diesel::sql_types;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, AsExpression, FromSqlRow,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[diesel(sql_type = sql_types::Uuid)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ToSql<sql_types::Uuid, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
                <Uuid as ToSql<sql_types::Uuid, Pg>>::to_sql(&self.0, out)
            }
        }

        impl FromSql<sql_types::Uuid, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <Uuid as FromSql<sql_types::Uuid, Pg>>::from_sql(bytes).map(Self)
            }
        }
    };
}

typed_id!(
    /// A user account.
    UserId
);
typed_id!(
    /// A West Yorkshire district (or any force's policing district).
    DistrictId
);
typed_id!(
    /// A partner agency.
    AgencyId
);
typed_id!(
    /// A login session: one refresh-token family.
    SessionId
);
typed_id!(
    /// A person who has been (or may be) reported missing.
    PersonId
);
typed_id!(
    /// One missing episode.
    EpisodeId
);
typed_id!(
    /// One risk grading in an episode's history.
    RiskGradingId
);
typed_id!(
    /// One supervisor review of an episode.
    ReviewId
);
typed_id!(
    /// One district transfer of an episode.
    TransferId
);
typed_id!(
    /// One marker on a person.
    MarkerId
);
typed_id!(
    /// One placement of a looked-after child.
    PlacementId
);
typed_id!(
    /// One Philomena or Herbert protocol profile.
    ProtocolProfileId
);
typed_id!(
    /// One merge of two person records.
    MergeId
);
typed_id!(
    /// One trigger rule (data: kind, thresholds, scope).
    TriggerRuleId
);
typed_id!(
    /// One trigger: a rule satisfied by a person's episodes.
    TriggerId
);
typed_id!(
    /// One Early Action referral.
    ReferralId
);
typed_id!(
    /// One triage meeting about a referral.
    TriageMeetingId
);
typed_id!(
    /// One partner action.
    ActionId
);
typed_id!(
    /// One share (a disclosure) of a record with an agency.
    ShareId
);
