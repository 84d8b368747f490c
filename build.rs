//! Rebuilds when a migration is added or edited: `embed_migrations!` reads the folder at
//! compile time, and cargo does not otherwise notice a new migration directory.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
