//! The `homeward` binary as a newcomer runs it.

use std::process::Command;

#[test]
fn seeding_synthetic_data_on_a_fresh_data_directory_migrates_first() {
    let dir = std::env::temp_dir().join(format!("homeward-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    // The embedded cluster runs as the `postgres` user when we are root: it must be able
    // to reach its data directory.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .args(["seed", "--synthetic", "20"])
        .env_remove("DATABASE_URL")
        .env("HOMEWARD_DATA_DIR", dir.join("data"))
        .output()
        .expect("run homeward");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "seed failed:\n{log}");
    assert!(log.contains("migrations applied"), "{log}");
    assert!(log.contains("synthetic data loaded"), "{log}");
}
