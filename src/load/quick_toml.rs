//! A quick reader for the TOML that records are written in.
//!
//! Reading front matter with the `toml` crate builds a general document tree
//! (keys kept for error reports, tables that can be reopened by dotted keys)
//! and then walks it again to fill the record's structs: it was most of what
//! `casebook check` spends. Records use a small part of TOML: bare keys,
//! `[table]` and `[[array]]` headers, one-line strings, numbers, booleans,
//! dates, arrays and one-line inline tables. This module reads exactly that
//! part into a light tree and hands it to the same serde structs, with the
//! same spans.
//!
//! It never reports anything. Whatever falls outside that part, and every
//! mistake (a duplicate key, a stray character, a value of the wrong type, an
//! unknown key), makes it give up, and the caller reads the text again with
//! the `toml` crate, whose messages and positions are the ones users see. So
//! for any text it reads, it must produce what the `toml` crate produces, and
//! where the `toml` crate would refuse a text, it must give up: the tests in
//! this module compare both readers on the example records, on every
//! construct, and on thousands of damaged copies.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{self, IntoDeserializer, Visitor};
use toml::value::Datetime;

/// Read `text` as `T`; `None` when it is outside what this reader handles or
/// does not fit `T`. Spans are byte ranges in `text`, as the `toml` crate's.
pub(crate) fn from_str<'a, T: de::Deserialize<'a>>(text: &'a str) -> Option<T> {
    let root = Reader { text, bytes: text.as_bytes(), pos: 0, depth: 0 }.document().ok()?;
    T::deserialize(Node { span: 0..0, value: Value::Table(root) }).ok()
}

/// Why the quick reader gave up; the caller then asks the `toml` crate.
#[derive(Debug)]
pub(crate) struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("outside what the quick TOML reader handles")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        GiveUp
    }
}

type Result<T> = std::result::Result<T, GiveUp>;

/// A value and where it is written.
struct Node<'a> {
    span: Range<usize>,
    value: Value<'a>,
}

enum Value<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Checked when read; the text is what serde receives, as with the `toml`
    /// crate, which writes its parsed value back to text for serde.
    Datetime(&'a str),
    Array(Vec<Node<'a>>),
    Table(Table<'a>),
}

/// Keys in the order written. Tables in records are small, so a linear search
/// for duplicates is cheaper than hashing.
type Table<'a> = Vec<(&'a str, Node<'a>)>;

fn insert<'a>(table: &mut Table<'a>, key: &'a str, node: Node<'a>) -> Result<()> {
    if table.iter().any(|(k, _)| *k == key) {
        return Err(GiveUp);
    }
    table.push((key, node));
    Ok(())
}

/// A `[key]` or `[[key]]` header and the key/values under it so far.
struct Header<'a> {
    key: &'a str,
    span: Range<usize>,
    is_array: bool,
    table: Table<'a>,
}

/// Arrays and inline tables nested deeper than this are left to the `toml`
/// crate, so that no text can exhaust the stack.
const MAX_DEPTH: usize = 16;

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() != Some(byte) {
            return Err(GiveUp);
        }
        self.pos += 1;
        Ok(())
    }

    fn document(mut self) -> Result<Table<'a>> {
        let mut root: Table<'a> = Vec::new();
        // Root keys that `[[key]]` headers made: only those take more tables.
        let mut arrays: Vec<&'a str> = Vec::new();
        let mut current: Option<Header<'a>> = None;
        loop {
            self.skip_blank();
            match self.peek() {
                None => break,
                Some(b'\n' | b'\r' | b'#') => {}
                Some(b'[') => {
                    finish(&mut root, &mut arrays, current.take())?;
                    current = Some(self.header()?);
                }
                Some(_) => {
                    let (key, node) = self.key_value()?;
                    insert(current.as_mut().map_or(&mut root, |h| &mut h.table), key, node)?;
                }
            }
            self.end_of_line()?;
        }
        finish(&mut root, &mut arrays, current)?;
        Ok(root)
    }

    /// Spaces and tabs.
    fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// A comment from `#` to the end of the line, without control characters.
    fn comment(&mut self) -> Result<()> {
        while let Some(b) = self.peek() {
            if b == b'\n' || b == b'\r' {
                break;
            }
            if is_control(b) {
                return Err(GiveUp);
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// One line break, `\n` or `\r\n`.
    fn newline(&mut self) -> Result<()> {
        match (self.peek(), self.at(1)) {
            (Some(b'\n'), _) => self.pos += 1,
            (Some(b'\r'), Some(b'\n')) => self.pos += 2,
            _ => return Err(GiveUp),
        }
        Ok(())
    }

    /// What may follow a key/value or a header: blanks, a comment, then the
    /// end of the line or of the text.
    fn end_of_line(&mut self) -> Result<()> {
        self.skip_blank();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        if self.peek().is_none() {
            return Ok(());
        }
        self.newline()
    }

    /// Blanks, comments and line breaks, as allowed inside arrays.
    fn skip_blank_lines(&mut self) -> Result<()> {
        loop {
            self.skip_blank();
            match self.peek() {
                Some(b'#') => self.comment()?,
                Some(b'\n' | b'\r') => self.newline()?,
                _ => return Ok(()),
            }
        }
    }

    fn bare_key(&mut self) -> Result<&'a str> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-')) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(GiveUp);
        }
        Ok(&self.text[start..self.pos])
    }

    /// `[key]` or `[[key]]`, with its span from the first `[` to the last `]`.
    fn header(&mut self) -> Result<Header<'a>> {
        let start = self.pos;
        self.pos += 1;
        let is_array = self.peek() == Some(b'[');
        if is_array {
            self.pos += 1;
        }
        self.skip_blank();
        let key = self.bare_key()?;
        self.skip_blank();
        self.expect(b']')?;
        if is_array {
            self.expect(b']')?;
        }
        Ok(Header { key, span: start..self.pos, is_array, table: Vec::new() })
    }

    fn key_value(&mut self) -> Result<(&'a str, Node<'a>)> {
        let key = self.bare_key()?;
        self.skip_blank();
        self.expect(b'=')?;
        self.skip_blank();
        Ok((key, self.value()?))
    }

    fn value(&mut self) -> Result<Node<'a>> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'"') => Value::Str(self.basic_string()?),
            Some(b'\'') => Value::Str(Cow::Borrowed(self.literal_string()?)),
            Some(open @ (b'[' | b'{')) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(GiveUp);
                }
                let value = if open == b'[' { Value::Array(self.array()?) } else { Value::Table(self.inline_table()?) };
                self.depth -= 1;
                value
            }
            Some(b't') if self.bytes[self.pos..].starts_with(b"true") => {
                self.pos += 4;
                Value::Bool(true)
            }
            Some(b'f') if self.bytes[self.pos..].starts_with(b"false") => {
                self.pos += 5;
                Value::Bool(false)
            }
            Some(b'0'..=b'9') if self.is_date() => Value::Datetime(self.datetime()?),
            Some(b'0'..=b'9' | b'+' | b'-') => self.number()?,
            _ => return Err(GiveUp),
        };
        Ok(Node { span: start..self.pos, value })
    }

    /// `"…"` on one line; borrowed unless it has escapes.
    fn basic_string(&mut self) -> Result<Cow<'a, str>> {
        self.pos += 1;
        if self.peek() == Some(b'"') && self.at(1) == Some(b'"') {
            return Err(GiveUp); // a multi-line string
        }
        let mut owned: Option<String> = None;
        loop {
            let run_start = self.pos;
            let len = memchr::memchr2(b'"', b'\\', &self.bytes[run_start..]).ok_or(GiveUp)?;
            self.pos += len;
            let run = &self.text[run_start..self.pos];
            // Folded rather than searched, so that it compiles to a vector loop.
            if run.bytes().fold(false, |found, b| found | is_control(b)) {
                return Err(GiveUp);
            }
            if self.bytes[self.pos] == b'"' {
                self.pos += 1;
                return Ok(match owned {
                    None => Cow::Borrowed(run),
                    Some(mut s) => {
                        s.push_str(run);
                        Cow::Owned(s)
                    }
                });
            }
            let s = owned.get_or_insert_with(String::new);
            s.push_str(run);
            self.pos += 1;
            s.push(self.escape()?);
        }
    }

    /// The character an escape after `\` stands for.
    fn escape(&mut self) -> Result<char> {
        let Some(b) = self.peek() else { return Err(GiveUp) };
        self.pos += 1;
        Ok(match b {
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'"' => '"',
            b'\\' => '\\',
            b'u' => self.hex_char(4)?,
            b'U' => self.hex_char(8)?,
            _ => return Err(GiveUp),
        })
    }

    fn hex_char(&mut self, digits: usize) -> Result<char> {
        let hex = self.text.get(self.pos..self.pos + digits).ok_or(GiveUp)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(GiveUp);
        }
        self.pos += digits;
        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).ok_or(GiveUp)
    }

    /// `'…'` on one line.
    fn literal_string(&mut self) -> Result<&'a str> {
        self.pos += 1;
        if self.peek() == Some(b'\'') && self.at(1) == Some(b'\'') {
            return Err(GiveUp); // a multi-line string
        }
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b'\'') => {
                    self.pos += 1;
                    return Ok(&self.text[start..self.pos - 1]);
                }
                Some(b) if !is_control(b) => self.pos += 1,
                _ => return Err(GiveUp),
            }
        }
    }

    fn array(&mut self) -> Result<Vec<Node<'a>>> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_blank_lines()?;
            if self.peek() == Some(b']') {
                break;
            }
            items.push(self.value()?);
            self.skip_blank_lines()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => break,
                _ => return Err(GiveUp),
            }
        }
        self.pos += 1;
        Ok(items)
    }

    /// `{ key = value, … }` on one line, without a trailing comma.
    fn inline_table(&mut self) -> Result<Table<'a>> {
        self.pos += 1;
        let mut table = Vec::new();
        self.skip_blank();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(table);
        }
        loop {
            let (key, node) = self.key_value()?;
            insert(&mut table, key, node)?;
            self.skip_blank();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_blank();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(table);
                }
                _ => return Err(GiveUp),
            }
        }
    }

    /// Whether a date (`YYYY-`) starts here.
    fn is_date(&self) -> bool {
        let b = &self.bytes[self.pos..];
        b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
    }

    /// `YYYY-MM-DD`, optionally followed by `THH:MM:SS`, a fraction and `Z` or
    /// `±HH:MM`. Other spellings TOML allows are left to the `toml` crate.
    fn datetime(&mut self) -> Result<&'a str> {
        let start = self.pos;
        self.digits_then(4, Some(b'-'))?;
        self.digits_then(2, Some(b'-'))?;
        self.digits_then(2, None)?;
        if self.peek() == Some(b'T') {
            self.pos += 1;
            self.digits_then(2, Some(b':'))?;
            self.digits_then(2, Some(b':'))?;
            self.digits_then(2, None)?;
            if self.peek() == Some(b'.') {
                self.pos += 1;
                self.run_of_digits()?;
            }
            match self.peek() {
                Some(b'Z') => self.pos += 1,
                Some(b'+' | b'-') => {
                    self.pos += 1;
                    self.digits_then(2, Some(b':'))?;
                    self.digits_then(2, None)?;
                }
                _ => {}
            }
        } else if self.peek() == Some(b' ') && self.at(1).is_some_and(|b| b.is_ascii_digit()) {
            return Err(GiveUp); // a date and a time separated by a space
        }
        if self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'-' | b'+' | b'_')) {
            return Err(GiveUp);
        }
        let text = &self.text[start..self.pos];
        text.parse::<Datetime>().map_err(|_| GiveUp)?;
        Ok(text)
    }

    fn digits_then(&mut self, count: usize, separator: Option<u8>) -> Result<()> {
        for _ in 0..count {
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(GiveUp);
            }
            self.pos += 1;
        }
        match separator {
            Some(s) => self.expect(s),
            None => Ok(()),
        }
    }

    /// A decimal integer or float without underscores; hexadecimal, octal,
    /// binary, `inf`, `nan` and underscores are left to the `toml` crate.
    fn number(&mut self) -> Result<Value<'a>> {
        let start = self.pos;
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.pos += 1;
        }
        let int_start = self.pos;
        self.run_of_digits()?;
        if self.bytes[int_start] == b'0' && self.pos - int_start > 1 {
            return Err(GiveUp); // a leading zero
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.run_of_digits()?;
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.run_of_digits()?;
            float = true;
        }
        if self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-' | b'+')) {
            return Err(GiveUp);
        }
        let text = &self.text[start..self.pos];
        if float {
            text.parse().map(Value::Float).map_err(|_| GiveUp)
        } else {
            text.parse().map(Value::Int).map_err(|_| GiveUp)
        }
    }

    fn run_of_digits(&mut self) -> Result<()> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start { Err(GiveUp) } else { Ok(()) }
    }
}

/// Control characters TOML forbids in strings and comments (tab is allowed).
fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// Put a finished header's table into the root: a `[key]` once, a `[[key]]`
/// appended to the array the first `[[key]]` made. The array's span is its
/// first header's, as the `toml` crate gives it.
fn finish<'a>(root: &mut Table<'a>, arrays: &mut Vec<&'a str>, header: Option<Header<'a>>) -> Result<()> {
    let Some(Header { key, span, is_array, table }) = header else { return Ok(()) };
    let node = Node { span: span.clone(), value: Value::Table(table) };
    match root.iter_mut().find(|(k, _)| *k == key) {
        None if is_array => {
            arrays.push(key);
            root.push((key, Node { span, value: Value::Array(vec![node]) }));
        }
        None => root.push((key, node)),
        Some((_, Node { value: Value::Array(items), .. })) if is_array && arrays.contains(&key) => items.push(node),
        Some(_) => return Err(GiveUp),
    }
    Ok(())
}

/// A datetime in serde's datetime protocol: the key that marks it, then its
/// text. The key is whatever `toml_datetime`'s own deserializer names it.
struct DatetimeText<'a>(Option<&'a str>);

impl<'de> de::MapAccess<'de> for DatetimeText<'de> {
    type Error = GiveUp;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.0.is_none() {
            return Ok(None);
        }
        let empty = Datetime { date: None, time: None, offset: None };
        de::MapAccess::next_key_seed(&mut toml_datetime::de::DatetimeDeserializer::<GiveUp>::new(empty), seed)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let text = self.0.take().ok_or(GiveUp)?;
        seed.deserialize(de::value::BorrowedStrDeserializer::new(text))
    }
}

impl<'de> IntoDeserializer<'de, GiveUp> for Node<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Hands values to serde as the `toml` crate's deserializer does, including
/// its protocols for spans (`Spanned`) and datetimes.
impl<'de> de::Deserializer<'de> for Node<'de> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Value::Str(Cow::Owned(s)) => visitor.visit_string(s),
            Value::Int(v) => visitor.visit_i64(v),
            Value::Float(v) => visitor.visit_f64(v),
            Value::Bool(v) => visitor.visit_bool(v),
            Value::Datetime(text) => visitor.visit_map(DatetimeText(Some(text))),
            Value::Array(items) => visitor.visit_seq(de::value::SeqDeserializer::new(items.into_iter())),
            Value::Table(entries) => visitor.visit_map(de::value::MapDeserializer::new(entries.into_iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if serde_spanned::de::is_spanned(name) {
            let span = self.span.clone();
            return visitor.visit_map(serde_spanned::de::SpannedDeserializer::new(self, span));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.value {
            Value::Str(s) => visitor.visit_enum(s.into_owned().into_deserializer()),
            _ => Err(GiveUp),
        }
    }

    serde::forward_to_deserialize_any! {
        bool u8 u16 u32 u64 u128 i8 i16 i32 i64 i128 f32 f64 char str string seq
        bytes byte_buf map unit ignored_any unit_struct tuple_struct tuple identifier
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::load::front_matter;
    use crate::load::raw::RawRecord;

    /// Both readers' results as text, spans included; `None` for the quick
    /// reader when it gives up, and an error's message for the `toml` crate.
    fn both<T>(text: &str) -> (Option<String>, std::result::Result<String, String>)
    where
        T: for<'a> de::Deserialize<'a> + fmt::Debug,
    {
        let quick = from_str::<T>(text).map(|v| format!("{v:?}"));
        let toml = toml::from_str::<T>(text).map(|v| format!("{v:?}")).map_err(|e| e.to_string());
        (quick, toml)
    }

    /// The quick reader reads `text` and agrees with the `toml` crate.
    fn assert_read_alike<T>(text: &str)
    where
        T: for<'a> de::Deserialize<'a> + fmt::Debug,
    {
        match both::<T>(text) {
            (Some(quick), Ok(toml)) => assert_eq!(quick, toml, "in:\n{text}"),
            (quick, toml) => panic!("quick: {quick:?}\ntoml: {toml:?}\nin:\n{text}"),
        }
    }

    fn example_front_matter() -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/incidents");
        let mut out = Vec::new();
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = entry.unwrap_or_else(|e| panic!("{e}"));
            if entry.path().extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_else(|e| panic!("{e}"));
                let split = front_matter::split(&text).unwrap_or_else(|e| panic!("{e:?}"));
                out.push((entry.path().display().to_string(), split.toml.to_string()));
            }
        }
        assert!(out.len() >= 40, "expected the example records, found {}", out.len());
        out
    }

    #[test]
    fn reads_every_example_record_as_the_toml_crate_does() {
        for (path, text) in example_front_matter() {
            match both::<RawRecord>(&text) {
                (Some(quick), Ok(toml)) => assert_eq!(quick, toml, "{path}"),
                (quick, toml) => panic!("{path}: quick {:?}, toml {:?}", quick.is_some(), toml.err()),
            }
            assert_read_alike::<toml::Table>(&text);
        }
    }

    /// Every construct the quick reader handles, with spans compared.
    const CONSTRUCTS: &str = concat!(
        "# a comment line\n",
        "  \t\n",
        "title = \"Tab\\there, quote \\\" backslash \\\\ \\u00e9 \\U0001F600 \\b\\f\\r\\n end\"  # trailing\n",
        "summary = 'literal \\n stays, \"quotes\" too'\r\n",
        "owner=\"\"\n",
        "authors = \"dana\"\n",
        "reviewers = [ ]\n",
        "services = [\"a\",'b' , \"c\",]\n",
        "categories = [\n  # inside\n  \"x\", # after\n\n  \"y\"\n]\n",
        "tags = [\"é\", \"日本\"]\n",
        "started = 2025-03-14T09:12:00Z\n",
        "detected = 2025-03-14T09:15:30.250+02:00\n",
        "mitigated = 2025-03-14T09:20:00-05:30\n",
        "resolved = 2025-03-14T11:30:00\n",
        "reviewed = 2025-03-17\n",
        "related = [\"other\", { id = \"b\", relation = \"same-cause\" }, {id=\"c\"}]\n",
        "environment = \"prod\"\n",
        "\n",
        "[ customer_impact ]\n",
        "users_affected = -12\n",
        "revenue_impact = 4200\n",
        "slo_budget_burned = +1.5e-3\n",
        "\n",
        "[[findings]]   # first\n",
        "id = \"F1\"\n",
        "summary = \"s\"\n",
        "whys = [\"a\",\n\"b\"]\n",
        "\n",
        "[[barriers]]\n",
        "summary = \"b\"\n",
        "held = false\n",
        "\n",
        "[[ findings ]]\n",
        "summary = \"second\"\n",
        "\n",
        "[[remedies]]\n",
        "summary = \"r\"\n",
        "worked = true\n",
        "[lessons]\n",
        "went_well = []\n",
        "[detection]",
    );

    #[test]
    fn reads_every_construct_with_the_same_values_and_spans() {
        assert_read_alike::<RawRecord>(CONSTRUCTS);
        assert_read_alike::<toml::Table>(CONSTRUCTS);
        assert_read_alike::<RawRecord>("");
        assert_read_alike::<toml::Table>(
            "a = [[1, 2], [\"x\"], []]\nb = {}\nc = 0\nd = -0.0\ne = 1E5\nf = 9223372036854775807\n",
        );
        assert_read_alike::<toml::Table>("a = { b = [1, 2], c = { d = true } }\n[t]\n[[u]]\n[[u]]\nx = 1\n");
        let nested = |depth: usize| {
            format!(
                "a = {}1{}\nb = {}1{}\n",
                "[".repeat(depth),
                "]".repeat(depth),
                "{ c = ".repeat(depth),
                " }".repeat(depth)
            )
        };
        assert_read_alike::<toml::Table>(&nested(MAX_DEPTH / 2));
        // Deeper than that is left to the toml crate (which also has a limit).
        assert!(from_str::<toml::Table>(&nested(MAX_DEPTH + 1)).is_none());
        assert!(from_str::<toml::Table>(&format!("a = {}", "{ b = ".repeat(100_000))).is_none());
    }

    #[test]
    fn gives_up_on_what_toml_refuses_and_on_what_it_leaves_to_toml() {
        let refused = [
            "a = 1\na = 2\n",
            "[t]\n[t]\n",
            "t = 1\n[t]\n",
            "t = [{}]\n[[t]]\n",
            "[t]\n[[t]]\n",
            "[[t]]\n[t]\n",
            "a = { b = 1, b = 2 }\n",
            "a = \"open\n",
            "a = \"bell \u{7}\"\n",
            "a = 'del \u{7f}'\n",
            "a = \"\\q\"\n",
            "a = \"\\uD800\"\n",
            "a = \"\\u12\"\n",
            "a = 01\n",
            "a = 1 2\n",
            "a = \"x\" b = 1\n",
            "a =\n",
            "a = tru\n",
            "a = truex\n",
            "a = 1.\n",
            "a = .5\n",
            "a = 1e\n",
            "a = 99999999999999999999\n",
            "a = [1 2]\n",
            "a = [,]\n",
            "a = [1,,2]\n",
            "a = 1\rb = 2\n",
            "# bell \u{7}\na = 1\n",
            "a = 2025-13-01\n",
            "a = 2025-03-14T25:00:00Z\n",
            "[t\n",
            "[[t]\n",
            "[t] x = 1\n",
        ];
        let outside = [
            "a.b = 1\n",
            "\"quoted\" = 1\n",
            "[a.b]\n",
            "a = \"\"\"multi\nline\"\"\"\n",
            "a = '''multi\nline'''\n",
            "a = 2025-03-14 09:12:00Z\n",
            "a = 2025-03-14t09:12:00z\n",
            "a = 09:12:00\n",
            "a = 2025-03-14T09:12Z\n",
            "a = 1_000\n",
            "a = 0x1f\n",
            "a = inf\n",
            "a = { b = 1, }\n",
            "a = { b = 1,\n c = 2 }\n",
            "a = { b = 1\n}\n",
            "a = \"\\e\"\n",
        ];
        for text in refused {
            let (quick, toml) = both::<toml::Table>(text);
            assert!(toml.is_err(), "toml reads {text:?}: {toml:?}");
            assert!(quick.is_none(), "quick reads {text:?}, which toml refuses");
        }
        for text in outside {
            let (quick, toml) = both::<toml::Table>(text);
            assert!(toml.is_ok(), "toml refuses {text:?}: {toml:?}");
            assert!(quick.is_none(), "quick reads {text:?}");
        }
        // Right syntax, wrong schema: left to toml, which names the problem.
        for text in ["sevrity = \"SEV1\"\n", "services = \"a\"\n", "[[findings]]\nid = \"F1\"\n"] {
            assert!(from_str::<RawRecord>(text).is_none(), "quick reads {text:?} as a record");
            assert!(toml::from_str::<RawRecord>(text).is_err());
        }
    }

    /// A small deterministic generator for the damage below.
    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// One damaged copy: a character deleted, inserted or replaced, or a line
    /// deleted or repeated.
    fn damage(text: &str, rng: &mut XorShift) -> String {
        const INSERTS: &[&str] = &[
            "\"", "'", "[", "]", "{", "}", "=", ",", "#", "\n", "\r", "\\", " ", ".", "x", "0", "-", ":", "T", "\u{7}",
        ];
        let at = {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let next = text[at..].chars().next().map_or(0, char::len_utf8);
        let insert = INSERTS[rng.below(INSERTS.len())];
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        match rng.below(5) {
            0 => format!("{}{}", &text[..at], &text[at + next..]),
            1 => format!("{}{insert}{}", &text[..at], &text[at..]),
            2 => format!("{}{insert}{}", &text[..at], &text[at + next..]),
            3 => format!("{}{}", &text[..line_start], &text[line_end..]),
            _ => format!("{}{}", &text[..line_end], &text[line_start..]),
        }
    }

    /// Damaged copies of the example records: where the quick reader reads
    /// one, the `toml` crate must read it too, to the same values and spans.
    /// `CASEBOOK_DAMAGED_COPIES` sets how many per record (default 60).
    #[test]
    fn damaged_copies_are_read_alike_or_left_to_toml() {
        let per_record: usize =
            std::env::var("CASEBOOK_DAMAGED_COPIES").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let (mut read, mut left) = (0, 0);
        for (path, text) in example_front_matter() {
            for _ in 0..per_record {
                let mut damaged = damage(&text, &mut rng);
                if rng.below(3) == 0 {
                    damaged = damage(&damaged, &mut rng);
                }
                for (quick, toml) in [both::<RawRecord>(&damaged), both::<toml::Table>(&damaged)] {
                    match (quick, toml) {
                        (Some(quick), Ok(toml)) => {
                            assert_eq!(quick, toml, "{path}, damaged:\n{damaged}");
                            read += 1;
                        }
                        (Some(_), Err(e)) => panic!("{path}: quick reads what toml refuses ({e}):\n{damaged}"),
                        (None, _) => left += 1,
                    }
                }
            }
        }
        // Both outcomes must be exercised for the comparison to mean anything.
        assert!(read > left / 4 && left > read / 4, "read {read}, left to toml {left}");
    }
}
