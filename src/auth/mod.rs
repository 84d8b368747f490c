//! Authentication mechanics: password hashing, access tokens, refresh tokens and the
//! bearer-token extractor. The login/refresh/logout flows are in `services::auth`.

pub mod extractor;
pub mod jwt;
pub mod password;
pub mod refresh;

pub use extractor::Bearer;
pub use jwt::{AccessClaims, JwtKeys};
