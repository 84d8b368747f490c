//! CSV documents of the datasets: a withheld count as `suppressed`, and fields a
//! spreadsheet cannot mistake for formulas.

/// A count as shown in CSV: the number, or `suppressed`.
pub fn csv_count(n: Option<u64>) -> String {
    n.map_or_else(|| "suppressed".to_owned(), |n| n.to_string())
}

/// One CSV field: a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'` so a
/// spreadsheet shows it as text instead of running it; fields with separators, quotes
/// or line breaks are quoted.
pub fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A CSV document: the header, then each row (CRLF line ends, as RFC 4180 has them).
pub fn to_csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    let line = |fields: &mut dyn Iterator<Item = String>| {
        fields.map(|f| csv_field(&f)).collect::<Vec<_>>().join(",")
    };
    out.push_str(&line(&mut header.iter().map(|h| h.to_string())));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(&mut r.into_iter()));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cannot_smuggle_formulas_or_break_rows() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_field("Smith"), "Smith");
        let doc = to_csv(&["name", "n"], vec![vec!["O'Neil".into(), "3".into()]]);
        assert_eq!(doc, "name,n\r\nO'Neil,3\r\n");
    }

    #[test]
    fn withheld_counts_say_so() {
        assert_eq!(csv_count(None), "suppressed");
        assert_eq!(csv_count(Some(7)), "7");
    }
}
