//! Who is acting: the verified caller of a request, and the role checks the domain
//! makes before any query (Postgres policies make the same decisions again).

use super::accounts::Role;
use crate::ids::{AgencyId, DistrictId, UserId};

/// A caller whose token and account were checked against the database this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub role: Role,
    /// `None` means force-wide.
    pub district_id: Option<DistrictId>,
    pub agency_id: Option<AgencyId>,
}

/// Why the domain refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub &'static str);

impl Caller {
    pub fn require_admin(&self) -> Result<(), Denied> {
        self.require_any(&[Role::Admin])
    }

    /// Officers, supervisors and MFHCs: the roles that work missing episodes.
    pub fn require_operational(&self) -> Result<(), Denied> {
        self.require_any(&[Role::Officer, Role::Supervisor, Role::Mfhc])
    }

    /// Supervisors, MFHCs and Early Action: the roles that work triggers, referrals,
    /// partner actions and shares.
    pub fn require_case_worker(&self) -> Result<(), Denied> {
        self.require_any(&[Role::Supervisor, Role::Mfhc, Role::EarlyAction])
    }

    /// The force's data protection officers.
    pub fn require_dpo(&self) -> Result<(), Denied> {
        self.require_any(&[Role::Dpo])
    }

    /// Operational roles and Early Action: who finds, reads and records persons.
    pub fn require_person_access(&self) -> Result<(), Denied> {
        self.require_any(&[
            Role::Officer,
            Role::Supervisor,
            Role::Mfhc,
            Role::EarlyAction,
        ])
    }

    pub fn is_partner(&self) -> bool {
        self.role == Role::Partner
    }

    /// Whether the caller's district covers `district` (force-wide callers cover all).
    pub fn covers(&self, district: DistrictId) -> bool {
        self.district_id.is_none_or(|d| d == district)
    }

    pub fn require_any(&self, roles: &[Role]) -> Result<(), Denied> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Denied("your role does not allow this"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role) -> Caller {
        Caller {
            user_id: UserId::new(),
            role,
            district_id: None,
            agency_id: None,
        }
    }

    #[test]
    fn district_users_cover_only_their_district() {
        let (leeds, bradford) = (DistrictId::new(), DistrictId::new());
        let district_user = Caller {
            district_id: Some(leeds),
            ..caller(Role::Officer)
        };
        assert!(district_user.covers(leeds));
        assert!(!district_user.covers(bradford));
        assert!(caller(Role::Mfhc).covers(bradford));
    }

    #[test]
    fn only_police_roles_are_operational() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Officer | Role::Supervisor | Role::Mfhc);
            assert_eq!(
                caller(*role).require_operational().is_ok(),
                expected,
                "{role}"
            );
        }
    }

    #[test]
    fn case_workers_are_supervisors_mfhcs_and_early_action() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Supervisor | Role::Mfhc | Role::EarlyAction);
            assert_eq!(
                caller(*role).require_case_worker().is_ok(),
                expected,
                "{role}"
            );
        }
    }

    #[test]
    fn only_admins_pass_require_admin() {
        for role in Role::ALL {
            assert_eq!(
                caller(*role).require_admin().is_ok(),
                *role == Role::Admin,
                "{role}"
            );
        }
    }
}
