//! Fixed time-zone offsets by the names postmortems write them: `UTC`,
//! `PST`, `CET`, `+05:30`. No tz database: an abbreviation names one fixed
//! offset as written (PST is always −08:00; summer time is PDT), which is
//! what a writer means when they state it. Shared by a record's `timezone`
//! and by `casebook import`, so both read a zone the same way.

use chrono::FixedOffset;

/// Zone abbreviations and their offsets in minutes east of UTC. Where an
/// abbreviation is used for more than one zone, the common reading in
/// postmortems is taken: `IST` India (+05:30), `BST` British summer (+01:00),
/// `CST` US Central (−06:00).
pub const ZONE_ABBREVIATIONS: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("IST", 330),
    ("SGT", 480),
    ("HKT", 480),
    ("JST", 540),
    ("KST", 540),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
];

/// The offset an abbreviation names (`PST`, `cet`), in any case.
pub fn zone_abbreviation(name: &str) -> Option<FixedOffset> {
    let (_, minutes) = ZONE_ABBREVIATIONS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))?;
    FixedOffset::east_opt(minutes * 60)
}

/// A record's `timezone`: an abbreviation of [`ZONE_ABBREVIATIONS`], or an
/// offset written `+HH:MM` / `-HH:MM` (at most 14 hours, as real zones are).
pub fn fixed_zone(text: &str) -> Option<FixedOffset> {
    let text = text.trim();
    if let Some(zone) = zone_abbreviation(text) {
        return Some(zone);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = text.get(1..)?.split_once(':')?;
    let digits = |s: &str, max: i32| -> Option<i32> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten().filter(|v| *v <= max)
    };
    let (hours, minutes) = (digits(hours, 14)?, digits(minutes, 59)?);
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn east(minutes: i32) -> Option<FixedOffset> {
        FixedOffset::east_opt(minutes * 60)
    }

    #[test]
    fn offsets_and_abbreviations() {
        assert_eq!(fixed_zone("-08:00"), east(-480));
        assert_eq!(fixed_zone("+05:30"), east(330));
        assert_eq!(fixed_zone("+00:00"), east(0));
        assert_eq!(fixed_zone("UTC"), east(0));
        assert_eq!(fixed_zone("PST"), east(-480));
        assert_eq!(fixed_zone("pdt"), east(-420));
        assert_eq!(fixed_zone(" CET "), east(60));
        for bad in ["America/Los_Angeles", "+8", "-0800", "+15:00", "+05:60", "08:00", "", "+", "+aa:bb", "UTC+2"] {
            assert_eq!(fixed_zone(bad), None, "{bad}");
        }
    }
}
