//! Reference numbers are formatted in two places, the database (a report's, as it takes
//! its number) and `domain::episodes::reference` (the synthetic loader's): they agree.

use diesel::sql_types::{Integer, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use homeward::domain::episodes::reference;

use crate::helpers::spawn_app;

#[derive(QueryableByName)]
struct Formatted {
    #[diesel(sql_type = Text)]
    r: String,
}

#[actix_rt::test]
async fn the_database_formats_references_as_the_domain_does() {
    let app = spawn_app().await;
    let mut su = app.superuser().await;
    for (code, year, sequence) in [
        ("LDS", 2026, 1),
        ("BRD", 2027, 123),
        ("KIR", 2026, 99_999),
        ("CAL", 2026, 100_000),
        ("WAK", 2026, 999_999),
        ("LDS", 2026, 1_000_000),
        ("LDS", 2026, 12_345_678),
        ("LDS", 999, 7),
        ("LDS", 12_026, 7),
    ] {
        let got: Formatted = diesel::sql_query("SELECT hw_episode_reference($1, $2, $3) AS r")
            .bind::<Text, _>(code)
            .bind::<Integer, _>(year)
            .bind::<Integer, _>(sequence)
            .get_result(&mut su)
            .await
            .unwrap();
        assert_eq!(
            got.r,
            reference(code, year, sequence),
            "{code} {year} {sequence}"
        );
    }
}
