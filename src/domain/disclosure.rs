//! Statistical disclosure control for the figures aggregate-only readers (analysts,
//! administrators) see, following the GSS/ONS guidance on tables from administrative
//! sources: primary suppression of small counts (`Suppression`: 1 to 4 by default), and
//! secondary (complementary) suppression so that no withheld count can be worked out
//! from the published ones and the table's totals.
//!
//! A table is a list of counts and the *lines* that add up: a total and its parts (the
//! force and its districts, say). Every line that holds a withheld count holds at least
//! two, and then the whole system is checked by elimination: a withheld count is exposed
//! if the published counts and the lines' equations fix its value; another count is
//! withheld until none is. Zeros are published (structural, and they disclose nothing
//! about a person on their own).

use super::datasets::Suppression;

/// `total = Σ parts`, as indexes into the table's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// Which counts to withhold: those `suppression` withholds, and as few more as keep
/// every one of them from being derived through `lines`.
pub fn protect(values: &[u64], lines: &[Line], suppression: Suppression) -> Vec<bool> {
    let mut withheld: Vec<bool> = values
        .iter()
        .map(|v| suppression.apply(*v).is_none())
        .collect();
    if !withheld.iter().any(|w| *w) {
        return withheld;
    }
    loop {
        // Every line with one withheld count gets a second: its smallest published
        // non-zero part (ties to the lower index), else its total.
        let mut changed = false;
        for line in lines {
            let cells = line.parts.iter().chain(std::iter::once(&line.total));
            if cells.filter(|i| withheld[**i]).count() != 1 {
                continue;
            }
            if let Some(i) = companion(values, &withheld, line) {
                withheld[i] = true;
                changed = true;
            }
        }
        if changed {
            continue;
        }
        // Then the system as a whole: anything still fixed by the equations gets a
        // companion in a line it is in.
        let exposed = determined(values.len(), &withheld, lines);
        let Some(&cell) = exposed.first() else {
            return withheld;
        };
        let mut grew = false;
        for line in lines
            .iter()
            .filter(|l| l.total == cell || l.parts.contains(&cell))
        {
            if let Some(i) = companion(values, &withheld, line) {
                withheld[i] = true;
                grew = true;
                break;
            }
        }
        if !grew {
            // Nothing left to withhold beside it (every other count of its lines is zero
            // or withheld): withhold the lines' totals, which leaves it unfixed.
            for line in lines
                .iter()
                .filter(|l| l.total == cell || l.parts.contains(&cell))
            {
                withheld[line.total] = true;
            }
            if determined(values.len(), &withheld, lines).contains(&cell) {
                // Cannot happen for tables with totals, but never loop for ever.
                return withheld;
            }
        }
    }
}

/// The published count to withhold beside a line's withheld one: its smallest non-zero
/// part, else its total.
fn companion(values: &[u64], withheld: &[bool], line: &Line) -> Option<usize> {
    line.parts
        .iter()
        .copied()
        .filter(|i| !withheld[*i] && values[*i] > 0)
        .min_by_key(|i| (values[*i], *i))
        .or((!withheld[line.total] && values[line.total] > 0).then_some(line.total))
}

/// The withheld counts whose values the lines' equations fix, given every published
/// count: Gaussian elimination over the withheld ones (a count is fixed exactly when its
/// unit vector lies in the row space of the equations restricted to the withheld counts).
pub fn determined(n: usize, withheld: &[bool], lines: &[Line]) -> Vec<usize> {
    let unknown: Vec<usize> = (0..n).filter(|i| withheld[*i]).collect();
    if unknown.is_empty() {
        return Vec::new();
    }
    let column: std::collections::HashMap<usize, usize> =
        unknown.iter().enumerate().map(|(c, i)| (*i, c)).collect();
    // One row per line that involves a withheld count: +1 for the parts, -1 the total.
    let mut rows: Vec<Vec<f64>> = lines
        .iter()
        .filter_map(|l| {
            let mut row = vec![0.0; unknown.len()];
            let mut any = false;
            for (i, sign) in l
                .parts
                .iter()
                .map(|p| (*p, 1.0))
                .chain(std::iter::once((l.total, -1.0)))
            {
                if let Some(c) = column.get(&i) {
                    row[*c] += sign;
                    any = true;
                }
            }
            any.then_some(row)
        })
        .collect();
    let pivots = reduce(&mut rows, unknown.len());
    pivots
        .into_iter()
        .filter(|(r, c)| {
            rows[*r]
                .iter()
                .enumerate()
                .all(|(j, v)| j == *c || v.abs() < 1e-9)
        })
        .map(|(_, c)| unknown[c])
        .collect()
}

/// Reduced row echelon form in place; returns the (row, column) of each pivot.
fn reduce(rows: &mut [Vec<f64>], columns: usize) -> Vec<(usize, usize)> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..columns {
        if r == rows.len() {
            break;
        }
        let Some(p) =
            (r..rows.len()).max_by(|a, b| rows[*a][c].abs().total_cmp(&rows[*b][c].abs()))
        else {
            break;
        };
        if rows[p][c].abs() < 1e-9 {
            continue;
        }
        rows.swap(r, p);
        let lead = rows[r][c];
        for v in rows[r].iter_mut() {
            *v /= lead;
        }
        for k in 0..rows.len() {
            if k != r && rows[k][c].abs() > 1e-12 {
                let f = rows[k][c];
                let (pivot, other) = if k < r {
                    let (a, b) = rows.split_at_mut(r);
                    (&b[0], &mut a[k])
                } else {
                    let (a, b) = rows.split_at_mut(k);
                    (&a[r], &mut b[0])
                };
                for (o, p) in other.iter_mut().zip(pivot.iter()) {
                    *o -= f * p;
                }
            }
        }
        pivots.push((r, c));
        r += 1;
    }
    pivots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn five() -> Suppression {
        Suppression::new(5).unwrap()
    }

    /// A force (index 0) and its districts.
    fn row(force: usize, districts: std::ops::Range<usize>) -> Line {
        Line {
            total: force,
            parts: districts.collect(),
        }
    }

    #[test]
    fn a_lone_small_district_gets_a_companion_so_force_minus_the_rest_finds_nothing() {
        // Force 40 = 3 + 10 + 12 + 15.
        let values = [40, 3, 10, 12, 15];
        let lines = [row(0, 1..5)];
        let w = protect(&values, &lines, five());
        assert_eq!(
            w,
            [false, true, true, false, false],
            "the 3, and the smallest other"
        );
        assert!(determined(values.len(), &w, &lines).is_empty());
    }

    #[test]
    fn with_every_other_part_zero_the_total_is_withheld() {
        let values = [3, 3, 0, 0];
        let lines = [row(0, 1..4)];
        let w = protect(&values, &lines, five());
        assert_eq!(w, [true, true, false, false]);
        assert!(determined(values.len(), &w, &lines).is_empty());
    }

    #[test]
    fn two_way_tables_are_protected_on_rows_and_columns() {
        // 3×3 counts with row totals (9..12) and column totals (12..15), grand total 15.
        //      c0 c1 c2 | tot
        // r0:  2  8  9  | 19
        // r1:  7  6  20 | 33
        // r2:  9  1  30 | 40
        // tot: 18 15 59 | 92
        let values = [2, 8, 9, 7, 6, 20, 9, 1, 30, 19, 33, 40, 18, 15, 59, 92];
        let cell = |r: usize, c: usize| r * 3 + c;
        let mut lines = Vec::new();
        for r in 0..3 {
            lines.push(Line {
                total: 9 + r,
                parts: (0..3).map(|c| cell(r, c)).collect(),
            });
        }
        for c in 0..3 {
            lines.push(Line {
                total: 12 + c,
                parts: (0..3).map(|r| cell(r, c)).collect(),
            });
        }
        lines.push(Line {
            total: 15,
            parts: vec![9, 10, 11],
        });
        lines.push(Line {
            total: 15,
            parts: vec![12, 13, 14],
        });
        let w = protect(&values, &lines, five());
        assert!(w[cell(0, 0)] && w[cell(2, 1)], "the primary cells");
        assert!(determined(values.len(), &w, &lines).is_empty(), "{w:?}");
        for l in &lines {
            let n = l.parts.iter().chain([&l.total]).filter(|i| w[**i]).count();
            assert!(n != 1, "a line with one withheld count: {l:?}");
        }
    }

    #[test]
    fn elimination_finds_what_the_line_rule_alone_misses() {
        // Two lines sharing cells: a = 3 (withheld), b withheld as its companion in line 1,
        // but line 2 has b alone beside published ones: b, then a, are fixed.
        // line 1: t1 = a + b ; line 2: t2 = b + c  (c published, t2 published)
        let values = [3, 6, 7, 9, 13]; // a, b, c, t1, t2
        let lines = [
            Line {
                total: 3,
                parts: vec![0, 1],
            },
            Line {
                total: 4,
                parts: vec![1, 2],
            },
        ];
        let only_b = [true, true, false, false, false];
        assert_eq!(determined(5, &only_b, &lines), [0, 1]);
        let w = protect(&values, &lines, five());
        assert!(determined(5, &w, &lines).is_empty(), "{w:?}");
    }

    #[test]
    fn a_rectangle_of_withheld_cells_is_not_determined() {
        // 2×2 block withheld in a table with row and column totals: rank 3 for 4 unknowns.
        let lines = [
            Line {
                total: 4,
                parts: vec![0, 1],
            },
            Line {
                total: 5,
                parts: vec![2, 3],
            },
            Line {
                total: 6,
                parts: vec![0, 2],
            },
            Line {
                total: 7,
                parts: vec![1, 3],
            },
        ];
        let w = [true, true, true, true, false, false, false, false];
        assert!(determined(8, &w, &lines).is_empty());
    }

    #[test]
    fn nothing_small_nothing_withheld() {
        let values = [20, 10, 10];
        assert_eq!(protect(&values, &[row(0, 1..3)], five()), [false; 3]);
        assert_eq!(
            protect(&[3, 3], &[], Suppression::new(1).unwrap()),
            [false, false],
            "a threshold of 1 withholds nothing"
        );
    }
}
