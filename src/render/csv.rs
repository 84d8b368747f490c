//! CSV documents of the datasets: a withheld count as `suppressed`, every field quoted,
//! and fields a spreadsheet cannot mistake for formulas.

/// A count as shown in CSV: the number, or `suppressed`.
pub fn csv_count(n: Option<u64>) -> String {
    n.map_or_else(|| "suppressed".to_owned(), |n| n.to_string())
}

/// What a spreadsheet may take for the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
/// Where a spreadsheet may start a new cell inside the field: the separators in use
/// (comma, semicolon, tab, pipe) and line breaks.
const CELL_BREAKS: [char; 6] = [',', ';', '\t', '|', '\n', '\r'];

/// One CSV field, always quoted (quotes doubled). A formula start at the beginning of the
/// field, or after anything a spreadsheet may split a cell on (`x;=1+1` is live in one
/// that splits on semicolons; spaces in between do not help), gets a `'` so it shows as
/// text instead of running.
pub fn csv_field(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    out.push('"');
    let mut cell_start = true;
    for c in value.chars() {
        if cell_start && FORMULA_STARTS.contains(&c) {
            out.push('\'');
        }
        if c == '"' {
            out.push('"');
        }
        out.push(c);
        cell_start = CELL_BREAKS.contains(&c) || (cell_start && c == ' ');
    }
    out.push('"');
    out
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
        assert_eq!(csv_field("+1"), "\"'+1\"");
        assert_eq!(csv_field("-2"), "\"'-2\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_field("Smith"), "\"Smith\"");
        let doc = to_csv(&["name", "n"], vec![vec!["O'Neil".into(), "3".into()]]);
        assert_eq!(doc, "\"name\",\"n\"\r\n\"O'Neil\",\"3\"\r\n");
    }

    #[test]
    fn formulas_after_a_separator_are_neutralised_too() {
        assert_eq!(csv_field("x;=1+1"), "\"x;'=1+1\"");
        assert_eq!(csv_field("x; =1+1"), "\"x; '=1+1\"");
        assert_eq!(csv_field("a|@cmd"), "\"a|'@cmd\"");
        assert_eq!(csv_field("a\t-1"), "\"a\t'-1\"");
        assert_eq!(csv_field("a,+1"), "\"a,'+1\"");
        assert_eq!(csv_field("first\n=2"), "\"first\n'=2\"");
        // Not after other characters: a date or a hyphenated name stays as it is.
        assert_eq!(csv_field("2026-12-05"), "\"2026-12-05\"");
        assert_eq!(csv_field("Smith-Jones"), "\"Smith-Jones\"");
    }

    #[test]
    fn withheld_counts_say_so() {
        assert_eq!(csv_count(None), "suppressed");
        assert_eq!(csv_count(Some(7)), "7");
    }
}
