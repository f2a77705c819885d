//! Locating a problem in a TOML input file: the line and the field, for error messages that a
//! site integrator can act on without a parser's byte offsets.

use std::ops::Range;

/// Where in a TOML text something is: 1-based line and, when it can be told, the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// The key nearest before the position on that line (`max_resolution`, `pan_range`).
    pub field: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        Ok(())
    }
}

/// The location of byte offset `at` in `text`.
pub fn locate(text: &str, at: usize) -> Location {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() + 1;
    Location {
        line,
        field: key_before(&text[line_start..at]),
    }
}

/// The location of a deserialisation error, with its message (without toml's own location
/// banner, so ours is the only one).
pub fn locate_error(text: &str, e: &toml::de::Error) -> (Location, String) {
    let span: Range<usize> = e.span().unwrap_or(0..0);
    let mut loc = locate(text, span.start);
    let message = e.message().trim().to_owned();
    // serde says which field is missing or unknown in the message itself; a table span
    // points at the `[[model]]` header, where no key precedes.
    if loc.field.is_none() {
        loc.field = backticked(&message);
    }
    (loc, message)
}

/// The key of the last `key =` in a line prefix (handles inline tables: `ptz = { a = 1, b =`).
fn key_before(prefix: &str) -> Option<String> {
    let eq = prefix.rfind('=')?;
    let key: String = prefix[..eq]
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let key = key.trim_matches('"').to_owned();
    (!key.is_empty()).then_some(key)
}

fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

/// The location of `field` within the table that starts at `table_start`: the first line at
/// or after the header whose key is `field`, else the header itself.
pub fn field_location(text: &str, table_start: usize, field: &str) -> Location {
    let key = field.rsplit('.').next().unwrap_or(field);
    let rest = &text[table_start.min(text.len())..];
    let mut offset = table_start;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        // The next element of an array of tables ends this one; sub-tables do not.
        if i > 0 && line.trim_start().starts_with("[[") {
            break;
        }
        if let Some(pos) = find_key(line, key) {
            let mut loc = locate(text, offset + pos);
            loc.field = Some(field.to_owned());
            return loc;
        }
        offset += line.len();
    }
    let mut loc = locate(text, table_start);
    loc.field = Some(field.to_owned());
    loc
}

/// Byte offset of `key =` in a line (also inside an inline table).
fn find_key(line: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = line[from..].find(key) {
        let start = from + i;
        let before_ok = start == 0
            || !line[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let after = line[start + key.len()..].trim_start();
        if before_ok && after.starts_with('=') {
            return Some(start);
        }
        from = start + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_key_of_a_value_including_inside_an_inline_table() {
        let text = "a = 1\n[[model]]\nmax_resolution = \"19x\"\nptz = { pan_range = [1, 2], max_presets = -1 }\n";
        let at = text.find("\"19x\"").unwrap();
        assert_eq!(
            locate(text, at),
            Location {
                line: 3,
                field: Some("max_resolution".into())
            }
        );
        let at = text.find("-1").unwrap();
        assert_eq!(locate(text, at).field.as_deref(), Some("max_presets"));
        assert_eq!(locate(text, text.find("[[model]]").unwrap()).field, None);
    }
}
