//! Splits a record into its TOML front matter and Markdown body, keeping the
//! byte offset of each part so positions reported inside the TOML are
//! positions in the file.
//!
//! The front matter sits between a first line `+++` and the next line `+++`
//! (Zola's and Hugo's convention). A UTF-8 byte-order mark and CRLF line
//! endings are accepted. YAML front matter (`---`) is recognised only to say
//! how to convert it.

/// The two parts of a record, with their offsets in the file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    pub toml: &'a str,
    pub toml_offset: usize,
    pub body: &'a str,
}

/// Why a file has no usable front matter; offsets point at the line to show.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// Nothing but whitespace.
    Empty,
    /// Starts with `---`: YAML front matter.
    Yaml { open: usize },
    /// Does not start with `+++`.
    Missing { first_line: usize },
    /// `+++` opens but no line closes.
    Unclosed { open: usize },
}

/// Split `text` into front matter and body.
pub(crate) fn split(text: &str) -> Result<Split<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let open = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let Some(first) = text[open..].split_inclusive('\n').next() else {
        return Err(SplitError::Empty);
    };
    match first.trim_end() {
        "+++" => {}
        "---" => return Err(SplitError::Yaml { open }),
        _ => return Err(SplitError::Missing { first_line: open }),
    }
    let toml_offset = open + first.len();
    // The closing line starts with `+++`: look only at such lines.
    if first.ends_with('\n') {
        let after = toml_offset - 1;
        for at in memchr::memmem::find_iter(&text.as_bytes()[after..], b"\n+++") {
            let offset = after + at + 1;
            let line = text[offset..].split_inclusive('\n').next().unwrap_or("");
            if line.trim_end() == "+++" {
                let body_start = offset + line.len();
                return Ok(Split { toml: &text[toml_offset..offset], toml_offset, body: &text[body_start..] });
            }
        }
    }
    Err(SplitError::Unclosed { open })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_the_offset() {
        let text = "+++\ntitle = \"x\"\n+++\n\nBody\n";
        let split = split(text).unwrap_or_else(|e| unreachable!("{e:?}"));
        assert_eq!(split.toml, "title = \"x\"\n");
        assert_eq!(split.toml_offset, 4);
        assert_eq!(&text[split.toml_offset..split.toml_offset + 5], "title");
        assert_eq!(split.body, "\nBody\n");
    }

    #[test]
    fn only_a_line_of_just_plus_signs_closes() {
        let text = "+++\na = \"\n+++x\"\nb = 1\n++++\n+++ \t\r\nBody";
        let split = split(text).unwrap_or_else(|e| unreachable!("{e:?}"));
        assert_eq!(split.toml, "a = \"\n+++x\"\nb = 1\n++++\n");
        assert_eq!(split.body, "Body");
        assert_eq!(super::split("+++\nx = 1\n+++x\n"), Err(SplitError::Unclosed { open: 0 }));
        assert_eq!(super::split("+++"), Err(SplitError::Unclosed { open: 0 }));
    }

    #[test]
    fn accepts_bom_and_crlf() {
        let text = "\u{feff}+++\r\ntitle = \"x\"\r\n+++\r\nBody";
        let split = split(text).unwrap_or_else(|e| unreachable!("{e:?}"));
        assert_eq!(split.toml, "title = \"x\"\r\n");
        assert_eq!(split.toml_offset, 3 + 5);
        assert_eq!(split.body, "Body");
    }

    #[test]
    fn closing_line_at_end_of_file_without_newline() {
        let split = split("+++\na = 1\n+++").unwrap_or_else(|e| unreachable!("{e:?}"));
        assert_eq!(split.toml, "a = 1\n");
        assert_eq!(split.body, "");
    }

    #[test]
    fn reports_why_there_is_no_front_matter() {
        assert_eq!(split(" \n\n"), Err(SplitError::Empty));
        assert_eq!(split("---\ntitle: x\n---\n"), Err(SplitError::Yaml { open: 0 }));
        assert_eq!(split("# Title\n"), Err(SplitError::Missing { first_line: 0 }));
        assert_eq!(split("+++\ntitle = 1\n"), Err(SplitError::Unclosed { open: 0 }));
        // `++++` is not a delimiter.
        assert_eq!(split("+++\na = 1\n++++\n"), Err(SplitError::Unclosed { open: 0 }));
    }
}
