//! The TOML files a user writes (catalogue, stock, rollout, policy, credentials): one error
//! type for a problem in them, [`InputError`], and one locator that turns a parser's byte
//! offset into the line, column and field a site integrator can act on.

use std::ops::Range;

/// Where in a TOML text something is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The key (`max_resolution`) or field path (`company[0].oem[1].confidence`), when it can
    /// be told.
    pub field: Option<String>,
}

impl Location {
    /// The same place, naming `field`.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

/// `line 5, field max_resolution`; the column only when no field names the spot, since a
/// field is what a person looks for on the line.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        match &self.field {
            Some(field) => write!(f, ", field {field}"),
            None => write!(f, ", column {}", self.column),
        }
    }
}

/// A problem in an input file, named by file, line, column and field. The message is the
/// whole story: there is no underlying error to chain, and it never quotes a value the
/// caller did not put in it (a credentials file holds passwords).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {location}: {message}")]
pub struct InputError {
    /// The file as the user named it (or `builtin:NAME`).
    pub file: String,
    /// Where in it.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

impl InputError {
    /// A problem at `location` in `file`.
    pub fn new(file: impl Into<String>, location: Location, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            location,
            message: message.into(),
        }
    }

    /// A deserialisation error from `toml`, located in `text`.
    pub fn from_toml(file: impl Into<String>, text: &str, e: &toml::de::Error) -> Self {
        let (location, message) = locate_error(text, e);
        Self::new(file, location, message)
    }
}

/// The location of byte offset `at` in `text`, with the key written before it on its line.
pub fn locate(text: &str, at: usize) -> Location {
    let at = char_floor(text, at);
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        field: key_before(&before[line_start..]),
    }
}

/// The location of a deserialisation error, with its message (without toml's own location
/// banner and source excerpt, so ours is the only one and no value is echoed from the file).
pub fn locate_error(text: &str, e: &toml::de::Error) -> (Location, String) {
    let span: Range<usize> = e.span().unwrap_or(0..0);
    let mut loc = locate(text, span.start);
    let message = e.message().trim().to_owned();
    // serde says which field is missing or unknown in the message itself; a table span
    // points at the `[[model]]` header, where no key precedes.
    if loc.field.is_none() {
        loc.field = named_field(&message);
    }
    (loc, message)
}

/// The location of `field` within the table that starts at `table_start`: the first line at
/// or after the header whose key is `field`, else the header itself.
pub fn field_location(text: &str, table_start: usize, field: &str) -> Location {
    let key = field.rsplit('.').next().unwrap_or(field);
    let table_start = char_floor(text, table_start);
    let mut offset = table_start;
    for (i, line) in text[table_start..].split_inclusive('\n').enumerate() {
        // The next element of an array of tables ends this one; sub-tables do not.
        if i > 0 && line.trim_start().starts_with("[[") {
            break;
        }
        if let Some(pos) = find_key(line, key) {
            return locate(text, offset + pos).with_field(field);
        }
        offset += line.len();
    }
    locate(text, table_start).with_field(field)
}

/// The field path (`company[1].oem[0].confidence`) of the key at `offset`, rebuilt from the
/// table headers above it, for files whose arrays of tables repeat the same keys; toml's own
/// errors give a position and a message but no path.
pub fn field_path_at(text: &str, offset: usize) -> Option<String> {
    let offset = char_floor(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_owned())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    // Walk the headers above; an array-of-tables entry's index counts the same header under
    // the same parent element (the parent's own index is part of the key).
    let render = |path: &[(String, Option<usize>)]| -> Vec<String> {
        path.iter()
            .map(|(n, i)| format!("{n}{}", i.map(|i| format!("[{i}]")).unwrap_or_default()))
            .collect()
    };
    let mut path: Vec<(String, Option<usize>)> = Vec::new();
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for l in text[..line_start].lines() {
        let t = l.trim();
        let (name, array) = if let Some(r) = t.strip_prefix("[[") {
            (r.split("]]").next().unwrap_or(""), true)
        } else if let Some(r) = t.strip_prefix('[') {
            (r.split(']').next().unwrap_or(""), false)
        } else {
            continue;
        };
        let parts: Vec<&str> = name
            .split('.')
            .map(|p| p.trim().trim_matches('"'))
            .collect();
        let Some((leaf, parents)) = parts.split_last() else {
            continue;
        };
        path.truncate(parents.len());
        while path.len() < parents.len() {
            path.push((parents[path.len()].to_owned(), None));
        }
        let index = array.then(|| {
            let n = counts
                .entry(format!("{}/{leaf}", render(&path).join(".")))
                .or_insert(0);
            *n += 1;
            *n - 1
        });
        path.push(((*leaf).to_owned(), index));
    }
    let mut segs = render(&path);
    if let Some(k) = key {
        segs.push(k);
    }
    (!segs.is_empty()).then(|| segs.join("."))
}

/// `offset` moved back to a character boundary inside `text`.
fn char_floor(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
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

/// The field serde names in a "missing field `x`" or "unknown field `x`" message. Only those
/// two: other messages quote values (`invalid type: string "hunter2"`), and a value is not a
/// field name.
fn named_field(message: &str) -> Option<String> {
    let rest = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| message.find(p).map(|i| &message[i + p.len()..]))?;
    let len = rest.find('`')?;
    Some(rest[..len].to_owned())
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
    fn line_column_and_key_of_a_value_including_inside_an_inline_table() {
        let text = "a = 1\n[[model]]\nmax_resolution = \"19x\"\nptz = { pan_range = [1, 2], max_presets = -1 }\n";
        let at = text.find("\"19x\"").unwrap();
        assert_eq!(
            locate(text, at),
            Location {
                line: 3,
                column: 18,
                field: Some("max_resolution".into())
            }
        );
        let at = text.find("-1").unwrap();
        let loc = locate(text, at);
        assert_eq!(loc.field.as_deref(), Some("max_presets"));
        // "ptz = { " (8) + "pan_range = [1, 2], " (20) + "max_presets = " (14) = 42 before it.
        assert_eq!((loc.line, loc.column), (4, 43));
        assert_eq!(locate(text, text.find("[[model]]").unwrap()).field, None);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // "é" is two bytes; the 7 after it is the 9th character of line 2.
        let text = "x = 1\nn = \"é\" 7\n";
        let at = text.find('7').unwrap();
        assert_eq!((locate(text, at).line, locate(text, at).column), (2, 9));
        // An offset inside a character is moved back to its start instead of panicking.
        let inside = text.find('é').unwrap() + 1;
        assert_eq!(locate(text, inside).column, 6);
    }

    #[test]
    fn a_field_path_counts_repeated_tables_under_their_parent() {
        let text = "[[company]]\nid = \"a\"\n[[company.oem]]\nx = 1\n[[company]]\nid = \"b\"\n[[company.oem]]\nx = 1\n[[company.oem]]\nx = 2\n";
        let at = text.rfind("x = 2").unwrap();
        assert_eq!(
            field_path_at(text, at).as_deref(),
            Some("company[1].oem[1].x")
        );
    }

    #[test]
    fn a_toml_error_shows_line_column_or_field_and_never_the_value_as_a_field() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Entry {
            password: String,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct File {
            entry: Entry,
        }
        let text = "[entry]\npasword = \"x\"\n";
        let e = toml::from_str::<File>(text).unwrap_err();
        let err = InputError::from_toml("c.toml", text, &e);
        assert_eq!(err.location.line, 2, "{err}");
        assert_eq!(err.location.field.as_deref(), Some("pasword"), "{err}");
        assert!(
            err.to_string()
                .starts_with("c.toml: line 2, field pasword: ")
        );

        // A syntax error with no key on the line: the column says where.
        let text = "[entry]\n= 3\n";
        let e = toml::from_str::<File>(text).unwrap_err();
        let err = InputError::from_toml("c.toml", text, &e);
        assert_eq!(err.location.field, None, "{err}");
        assert!(
            err.to_string().starts_with("c.toml: line 2, column 1: "),
            "{err}"
        );
    }
}
