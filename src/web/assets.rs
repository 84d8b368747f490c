//! The vendored GOV.UK Frontend files and Homeward's own, compiled into the binary and
//! served under `/assets/<bundle>/<name>`. The bundle is a digest of them all, so a
//! release that changes any file changes every address, and browsers may keep them for
//! a year (`immutable`).

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:literal, $path:literal) => {
        Asset {
            name: $name,
            content_type: $type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $path)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!(
        "govuk-frontend.min.css",
        "text/css; charset=utf-8",
        "vendor/govuk-frontend/govuk-frontend.min.css"
    ),
    asset!(
        "govuk-frontend.min.js",
        "text/javascript; charset=utf-8",
        "vendor/govuk-frontend/govuk-frontend.min.js"
    ),
    asset!(
        "favicon.ico",
        "image/x-icon",
        "vendor/govuk-frontend/images/favicon.ico"
    ),
    asset!(
        "favicon.svg",
        "image/svg+xml",
        "vendor/govuk-frontend/images/favicon.svg"
    ),
    asset!(
        "homeward.mjs",
        "text/javascript; charset=utf-8",
        "homeward.mjs"
    ),
    asset!("homeward.css", "text/css; charset=utf-8", "homeward.css"),
];

/// The digest of every asset: the path segment that changes when any of them does.
static BUNDLE: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for a in ASSETS {
        h.update(a.name.as_bytes());
        h.update(a.bytes);
    }
    h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
});

/// The address of the asset `name`.
pub fn url(name: &str) -> String {
    debug_assert!(ASSETS.iter().any(|a| a.name == name), "no asset {name}");
    format!("/assets/{}/{name}", *BUNDLE)
}

/// `GET /assets/{bundle}/{name}`: an asset of this release, cached for a year; any other
/// bundle or name is not found (an old page asking for an old release's file reloads).
pub async fn serve(path: web::Path<(String, String)>) -> HttpResponse {
    let (bundle, name) = path.into_inner();
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) if bundle == *BUNDLE => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, a.content_type))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(a.bytes),
        _ => HttpResponse::NotFound()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
            .body("no such asset"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_versioned_address() {
        let css = url("govuk-frontend.min.css");
        assert!(css.starts_with("/assets/") && css.ends_with("/govuk-frontend.min.css"));
        assert_eq!(BUNDLE.len(), 12);
        // The vendored stylesheet names no font it does not ship.
        let css = std::str::from_utf8(ASSETS[0].bytes).unwrap();
        assert!(!css.contains("@font-face"));
    }
}
