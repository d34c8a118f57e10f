//! The closed vocabularies of the record format: each enum with the exact words
//! a record may use. One macro keeps the word list, parsing and display in one
//! place, so the checker's "expected one of" help and the docs cannot drift
//! from what the parser accepts.

use serde::Serialize;

/// A closed set of kebab-case words.
pub trait Vocabulary: Sized + Copy + 'static {
    /// What the field is called in messages ("finding kind").
    const WHAT: &'static str;
    /// Every allowed word, in the documented order.
    const WORDS: &'static [(&'static str, Self)];

    fn parse(word: &str) -> Option<Self> {
        Self::WORDS.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
    }

    fn words() -> Vec<&'static str> {
        Self::WORDS.iter().map(|(w, _)| *w).collect()
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal, default $default:ident, { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $(#[serde(rename = $word)] $variant),+
        }

        impl Vocabulary for $name {
            const WHAT: &'static str = $what;
            const WORDS: &'static [(&'static str, Self)] = &[$(($word, $name::$variant)),+];
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// Record fields a policy may require (`[policy] required_fields`): the
    /// names of top-level record keys.
    RequirableField, "requirable field", default Summary, {
    Summary => "summary",
    Severity => "severity",
    Owner => "owner",
    Authors => "authors",
    Reviewers => "reviewers",
    Facilitator => "facilitator",
    Participants => "participants",
    Started => "started",
    Detected => "detected",
    Mitigated => "mitigated",
    Resolved => "resolved",
    Reviewed => "reviewed",
    Published => "published",
    Services => "services",
    Categories => "categories",
    Tags => "tags",
    CustomerImpact => "customer_impact",
    Detection => "detection",
    Environment => "environment",
    Timeline => "timeline",
    Findings => "findings",
    Barriers => "barriers",
    Remedies => "remedies",
    Guardrails => "guardrails",
    Actions => "actions",
    Lessons => "lessons",
});

vocabulary!(
    /// Where a postmortem is in its life.
    RecordStatus, "status", default Published, {
    Draft => "draft",
    InReview => "in-review",
    Published => "published",
});

vocabulary!(
    /// How exact the clock fields are.
    TimePrecision, "time_precision", default Minute, {
    Minute => "minute",
    Hour => "hour",
    Day => "day",
    Estimate => "estimate",
});

vocabulary!(
    /// How the incident was noticed.
    DetectionMethod, "detection method", default Other, {
    Alert => "alert",
    CustomerReport => "customer-report",
    EmployeeReport => "employee-report",
    SyntheticCheck => "synthetic-check",
    AutomatedTest => "automated-test",
    Manual => "manual",
    ThirdPartyReport => "third-party-report",
    Other => "other",
});

vocabulary!(
    /// The role a finding played.
    FindingKind, "finding kind", default RootCause, {
    RootCause => "root-cause",
    ContributingFactor => "contributing-factor",
    Trigger => "trigger",
});

vocabulary!(
    /// Separates architecture flaws from process gaps and the rest.
    FindingClass, "finding class", default Architecture, {
    Architecture => "architecture",
    Process => "process",
    Tooling => "tooling",
    PeopleAndOrg => "people-and-org",
    External => "external",
});

vocabulary!(
    /// The kind of preventive control.
    Control, "guardrail control", default Other, {
    Test => "test",
    Alert => "alert",
    FeatureFlag => "feature-flag",
    Rollback => "rollback",
    Runbook => "runbook",
    RateLimit => "rate-limit",
    Review => "review",
    Training => "training",
    ChaosExercise => "chaos-exercise",
    Other => "other",
});

vocabulary!(
    /// Whether a guardrail exists yet.
    GuardrailStatus, "guardrail status", default Proposed, {
    Proposed => "proposed",
    Implemented => "implemented",
    Verified => "verified",
});

impl TimePrecision {
    pub fn is_minute(&self) -> bool {
        *self == TimePrecision::Minute
    }
}

impl GuardrailStatus {
    /// Implemented or verified: the control is live.
    pub fn is_live(self) -> bool {
        !matches!(self, GuardrailStatus::Proposed)
    }
}

vocabulary!(
    /// What kind of change an action makes.
    ActionKind, "action kind", default Technical, {
    Technical => "technical",
    Process => "process",
    Organizational => "organizational",
});

vocabulary!(
    /// Where a follow-up action stands.
    ActionStatus, "action status", default Open, {
    Open => "open",
    InProgress => "in-progress",
    Done => "done",
    WontDo => "wont-do",
});

impl ActionStatus {
    /// Still to be done: open or in progress.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

vocabulary!(
    /// How a related incident relates.
    Relation, "relation", default Similar, {
    SameCause => "same-cause",
    CausedBy => "caused-by",
    Similar => "similar",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for (word, value) in ActionStatus::WORDS {
            assert_eq!(ActionStatus::parse(word), Some(*value));
            assert_eq!(value.as_str(), *word);
        }
        assert_eq!(FindingClass::parse("people-and-org"), Some(FindingClass::PeopleAndOrg));
        assert_eq!(FindingClass::parse("People-and-org"), None);
    }
}
