//! The sections of a postmortem written with headings, and what each is.
//!
//! Templates name the same section many ways: "Root Causes", "2. Root
//! cause(s)", "Blameless root cause", "**Root cause:**". A heading is
//! matched after lower-casing, dropping numbering, punctuation and a plural
//! `s`, against the names below (the mapping `docs/import.md` documents). A
//! sub-heading inherits its parent's role unless it names one of its own, so
//! "### What went well" under "## Lessons learned" is read as what went well.

/// What a section of a postmortem holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Summary,
    Impact,
    Timeline,
    RootCause,
    ContributingFactor,
    Trigger,
    FiveWhys,
    Resolution,
    Detection,
    Actions,
    Lessons,
    WentWell,
    WentWrong,
    Lucky,
    Responders,
    /// Prose the importer keeps as it is (what happened, lead-up, notes).
    Narrative,
}

/// Heading names and their roles, matched whole after normalising, then as
/// a prefix or suffix of the heading.
const NAMES: &[(&[&str], Role)] = &[
    (
        &[
            "summary",
            "overview",
            "executive summary",
            "incident summary",
            "tl dr",
            "tldr",
            "abstract",
            "description",
            "synopsis",
        ],
        Role::Summary,
    ),
    (
        &[
            "impact",
            "customer impact",
            "user impact",
            "business impact",
            "impact assessment",
            "scope and impact",
            "who was affected",
        ],
        Role::Impact,
    ),
    (
        &["timeline", "incident timeline", "timeline of event", "chronology", "sequence of event", "detailed timeline"],
        Role::Timeline,
    ),
    (
        &[
            "root cause",
            "root cause analysi",
            "blameless root cause",
            "cause",
            "what caused it",
            "why it happened",
            "why",
            "fault",
            "technical root cause",
            "root cause and trigger",
        ],
        Role::RootCause,
    ),
    (&["contributing factor", "contributing cause", "contributor", "factor"], Role::ContributingFactor),
    (&["trigger", "triggering event", "what triggered it"], Role::Trigger),
    (&["five why", "5 why", "why analysi"], Role::FiveWhys),
    (
        &[
            "resolution",
            "mitigation",
            "recovery",
            "remediation",
            "resolution and recovery",
            "mitigation and resolution",
            "how it was fixed",
            "fix",
            "response and recovery",
            "workaround",
            "recovery step",
        ],
        Role::Resolution,
    ),
    (&["detection", "how it was detected", "how we noticed", "discovery", "alerting"], Role::Detection),
    (
        &[
            "action item",
            "action",
            "corrective action",
            "follow up",
            "followup",
            "follow up action",
            "next step",
            "preventive action",
            "remediation item",
            "todo",
            "task",
            "what we re doing",
            "what we are doing",
            "what we will do",
            "what we ll do",
            "what s next",
            "prevention",
        ],
        Role::Actions,
    ),
    (
        &[
            "lesson learned",
            "lesson",
            "learning",
            "takeaway",
            "retrospective",
            "how d we do",
            "how did we do",
            "reflection",
        ],
        Role::Lessons,
    ),
    (&["what went well", "went well", "thing that went well", "what worked", "what went right"], Role::WentWell),
    (
        &[
            "what went wrong",
            "went wrong",
            "what didn t go so well",
            "what didnt go so well",
            "what did not go well",
            "what went poorly",
            "thing that went wrong",
            "what could have gone better",
            "what could be improved",
        ],
        Role::WentWrong,
    ),
    (&["where we got lucky", "got lucky", "what was lucky", "lucky"], Role::Lucky),
    (&["responder", "participant", "attendee", "people involved", "incident team", "team"], Role::Responders),
];

/// Normalise a heading for matching: lower case, numbering and punctuation
/// dropped, each word's plural `s` dropped ("causes" → "cause").
pub fn normalise(heading: &str) -> String {
    let lower = heading.to_lowercase();
    let mut text = lower.trim();
    // "1.", "2)", "IV.", "A." numbering.
    if let Some((first, rest)) = text.split_once([' ', '\t']) {
        let numbering = first.trim_end_matches(['.', ')', ':']);
        let roman = !numbering.is_empty() && numbering.chars().all(|c| matches!(c, 'i' | 'v' | 'x'));
        let numbered = numbering.chars().all(|c| c.is_ascii_digit() || c == '.') && !numbering.is_empty();
        if (numbered || (roman && first.ends_with(['.', ')']))) && !rest.trim().is_empty() {
            text = rest.trim();
        }
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                w[..w.len() - 1].to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    words.join(" ")
}

/// The role a heading names, if any.
pub fn role_of(heading: &str) -> Option<Role> {
    let name = normalise(heading);
    if name.is_empty() {
        return None;
    }
    if let Some((_, role)) = NAMES.iter().find(|(names, _)| names.contains(&name.as_str())) {
        return Some(*role);
    }
    // "Root cause analysis (RCA)", "Timeline (all times UTC)": a known name
    // followed or preceded by more words. The longest name wins.
    let mut best: Option<(usize, Role)> = None;
    for (names, role) in NAMES {
        for n in *names {
            let fits = name.starts_with(&format!("{n} ")) || name.ends_with(&format!(" {n}"));
            if fits && n.len() > 3 && best.is_none_or(|(len, _)| n.len() > len) {
                best = Some((n.len(), *role));
            }
        }
    }
    best.map(|(_, role)| role)
}

/// One section: its heading and the lines under it (up to the next heading
/// of the same or a higher level).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// 1 for `#`, 2 for `##`…; 7 for a bold pseudo-heading (`**Root cause:**`).
    pub level: usize,
    pub heading: String,
    pub role: Role,
    /// Line numbers (0-based) of the heading and of the content.
    pub start: usize,
    pub end: usize,
    /// Text after a pseudo-heading on its own line (`**Root cause:** the …`).
    pub inline: Option<String>,
}

/// A heading on `line`: its level and text.
pub fn heading(line: &str) -> Option<(usize, String, Option<String>)> {
    let trimmed = line.trim_end();
    let hashes = trimmed.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with([' ', '\t']) {
        let text = trimmed[hashes..].trim().trim_end_matches('#').trim();
        let text = strip_emphasis(text);
        return (!text.is_empty()).then(|| (hashes, text.to_string(), None));
    }
    // **Heading** or **Heading:** alone, or followed by text on the line.
    let rest = trimmed.trim_start().strip_prefix("**")?;
    let (inner, after) = rest.split_once("**")?;
    let inner = inner.trim();
    let name = inner.trim_end_matches(':').trim();
    let after = after.trim_start_matches(':').trim();
    if name.is_empty() || name.len() > 60 || name.contains("**") {
        return None;
    }
    // A bold phrase inside a sentence is not a heading: it must end with a
    // colon, or stand alone on its line.
    if !(inner.ends_with(':') || after.is_empty() || rest.split_once("**").is_some_and(|(_, a)| a.starts_with(':'))) {
        return None;
    }
    Some((7, name.to_string(), (!after.is_empty()).then(|| after.to_string())))
}

/// Text without surrounding `**`, `__`, `*` or `_`.
pub fn strip_emphasis(text: &str) -> &str {
    let mut t = text.trim();
    for mark in ["**", "__", "*", "_"] {
        if t.len() > 2 * mark.len() && t.starts_with(mark) && t.ends_with(mark) {
            t = &t[mark.len()..t.len() - mark.len()];
        }
    }
    t.trim()
}

/// Every section of `lines`, in order, with roles (inherited from the
/// nearest enclosing heading with a role when a heading names none). Lines
/// in fenced code blocks are never headings.
pub fn sections(lines: &[&str]) -> Vec<Section> {
    let mut found: Vec<(usize, usize, String, Option<String>)> = Vec::new();
    let mut fenced = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if let Some((level, text, inline)) = heading(line) {
            found.push((i, level, text, inline));
        }
    }
    let mut out: Vec<Section> = Vec::with_capacity(found.len());
    // Enclosing headings: (level, role).
    let mut stack: Vec<(usize, Role)> = Vec::new();
    for (n, (start, level, text, inline)) in found.iter().enumerate() {
        while stack.last().is_some_and(|(l, _)| l >= level) {
            stack.pop();
        }
        let inherited = stack.last().map(|(_, r)| *r);
        let own = role_of(text);
        let role = match (own, inherited) {
            // A sub-heading of a timeline that is a time ("### 14:02") stays in the timeline.
            (_, Some(Role::Timeline)) if super::clock::leading(text).is_some() => Role::Timeline,
            (Some(role), _) => role,
            (None, Some(role)) => role,
            (None, None) => Role::Narrative,
        };
        // A section ends where the next heading of the same or a higher level starts.
        let end = found[n + 1..].iter().find(|(_, l, _, _)| l <= level).map_or(lines.len(), |(s, _, _, _)| *s);
        out.push(Section { level: *level, heading: text.clone(), role, start: *start, end, inline: inline.clone() });
        if *level < 7 {
            stack.push((*level, role));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_matched_tolerantly() {
        assert_eq!(role_of("Root Causes"), Some(Role::RootCause));
        assert_eq!(role_of("2. Root cause(s)"), Some(Role::RootCause));
        assert_eq!(role_of("Blameless root cause"), Some(Role::RootCause));
        assert_eq!(role_of("Contributing Factors"), Some(Role::ContributingFactor));
        assert_eq!(role_of("Timeline (all times UTC)"), Some(Role::Timeline));
        assert_eq!(role_of("ACTION ITEMS"), Some(Role::Actions));
        assert_eq!(role_of("Corrective actions"), Some(Role::Actions));
        assert_eq!(role_of("How'd We Do?"), Some(Role::Lessons));
        assert_eq!(role_of("What didn't go so well"), Some(Role::WentWrong));
        assert_eq!(role_of("Where we got lucky"), Some(Role::Lucky));
        assert_eq!(role_of("IV. Resolution"), Some(Role::Resolution));
        assert_eq!(role_of("Five whys"), Some(Role::FiveWhys));
        assert_eq!(role_of("What we're doing"), Some(Role::Actions));
        assert_eq!(role_of("Why"), Some(Role::RootCause));
        assert_eq!(role_of("Appendix: dashboards"), None);
    }

    #[test]
    fn sections_nest_and_inherit() {
        let text = "# T\n## Lessons Learned\n### What went well\n- a\n### Something else\nx\n## Timeline\n### 14:02\nPage\n**Root cause:** the pool\n```\n# not a heading\n```\n";
        let lines: Vec<&str> = text.lines().collect();
        let found: Vec<(String, Role)> = sections(&lines).into_iter().map(|s| (s.heading, s.role)).collect();
        assert_eq!(
            found,
            [
                ("T".to_string(), Role::Narrative),
                ("Lessons Learned".into(), Role::Lessons),
                ("What went well".into(), Role::WentWell),
                ("Something else".into(), Role::Lessons),
                ("Timeline".into(), Role::Timeline),
                ("14:02".into(), Role::Timeline),
                ("Root cause".into(), Role::RootCause),
            ]
        );
    }

    #[test]
    fn bold_pseudo_headings_only_when_they_stand_alone_or_end_with_a_colon() {
        assert_eq!(heading("**Root cause:** a bad pool"), Some((7, "Root cause".into(), Some("a bad pool".into()))));
        assert_eq!(heading("**Impact**"), Some((7, "Impact".into(), None)));
        assert_eq!(heading("**Note** that we paged"), None);
        assert_eq!(heading("## 3. Impact ##"), Some((2, "3. Impact".into(), None)));
        assert_eq!(heading("#hashtag"), None);
    }
}
