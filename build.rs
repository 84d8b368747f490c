//! Rebuilds when a migration or a rule file is added or edited: `embed_migrations!` reads
//! the migrations folder at compile time, and `db::rules` embeds every file under
//! `db/sql` (listed here, in path order), which cargo does not otherwise notice.
use std::path::{Path, PathBuf};

fn sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sql_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "sql") {
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=db/sql");
    // Read when the script runs, not when it was compiled: a compiled script can be
    // shared by two checkouts building into one target directory.
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let base = root.join("db/sql");
    let mut files = Vec::new();
    sql_files(&base, &mut files);
    files.sort();
    let mut list = String::from("/// Every rule file under `db/sql`, in the order applied.\npub const FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&base)
            .expect("under db/sql")
            .to_string_lossy()
            .replace('\\', "/");
        list.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    list.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("sql_files.rs");
    std::fs::write(out, list).expect("write the rule file list");
}
