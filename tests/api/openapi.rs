//! The checked-in OpenAPI document is the one the code generates.
//! Regenerate with `UPDATE_OPENAPI=1 cargo test --test api openapi`.

use crate::helpers::spawn_app;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

#[test]
fn the_checked_in_spec_matches_the_code() {
    let generated = homeward::routes::openapi::spec_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(PATH, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        checked_in == generated,
        "openapi/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

#[actix_rt::test]
async fn the_service_serves_the_spec_and_every_route_is_in_it() {
    let app = spawn_app().await;
    let r = app.call("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(r.status, 200);
    let paths = r.body["paths"].as_object().unwrap();
    let routes = homeward::routes::endpoints();
    // Every route is documented (the spec itself excepted)...
    for (method, path) in &routes {
        if *path == "/api/v1/openapi.json" {
            continue;
        }
        let method = method.as_str().to_lowercase();
        assert!(
            paths
                .get(path.as_str())
                .is_some_and(|ops| ops.get(&method).is_some()),
            "{method} {path} is missing from the spec"
        );
    }
    // ...and every documented operation is served.
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            assert!(
                routes
                    .iter()
                    .any(|(m, p)| p == path && m.as_str().eq_ignore_ascii_case(method)),
                "{method} {path} is in the spec but not in the route table"
            );
        }
    }
}
