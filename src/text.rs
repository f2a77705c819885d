//! Text for a terminal or a pipe: plain aligned tables, read by people (the command line's
//! summaries, the audit's table report) and by `grep`/`awk`, so no colour and no box drawing.

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
/// [`clean`]ed, so no caller can forget a device string.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clean(c).into_owned()).collect())
        .collect();
    let rows = &rows;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < widths.len() {
                s.push_str(&" ".repeat(widths[i].saturating_sub(c.chars().count())));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(&mut headers.iter().copied());
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
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
