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
