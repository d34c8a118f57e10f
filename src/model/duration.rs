//! Durations as people write them: "54 minutes", "3h 20m", "1 hour, 5 min",
//! "2 days". Records state them where no timestamps are known
//! (`time_to_resolve = "3h 20m"`); `casebook import` reads them from prose.

use chrono::TimeDelta;

/// A stated duration, or `None` when `text` names no positive amount of
/// days, hours, minutes or seconds.
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    let lower = text.to_ascii_lowercase();
    let mut total = 0i64;
    let mut found = false;
    let mut number: Option<f64> = None;
    let mut token = String::new();
    let mut flush = |token: &mut String, number: &mut Option<f64>| {
        if token.is_empty() {
            return;
        }
        if let Ok(n) = token.parse::<f64>() {
            *number = Some(n);
        } else if let Some(n) = number.take() {
            let unit = match token.as_str() {
                "d" | "day" | "days" => 86_400.0,
                "h" | "hr" | "hrs" | "hour" | "hours" => 3_600.0,
                "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
                "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
                _ => 0.0,
            };
            if unit > 0.0 && (0.0..1e9).contains(&n) {
                total = total.saturating_add((n * unit).round() as i64);
                found = true;
            }
        }
        token.clear();
    };
    for c in lower.chars() {
        let digit = c.is_ascii_digit() || c == '.';
        let switch = !token.is_empty() && (digit != token.chars().all(|t| t.is_ascii_digit() || t == '.'));
        if switch || !(c.is_alphanumeric() || c == '.') {
            flush(&mut token, &mut number);
        }
        if c.is_alphanumeric() || c == '.' {
            token.push(c);
        }
    }
    flush(&mut token, &mut number);
    (found && total > 0).then(|| TimeDelta::seconds(total))
}

/// A duration written back the way records state it: "3h 20m", "2d 4h", "54m".
pub fn format_duration(d: TimeDelta) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if mins > 0 || parts.is_empty() {
        parts.push(format!("{mins}m"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stated_durations() {
        assert_eq!(parse_duration("54 minutes"), Some(TimeDelta::minutes(54)));
        assert_eq!(parse_duration("3h 20m"), Some(TimeDelta::minutes(200)));
        assert_eq!(parse_duration("1 hour, 5 min"), Some(TimeDelta::minutes(65)));
        assert_eq!(parse_duration("2 days"), Some(TimeDelta::days(2)));
        assert_eq!(parse_duration("about an hour"), None);
        assert_eq!(parse_duration("0m"), None);
        assert_eq!(format_duration(TimeDelta::minutes(200)), "3h 20m");
        assert_eq!(format_duration(TimeDelta::minutes(2 * 1440 + 60)), "2d 1h");
        assert_eq!(parse_duration(&format_duration(TimeDelta::minutes(1234))), Some(TimeDelta::minutes(1234)));
    }
}
