//! Words operations teams use for the same thing. Two postmortems of one
//! failure are rarely written with the same words: one team "retried", the
//! other "resubmitted"; one certificate "expired", another "lapsed". The
//! similarity folds each group onto one term before comparing, so the
//! mechanism matches even when the wording does not. Teams add their own
//! jargon with `[vocabulary] synonyms` in `casebook.toml`; search reads the
//! same groups, plus [`PHRASES`].
//!
//! Only single words, and only groups whose members mean the same thing in
//! an incident review; words with several common meanings ("volume",
//! "pattern", "index") are left out on purpose.

/// Built-in groups; the first word names the group.
pub const GROUPS: &[&[&str]] = &[
    &[
        "retry",
        "retries",
        "retried",
        "retrying",
        "resubmit",
        "resubmitted",
        "resubmission",
        "requeue",
        "requeued",
        "reattempt",
    ],
    &["certificate", "cert", "certs", "x509"],
    &["expire", "expired", "expiry", "expiration", "lapse", "lapsed"],
    &["renew", "renewal", "renewed", "reissue", "reissued"],
    &["disk", "disks", "filesystem", "filesystems"],
    &["log", "logs", "logging", "logged", "logger"],
    &["verbose", "debug"],
    &["flag", "flags", "toggle", "toggles"],
    &["default", "defaults", "fallback"],
    &["failover", "switchover"],
    &["primary", "leader", "master", "writer"],
    &["replica", "replicas", "follower", "followers", "standby", "secondary"],
    &["fence", "fencing", "stonith"],
    &["autoscaler", "autoscaling", "scaler", "hpa"],
    &["clock", "clocks", "ntp", "chrony", "timesyncd", "chronyd", "ntpd"],
    &["skew", "drift", "skewed", "drifted"],
    &["migration", "migrations", "ddl", "alter"],
    &["dns", "resolver", "resolvers", "nameserver", "nameservers"],
    &["bgp", "announce", "announced", "announcement", "withdraw", "withdrawn"],
    &["cache", "caches", "cached", "memcached", "memcache"],
    &["stampede", "herd", "dogpile"],
    &["regex", "regexes", "regexp"],
    &["backtracking", "backtrack", "quantifier", "quantifiers"],
    &["typo", "mistyped", "misspelled", "mistype"],
    &["throttle", "throttled", "throttling", "ratelimit", "ratelimited", "429"],
    &["backoff", "jitter"],
    &["overload", "overloaded", "overwhelmed", "overwhelm", "saturated", "saturation", "hammered", "swamped"],
    &["token", "tokens", "jwt", "jwts"],
    &["rollout", "rollouts", "deploy", "deployed", "deployment"],
    &["rollback", "revert", "reverted", "rolled"],
    &["memory", "oom", "heap"],
    &["descriptor", "descriptors", "ulimit", "nofile"],
    &["overflow", "overflowed", "wraparound", "wrapped"],
    &["delete", "deleted", "deletion", "purge", "purged", "wipe", "wiped", "erase", "erased"],
    &["config", "configuration", "configs", "settings"],
    &["probe", "probes", "healthcheck", "healthchecks", "liveness", "readiness"],
    &["gc", "garbage"],
    &["quorum", "majority", "consensus"],
    &["timeout", "timeouts"],
    &["outage", "downtime", "unavailable", "unavailability"],
    &["capacity", "headroom"],
    &["decommission", "decommissioned", "drain", "drained"],
];

/// Groups with two-word members, for search: a query for one member finds
/// records that use another ("throttled" finds "rate limited"). The
/// similarity of incidents compares single words and leaves these out.
pub const PHRASES: &[&[&str]] = &[
    &["throttle", "rate limited", "rate limiting"],
    &["oom", "oomkilled", "oom killed", "oom killer"],
    &["disk full", "filesystem full", "disk exhausted"],
    &["certificate", "tls cert", "ssl cert"],
    &["failover", "fail over", "failed over"],
    &["rollback", "roll back", "rolled back"],
    &["deadlock", "lock contention", "lock wait"],
    &["latency", "response time", "slow responses"],
    &["5xx", "server errors", "internal server error"],
    &["dns", "name resolution", "nxdomain", "servfail"],
];
