//! Whatever the bytes, `check` reports problems and never panics, and every
//! broken file is named in the one run.

use crate::support::{GOOD_RECORD, KbTest};

/// A tiny deterministic PRNG (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random edit of the kind editors and bad merges make.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 => out.truncate(at),
            1 => {
                let end = (at + rng.below(40)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let junk: &[&[u8]] = &[
                    b"\"",
                    b"[",
                    b"]",
                    b"=",
                    b"+++\n",
                    b"\n",
                    b"\xff\xfe",
                    b"\xc3",
                    b"{",
                    b"\\",
                    b"'''",
                    b"\0",
                    b"1979-05-27T07:32:00",
                ];
                let piece = junk[rng.below(junk.len())];
                out.splice(at..at, piece.iter().copied());
            }
            3 => {
                let end = (at + rng.below(80)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            4 => {
                if let Some(b) = out.get_mut(at) {
                    *b = (rng.next() & 0xff) as u8;
                }
            }
            5 => {
                let words: &[&[u8]] = &[
                    b"severity = \"SEV9\"\n",
                    b"[[findings]]\n",
                    b"started = 2024-13-01T00:00:00Z\n",
                    b"id = \"F1\"\n",
                    b"recurrence_of = [\"nope\"]\n",
                ];
                let piece = words[rng.below(words.len())];
                out.splice(at..at, piece.iter().copied());
            }
            _ => out.reverse(),
        }
    }
    out
}

#[test]
fn mutated_records_never_panic_and_every_broken_file_is_named() {
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut kb = KbTest::new();
    let count = 400;
    for i in 0..count {
        kb = kb.file(&format!("incidents/m{i:03}.md"), mutate(&mut rng, GOOD_RECORD.as_bytes()));
    }
    let run = kb.check(&["--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "exit {} stderr {}", run.code, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["records"], count);
    let diagnostics = report["diagnostics"].as_array().cloned().unwrap_or_default();
    // Every file that is not a loadable record has at least one error naming it.
    let mut named = 0;
    for i in 0..count {
        let path = format!("./incidents/m{i:03}.md");
        let text = std::fs::read(kb.path().join(&path)).unwrap_or_default();
        let errors: Vec<_> =
            diagnostics.iter().filter(|d| d["path"] == path.as_str() && d["severity"] == "error").collect();
        let utf8 = std::str::from_utf8(&text).is_ok();
        if !utf8 {
            assert!(errors.iter().any(|d| d["code"] == "not-utf8"), "{path} is not UTF-8 but no not-utf8 error");
        }
        for d in &errors {
            assert!(
                d["line"].as_u64().is_some_and(|l| l >= 1) || d["code"] == "empty-record",
                "{path}: error without a line: {d}"
            );
        }
        if !errors.is_empty() {
            named += 1;
        }
    }
    // The mutations are rough: most files must be broken, and all of those were reported.
    assert!(named > count / 2, "only {named} of {count} files had errors");
}

#[test]
fn arbitrary_bytes_are_reported_not_panicked_on() {
    let mut rng = Rng(42);
    let mut kb = KbTest::new();
    for i in 0..100 {
        let len = rng.below(300);
        let mut bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        if i % 2 == 0 {
            // Half start like a record, to get past the front-matter split.
            let mut head = b"+++\n".to_vec();
            head.append(&mut bytes);
            head.extend_from_slice(b"\n+++\n");
            bytes = head;
        }
        kb = kb.file(&format!("incidents/r{i:03}.md"), bytes);
    }
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    for i in 0..100 {
        assert!(run.stdout.contains(&format!("./incidents/r{i:03}.md")), "r{i:03}.md not named");
    }
}

#[test]
fn a_stray_carriage_return_in_a_crlf_record_is_located_not_panicked_on() {
    // Line 2 ends in "\r\r\n": the error's span starts at the second "\r",
    // past the end of the line's text.
    let crlf = GOOD_RECORD.replace('\n', "\r\n");
    let second_line_end = crlf.match_indices("\r\n").nth(1).map_or(0, |(i, _)| i);
    let broken = format!("{}\r{}", &crlf[..second_line_end], &crlf[second_line_end..]);
    let run = KbTest::new().file("incidents/crlf.md", broken).check(&["--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains("error[toml-syntax]: carriage return"), "{}", run.stdout);
    assert!(run.stdout.contains("./incidents/crlf.md:2:"), "{}", run.stdout);
}

#[test]
fn check_text_the_fuzz_entry_reports_what_check_reports_on_one_record() {
    use casebook::{config::Config, load::check_text};
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
    let path = std::path::Path::new("incidents/2025-03-checkout-db-failover.md");
    let config = Config::default();
    assert!(!check_text(path, GOOD_RECORD, &config, today).has_errors());
    // Broken in the ways the fuzz target starts from: no front matter, an
    // unclosed one, bad TOML, a bad id, control characters.
    for text in [
        "",
        "no front matter",
        "+++\ntitle = \"x\"\n",
        "+++\n= \n+++\n",
        "+++\nid = \"a b\"\n+++\n",
        "+++\n\u{0}\r\r\n+++",
    ] {
        assert!(check_text(path, text, &config, today).has_errors(), "{text:?}");
    }
}
