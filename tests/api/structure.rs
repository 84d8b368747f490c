//! The layering rules the compiler cannot check: each read of the source finds every
//! handler and every service function, so a new one that breaks a rule fails here.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("a source directory").flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn src(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    rust_files(&root)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable source");
            (p.display().to_string(), text)
        })
        .collect()
}

/// The attributes directly above the item starting at line `at`.
fn attributes_above(lines: &[&str], at: usize) -> Vec<String> {
    let mut attrs = Vec::new();
    let mut i = at;
    while i > 0 {
        i -= 1;
        let l = lines[i].trim_start();
        if l.starts_with("#[")
            || l.starts_with("))]")
            || l.starts_with('(')
            || l.starts_with("params(")
        {
            attrs.push(l.to_owned());
        } else if l.starts_with("///") || l.is_empty() {
            if l.is_empty() {
                break;
            }
        } else if attrs.is_empty() {
            break;
        } else {
            // a wrapped line of a multi-line attribute
            attrs.push(l.to_owned());
        }
    }
    attrs
}

#[test]
fn every_handler_and_service_has_a_span() {
    let mut missing = Vec::new();
    let mut handlers = 0;
    for (file, text) in src("routes") {
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if !l.starts_with("pub async fn ") {
                continue;
            }
            let attrs = attributes_above(&lines, i);
            if attrs.iter().any(|a| a.starts_with("#[utoipa::path(")) {
                handlers += 1;
                if !attrs
                    .iter()
                    .any(|a| a.starts_with("#[tracing::instrument("))
                {
                    missing.push(format!("{file}:{}", i + 1));
                }
            }
        }
    }
    // Pages: every `pub async fn` under web/pages is a handler.
    let mut pages = 0;
    for (file, text) in src("web/pages") {
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if l.starts_with("pub async fn ") {
                pages += 1;
                let attrs = attributes_above(&lines, i);
                if !attrs
                    .iter()
                    .any(|a| a.starts_with("#[tracing::instrument(name = \"web::"))
                {
                    missing.push(format!("{file}:{}", i + 1));
                }
            }
        }
    }
    let mut services = 0;
    for (file, text) in src("services") {
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let signature: String = lines[i..lines.len().min(i + 8)].join(" ");
            let takes_ctx = signature
                .split_once(')')
                .is_some_and(|(params, _)| params.contains("ctx: &Ctx"));
            if l.starts_with("pub async fn ") && takes_ctx {
                services += 1;
                let attrs = attributes_above(&lines, i);
                if !attrs
                    .iter()
                    .any(|a| a.starts_with("#[tracing::instrument("))
                {
                    missing.push(format!("{file}:{}", i + 1));
                }
            }
        }
    }
    assert!(
        handlers >= 90 && services >= 70 && pages >= 8,
        "found {handlers} handlers, {pages} pages, {services} services"
    );
    assert!(missing.is_empty(), "without a tracing span: {missing:?}");
}

/// Handlers and pages talk to services only: the data layer's types reach them through
/// the service that returns them (`services::users::UserRow`), never by `crate::db`.
#[test]
fn handlers_do_not_reach_the_data_layer() {
    let offenders: Vec<String> = src("routes")
        .into_iter()
        .chain(src("web"))
        .flat_map(|(file, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.contains("crate::db"))
                .map(|(i, _)| format!("{file}:{}", i + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "routes or pages using crate::db: {offenders:?}"
    );
}

/// Every `DateTime<Utc>` field of a type that derives `Serialize` is written by
/// `crate::json` (in one piece: `src/json.rs`), unless it is not written at all. (The
/// module's own tests hold it to chrono's text.)
#[test]
fn timestamps_are_written_by_the_json_module() {
    let mut offenders = Vec::new();
    for (file, text) in src("")
        .into_iter()
        .filter(|(f, _)| !f.ends_with("src/json.rs"))
    {
        let lines: Vec<&str> = text.lines().collect();
        let mut serialized = false;
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            if t.starts_with("pub struct ")
                || t.starts_with("pub(crate) struct ")
                || t.starts_with("struct ")
                || t.starts_with("pub enum ")
            {
                serialized = attributes_above(&lines, i)
                    .iter()
                    .any(|a| a.starts_with("#[derive(") && a.contains("Serialize"));
            } else if t.starts_with('}') && !l.starts_with(' ') {
                serialized = false;
            }
            let field = t
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ");
            let timestamp =
                field.contains(": DateTime<Utc>,") || field.contains(": Option<DateTime<Utc>>,");
            if serialized && timestamp {
                let attrs = attributes_above(&lines, i);
                let written_here = attrs.iter().any(|a| {
                    a.contains("crate::json::timestamp")
                        || a.contains("crate::json::optional_timestamp")
                        || a == "#[serde(skip)]"
                });
                if !written_here {
                    offenders.push(format!("{file}:{}", i + 1));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "timestamps serialized by chrono, a few characters at a time: add \
         #[serde(serialize_with = \"crate::json::timestamp\")] (or optional_timestamp): {offenders:?}"
    );
}
