//! Markdown with YAML (`---`) or TOML (`+++`) front matter: Hugo and Jekyll
//! pages, collections of public postmortems.
//!
//! Every front-matter key goes through the importer's one key map
//! ([`super::fact_of`], extended by `[import] keys`), so `start_time`,
//! `date`, `sev`, `keywords` and `description` land where a record keeps
//! them; keys the map does not know are left out of the record and named in
//! the import report. The body is then read like any heading-structured
//! postmortem, with the front matter's facts taking precedence.

use yaml_rust2::{Yaml, YamlLoader};

use super::draft::Draft;
use super::{Context, Facts, Input, markdown, source};

/// Read one page with front matter.
pub fn read(input: &Input, ctx: &Context<'_>) -> Result<Draft, String> {
    let text = input.text.trim_start_matches('\u{feff}');
    let (fence, rest) = if let Some(rest) = text.strip_prefix("---") {
        ("---", rest)
    } else if let Some(rest) = text.strip_prefix("+++") {
        ("+++", rest)
    } else {
        return Err("no front matter: the file does not start with `---` or `+++`".into());
    };
    let rest = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n')).unwrap_or(rest);
    let close = rest
        .match_indices(fence)
        .find(|(at, _)| *at == 0 || rest[..*at].ends_with('\n'))
        .map(|(at, _)| at)
        .ok_or_else(|| format!("the front matter opened with `{fence}` is never closed"))?;
    let (head, body) = (&rest[..close], &rest[close + fence.len()..]);
    let pairs = if fence == "---" { yaml_pairs(head)? } else { toml_pairs(head)? };

    let mut facts = Facts::default();
    facts.day_from_name(&input.from);
    let mut unknown = Vec::new();
    for (key, value) in &pairs {
        if super::fact_of(key, ctx).is_some() {
            facts.state(key, value, ctx);
        } else if !matches!(key.as_str(), "draft" | "layout" | "slug" | "weight" | "aliases" | "permalink") {
            unknown.push(format!("{key}: {value}"));
        }
    }
    let mut draft = markdown::read(body, facts, ctx);
    if !unknown.is_empty() {
        // Keep what the key map does not know, so nothing is lost.
        let kept: String = unknown.iter().map(|line| format!("- {line}\n")).collect();
        draft.body = format!("{}\n\n## Imported front matter\n{kept}", draft.body).trim().to_string();
    }
    draft.source = source(&input.from, input.text.as_bytes());
    Ok(draft)
}

/// YAML front matter as (key, value as text) pairs, lists joined with ", ".
fn yaml_pairs(head: &str) -> Result<Vec<(String, String)>, String> {
    let docs = YamlLoader::load_from_str(head).map_err(|e| format!("the YAML front matter does not parse: {e}"))?;
    let Some(Yaml::Hash(map)) = docs.into_iter().next() else { return Ok(Vec::new()) };
    Ok(map.iter().filter_map(|(k, v)| Some((yaml_text(k)?, yaml_text(v)?))).collect())
}

fn yaml_text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Array(items) => Some(items.iter().filter_map(yaml_text).collect::<Vec<_>>().join(", ")),
        Yaml::Hash(map) => {
            // `{name: SEV2}` and the like: the first text inside.
            map.iter().find_map(|(_, v)| yaml_text(v))
        }
        _ => None,
    }
}

/// TOML front matter as (key, value as text) pairs.
fn toml_pairs(head: &str) -> Result<Vec<(String, String)>, String> {
    let table: toml::Table =
        toml::from_str(head).map_err(|e| format!("the TOML front matter does not parse: {}", e.message()))?;
    Ok(table.iter().filter_map(|(k, v)| Some((k.clone(), toml_text(v)?))).collect())
}

fn toml_text(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Array(items) => Some(items.iter().filter_map(toml_text).collect::<Vec<_>>().join(", ")),
        toml::Value::Table(t) => t.values().find_map(toml_text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn hugo_keys_land_where_a_record_keeps_them() {
        let config = Config::default();
        let ctx = Context { config: &config };
        let page = "---\ntitle: \"Search empty\"\ndate: 2024-03-04\nstart_time: 2024-03-04T08:10:00Z\nend_time: 2024-03-04T09:40:00Z\nsev: 2\ndescription: The index was empty.\nkeywords: [search, index]\nhn_discussion: https://news.example/1\n---\n# Search empty\n\n## Root cause\nThe job swapped in an empty index.\n";
        let draft = read(&Input { from: "posts/search.md".into(), text: page.into() }, &ctx).unwrap();
        assert_eq!(draft.title, "Search empty");
        assert_eq!(draft.severity.as_deref(), Some("SEV2"));
        assert_eq!(draft.summary.as_deref(), Some("The index was empty."));
        assert_eq!(draft.tags, ["search", "index"]);
        assert_eq!(draft.started.map(|s| s.to_rfc3339()).as_deref(), Some("2024-03-04T08:10:00+00:00"));
        assert_eq!(draft.resolved.map(|s| s.to_rfc3339()).as_deref(), Some("2024-03-04T09:40:00+00:00"));
        assert_eq!(draft.findings.len(), 1);
        // The H1 repeating the title is not kept; the unknown key is.
        assert!(!draft.body.contains("# Search empty"), "{}", draft.body);
        assert!(draft.body.contains("- hn_discussion: https://news.example/1"), "{}", draft.body);
    }
}
