//! `casebook.toml`: site settings, the failure-category taxonomy, the severity
//! scale, the review policy, recurrence settings and the theme.
//!
//! Every key has a built-in default, so a directory of records with no config
//! builds. Unknown keys are errors, like in records. [`Config::parse`] returns
//! the config together with its problems (positions in `casebook.toml`); the
//! loader reads the file and calls it before any record is checked, because
//! the taxonomy and the severity scale decide what records may say.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::toml_error;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile};
use crate::model::{Category, RequirableField, Vocabulary};

/// The file name looked for at the root of a knowledge base.
pub const FILE_NAME: &str = "casebook.toml";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub site: Site,
    /// Severity levels, worst first.
    pub severities: Vec<String>,
    pub policy: Policy,
    pub recurrence: Recurrence,
    pub vocabulary: TeamVocabulary,
    pub allow_raw_html: bool,
    pub theme: String,
    /// The declared taxonomy; empty when the config declares none (free-form categories).
    pub categories: Vec<Category>,
    /// `[import] keys`: a team's own names for the facts `casebook import`
    /// reads (front-matter keys, stated labels, CSV and JSON columns), by
    /// their name in lower case with `_` for spaces and `-`.
    pub import_keys: BTreeMap<String, String>,
    /// `[[start]]`: the reading path for new engineers, in order, when the
    /// team curates one (otherwise the site picks one).
    pub start: Vec<StartPick>,
    /// The names of `categories`, to look one up in constant time.
    category_names: std::collections::HashSet<String>,
}

/// What `[import] keys` may map a name to: the facts `casebook import` reads.
pub const IMPORT_TARGETS: &[&str] = &[
    "title",
    "summary",
    "severity",
    "date",
    "started",
    "detected",
    "mitigated",
    "resolved",
    "time_to_detect",
    "time_to_mitigate",
    "time_to_resolve",
    "duration",
    "owner",
    "authors",
    "services",
    "categories",
    "tags",
    "timezone",
    "id",
    "ignore",
];

/// One incident of a curated reading path, and why a newcomer should read it.
#[derive(Debug, Clone, PartialEq)]
pub struct StartPick {
    pub incident: String,
    pub why: String,
    /// Where it is in `casebook.toml`, for an error about an id that is not there.
    pub path: std::path::PathBuf,
    pub at: crate::diagnostics::Location,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub title: String,
    pub description: Option<String>,
    pub base_url: Option<String>,
    pub language: String,
    pub currency: String,
    /// The organisation's own names (company, products, brands): left out
    /// when records are compared, as they say who wrote one, not how it failed.
    pub own_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub strict: bool,
    /// Severities whose incidents need a full review (findings, and actions or a reason for none).
    pub postmortem_required: Vec<String>,
    /// Days after resolution by which the postmortem must be published, per severity.
    pub publish_within_days: BTreeMap<String, u32>,
    /// Actions should be due at most this many days after resolution.
    pub action_due_within_days: Option<u32>,
    /// Fields each severity must fill in, beyond the minimum-viable ones.
    pub required_fields: BTreeMap<String, Vec<RequirableField>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence {
    /// Minimum normalised similarity (0–1) for a detected "similar incident" link.
    pub similarity_threshold: f64,
    /// Minimum similarity for a detected link to count as a likely recurrence.
    pub recurrence_threshold: f64,
    /// How many similar incidents to list per incident.
    pub max_similar: usize,
    /// Words the team uses for the same thing, on top of the built-in thesaurus.
    pub synonyms: Vec<Vec<String>>,
}

/// `[vocabulary]`: the team's words, read by search and by the similarity
/// of incidents alike.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamVocabulary {
    /// Groups of words (or two-word phrases) that mean the same thing, on
    /// top of the built-in thesaurus.
    pub synonyms: Vec<Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        let sev = |s: &str| s.to_string();
        Config {
            site: Site {
                title: "Incident knowledge base".into(),
                description: None,
                base_url: None,
                language: "en".into(),
                currency: "USD".into(),
                own_names: Vec::new(),
            },
            severities: ["SEV1", "SEV2", "SEV3", "SEV4"].map(sev).to_vec(),
            policy: Policy {
                strict: false,
                postmortem_required: vec![sev("SEV1"), sev("SEV2")],
                publish_within_days: BTreeMap::from([(sev("SEV1"), 3), (sev("SEV2"), 5)]),
                action_due_within_days: Some(90),
                required_fields: BTreeMap::new(),
            },
            recurrence: Recurrence {
                similarity_threshold: 0.25,
                recurrence_threshold: 0.35,
                max_similar: 5,
                synonyms: Vec::new(),
            },
            vocabulary: TeamVocabulary::default(),
            allow_raw_html: false,
            theme: "default".into(),
            categories: Vec::new(),
            import_keys: BTreeMap::new(),
            start: Vec::new(),
            category_names: std::collections::HashSet::new(),
        }
    }
}

impl Config {
    /// Whether the config declares a taxonomy that categories must come from.
    pub fn has_taxonomy(&self) -> bool {
        !self.categories.is_empty()
    }

    /// Whether `name` is a category of the taxonomy.
    pub fn is_category(&self, name: &str) -> bool {
        self.category_names.contains(name)
    }

    /// The rank of a severity (0 = worst), if it is on the scale.
    pub fn severity_rank(&self, severity: &str) -> Option<usize> {
        self.severities.iter().position(|s| s == severity)
    }

    /// Parse `casebook.toml`. Problems go to `diags`; what could be read is kept
    /// and the rest defaults, so records can still be checked against it.
    pub fn parse(source: &SourceFile, diags: &mut Diagnostics) -> Config {
        let raw: RawConfig = match toml::from_str(&source.text) {
            Ok(raw) => raw,
            Err(err) => {
                toml_error::report(source, 0, &err, diags);
                return Config::default();
            }
        };
        raw.validate(source, diags)
    }
}

/// A name as `[import] keys` and the importer compare it: lower case, with
/// `_` for spaces, `-` and `.`.
pub fn import_key(name: &str) -> String {
    name.trim().to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    site: Option<Spanned<RawSite>>,
    #[serde(default)]
    severity: RawSeverity,
    #[serde(default)]
    policy: RawPolicy,
    #[serde(default)]
    recurrence: RawRecurrence,
    #[serde(default)]
    vocabulary: RawVocabulary,
    #[serde(default)]
    markdown: RawMarkdown,
    #[serde(default)]
    theme: RawTheme,
    #[serde(default)]
    categories: Vec<Spanned<RawCategory>>,
    #[serde(default)]
    import: RawImport,
    #[serde(default)]
    start: Vec<Spanned<RawStartPick>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStartPick {
    incident: Spanned<String>,
    why: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImport {
    #[serde(default)]
    keys: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<Spanned<String>>,
    language: Option<String>,
    currency: Option<String>,
    own_names: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeverity {
    levels: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    strict: Option<bool>,
    postmortem_required: Option<Vec<Spanned<String>>>,
    publish_within_days: Option<BTreeMap<Spanned<String>, u32>>,
    action_due_within_days: Option<u32>,
    #[serde(default)]
    required_fields: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecurrence {
    similarity_threshold: Option<Spanned<f64>>,
    recurrence_threshold: Option<Spanned<f64>>,
    max_similar: Option<usize>,
    /// Read as `[vocabulary] synonyms`, where they now live.
    synonyms: Option<Spanned<Vec<Vec<String>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVocabulary {
    synonyms: Option<Spanned<Vec<Spanned<Vec<String>>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    #[serde(default)]
    allow_raw_html: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    name: Spanned<String>,
    description: Option<String>,
    group: Option<String>,
}

impl RawConfig {
    fn validate(self, source: &SourceFile, diags: &mut Diagnostics) -> Config {
        let defaults = Config::default();
        let error = |code, span: std::ops::Range<usize>, message: String| {
            Diagnostic::error(code, &source.path, message).at(Some(source.location(span)))
        };

        let site = match self.site {
            Some(site) => {
                let span = site.span();
                let site = site.into_inner();
                if site.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
                    diags.push(
                        error("config", span, "[site] needs a title".into())
                            .help("add `title = \"Our incident knowledge base\"` under [site]"),
                    );
                }
                if let Some(url) = &site.base_url {
                    if !(url.get_ref().starts_with("https://") || url.get_ref().starts_with("http://")) {
                        diags.push(
                            error("config", url.span(), format!("base_url `{}` is not an http(s) URL", url.get_ref()))
                                .help("write the full URL, e.g. base_url = \"https://kb.example.com/\", or remove it to address pages relatively"),
                        );
                    }
                }
                Site {
                    title: site.title.unwrap_or(defaults.site.title),
                    description: site.description,
                    base_url: site.base_url.map(Spanned::into_inner),
                    language: site.language.unwrap_or(defaults.site.language),
                    currency: site.currency.unwrap_or(defaults.site.currency),
                    own_names: site.own_names.unwrap_or_default(),
                }
            }
            None => {
                if !source.text.trim().is_empty() {
                    diags.push(
                        Diagnostic::error("config", &source.path, "casebook.toml has no [site] table with a title")
                            .help("add:\n[site]\ntitle = \"Our incident knowledge base\""),
                    );
                }
                defaults.site
            }
        };

        let severities = match self.severity.levels {
            Some(levels) => {
                let span = levels.span();
                let levels = levels.into_inner();
                let mut seen: Vec<String> = Vec::new();
                for level in &levels {
                    if seen.contains(level.get_ref()) {
                        diags.push(error(
                            "config",
                            level.span(),
                            format!("severity `{}` is listed twice", level.get_ref()),
                        ));
                    } else {
                        seen.push(level.get_ref().clone());
                    }
                }
                if seen.is_empty() {
                    diags.push(
                        error("config", span, "the severity scale is empty".into())
                            .help("list levels worst first: levels = [\"SEV1\", \"SEV2\", \"SEV3\"]"),
                    );
                    defaults.severities
                } else {
                    seen
                }
            }
            None => defaults.severities,
        };

        let check_level = |level: &Spanned<String>, diags: &mut Diagnostics| {
            if !severities.contains(level.get_ref()) {
                let help = match toml_error::suggest(level.get_ref(), &severities) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the severity scale is: {}", severities.join(", ")),
                };
                diags.push(
                    error("config", level.span(), format!("`{}` is not on the severity scale", level.get_ref()))
                        .help(help),
                );
            }
        };

        let postmortem_required = match self.policy.postmortem_required {
            Some(levels) => {
                levels.iter().for_each(|l| check_level(l, diags));
                levels.into_iter().map(Spanned::into_inner).collect()
            }
            None => defaults.policy.postmortem_required.into_iter().filter(|s| severities.contains(s)).collect(),
        };
        let publish_within_days = match self.policy.publish_within_days {
            Some(days) => {
                days.keys().for_each(|l| check_level(l, diags));
                days.into_iter().map(|(k, v)| (k.into_inner(), v)).collect()
            }
            None => defaults.policy.publish_within_days,
        };
        let mut required_fields = BTreeMap::new();
        for (level, fields) in self.policy.required_fields {
            check_level(&level, diags);
            let mut known = Vec::with_capacity(fields.len());
            for field in &fields {
                match RequirableField::parse(field.get_ref()) {
                    Some(f) => known.push(f),
                    None => {
                        let words = RequirableField::words();
                        let help = match toml_error::suggest(field.get_ref(), &words) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("fields that can be required: {}", words.join(", ")),
                        };
                        diags.push(
                            error("config", field.span(), format!("`{}` is not a record field", field.get_ref()))
                                .help(help),
                        );
                    }
                }
            }
            required_fields.insert(level.into_inner(), known);
        }

        let mut synonyms: Vec<Vec<String>> = Vec::new();
        if let Some(old) = self.recurrence.synonyms {
            diags.push(
                Diagnostic::warning("config", &source.path, "`synonyms` has moved from [recurrence] to [vocabulary]")
                    .at(Some(source.location(old.span())))
                    .help("move the line under a [vocabulary] table: search and recurrence both read it there"),
            );
            synonyms.extend(old.into_inner());
        }
        if let Some(groups) = self.vocabulary.synonyms {
            for group in groups.into_inner() {
                let span = group.span();
                let members = group.into_inner();
                let long = members.iter().find(|m| m.split_whitespace().count() > 2);
                if let Some(long) = long {
                    diags.push(
                        Diagnostic::warning(
                            "config",
                            &source.path,
                            format!("synonym `{long}` has more than two words; search and recurrence ignore it"),
                        )
                        .at(Some(source.location(span.clone())))
                        .help("use a word or a two-word phrase, e.g. \"rate limited\""),
                    );
                }
                if members.iter().filter(|m| !m.trim().is_empty()).count() < 2 {
                    diags.push(
                        error("config", span, "a synonym group needs at least two members".into())
                            .help("write the words that mean the same thing together, e.g. [\"k8s\", \"kubernetes\"]"),
                    );
                    continue;
                }
                synonyms.push(members);
            }
        }

        let mut share = |key: &str, value: Option<Spanned<f64>>, default: f64| match value {
            Some(t) if !(0.0..=1.0).contains(t.get_ref()) => {
                diags.push(error("config", t.span(), format!("{key} {} is outside 0–1", t.get_ref())));
                default
            }
            Some(t) => t.into_inner(),
            None => default,
        };
        let similarity_threshold = share(
            "similarity_threshold",
            self.recurrence.similarity_threshold,
            defaults.recurrence.similarity_threshold,
        );
        let recurrence_threshold = share(
            "recurrence_threshold",
            self.recurrence.recurrence_threshold,
            defaults.recurrence.recurrence_threshold.max(similarity_threshold),
        );

        let mut categories: Vec<Category> = Vec::new();
        // A set beside the list: a taxonomy of 100,000 names is checked in
        // linear time, not quadratic.
        let mut category_names: std::collections::HashSet<String> = std::collections::HashSet::new();
        for cat in self.categories {
            let cat = cat.into_inner();
            let name = cat.name.get_ref();
            if !crate::model::is_category_slug(name) {
                diags.push(
                    error("config", cat.name.span(), format!("category name `{name}` is not a slug"))
                        .help("use lower-case words joined by '-', e.g. \"certificate-expiry\""),
                );
            } else if !category_names.insert(name.clone()) {
                diags.push(error("config", cat.name.span(), format!("category `{name}` is declared twice")));
            } else {
                categories.push(Category { name: name.clone(), description: cat.description, group: cat.group });
            }
        }

        let mut import_keys = BTreeMap::new();
        for (name, target) in self.import.keys {
            if IMPORT_TARGETS.contains(&target.get_ref().as_str()) {
                import_keys.insert(import_key(&name), target.into_inner());
                continue;
            }
            let help = match toml_error::suggest(target.get_ref(), IMPORT_TARGETS) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("names import reads: {}", IMPORT_TARGETS.join(", ")),
            };
            diags.push(
                error("config", target.span(), format!("`{}` is not a fact import reads", target.get_ref())).help(help),
            );
        }
        let mut start: Vec<StartPick> = Vec::new();
        for pick in self.start {
            let span = pick.span();
            let pick = pick.into_inner();
            let id = pick.incident.get_ref().trim();
            let why = pick.why.unwrap_or_default().trim().to_string();
            if id.is_empty() {
                diags.push(
                    error("config", pick.incident.span(), "a [[start]] entry names no incident".into())
                        .help("give the incident's id, e.g. incident = \"2024-06-gateway-ratelimit-config-push\""),
                );
            } else if start.iter().any(|p| p.incident == id) {
                diags.push(error("config", pick.incident.span(), format!("`{id}` is on the reading path twice")));
            } else if why.is_empty() {
                diags.push(
                    error("config", span, format!("the reading path does not say why to read `{id}`"))
                        .help("add why = \"…\": one sentence on what a newcomer learns from it"),
                );
            } else {
                let at = source.location(pick.incident.span());
                start.push(StartPick { incident: id.to_string(), why, path: source.path.clone(), at });
            }
        }
        Config {
            site,
            severities,
            policy: Policy {
                strict: self.policy.strict.unwrap_or(false),
                postmortem_required,
                publish_within_days,
                action_due_within_days: self.policy.action_due_within_days.or(defaults.policy.action_due_within_days),
                required_fields,
            },
            recurrence: Recurrence {
                similarity_threshold,
                recurrence_threshold,
                max_similar: self.recurrence.max_similar.unwrap_or(defaults.recurrence.max_similar),
                // Similarity folds single words; phrases are for search.
                synonyms: synonyms
                    .iter()
                    .map(|g| g.iter().filter(|w| !w.trim().contains(char::is_whitespace)).cloned().collect())
                    .collect(),
            },
            vocabulary: TeamVocabulary { synonyms },
            allow_raw_html: self.markdown.allow_raw_html,
            theme: self.theme.name.unwrap_or(defaults.theme),
            categories,
            import_keys,
            start,
            category_names,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Config, Vec<String>) {
        let source = SourceFile::new("casebook.toml".into(), text.into());
        let mut diags = Diagnostics::default();
        let config = Config::parse(&source, &mut diags);
        let messages = diags.sorted().into_iter().map(|d| d.message).collect();
        (config, messages)
    }

    #[test]
    fn empty_config_is_the_default() {
        let (config, problems) = parse("");
        assert_eq!(config, Config::default());
        assert!(problems.is_empty());
    }

    #[test]
    fn reads_taxonomy_and_policy() {
        let (config, problems) = parse(
            "[site]\ntitle = \"KB\"\n[severity]\nlevels = [\"P1\", \"P2\"]\n[policy]\npostmortem_required = [\"P1\"]\npublish_within_days = { P1 = 2 }\n[[categories]]\nname = \"dns\"\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.severities, ["P1", "P2"]);
        assert_eq!(config.policy.publish_within_days.get("P1"), Some(&2));
        assert_eq!(config.severity_rank("P2"), Some(1));
        assert!(config.has_taxonomy());
    }

    #[test]
    fn reports_levels_and_fields_off_the_scale() {
        let (_, problems) = parse(
            "[site]\ntitle = \"KB\"\n[policy]\npostmortem_required = [\"SEV9\"]\nrequired_fields = { SEV1 = [\"sumary\"] }\n",
        );
        assert_eq!(problems, ["`SEV9` is not on the severity scale", "`sumary` is not a record field"]);
    }

    #[test]
    fn synonyms_live_in_vocabulary_and_are_still_read_from_recurrence() {
        let (config, problems) = parse(
            "[site]\ntitle = \"KB\"\n[vocabulary]\nsynonyms = [[\"k8s\", \"kubernetes\"], [\"rate limited\", \"throttled\"]]\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.vocabulary.synonyms.len(), 2);
        // Recurrence detection folds single words only.
        assert_eq!(
            config.recurrence.synonyms,
            [vec!["k8s".to_string(), "kubernetes".into()], vec!["throttled".into()]]
        );
        let (config, problems) = parse("[site]\ntitle = \"KB\"\n[recurrence]\nsynonyms = [[\"psp\", \"processor\"]]\n");
        assert_eq!(problems, ["`synonyms` has moved from [recurrence] to [vocabulary]"]);
        assert_eq!(config.vocabulary.synonyms, [vec!["psp".to_string(), "processor".into()]]);
        let (config, problems) =
            parse("[site]\ntitle = \"KB\"\n[vocabulary]\nsynonyms = [[\"k8s\"], [\"out of memory\", \"oom\"]]\n");
        assert_eq!(
            problems,
            [
                "a synonym group needs at least two members",
                "synonym `out of memory` has more than two words; search and recurrence ignore it"
            ]
        );
        assert_eq!(config.vocabulary.synonyms.len(), 1);
    }

    #[test]
    fn reads_the_reading_path_and_names_what_is_wrong_with_it() {
        let (config, problems) = parse(
            "[site]\ntitle = \"KB\"\n[[start]]\nincident = \"a\"\nwhy = \"The first outage.\"\n[[start]]\nincident = \"b\"\n[[start]]\nincident = \"a\"\nwhy = \"x\"\n[[start]]\nincident = \" \"\n",
        );
        assert_eq!(config.start.len(), 1);
        assert_eq!((config.start[0].incident.as_str(), config.start[0].why.as_str()), ("a", "The first outage."));
        assert_eq!(config.start[0].at.line, 4);
        assert_eq!(
            problems,
            [
                "the reading path does not say why to read `b`",
                "`a` is on the reading path twice",
                "a [[start]] entry names no incident"
            ]
        );
    }

    #[test]
    fn site_needs_a_title() {
        let (_, problems) = parse("[site]\ndescription = \"x\"\n");
        assert_eq!(problems, ["[site] needs a title"]);
    }
}
