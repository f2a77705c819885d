//! Text for a terminal or a pipe: plain aligned tables, read by people (the command line's
//! summaries, the audit's table report) and by `grep`/`awk`, so no colour and no box drawing.

/// Renders rows as a plain aligned table (no colour needed to read it).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
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
