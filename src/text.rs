//! Text for a terminal or a pipe: plain aligned tables, read by people (the command line's
//! summaries, the audit's table report) and by `grep`/`awk`, so no colour and no box drawing.
//! Columns are measured in display width (a CJK character takes two cells, a combining mark
//! none), and on a terminal each row is cut to the terminal's width.

use std::sync::OnceLock;

/// The width tables are cut to: set once by the command line when its result goes to a
/// terminal; unset (never cut) for pipes, files and the library's callers.
static FIT_WIDTH: OnceLock<u16> = OnceLock::new();

/// Cut every table rendered from now on to `columns` (the terminal's width). The first call
/// wins.
pub fn fit_tables_to(columns: u16) {
    let _ = FIT_WIDTH.set(columns);
}

/// Device-supplied text made safe for a terminal: control characters (ESC sequences that clear
/// the screen or set the window title, C1 controls, newlines that forge lines) and the
/// bidirectional overrides that reorder what is shown are written as `\u{..}`. A ProbeMatch
/// needs no authentication, so anyone on the VLAN chooses these strings. Every human output
/// (tables, the dry run, messages on stderr) goes through this one function.
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// [`clean`] for text of several lines: each line cleaned, the line breaks kept.
pub fn clean_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&clean(line));
    }
    out
}

/// Renders rows as a plain aligned table (no colour needed to read it); every cell is
/// [`clean`]ed, so no caller can forget a device string. Cut to the terminal's width when the
/// command line said so ([`fit_tables_to`]).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    table_within(headers, rows, FIT_WIDTH.get().copied())
}

/// [`table`] cut to `width` columns when given: the widest columns give way first (an
/// address or a model stays whole while a long note is cut), a cut cell ends with `…`, one
/// line per row.
pub fn table_within(headers: &[&str], rows: &[Vec<String>], width: Option<u16>) -> String {
    use comfy_table::{ColumnConstraint, Row, Table, Width};
    let mut t = Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_truncation_indicator("…");
    let row = |cells: Vec<String>| {
        let mut r = Row::from(cells);
        if width.is_some() {
            r.max_height(1);
        }
        r
    };
    t.set_header(row(headers.iter().map(|h| (*h).to_owned()).collect()));
    for r in rows {
        t.add_row(row(r.iter().map(|c| clean(c).into_owned()).collect()));
    }
    if let Some(limit) = width {
        let natural = t.column_max_content_widths();
        // A heading is never cut: it names the column whatever is cut below it.
        let mut heading = Table::new();
        heading.set_header(headers.to_vec());
        let floors: Vec<u16> = heading
            .column_max_content_widths()
            .into_iter()
            .map(|h| h.max(MIN_CUT))
            .chain(std::iter::repeat(MIN_CUT))
            .take(natural.len())
            .collect();
        let fitted = fit(&natural, &floors, usize::from(limit));
        for (c, (&want, &got)) in t.column_iter_mut().zip(natural.iter().zip(&fitted)) {
            if got < want {
                // The boundary counts the column's padding.
                c.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(got + GAP)));
            }
        }
    }
    // Two spaces between columns, none before the first; what trails the last is trimmed.
    for c in t.column_iter_mut() {
        c.set_padding((0, GAP));
    }
    let mut out = String::new();
    for line in t.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Columns between two columns.
const GAP: u16 = 2;
/// No column is cut narrower than this (a cut cell still shows a few characters and `…`).
const MIN_CUT: u16 = 4;

/// Column widths that fit `limit` columns of terminal, gaps included: the widest column that
/// can still give way (it is wider than its floor) is narrowed one cell at a time, so columns
/// that already fit keep their width. When even the floors do not fit, the floors it is.
fn fit(natural: &[u16], floors: &[u16], limit: usize) -> Vec<u16> {
    let mut w = natural.to_vec();
    let total = |w: &[u16]| {
        w.iter().map(|&x| usize::from(x)).sum::<usize>()
            + usize::from(GAP) * w.len().saturating_sub(1)
    };
    while total(&w) > limit {
        let widest = w
            .iter()
            .enumerate()
            .filter(|&(i, &x)| x > floors.get(i).copied().unwrap_or(MIN_CUT))
            .max_by_key(|&(i, &x)| (x, usize::MAX - i));
        let Some((i, &x)) = widest else { break };
        w[i] = x - 1;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_shown_not_run() {
        assert_eq!(clean("HIK\u{1b}[2J"), "HIK\\u{1b}[2J");
        assert_eq!(clean("a\u{9b}31m\u{7}"), "a\\u{9b}31m\\u{7}");
        assert_eq!(clean("cam\u{202e}gpj.exe"), "cam\\u{202e}gpj.exe");
        assert_eq!(clean("two\nlines"), "two\\u{a}lines");
        assert!(matches!(
            clean("Axis P3265 é"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    // Issue 10 item 7: a cell's escape sequence never reaches the terminal, and the table
    // stays aligned on what is shown.
    #[test]
    fn terminal_control_characters_in_table_cells_are_escaped() {
        let t = table(
            &["NAME", "X"],
            &[
                vec!["\u{1b}]0;owned\u{7}\u{1b}[2J".into(), "1".into()],
                vec!["b".into(), "2".into()],
            ],
        );
        assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
        assert_eq!(
            t,
            "NAME                          X\n\
             \\u{1b}]0;owned\\u{7}\\u{1b}[2J  1\n\
             b                             2\n"
        );
    }

    // Issue 14 item 4: "監視" is two characters but four columns on a terminal; padding by
    // characters shifted every later column of its row left by two.
    #[test]
    fn columns_align_on_display_width_not_characters() {
        let rows = vec![
            vec!["監視カメラ".to_owned(), "1".to_owned()],
            vec!["cam".to_owned(), "2".to_owned()],
        ];
        // 監視カメラ is 5 characters, 10 columns wide: "cam" is padded to 10 + 2.
        assert_eq!(
            table_within(&["NAME", "N"], &rows, None),
            "NAME        N\n監視カメラ  1\ncam         2\n"
        );
    }

    #[test]
    fn a_table_cut_to_a_terminal_fits_it_and_marks_what_was_cut() {
        let long = "x".repeat(200);
        let rows = vec![
            vec!["10.0.0.1".to_owned(), long.clone()],
            vec!["10.0.0.2".to_owned(), "short".to_owned()],
        ];
        let t = table_within(&["ADDRESS", "NOTES"], &rows, Some(40));
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "one line per row: {t}");
        for l in &lines {
            assert!(l.chars().count() <= 40, "{l:?} is wider than 40");
        }
        assert!(
            lines[1].starts_with("10.0.0.1") && lines[1].ends_with('…'),
            "{t}"
        );
        assert!(
            lines[2].starts_with("10.0.0.2") && lines[2].ends_with("short"),
            "{t}"
        );
        // Not cut when nothing asks for it (a pipe): the whole value is there.
        assert!(table_within(&["ADDRESS", "NOTES"], &rows, None).contains(&long));
    }

    #[test]
    fn columns_align_on_the_widest_cell_in_characters_and_lines_end_without_spaces() {
        let rows = vec![
            vec!["Bosch".to_owned(), "é".to_owned(), "x".to_owned()],
            vec!["Hikvision".to_owned(), "-".to_owned(), String::new()],
        ];
        assert_eq!(
            table(&["VENDOR", "N", "NOTE"], &rows),
            "VENDOR     N  NOTE\nBosch      é  x\nHikvision  -\n"
        );
    }
}
