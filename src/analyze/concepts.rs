//! Failure mechanisms as concepts: the multi-word phrases operations teams
//! use for the same way of failing. "Retries amplified the outage", "a retry
//! storm" and "clients hammered it with retries" are one mechanism; words
//! alone match them poorly, and single-word synonyms (`text::thesaurus`)
//! cannot hold phrases.
//!
//! The groups cover the failure modes that recur across public postmortem
//! collections and reliability taxonomies (resource exhaustion, overload and
//! feedback loops, configuration pushed everywhere at once, expiry of
//! certificates, domains and credentials, time and calendar bugs, data
//! store failover and locking, numeric limits, pathological inputs). Each
//! phrase found in a record adds its group's concept to the words compared,
//! so two records naming the same mechanism share a heavy term; the reason
//! shown is the concept's name.

use std::sync::OnceLock;

/// Concept groups: a name (shown as the reason) and the phrases that say it,
/// lower case, words as `text::each_raw_word` cuts them.
pub const GROUPS: &[(&str, &[&str])] = &[
    (
        "retry storm",
        &[
            "retry storm",
            "retry storms",
            "retries amplified",
            "retry amplification",
            "amplified retries",
            "retried immediately",
            "retries without backoff",
            "without backoff",
            "no backoff",
            "no jitter",
            "without jitter",
            "thundering herd",
            "synchronized retries",
            "synchronised retries",
            "retry loop",
            "retry loops",
            "layered retries",
            "unbounded retries",
            "resubmitted",
            "hammered",
        ],
    ),
    (
        "cache stampede",
        &[
            "cache stampede",
            "stampede",
            "dogpile",
            "cold cache",
            "cache was empty",
            "empty cache",
            "cache flush",
            "cache flushed",
            "cache misses",
            "miss storm",
            "expired at once",
            "expire at once",
            "expired simultaneously",
            "ttl expiry",
            "same ttl",
            "request coalescing",
            "single flight",
        ],
    ),
    (
        "disk full",
        &[
            "disk full",
            "disk filled",
            "filled the disk",
            "filled its disk",
            "filled up the disk",
            "out of disk",
            "no space left",
            "enospc",
            "disk space",
            "ran out of disk",
            "volume full",
            "partition full",
            "filesystem full",
            "file system full",
            "100 full",
        ],
    ),
    (
        "verbose logging",
        &[
            "debug logging",
            "debug logs",
            "verbose logging",
            "verbose logs",
            "trace logging",
            "log level",
            "log volume",
            "log rotation",
            "logrotate",
            "logs grew",
        ],
    ),
    (
        "memory exhaustion",
        &[
            "out of memory",
            "oom",
            "oomkilled",
            "oom killed",
            "oom killer",
            "memory leak",
            "leaked memory",
            "heap exhausted",
            "heap exhaustion",
            "memory limit",
            "memory grew",
        ],
    ),
    (
        "file descriptor exhaustion",
        &[
            "too many open files",
            "emfile",
            "file descriptor",
            "file descriptors",
            "nofile",
            "ulimit",
            "open file limit",
            "fd limit",
        ],
    ),
    (
        "connection pool exhaustion",
        &[
            "connection pool",
            "pool exhausted",
            "pool exhaustion",
            "too many connections",
            "max connections",
            "connection limit",
            "connections exhausted",
            "ran out of connections",
        ],
    ),
    (
        "certificate expiry",
        &[
            "certificate expired",
            "certificate expiry",
            "expired certificate",
            "cert expired",
            "expired cert",
            "certificate renewal",
            "renew the certificate",
            "x509",
            "not after",
            "handshake failure",
            "handshake failures",
            "certificate rotation",
        ],
    ),
    (
        "domain expiry",
        &[
            "domain expired",
            "domain registration",
            "registration lapsed",
            "domain renewal",
            "registrar",
            "auto renew",
            "autorenew",
            "whois",
        ],
    ),
    (
        "clock skew",
        &[
            "clock skew",
            "clock drift",
            "clocks drifted",
            "time sync",
            "time synchronisation",
            "time synchronization",
            "ntp",
            "chrony",
            "not yet valid",
            "system clock",
        ],
    ),
    (
        "calendar bug",
        &[
            "leap year",
            "leap day",
            "february 29",
            "29 february",
            "feb 29",
            "daylight saving",
            "dst",
            "week based year",
            "week year",
            "iso week",
            "yyyy",
            "timezone offset",
            "time zone change",
        ],
    ),
    (
        "integer overflow",
        &[
            "integer overflow",
            "int32",
            "int overflow",
            "32 bit",
            "2 31",
            "2147483647",
            "max int",
            "wraparound",
            "wrapped around",
            "signed integer",
            "overflowed",
        ],
    ),
    (
        "regex backtracking",
        &[
            "catastrophic backtracking",
            "backtracking",
            "regex",
            "regular expression",
            "redos",
            "nested quantifier",
            "nested quantifiers",
        ],
    ),
    (
        "global config push",
        &[
            "pushed to all",
            "pushed to every",
            "every node at once",
            "all nodes at once",
            "all regions at once",
            "fleet wide",
            "fleetwide",
            "global rollout",
            "no canary",
            "without a canary",
            "without canary",
            "staged rollout",
            "canary",
            "config push",
            "configuration push",
            "propagated within seconds",
            "progressive rollout",
        ],
    ),
    (
        "config validation gap",
        &[
            "schema validation",
            "no validation",
            "without validation",
            "malformed config",
            "malformed configuration",
            "invalid config",
            "invalid configuration",
            "config parse",
            "parse error",
            "failed to parse",
            "last known good",
        ],
    ),
    (
        "route withdrawal",
        &[
            "bgp",
            "route withdrawal",
            "withdrew the routes",
            "withdrew routes",
            "routes withdrawn",
            "route advertisement",
            "advertisements",
            "prefixes withdrawn",
            "anycast",
        ],
    ),
    (
        "split brain",
        &[
            "split brain",
            "two primaries",
            "dual primary",
            "demoted primary",
            "old primary",
            "fencing",
            "stonith",
            "split writes",
        ],
    ),
    ("failover", &["failover", "failed over", "fail over", "promoted the replica", "replica promotion", "switchover"]),
    (
        "lock contention",
        &[
            "table lock",
            "metadata lock",
            "exclusive lock",
            "access exclusive",
            "lock queue",
            "lock wait",
            "locked the table",
            "alter table",
            "create index",
            "lock contention",
            "waiting for lock",
        ],
    ),
    ("replication lag", &["replication lag", "replica lag", "stale reads", "lagging replica", "read replica lag"]),
    (
        "consumer rebalance",
        &[
            "rebalance storm",
            "rebalancing",
            "rebalance",
            "consumer group",
            "session timeout",
            "max poll interval",
            "consumer lag",
        ],
    ),
    (
        "autoscaling fault",
        &[
            "autoscaler",
            "autoscaling",
            "scaled down",
            "scale down",
            "scaled in",
            "scale to zero",
            "minimum replicas",
            "min replicas",
            "hpa",
            "scaling policy",
        ],
    ),
    (
        "missing metric",
        &["metric renamed", "renamed metric", "missing metric", "metric missing", "no data", "read as zero"],
    ),
    (
        "feature flag",
        &[
            "feature flag",
            "feature flags",
            "kill switch",
            "flag default",
            "targeting rule",
            "flag rule",
            "flag flipped",
            "default value",
            "fallback value",
        ],
    ),
    (
        "credential expiry",
        &[
            "expired token",
            "token expired",
            "api key",
            "credentials expired",
            "secret rotation",
            "credential rotation",
            "rotated the key",
            "signing key",
            "revoked",
        ],
    ),
    (
        "quota exhaustion",
        &[
            "quota exceeded",
            "quota",
            "rate limit",
            "rate limited",
            "throttled",
            "throttling",
            "429",
            "too many requests",
        ],
    ),
    (
        "dependency outage",
        &[
            "third party",
            "upstream provider",
            "vendor outage",
            "provider outage",
            "brownout",
            "dependency outage",
            "external dependency",
        ],
    ),
    (
        "port exhaustion",
        &[
            "port exhaustion",
            "ephemeral port",
            "ephemeral ports",
            "ephemeral port range",
            "source port",
            "source ports",
            "time wait",
            "snat port",
            "snat ports",
            "ran out of ports",
            "out of ports",
        ],
    ),
    (
        "unpinned dependency",
        &[
            "unpinned",
            "not pinned",
            "caret range",
            "tilde range",
            "version range",
            "floating version",
            "floating tag",
            "latest tag",
            "no lock file",
            "without a lock file",
            "without a lockfile",
            "lock file",
            "lockfile",
            "exact version",
            "pinned version",
            "version pinning",
        ],
    ),
    (
        "hot partition",
        &[
            "hot key",
            "hot keys",
            "hot shard",
            "hot partition",
            "hot spot",
            "hotspot",
            "hot row",
            "key skew",
            "skewed keys",
            "skewed partition",
            "uneven partition",
            "single partition",
            "single shard",
            "one shard",
        ],
    ),
    (
        "lease expiry",
        &[
            "visibility timeout",
            "lease expired",
            "lease expiry",
            "lease lapsed",
            "lease ran out",
            "lease renewal",
            "ack deadline",
            "redelivered",
            "redelivery",
            "processed twice",
            "picked up twice",
            "ran twice",
        ],
    ),
    (
        "health check",
        &[
            "health check",
            "health checks",
            "healthcheck",
            "healthchecks",
            "readiness probe",
            "liveness probe",
            "readiness check",
            "liveness check",
            "marked unhealthy",
            "out of rotation",
            "pulled from rotation",
            "removed from the pool",
        ],
    ),
    (
        "blocking operation",
        &[
            "keys command",
            "blocking command",
            "blocking call",
            "blocked the event loop",
            "event loop",
            "single threaded",
            "stop the world",
            "long running command",
            "full keyspace",
            "scan the whole",
            "list everything",
        ],
    ),
    (
        "slow query",
        &[
            "full table scan",
            "sequential scan",
            "seq scan",
            "missing index",
            "no index",
            "without an index",
            "query plan",
            "slow query",
            "slow queries",
            "deep pagination",
            "offset pagination",
            "large offset",
        ],
    ),
    (
        "capacity limit",
        &[
            "hit its limit",
            "capacity limit",
            "max capacity",
            "at capacity",
            "saturated",
            "saturation",
            "hard limit",
            "fixed capacity",
            "size limit",
        ],
    ),
    (
        "operator error",
        &[
            "typo",
            "mistyped",
            "fat finger",
            "wrong host",
            "wrong cluster",
            "wrong environment",
            "manual command",
            "blast radius",
            "ran the command",
        ],
    ),
    (
        "network partition",
        &[
            "network partition",
            "partitioned",
            "lost quorum",
            "quorum",
            "split network",
            "zone outage",
            "availability zone",
        ],
    ),
    ("mtu", &["mtu", "packet size", "fragmentation", "jumbo frames", "black hole", "blackholed"]),
    ("dns resolution", &["nxdomain", "servfail", "dns resolution", "resolver", "resolvers", "ndots", "dns lookup"]),
    (
        "schema mismatch",
        &[
            "field rename",
            "renamed field",
            "breaking change",
            "schema change",
            "field renumbering",
            "backwards incompatible",
            "incompatible change",
            "decoded as zero",
        ],
    ),
];

/// The word a concept adds to a text: a prefix no record writes, and the
/// group's number in letters (the analyzer keeps letters as they are).
const PREFIX: &str = "cbconcept";

pub(crate) fn token(group: usize) -> String {
    // Letters only, so the stemmer leaves the word alone: "cbconceptbx".
    let letters: String =
        [group / 26, group % 26].iter().map(|&n| char::from(b'a' + u8::try_from(n).unwrap_or(0))).collect();
    format!("{PREFIX}{letters}x")
}

/// The concept's name for a word [`annotate`] added, to show as a reason.
pub fn label(word: &str) -> Option<&'static str> {
    let letters = word.strip_prefix(PREFIX)?.strip_suffix('x')?.as_bytes();
    let [hi, lo] = letters else { return None };
    let group = usize::from(hi.checked_sub(b'a')?) * 26 + usize::from(lo.checked_sub(b'a')?);
    GROUPS.get(group).map(|(name, _)| *name)
}

/// A word as phrases are matched: lower case, a plural `s` dropped.
fn normal(word: &str) -> &str {
    if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") { &word[..word.len() - 1] } else { word }
}

/// Phrases by their first word: (the rest of the words, group).
type Index = rustc_hash::FxHashMap<String, Vec<(Vec<String>, usize)>>;

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = Index::default();
        for (group, (_, phrases)) in GROUPS.iter().enumerate() {
            for phrase in *phrases {
                let words: Vec<String> = crate::text::raw_words(phrase).iter().map(|w| normal(w).to_string()).collect();
                if let Some((first, rest)) = words.split_first() {
                    index.entry(first.clone()).or_default().push((rest.to_vec(), group));
                }
            }
        }
        index
    })
}

/// The concept words for the phrases in `text`, one per group found (a
/// group said three ways is still one mechanism), separated by spaces.
pub fn annotate(text: &str) -> String {
    let index = index();
    let mut found: Vec<usize> = Vec::new();
    // Phrases begun and matched so far: (the rest of its words, group, words matched).
    let mut open: Vec<(&[String], usize, usize)> = Vec::new();
    crate::text::each_raw_word(text, |word| {
        let word = normal(word);
        open.retain_mut(|(rest, _, matched)| {
            let next = rest.get(*matched).is_some_and(|w| w == word);
            *matched += 1;
            next
        });
        open.retain(|&(rest, group, matched)| {
            let whole = matched == rest.len();
            if whole && !found.contains(&group) {
                found.push(group);
            }
            !whole
        });
        for (rest, group) in index.get(word).into_iter().flatten() {
            if found.contains(group) {
                continue;
            }
            if rest.is_empty() {
                found.push(*group);
            } else {
                open.push((rest.as_slice(), *group, 0));
            }
        }
    });
    found.iter().map(|&g| token(g)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concepts(text: &str) -> Vec<&'static str> {
        annotate(text).split_whitespace().filter_map(label).collect()
    }

    #[test]
    fn the_same_mechanism_in_other_words_is_one_concept() {
        assert_eq!(concepts("Clients retried immediately, with no jitter"), ["retry storm"]);
        assert_eq!(concepts("A thundering herd of resubmitted jobs"), ["retry storm"]);
        assert_eq!(concepts("No space left on device: the log volume grew"), ["disk full", "verbose logging"]);
        assert_eq!(concepts("the pods were OOMKilled"), ["memory exhaustion"]);
        assert_eq!(concepts("accept4: too many open files"), ["file descriptor exhaustion"]);
        assert_eq!(concepts("The change was pushed to every node with no canary"), ["global config push"]);
    }

    #[test]
    fn operations_mechanisms_beyond_resources_are_concepts() {
        assert_eq!(concepts("The ephemeral port range ran out; sockets sat in TIME_WAIT"), ["port exhaustion"]);
        assert_eq!(concepts("A caret range and no lock file pulled the new major"), ["unpinned dependency"]);
        assert_eq!(concepts("The job outlived its visibility timeout and was redelivered"), ["lease expiry"]);
        assert_eq!(concepts("A hot partition took every write"), ["hot partition"]);
        assert_eq!(concepts("The readiness probe failed, so the node was out of rotation"), ["health check"]);
    }

    #[test]
    fn a_word_of_a_phrase_alone_is_not_the_concept() {
        assert!(concepts("The open files were listed; the limit was fine.").is_empty());
        assert!(concepts("We pushed a fix to every customer.").is_empty());
    }

    #[test]
    fn tokens_name_their_group_and_nothing_else() {
        for (g, (name, _)) in GROUPS.iter().enumerate() {
            assert_eq!(label(&token(g)), Some(*name));
        }
        assert_eq!(label("cbconceptzzzx"), None);
        assert_eq!(label("certificate"), None);
        // The analyzer leaves a concept word as it is.
        let mut analyzer = crate::text::analyzer().unwrap_or_else(|| panic!("analyzer"));
        for g in 0..GROUPS.len() {
            assert_eq!(crate::text::stem_of(&token(g), &mut analyzer), Some(token(g)));
        }
    }

    #[test]
    fn every_phrase_is_found_by_itself() {
        for (name, phrases) in GROUPS {
            for p in *phrases {
                assert!(concepts(p).contains(name), "{p:?} should say {name}");
            }
        }
    }
}
