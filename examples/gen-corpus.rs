//! Generates a synthetic benchmark knowledge base for Casebook.
//!
//! `gen-corpus` writes a complete knowledge base into a new (or empty) directory:
//! `casebook.toml` (a `[site]` title, a taxonomy of 15–30 failure categories and the
//! review policy) and one postmortem per file in `incidents/YYYY/<id>.md`. Records use
//! the whole schema of docs/record-format.md and pass `casebook check` with no errors.
//!
//! Each record is 600–1,500 words of front matter and Markdown narrative. The prose is
//! drawn from a vocabulary of a few thousand English-like words plus real SRE terms,
//! picked with Zipf weights so that frequent words dominate, mixed with realistic
//! sentences (latencies, error messages, regions, releases). About 15% of records repeat
//! an earlier incident (`recurrence_of`): they belong to planted groups of 2–5
//! paraphrased records that describe the same failure mechanism and share distinctive
//! terms (a component, a config key, an error code). Dates run from 2021 up to shortly
//! before 2026-11-27.
//!
//! Output is deterministic: the same `--count` and `--seed` give byte-identical files.
//! Only the standard library is used; the random numbers come from SplitMix64.
//!
//! ```sh
//! cargo run --release --example gen-corpus -- --count 2000 --seed 1 --out /tmp/corpus
//! cargo run --release -- check /tmp/corpus
//! ```
//!
//! Exit status: 0 success, 1 an I/O error while writing, 2 a usage error or an output
//! directory that already has files in it.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
Usage: gen-corpus --out DIR [--count N] [--seed S]

Writes a synthetic Casebook knowledge base of N postmortems (default 1000) into DIR,
which must not exist or must be empty. The same N and S (default 1) always produce
byte-identical output.

Options:
  -o, --out DIR     the directory to create (required)
  -n, --count N     how many records to write (1 to 1000000)
  -s, --seed S      the random seed (an unsigned 64-bit integer)
  -h, --help        print this help

Example:
  cargo run --release --example gen-corpus -- --count 2000 --seed 1 --out /tmp/corpus
";

/// The date the corpus is written \"as of\": nothing is completed or published later.
const TODAY: i64 = days_from_civil(2026, 11, 27);
/// Incidents start between these days.
const FIRST_DAY: i64 = days_from_civil(2021, 1, 4);
const LAST_DAY: i64 = days_from_civil(2026, 11, 1);
/// The policy's action horizon, in days after resolution.
const ACTION_HORIZON: i64 = 120;

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("gen-corpus: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Err(message) = check_out_dir(&args.out) {
        eprintln!("gen-corpus: {message}");
        return ExitCode::from(2);
    }
    let clock = Instant::now();
    match generate(&args) {
        Ok(stats) => {
            println!(
                "wrote {} record{} ({} drafts, {} with recurrence_of, {} planted groups) to {}: \
                 {} bytes of Markdown, {} words, in {:.2?}",
                stats.records,
                if stats.records == 1 { "" } else { "s" },
                stats.drafts,
                stats.recurrences,
                stats.groups,
                args.out.display(),
                stats.bytes,
                stats.words,
                clock.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("gen-corpus: {message}");
            ExitCode::from(1)
        }
    }
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

struct Args {
    count: usize,
    seed: u64,
    out: PathBuf,
}

/// `Ok(None)` means help was asked for.
fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut count = 1000usize;
    let mut seed = 1u64;
    let mut out = None;
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| match inline.clone() {
            Some(v) => Ok(v),
            None => it.next().ok_or_else(|| format!("{name} needs a value")),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "-n" | "--count" => {
                let v = value("--count")?;
                count = v.trim().parse().map_err(|_| format!("--count: `{v}` is not a whole number"))?;
            }
            "-s" | "--seed" => {
                let v = value("--seed")?;
                seed = v.trim().parse().map_err(|_| format!("--seed: `{v}` is not an unsigned 64-bit integer"))?;
            }
            "-o" | "--out" => out = Some(PathBuf::from(value("--out")?)),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if !(1..=1_000_000).contains(&count) {
        return Err(format!("--count must be between 1 and 1000000, got {count}"));
    }
    let out = out.ok_or_else(|| "--out DIR is required".to_string())?;
    Ok(Some(Args { count, seed, out }))
}

/// The output directory must not exist, or be an empty directory.
fn check_out_dir(dir: &Path) -> Result<(), String> {
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: cannot inspect the output directory: {e}", dir.display())),
        Ok(meta) if !meta.is_dir() => {
            Err(format!("{} exists and is not a directory; choose a new or empty directory", dir.display()))
        }
        Ok(_) => {
            let mut entries =
                std::fs::read_dir(dir).map_err(|e| format!("{}: cannot read the directory: {e}", dir.display()))?;
            if entries.next().is_some() {
                Err(format!(
                    "{} is not empty; refusing to write a corpus into it (choose a new or empty directory)",
                    dir.display()
                ))
            } else {
                Ok(())
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------

/// SplitMix64: small, fast, and good enough for synthetic text.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    /// An independent stream for `stream` under `seed`.
    fn derive(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// An index chosen with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total.max(1) as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

/// Zipf–Mandelbrot distributed ranks: rank k (from 1) is picked with weight 1 / (k + q)^s.
/// With q = 0 this is plain Zipf; a small q flattens the very top, as in natural text.
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64, q: f64) -> Zipf {
        let mut acc = 0.0;
        let cdf = (1..=n.max(1))
            .map(|k| {
                acc += (k as f64 + q).powf(-s);
                acc
            })
            .collect();
        Zipf { cdf }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cdf.last().copied().unwrap_or(1.0);
        let u = rng.f64() * total;
        self.cdf.partition_point(|&c| c <= u).min(self.cdf.len() - 1)
    }
}

// ---------------------------------------------------------------------------
// Calendar (proleptic Gregorian, days since 1970-01-01)
// ---------------------------------------------------------------------------

const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

fn day_of(secs: i64) -> i64 {
    secs.div_euclid(86_400)
}

fn fmt_date(day: i64, out: &mut String) {
    let (y, m, d) = civil_from_days(day);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
}

/// An offset datetime in UTC: `2025-03-14T09:12:00Z`.
fn fmt_datetime(secs: i64, out: &mut String) {
    fmt_date(day_of(secs), out);
    let t = secs.rem_euclid(86_400);
    let _ = write!(out, "T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60);
}

fn clock_string(secs: i64) -> String {
    let t = secs.rem_euclid(86_400);
    format!("{:02}:{:02}", t / 3600, t / 60 % 60)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn long_date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{d} {} {y}", MONTHS[(m - 1) as usize])
}

fn duration_words(minutes: i64) -> String {
    match minutes {
        i64::MIN..=1 => "about a minute".to_string(),
        2..=89 => format!("{minutes} minutes"),
        90..=2879 => {
            let h = (minutes + 30) / 60;
            format!("{h} hours")
        }
        _ => format!("{} days", (minutes + 720) / 1440),
    }
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

/// Real nouns, most frequent first (`_` joins multi-word terms).
const NOUNS: &str = "request error service traffic latency database connection pool replica primary cluster node \
pod deployment release config cache queue alert dashboard customer order payment checkout session token timeout \
retry rollout rollback change team engineer minute hour time load capacity disk memory host instance client server \
endpoint response query lock transaction region zone failover certificate resolver network route packet proxy \
gateway message event consumer producer topic partition shard index job worker scheduler migration schema table \
backup snapshot volume bucket object key secret credential lease quorum leader heartbeat handshake threshold budget \
metric signal page incident runbook responder vendor provider dependency upstream pipeline build image container \
kernel autoscaler quota limit canary flag feature version library driver socket log trace probe check test drill \
window peak spike surge storm stampede eviction saturation exhaustion leak regression backlog lag throughput \
headroom cost p99 p99.9 p50 SLO us-east-1 eu-west-1 us-west-2 eu-central-1 ap-southeast-2 TLS mTLS DNS TTL BGP CDN \
API SQL JVM CPU IOPS Kafka Redis PostgreSQL Kubernetes Envoy chrony nginx error_rate error_budget load_balancer \
health_check connection_pool circuit_breaker rate_limiter control_plane data_plane write_path read_path game_day \
split_brain on-call call week day night weekend morning shift plan review decision question problem case point \
state result reason step side effect fix path place level rate number list set part way counter overflow sequence \
header payload webhook notification email search indexer alias mapping feed report warehouse inventory cart \
catalog price promotion coupon shipment delivery slot account login password user tenant partner browser app \
datacenter rack switch link carrier fleet cohort sample span descriptor thread heap process daemon agent sidecar \
mesh ingress origin edge purge expiry renewal rotation issuer chain keystore clock skew offset drift timezone \
rollover backfill reconciliation idempotency duplicate batch cron deadline escalation ticket status_page";

/// Real verbs, past tense, most frequent first.
const VERBS: &str = "rose dropped spiked stalled retried restarted rejected returned served evicted exhausted \
saturated promoted fenced drained cordoned scaled throttled paged alerted detected noticed confirmed reverted \
deployed pushed expired rotated renewed queued lost duplicated blocked locked held released leaked grew filled \
crashed recovered degraded flapped reconnected overloaded missed skipped masked hid doubled stopped started opened \
closed reached exceeded hit crossed triggered fired suppressed routed propagated replicated synced compacted \
rebuilt reindexed migrated mounted wrote read sent received accepted refused shed delayed slowed cleared kept left \
moved changed updated removed added disabled enabled raised lowered capped limited checked tested measured logged \
traced sampled reported escalated declared mitigated resolved restored replayed purged flushed warmed invalidated \
timed_out rolled_back took_over fell_back backed_off";

const ADJECTIVES: &str = "stale slow partial intermittent silent cold warm noisy flaky healthy unhealthy degraded \
read-only writable secondary internal external regional global nightly manual automatic default expired invalid \
missing duplicate unbounded long-lived short-lived synthetic critical minor major high low sudden gradual \
unexpected expected new old previous current stuck orphaned shared dedicated busy idle empty full large small fast \
brief steady rising falling hidden visible known unknown upstream downstream primary single multiple separate \
first second last final whole same different";

const ADVERBS: &str = "quickly slowly briefly silently gradually immediately eventually repeatedly intermittently \
automatically manually again still only already later soon first then twice";

const DETS: &[&str] = &[
    "the", "the", "the", "the", "the", "the", "the", "", "", "", "a", "a", "its", "our", "each", "every", "this", "no",
    "one", "some",
];
const PREPS: &[&str] = &[
    "on", "on", "in", "in", "in", "at", "after", "before", "during", "across", "behind", "through", "from", "for",
    "for", "with", "with", "without", "under", "over", "between", "into", "via", "against",
];
const CONJS: &[&str] =
    &["and", "and", "and", "but", "so", "while", "because", "until", "after", "before", "when", "although", "and then"];

/// Words that must never appear: they trip the blame-wording lint or read as blame.
const BANNED: &[&str] = &["blame", "careless", "negligent", "negligence", "human", "forgot", "should", "failed"];

struct Words {
    list: Vec<String>,
    zipf: Zipf,
}

impl Words {
    fn new(list: Vec<String>, s: f64) -> Words {
        let zipf = Zipf::new(list.len(), s, 2.7);
        Words { list, zipf }
    }

    fn pick(&self, rng: &mut Rng) -> &str {
        &self.list[self.zipf.sample(rng)]
    }
}

struct Lexicon {
    nouns: Words,
    verbs: Words,
    adjs: Words,
    advs: Words,
    /// How many of `nouns` are real words (the rest are generated).
    real_nouns: usize,
    /// Every word, for minting distinctive terms that appear nowhere else.
    all: HashSet<String>,
}

const ONSETS: &[&str] = &[
    "b", "bl", "br", "c", "cr", "d", "dr", "f", "fl", "fr", "g", "gl", "gr", "h", "j", "k", "l", "m", "n", "p", "pl",
    "pr", "r", "s", "sk", "sl", "sn", "sp", "st", "t", "tr", "v", "w", "y", "sh", "ch", "th",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "a", "e", "i", "o", "a", "e", "ea", "ou", "ai"];
const CODAS: &[&str] = &["", "", "", "", "n", "r", "l", "s", "t", "m", "nd", "nt", "st", "rt", "ll", "ng"];

fn pseudo_word(rng: &mut Rng) -> String {
    let syllables = if rng.chance(0.75) { 2 } else { 3 };
    let mut w = String::new();
    for k in 0..syllables {
        // Later syllables start with a single consonant, as most English words do.
        let onset = rng.pick(ONSETS);
        w.push_str(if k > 0 && onset.len() > 1 { &onset[..1] } else { onset });
        w.push_str(rng.pick(VOWELS));
        if k + 1 == syllables || rng.chance(0.4) {
            w.push_str(rng.pick(CODAS));
        }
    }
    w
}

/// A new made-up word: a pseudo-word stem (trailing vowels trimmed when `trim`) plus `end`,
/// unique in `seen` and free of banned words.
fn derived(rng: &mut Rng, seen: &mut HashSet<String>, end: &str, trim: bool) -> String {
    for attempt in 0u32.. {
        let w = pseudo_word(rng);
        let stem = if trim { w.trim_end_matches(['a', 'e', 'i', 'o', 'u']) } else { w.as_str() };
        let mut word = format!("{stem}{end}");
        if attempt > 50 {
            let _ = write!(word, "{attempt}");
        }
        if (4..=14).contains(&word.len()) && !BANNED.iter().any(|b| word.contains(b)) && seen.insert(word.clone()) {
            return word;
        }
    }
    String::new()
}

fn build_lexicon(rng: &mut Rng) -> Lexicon {
    let mut all: HashSet<String> = HashSet::new();
    let mut real = |src: &str| -> Vec<String> {
        src.split_whitespace().map(|w| w.replace('_', " ")).filter(|w| all.insert(w.clone())).collect()
    };
    let mut nouns = real(NOUNS);
    let mut verbs = real(VERBS);
    let mut adjs = real(ADJECTIVES);
    let mut advs = real(ADVERBS);
    let real_nouns = nouns.len();
    const NOUN_ENDS: &[&str] =
        &["", "", "", "", "er", "ion", "ment", "ness", "ing", "ity", "age", "ance", "ure", "ism"];
    const VERB_ENDS: &[&str] = &["ed", "ed", "ed", "ated", "ified", "ized"];
    const ADJ_ENDS: &[&str] = &["al", "ic", "ous", "ive", "ant", "able"];
    const ADV_ENDS: &[&str] = &["ly", "ally", "ously"];
    for i in 0..1800 {
        nouns.push(derived(rng, &mut all, NOUN_ENDS[i % NOUN_ENDS.len()], false));
    }
    for i in 0..600 {
        verbs.push(derived(rng, &mut all, VERB_ENDS[i % VERB_ENDS.len()], true));
    }
    for i in 0..500 {
        adjs.push(derived(rng, &mut all, ADJ_ENDS[i % ADJ_ENDS.len()], true));
    }
    for i in 0..150 {
        advs.push(derived(rng, &mut all, ADV_ENDS[i % ADV_ENDS.len()], true));
    }
    Lexicon {
        nouns: Words::new(nouns, 1.2),
        verbs: Words::new(verbs, 1.15),
        adjs: Words::new(adjs, 1.15),
        advs: Words::new(advs, 1.1),
        real_nouns,
        all,
    }
}

/// A distinctive term for a planted group: a made-up word found nowhere else.
fn mint_term(rng: &mut Rng, lex: &Lexicon, minted: &mut HashSet<String>) -> String {
    const HEADS: &[&str] = &["qu", "x", "z", "v", "k", "zh", "kr", "vr", "xy", "qu"];
    const TAILS: &[&str] = &["ix", "ane", "yx", "eth", "ion", "ara", "ode", "ith", "orn", "elle", "ium", "ex"];
    for attempt in 0u32.. {
        let mut w = String::new();
        w.push_str(rng.pick(HEADS));
        w.push_str(rng.pick(VOWELS));
        w.push_str(rng.pick(CODAS));
        if rng.chance(0.4) {
            w.push_str(rng.pick(ONSETS));
            w.push_str(rng.pick(VOWELS));
        }
        w.push_str(rng.pick(TAILS));
        if attempt > 40 {
            let _ = write!(w, "{}", attempt % 10);
        }
        if !lex.all.contains(&w) && !BANNED.iter().any(|b| w.contains(b)) && minted.insert(w.clone()) {
            return w;
        }
    }
    String::new()
}

// ---------------------------------------------------------------------------
// The failure-category taxonomy, with the phrases each category's records use
// ---------------------------------------------------------------------------

struct Cat {
    name: &'static str,
    group: &'static str,
    description: &'static str,
    /// Noun phrases for what users and engineers saw.
    symptoms: &'static [&'static str],
    /// Noun phrases (with an article) for what set it off.
    triggers: &'static [&'static str],
    /// Error-message-like text.
    errors: &'static [&'static str],
    /// Imperative remedy summaries.
    remedies: &'static [&'static str],
    /// (control, summary) guardrails.
    guards: &'static [(&'static str, &'static str)],
    /// Remedy steps.
    steps: &'static [&'static str],
}

const CATS: &[Cat] = &[
    Cat {
        name: "config-change",
        group: "change",
        description: "A configuration or feature-flag change, pushed by a person or by automation, caused the failure.",
        symptoms: &["5xx errors", "rejected requests", "a traffic blackhole", "routing errors"],
        triggers: &[
            "a config push to {svc}",
            "an automated config rollout",
            "a change to {cfg}",
            "a templating change in {comp}",
        ],
        errors: &[
            "config validation error: unknown field '{cfg}' in {comp}.yaml",
            "upstream connect error or disconnect/reset before headers. reset reason: overflow",
            "route_not_found: no route for host {svc}.internal (config version {n})",
        ],
        remedies: &[
            "Revert the {cfg} change and redeploy the {svc} config",
            "Pin {comp} to the last known good config bundle",
        ],
        guards: &[
            ("test", "Config changes to {svc} are validated against the schema in CI before they merge"),
            ("rollback", "Config pushes to {svc} canary on 5% of hosts for 15 minutes and roll back on errors"),
            ("review", "Changes to {cfg} need a second reviewer from the owning team"),
        ],
        steps: &[
            "git revert the config commit and run the config pipeline for {svc}",
            "Confirm {comp} reports the previous config version on every host",
        ],
    },
    Cat {
        name: "deploy",
        group: "change",
        description: "A code release, build artefact or migration shipped through the pipeline caused the failure.",
        symptoms: &[
            "elevated 5xx after a release",
            "crash-looping pods",
            "checkout errors after a deploy",
            "a latency regression",
        ],
        triggers: &[
            "release {rel} of {svc}",
            "a dependency upgrade in {svc}",
            "a hotfix deploy to {svc}",
            "a build with a stale lockfile",
        ],
        errors: &[
            "CrashLoopBackOff: back-off 5m0s restarting container {svc} in pod {host}",
            "panic: runtime error: invalid memory address or nil pointer dereference [{comp}]",
            "NoSuchMethodError: {comp}.{noun}Handler.handle(Request) after upgrade",
        ],
        remedies: &[
            "Roll back {svc} to the previous release",
            "Pause the deploy pipeline for {svc} and ship a fix forward",
        ],
        guards: &[
            ("rollback", "Automatic rollback when the {svc} canary's error rate exceeds twice the baseline"),
            ("test", "Contract tests between {svc} and {svc2} run on every build"),
            ("review", "Staged rollout with a 30-minute bake time for {svc}"),
        ],
        steps: &[
            "kubectl -n {team} rollout undo deploy/{svc}",
            "Watch the 5xx rate on the {svc} dashboard return to baseline",
        ],
    },
    Cat {
        name: "capacity",
        group: "capacity",
        description: "Demand outgrew provisioned capacity: traffic peaks, missing headroom, autoscaling limits.",
        symptoms: &["request queueing at peak", "timeouts under peak load", "saturated workers", "slow pages at peak"],
        triggers: &["a marketing campaign traffic spike", "the holiday peak", "a partner batch import", "a flash sale"],
        errors: &[
            "HTTP 429 Too Many Requests from {svc} (limit {n} rps)",
            "upstream request timeout after 30000 ms ({svc})",
            "worker pool saturated: {n}/{n} busy, queue {big}",
        ],
        remedies: &["Scale {svc} out and raise the replica floor", "Shed non-critical traffic at the gateway"],
        guards: &[
            ("test", "Quarterly load test of {svc} at twice the forecast peak"),
            ("alert", "Capacity alert when {svc} passes 70% of provisioned throughput"),
        ],
        steps: &[
            "kubectl -n {team} scale deploy/{svc} --replicas={n}",
            "Enable the load-shedding rule for anonymous traffic at the gateway",
        ],
    },
    Cat {
        name: "resource-exhaustion",
        group: "capacity",
        description: "A finite resource ran out: disk, memory, connections, file descriptors, id space.",
        symptoms: &[
            "disk full on hosts",
            "out-of-memory kills",
            "connection pool exhaustion",
            "file descriptor exhaustion",
        ],
        triggers: &[
            "debug logging left on in {svc}",
            "a slow leak in {comp}",
            "unbounded temp files from {comp}",
            "a retry loop holding connections",
        ],
        errors: &[
            "No space left on device (os error 28) writing /var/lib/{svc}/{term}.log",
            "java.lang.OutOfMemoryError: Java heap space in {comp}",
            "accept4: too many open files; retrying in 1s",
            "timeout acquiring connection from pool {comp} after 5000 ms (active={n}, idle=0)",
        ],
        remedies: &["Free disk space and rotate the {svc} logs", "Restart {svc} to release leaked descriptors"],
        guards: &[
            ("alert", "Alert at 80% disk on {svc} volumes with a six-hour fill forecast"),
            ("other", "Size-capped log rotation for {comp}"),
            ("alert", "Alert on connection pool wait time for {svc}"),
        ],
        steps: &[
            "du -sh /var/lib/{svc}/* | sort -h | tail",
            "Truncate or move the largest log files, then restart {comp}",
        ],
    },
    Cat {
        name: "dependency-failure",
        group: "dependencies",
        description: "An internal service we depend on failed or degraded and the failure spread.",
        symptoms: &["cascading timeouts", "a retry storm", "degraded checkout", "partial page loads"],
        triggers: &["a slowdown in {svc2}", "{svc2} returning 503s", "a brownout of {svc2}", "a restart of {svc2}"],
        errors: &[
            "context deadline exceeded calling {svc2}/{term} after 3 retries",
            "circuit breaker {comp} is OPEN; rejecting calls to {svc2}",
            "503 Service Unavailable from {svc2} (x-request-id {hex})",
        ],
        remedies: &[
            "Open the circuit breaker to {svc2} and serve the fallback",
            "Cut retries from {svc} to {svc2} to one",
        ],
        guards: &[
            ("rate-limit", "Retry budget of 10% of requests for calls from {svc} to {svc2}"),
            ("chaos-exercise", "Monthly game day that slows {svc2} while {svc} serves traffic"),
            ("feature-flag", "Kill switch that turns off the {svc2} call path in {svc}"),
        ],
        steps: &[
            "Set the {comp} breaker to forced-open in the admin console",
            "Confirm {svc} serves cached responses and the error rate drops",
        ],
    },
    Cat {
        name: "third-party",
        group: "dependencies",
        description: "A vendor or provider outside the company failed: payments, DNS, transit, SaaS.",
        symptoms: &[
            "card authorisations declined",
            "SMS delivery delays",
            "vendor API timeouts",
            "missing shipping quotes",
        ],
        triggers: &[
            "an outage at our payment processor",
            "a provider maintenance window",
            "a vendor API change",
            "a vendor rate limit",
        ],
        errors: &[
            "502 Bad Gateway from api.{vendor}.example (request id {hex})",
            "vendor responded 'service temporarily unavailable' (code {n})",
            "processor decline code 96: system malfunction ({vendor})",
        ],
        remedies: &[
            "Fail over to the secondary provider",
            "Queue outbound requests and replay them after the vendor recovers",
        ],
        guards: &[
            ("other", "Automatic failover to the secondary provider at a 5% error rate"),
            ("alert", "Vendor status feed and error rate wired into the incident channel"),
        ],
        steps: &[
            "Switch the {svc} provider flag to the secondary",
            "Replay the queued requests once the vendor status page is green",
        ],
    },
    Cat {
        name: "certificate-expiry",
        group: "dependencies",
        description: "A TLS, mTLS, signing or client certificate or key expired or was rotated badly.",
        symptoms: &[
            "TLS handshake errors",
            "mTLS rejections between services",
            "browser certificate warnings",
            "signature verification errors",
        ],
        triggers: &[
            "an expired certificate on {svc}",
            "a missed certificate renewal",
            "a CA chain rotation",
            "a signing key rotation",
        ],
        errors: &[
            "x509: certificate has expired or is not yet valid: current time {ts} is after {ts2}",
            "tls: handshake error: remote error: tls: bad certificate ({comp})",
            "SSL routines::certificate verify error: unable to get local issuer certificate",
        ],
        remedies: &["Issue and deploy a new certificate for {svc}", "Reload the trust store on the {svc} hosts"],
        guards: &[
            ("alert", "Alert 30 days before any certificate in the inventory expires"),
            ("other", "Automated renewal and deployment of {svc} certificates"),
            ("test", "A synthetic check that validates the full {svc} chain daily"),
        ],
        steps: &[
            "openssl s_client -connect {svc}.internal:443 -showcerts | openssl x509 -noout -dates",
            "Deploy the renewed certificate and restart {comp}",
        ],
    },
    Cat {
        name: "dns",
        group: "infrastructure",
        description: "Name resolution failed: resolvers, zones, TTLs, providers.",
        symptoms: &[
            "name resolution timeouts",
            "NXDOMAIN for internal names",
            "SERVFAIL from resolvers",
            "intermittent lookup errors",
        ],
        triggers: &[
            "resolver overload",
            "a zone change with a typo",
            "a low TTL during a migration",
            "a DNS provider outage",
        ],
        errors: &[
            "dial tcp: lookup {svc}.internal on 10.0.0.2:53: i/o timeout",
            "SERVFAIL resolving {svc}.svc.cluster.local (rcode 2)",
            "getaddrinfo ENOTFOUND {svc2}.internal",
        ],
        remedies: &["Scale the resolver fleet and enable negative caching", "Roll back the zone change"],
        guards: &[
            ("other", "A node-local DNS cache on every host"),
            ("test", "A zone file lint in CI"),
            ("alert", "Alert on resolver SERVFAIL rate above 1%"),
        ],
        steps: &[
            "dig @10.0.0.2 {svc}.internal +tries=1 +time=1",
            "Restart the resolver pods and watch the SERVFAIL graph",
        ],
    },
    Cat {
        name: "network",
        group: "infrastructure",
        description: "Packets did not get through: routing, partitions, load balancers, BGP.",
        symptoms: &[
            "packet loss between zones",
            "connection resets",
            "a partial network partition",
            "asymmetric routing",
        ],
        triggers: &[
            "a BGP route leak at a transit provider",
            "a switch firmware upgrade",
            "a security group change",
            "an MTU change",
        ],
        errors: &[
            "read tcp {ip}:443: connection reset by peer",
            "connect: no route to host ({host})",
            "i/o timeout after 10s dialing {svc2}:5432",
        ],
        remedies: &["Withdraw the affected prefixes and shift traffic to the other transit", "Drain the affected zone"],
        guards: &[
            ("other", "Route filters with max-prefix limits on every transit session"),
            ("alert", "Synthetic probes between every pair of zones with loss alerts"),
        ],
        steps: &["mtr -rwc 100 {host}", "Shift traffic away from the zone with the traffic manager"],
    },
    Cat {
        name: "storage",
        group: "infrastructure",
        description: "Disks, volumes and object storage: throughput, lifecycle rules, durability.",
        symptoms: &["I/O latency spikes", "read errors from object storage", "throttled volumes", "missing images"],
        triggers: &[
            "a lifecycle rule that deleted live objects",
            "burst credit depletion",
            "a backup job saturating IOPS",
            "a volume resize",
        ],
        errors: &[
            "GetObject: NoSuchKey: the specified key does not exist ({bucket})",
            "volume {vol} exceeded provisioned IOPS; throttling",
            "fsync took 4{n} ms on /data ({host})",
        ],
        remedies: &["Restore the objects from the versioned bucket", "Move the backup job off the primary volume"],
        guards: &[
            ("review", "Lifecycle rules need a review and a dry run"),
            ("alert", "IOPS headroom alert on the {svc} volumes"),
        ],
        steps: &[
            "List the deleted versions in {bucket} and restore them",
            "Reschedule the backup job outside peak hours",
        ],
    },
    Cat {
        name: "time-and-clocks",
        group: "infrastructure",
        description: "Clock skew, calendar arithmetic, time zones, year and week rollovers.",
        symptoms: &[
            "tokens rejected as not yet valid",
            "jobs scheduled in the wrong week",
            "clock skew between nodes",
            "expired sessions",
        ],
        triggers: &[
            "a week-year rollover",
            "an NTP misconfiguration on a node image",
            "a daylight-saving transition",
            "a leap-day calculation",
        ],
        errors: &[
            "jwt rejected: reason=token_not_yet_valid nbf={big} kid={hex}",
            "scheduled run for week 1 resolved to the wrong year ({comp})",
            "clock offset 9{n} ms exceeds tolerance on {host}",
        ],
        remedies: &[
            "Step the clock with chronyc makestep and fix the time sources",
            "Reschedule the affected jobs by hand",
        ],
        guards: &[
            ("alert", "Alert on node clock offset above 500 ms"),
            ("test", "Calendar edge cases in the {comp} test suite"),
        ],
        steps: &[
            "chronyc tracking; chronyc sources -v",
            "chronyc makestep, then confirm the offset is in milliseconds",
        ],
    },
    Cat {
        name: "database",
        group: "data",
        description: "Relational and document databases: failover, locking, migrations, connection pools.",
        symptoms: &["read-only transaction errors", "replication lag", "lock waits", "slow queries"],
        triggers: &["a database failover", "a long-running migration", "a vacuum storm", "a missing index"],
        errors: &[
            "ERROR: cannot execute {op} in a read-only transaction (SQLSTATE 25006)",
            "FATAL: remaining connection slots are reserved for non-replication superuser connections",
            "Lock wait timeout exceeded; try restarting transaction ({table})",
        ],
        remedies: &[
            "Restart {svc} so its pools reconnect to the new primary",
            "Kill the blocking session and rerun the change online",
        ],
        guards: &[
            ("other", "Pool health checks in {svc} detect read-only nodes"),
            ("chaos-exercise", "Quarterly failover game day with {svc} writing through the switchover"),
            ("review", "Migrations run with lock_timeout and a dry run against a production snapshot"),
        ],
        steps: &[
            "SELECT pid, state, query FROM pg_stat_activity WHERE wait_event_type = 'Lock';",
            "kubectl -n {team} rollout restart deploy/{svc}",
        ],
    },
    Cat {
        name: "cache",
        group: "data",
        description: "Caches failing open or shut: stampedes, evictions, stale or lost entries.",
        symptoms: &["a cache stampede", "mass eviction", "stale reads", "a cold cache after restart"],
        triggers: &[
            "a cache flush during peak",
            "maxmemory reached on the cache",
            "a key schema change",
            "a cache node replacement",
        ],
        errors: &[
            "OOM command not allowed when used memory > 'maxmemory'",
            "cache miss ratio {pct}% on {comp} (normal 3%)",
            "READONLY You can't write against a read only replica.",
        ],
        remedies: &["Warm the cache from the replica before serving traffic", "Turn on request coalescing in {svc}"],
        guards: &[
            ("other", "Request coalescing for cache misses in {svc}"),
            ("alert", "Alert on eviction rate and memory headroom for the {svc} cache"),
        ],
        steps: &[
            "redis-cli info memory | grep used_memory_human",
            "Raise maxmemory on the cache and re-enable the warmer",
        ],
    },
    Cat {
        name: "data-corruption",
        group: "data",
        description: "Data was lost, duplicated or made wrong, whether or not anything went down.",
        symptoms: &["duplicate orders", "wrong prices shown", "missing records", "double notifications"],
        triggers: &["a non-idempotent retry", "an integer overflow", "a partial backfill", "a replay of old events"],
        errors: &[
            "duplicate key value violates unique constraint \"{table}_pkey\"",
            "value {big} out of range for type integer",
            "checksum mismatch for batch {hex} in {comp}",
        ],
        remedies: &[
            "Run the reconciliation job and refund duplicates",
            "Restore the affected rows from the point-in-time backup",
        ],
        guards: &[
            ("other", "Idempotency keys on every write to {svc}"),
            ("alert", "Daily reconciliation report with an alert on drift"),
        ],
        steps: &["Run the reconciliation job for the affected window", "Refund or correct each record on the report"],
    },
    Cat {
        name: "security",
        group: "security",
        description: "Attacks, leaked credentials and access-control failures.",
        symptoms: &["credential stuffing", "a leaked API key", "suspicious logins", "an over-broad access grant"],
        triggers: &[
            "a credential list from another breach",
            "an API key shipped in a client bundle",
            "an over-broad IAM role",
            "a scraping bot",
        ],
        errors: &[
            "login attempts from {big} distinct IPs exceeded threshold on {svc}",
            "AccessDenied: role {comp} is not authorized to perform s3:GetObject",
            "secret scanner: live key pattern found in artefact {svc}-{rel}",
        ],
        remedies: &["Rotate the exposed key and revoke sessions", "Challenge logins from flagged networks"],
        guards: &[
            ("test", "Secret scanning on every commit and build artefact"),
            ("rate-limit", "Adaptive rate limits on the {svc} login endpoint"),
            ("training", "Secure handling of keys in the onboarding course"),
        ],
        steps: &["Rotate the key in the secrets manager", "Revoke active sessions and watch the login error rate"],
    },
    Cat {
        name: "monitoring-gap",
        group: "observability",
        description: "We did not see it: missing, noisy or misrouted alerts and dashboards.",
        symptoms: &["a silent failure", "missing metrics", "alerts routed to nobody", "a dashboard that hid errors"],
        triggers: &[
            "a metrics pipeline dropping samples",
            "an alert routed to a retired channel",
            "a recording rule change",
            "a renamed metric",
        ],
        errors: &[
            "remote_write: dropped {big} samples: out of order",
            "no receivers matched for alert {svc}Down",
            "recording rule {term}:rate5m returned no data",
        ],
        remedies: &["Backfill the metrics and re-point the alert route", "Restart the collector and replay its buffer"],
        guards: &[
            ("alert", "A dead man's switch alert for every metrics pipeline"),
            ("test", "Alert routing tests in CI"),
        ],
        steps: &[
            "amtool config routes test --config.file=alertmanager.yml service={svc}",
            "Backfill from the collector buffer",
        ],
    },
    Cat {
        name: "load-balancer",
        group: "infrastructure",
        description: "Load balancers and proxies routed traffic badly: health checks, draining, listeners.",
        symptoms: &[
            "502s from the load balancer",
            "uneven load across targets",
            "connection draining stalls",
            "sticky sessions lost",
        ],
        triggers: &["a health check path change", "a listener change", "slow start disabled", "a target group swap"],
        errors: &[
            "upstream prematurely closed connection while reading response header from upstream",
            "502: target {host} is not healthy (health check /healthz returned 404)",
            "no healthy upstream for cluster {svc}",
        ],
        remedies: &[
            "Restore the health check path and re-register the targets",
            "Re-enable slow start on the target group",
        ],
        guards: &[
            ("test", "Health check paths are tested in the {svc} deploy pipeline"),
            ("alert", "Alert when fewer than half the {svc} targets are healthy"),
        ],
        steps: &["Check target health in the load balancer console", "Re-register the drained targets"],
    },
    Cat {
        name: "queue-backlog",
        group: "data",
        description: "Queues and streams fell behind: poison messages, rebalances, slow consumers.",
        symptoms: &["consumer lag", "a message backlog", "delayed notifications", "out-of-order events"],
        triggers: &["a poison message", "a consumer rebalance loop", "a partition reassignment", "a consumer deploy"],
        errors: &[
            "consumer group {comp} lag {big} messages on topic {topic}",
            "CommitFailedException: commit cannot be completed since the group has already rebalanced",
            "message {hex} exceeded max delivery attempts (5) on {topic}",
        ],
        remedies: &["Move the poison message to the dead-letter queue", "Scale consumers to the partition count"],
        guards: &[
            ("other", "A dead-letter queue with an alert on its depth"),
            ("alert", "A lag alert for every consumer group"),
        ],
        steps: &["kafka-consumer-groups --describe --group {comp}", "Skip the offset past the poison message"],
    },
    Cat {
        name: "rate-limiting",
        group: "capacity",
        description: "Rate limits and quotas throttled the wrong traffic or none at all.",
        symptoms: &["legitimate clients throttled", "429 errors for partners", "a noisy tenant starving others"],
        triggers: &[
            "a rate-limit config push",
            "a quota shared between tenants",
            "a limiter restart that lost its state",
        ],
        errors: &["HTTP 429: rate limit exceeded for key {comp} ({n}/min)", "quota exhausted for tenant {hex}"],
        remedies: &["Raise the limit for the affected tenants", "Move the noisy tenant to its own quota"],
        guards: &[
            ("rate-limit", "New rate limits run in shadow mode for a week first"),
            ("alert", "Alert on the share of rejected requests per tenant"),
        ],
        steps: &["Raise the per-key limit in the limiter config", "Confirm 429s drop on the partner dashboard"],
    },
    Cat {
        name: "autoscaling",
        group: "capacity",
        description: "Autoscalers scaled too late, too little, or the wrong way.",
        symptoms: &["scale-up too slow", "scale-down removed busy nodes", "pods stuck pending"],
        triggers: &["an autoscaler misconfiguration", "a cloud quota limit", "a scaling metric that lagged"],
        errors: &[
            "0/{n} nodes are available: insufficient cpu",
            "cannot scale up: quota 'CPUS' exceeded in region {region}",
            "HPA {svc}: unable to fetch metrics from resource metrics API",
        ],
        remedies: &["Raise the minimum replica count", "Request a quota increase and pre-scale"],
        guards: &[
            ("alert", "Alert when {svc} stays at its maximum replica count for 10 minutes"),
            ("test", "Scale-up drills before every planned peak"),
        ],
        steps: &[
            "kubectl -n {team} patch hpa {svc} -p '{\"spec\":{\"minReplicas\":{n}}}'",
            "Watch pending pods reach zero",
        ],
    },
    Cat {
        name: "feature-flag",
        group: "change",
        description: "A feature flag was flipped, targeted or cleaned up in a way that broke users.",
        symptoms: &["a feature enabled for the wrong audience", "a half-launched feature", "a checkout path disabled"],
        triggers: &["a flag targeting rule change", "a flag cleanup that removed a live flag", "a flag default change"],
        errors: &[
            "flag evaluation error: rule {n} references unknown segment '{term}'",
            "flag {cfg} not found; serving default false",
        ],
        remedies: &["Turn the flag off", "Restore the deleted flag with its previous rules"],
        guards: &[
            ("review", "Flag changes to checkout paths need a second reviewer"),
            ("feature-flag", "Flags are archived, never deleted, for 30 days"),
        ],
        steps: &[
            "Turn the flag off in the flag console",
            "Confirm the evaluation count for the old rule drops to zero",
        ],
    },
    Cat {
        name: "schema-migration",
        group: "data",
        description: "A schema change locked tables, rewrote data or broke readers.",
        symptoms: &["table locks during a migration", "writes blocked", "a reader broken by a dropped column"],
        triggers: &[
            "an ALTER TABLE that rewrote a large table",
            "a missing index in a backfill",
            "a column drop before readers moved",
        ],
        errors: &[
            "canceling statement due to lock timeout",
            "ERROR: could not obtain lock on relation \"{table}\"",
            "column \"{term}_id\" does not exist",
        ],
        remedies: &[
            "Cancel the migration and rerun it with the online schema change tool",
            "Restore the dropped column",
        ],
        guards: &[
            ("review", "Migrations on tables over 10 GB use the online schema change tool"),
            ("test", "Migration dry runs against a production snapshot"),
        ],
        steps: &[
            "SELECT pg_cancel_backend(pid) for the migration session",
            "Rerun with the online tool in batches of {n}",
        ],
    },
    Cat {
        name: "memory-leak",
        group: "capacity",
        description: "Memory grew until processes were killed or slowed by garbage collection.",
        symptoms: &["gradual memory growth", "periodic OOM restarts", "long GC pauses"],
        triggers: &[
            "a leak in a new client library",
            "an unbounded in-process cache",
            "a listener registered per request",
        ],
        errors: &[
            "Memory cgroup out of memory: Killed process {n} ({svc})",
            "container {svc} exceeded memory limit (OOMKilled)",
            "GC pause 4{n} ms exceeded budget in {comp}",
        ],
        remedies: &["Roll back the library upgrade", "Schedule rolling restarts until the fix ships"],
        guards: &[
            ("alert", "Alert on memory growth rate per {svc} pod"),
            ("test", "A 24-hour soak test for {svc} releases"),
        ],
        steps: &[
            "Take a heap dump from one pod before restarting it",
            "kubectl -n {team} rollout restart deploy/{svc}",
        ],
    },
    Cat {
        name: "thread-pool",
        group: "capacity",
        description: "Worker threads or event loops were blocked or starved.",
        symptoms: &["request threads blocked", "thread pool starvation", "an event loop stall"],
        triggers: &[
            "a blocking call on the event loop",
            "a synchronous call to a slow dependency",
            "a lock held across I/O",
        ],
        errors: &[
            "RejectedExecutionException: pool {comp} exhausted (size {n}, queue {big})",
            "event loop blocked for 2{n} ms in {comp}",
        ],
        remedies: &["Move the blocking call to a dedicated pool", "Restart {svc} to clear stuck threads"],
        guards: &[
            ("alert", "Alert on thread pool queue depth for {svc}"),
            ("test", "A lint that rejects blocking calls on the event loop"),
        ],
        steps: &["Take a thread dump: jstack PID > dump.txt", "Restart the stuck pods one by one"],
    },
    Cat {
        name: "kubernetes",
        group: "infrastructure",
        description: "The container platform: node pools, evictions, upgrades, image pulls.",
        symptoms: &["evicted pods", "nodes NotReady", "image pull errors", "pods stuck terminating"],
        triggers: &[
            "a node pool upgrade",
            "a control plane upgrade",
            "a missing PodDisruptionBudget",
            "an image registry outage",
        ],
        errors: &[
            "Back-off pulling image \"registry.internal/{svc}:{rel}\"",
            "The node was low on resource: ephemeral-storage",
            "0/{n} nodes are available: node(s) had untolerated taint",
        ],
        remedies: &["Add a PodDisruptionBudget and resume the upgrade", "Pin the image to the mirror registry"],
        guards: &[
            ("review", "Every production deployment has a PodDisruptionBudget"),
            ("test", "Node pool upgrades run in staging a week first"),
        ],
        steps: &[
            "kubectl get events -A --sort-by=.lastTimestamp | tail -50",
            "kubectl cordon NODE && kubectl drain NODE --ignore-daemonsets",
        ],
    },
    Cat {
        name: "ci-cd",
        group: "change",
        description: "Build and deploy tooling broke, blocked or shipped the wrong thing.",
        symptoms: &["broken builds", "deploys blocked", "the wrong artefact deployed"],
        triggers: &["an expired signing key", "a runner image change", "a cache poisoning in the build"],
        errors: &["signature verification error: key {hex} expired", "artifact {svc}-{rel}.tar.gz checksum mismatch"],
        remedies: &["Rotate the signing key and rebuild", "Pin the runner image to the previous version"],
        guards: &[
            ("alert", "Alert 30 days before signing keys expire"),
            ("test", "The pipeline verifies artefact checksums before deploy"),
        ],
        steps: &["Rebuild from a clean cache", "Redeploy the verified artefact"],
    },
    Cat {
        name: "batch-jobs",
        group: "data",
        description: "Scheduled and batch jobs overran, ran twice, or did not run.",
        symptoms: &["a nightly job overran", "missing reports", "a job that ran twice"],
        triggers: &["input growth", "a scheduler failover", "a cron expression change"],
        errors: &["job {comp} exceeded deadline of {big}s", "lock {term}-nightly already held by {host}"],
        remedies: &["Rerun the job for the missing window", "Split the job into partitions"],
        guards: &[
            ("alert", "Alert when {comp} has not completed by 06:00 UTC"),
            ("other", "Jobs take a lease so only one run can proceed"),
        ],
        steps: &["Trigger the job for the missing date range", "Check the output row counts against yesterday"],
    },
    Cat {
        name: "search-index",
        group: "data",
        description: "Search indexes went stale, partial, or slow.",
        symptoms: &["missing search results", "slow search queries", "a stale index"],
        triggers: &["an alias swap to a partial index", "a catastrophic regex", "a mapping change"],
        errors: &[
            "search_phase_execution_exception: too_many_clauses ({comp})",
            "index {term}-v{n} has {pct}% fewer documents than expected",
        ],
        remedies: &["Swap the alias back to the previous index", "Block the expensive query pattern"],
        guards: &[("test", "Alias swaps check document counts first"), ("rate-limit", "A query cost limit on {svc}")],
        steps: &["POST /_aliases to point back at the previous index", "Compare document counts between the indexes"],
    },
    Cat {
        name: "cdn",
        group: "infrastructure",
        description: "The CDN and edge: purges, cache rules, origin shielding.",
        symptoms: &["stale assets served", "origin overload after a purge", "broken images at the edge"],
        triggers: &["a global cache purge", "a CDN config change", "an origin certificate change"],
        errors: &["X-Cache: MISS from edge {host}; origin responded 503", "edge error 525: SSL handshake with origin"],
        remedies: &["Re-enable origin shielding and stagger purges", "Roll back the CDN config"],
        guards: &[
            ("rate-limit", "Purges are rate-limited and staggered by region"),
            ("alert", "Alert on origin request rate during purges"),
        ],
        steps: &["Roll back the CDN config version", "Watch the edge hit ratio recover"],
    },
    Cat {
        name: "authentication",
        group: "security",
        description: "Sign-in, tokens and identity providers failed for legitimate users.",
        symptoms: &["users logged out", "SSO login loops", "token validation errors"],
        triggers: &["a signing key rotation", "an identity provider outage", "a session store flush"],
        errors: &[
            "invalid_grant: token signature verification error (kid {hex})",
            "session {hex} not found in store {comp}",
        ],
        remedies: &[
            "Publish the previous signing key again in the JWKS",
            "Fail sign-in over to the secondary identity provider",
        ],
        guards: &[
            ("runbook", "A runbook for key rotation that keeps the old key published for 24 hours"),
            ("alert", "Alert on the rate of token validation errors"),
        ],
        steps: &["Add the previous key back to the JWKS document", "Confirm token validation errors drop"],
    },
];

// ---------------------------------------------------------------------------
// Other fixed lists
// ---------------------------------------------------------------------------

const COMPANIES: &[(&str, &str)] = &[
    ("Northwind Freight", "northwind"),
    ("Larkspur Health", "larkspur"),
    ("Bluefin Bank", "bluefin"),
    ("Copperleaf Market", "copperleaf"),
    ("Tidewater Travel", "tidewater"),
    ("Harborline Logistics", "harborline"),
    ("Juniper Ticketing", "juniper"),
    ("Ashgrove Media", "ashgrove"),
];

const DOMAINS: &[&str] = &[
    "payments",
    "checkout",
    "orders",
    "cart",
    "catalog",
    "search",
    "inventory",
    "pricing",
    "promo",
    "shipping",
    "delivery",
    "warehouse",
    "auth",
    "identity",
    "session",
    "accounts",
    "profile",
    "notifications",
    "email",
    "sms",
    "push",
    "recommendations",
    "reviews",
    "media",
    "images",
    "gateway",
    "edge",
    "ledger",
    "billing",
    "invoicing",
    "refunds",
    "fraud",
    "risk",
    "analytics",
    "metrics",
    "logging",
    "tracing",
    "events",
    "scheduler",
    "reports",
    "partner",
    "merchant",
    "loyalty",
    "coupons",
    "tax",
    "fx",
    "geo",
    "routing",
    "maps",
    "support",
    "chat",
    "flags",
    "config",
    "secrets",
    "dns",
    "platform",
    "storage",
    "booking",
    "returns",
    "subscriptions",
];
const SUFFIXES: &[&str] = &[
    "api",
    "db",
    "worker",
    "cache",
    "indexer",
    "consumer",
    "web",
    "sync",
    "proxy",
    "service",
    "frontend",
    "batch",
    "store",
    "gateway",
    "scheduler",
];
const COMP_SUFFIXES: &[&str] = &[
    "proxy",
    "sidecar",
    "agent",
    "controller",
    "pool",
    "router",
    "relay",
    "watcher",
    "broker",
    "syncer",
    "gate",
    "shim",
];
const CFG_KEYS: &[&str] = &[
    "max_inflight",
    "lease_ttl_ms",
    "pool_size",
    "retry_limit",
    "drain_timeout",
    "cache_ttl",
    "batch_size",
    "max_conn_lifetime",
    "queue_capacity",
    "flush_interval",
    "health_path",
    "shard_count",
];
const METRICS: &[&str] = &[
    "p99.9 latency",
    "p99 latency",
    "5xx rate",
    "queue depth",
    "replica lag",
    "pool wait time",
    "disk usage",
    "heap usage",
    "consumer lag",
    "cache hit ratio",
    "TLS handshake errors",
    "SERVFAIL rate",
    "error budget burn",
    "request rate",
    "CPU throttling",
    "GC pause time",
];
const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];
const VENDORS: &[&str] =
    &["paystream", "smsgate", "shipquote", "geocodr", "mailpost", "cardhub", "fxrates", "idverify"];
const TABLES: &[&str] = &[
    "orders",
    "payments",
    "line_items",
    "sessions",
    "shipments",
    "invoices",
    "accounts",
    "events",
    "refunds",
    "stock_levels",
];
const FIRST_NAMES: &[&str] = &[
    "dana", "sam", "li", "ellen", "priya", "owen", "jo", "grace", "mateo", "amara", "noah", "ines", "kofi", "yuki",
    "ravi", "lena", "tomas", "aisha", "ben", "chen", "sofia", "omar", "hana", "felix", "maya", "ivan", "zara", "leo",
    "nia", "arjun", "elif", "marco", "rosa", "theo", "kira", "david", "fatima", "jonas", "mei", "pablo", "sara",
    "yusuf", "clara", "emeka", "lucia", "hugo", "anya", "kenji", "nadia", "oscar",
];
const LAST_NAMES: &[&str] = &[
    "okafor", "patel", "wei", "brooks", "shah", "fletcher", "nakamura", "kim", "silva", "mensah", "garcia", "novak",
    "haddad", "tanaka", "kowalski", "dubois", "ibrahim", "larsen", "moreau", "reyes", "schmidt", "osei", "petrov",
    "rossi", "sato", "singh", "walsh", "yilmaz", "zhang", "alvarez", "bauer", "costa", "diallo", "eriksen", "fischer",
    "gomez", "hughes", "ito", "jansen", "khan", "lopez", "murphy", "nguyen", "oliveira", "park", "quinn", "ruiz",
    "suzuki", "torres", "vogel",
];
const ROLES: &[&str] = &[
    "engineering",
    "engineering",
    "engineering",
    "operations",
    "operations",
    "product",
    "support",
    "security",
    "customer-success",
    "communications",
    "leadership",
];
const TAGS: &[&str] = &[
    "failover",
    "postgresql",
    "connection-pool",
    "read-only",
    "tls",
    "mtls",
    "kafka",
    "redis",
    "kubernetes",
    "terraform",
    "canary",
    "rollback",
    "retry-storm",
    "thundering-herd",
    "oom",
    "disk-full",
    "ntp",
    "clock-skew",
    "bgp",
    "elasticsearch",
    "peak-traffic",
    "black-friday",
    "vendor",
    "iam",
    "secrets",
    "alerting",
    "observability",
    "envoy",
    "grpc",
    "http2",
    "s3",
    "backup",
    "cron",
    "idempotency",
    "deduplication",
    "jwt",
    "sso",
    "latency",
    "error-budget",
    "load-shedding",
    "circuit-breaker",
    "game-day",
    "runbook",
    "on-call",
    "pager",
    "mobile",
    "ios",
    "android",
    "web",
    "api",
    "partner-api",
    "gdpr",
    "pci",
    "cost",
    "capacity-planning",
    "autoscaling",
    "hpa",
    "cdn",
    "dns",
    "ttl",
    "migration",
    "schema",
    "lock-contention",
    "replication-lag",
    "split-brain",
    "cache-stampede",
    "eviction",
    "poison-message",
    "dead-letter",
    "backpressure",
    "rate-limit",
    "quota",
    "feature-flag",
    "config-drift",
];
const AUDIENCES: &[&str] = &[
    "checkout attempts",
    "sign-ins",
    "partner API calls",
    "mobile app sessions",
    "search queries",
    "merchant payouts",
    "order confirmations",
    "delivery bookings",
    "page views",
    "API requests",
];

// ---------------------------------------------------------------------------
// The world: taxonomy, services, teams and people
// ---------------------------------------------------------------------------

struct Service {
    name: String,
    team: usize,
}

struct Team {
    name: String,
    key: String,
    members: Vec<usize>,
}

struct World {
    company: &'static str,
    company_slug: &'static str,
    /// Indices into `CATS` declared in the taxonomy.
    cats: Vec<usize>,
    /// `cats` positions ordered by popularity, and its Zipf weights.
    cat_order: Vec<usize>,
    cat_zipf: Zipf,
    services: Vec<Service>,
    svc_order: Vec<usize>,
    svc_zipf: Zipf,
    teams: Vec<Team>,
    people: Vec<String>,
    facilitators: Vec<usize>,
    lex: Lexicon,
}

impl World {
    fn new(count: usize, seed: u64) -> World {
        let mut rng = Rng::derive(seed, u64::MAX);
        let (company, company_slug) = rng.pick(COMPANIES);
        let lex = build_lexicon(&mut rng);

        let n_cats = (16 + count / 250).min(CATS.len());
        let cats: Vec<usize> = (0..n_cats).collect();
        let mut cat_order: Vec<usize> = (0..n_cats).collect();
        rng.shuffle(&mut cat_order);
        let cat_zipf = Zipf::new(n_cats, 0.85, 0.0);

        let n_services = (50 + count / 50).min(200);
        let mut domains: Vec<&str> = DOMAINS.to_vec();
        rng.shuffle(&mut domains);
        let mut services: Vec<Service> = Vec::new();
        let mut teams: Vec<Team> = Vec::new();
        'outer: for domain in domains.iter().cycle() {
            let team = match teams.iter().position(|t| t.name == *domain) {
                Some(t) => t,
                None => {
                    let key: String = domain.chars().take(4).collect::<String>().to_ascii_uppercase();
                    teams.push(Team { name: domain.to_string(), key, members: Vec::new() });
                    teams.len() - 1
                }
            };
            let mut suffixes: Vec<&str> = SUFFIXES.to_vec();
            rng.shuffle(&mut suffixes);
            let take = rng.range(2, 4) as usize;
            let mut added = 0;
            for suffix in suffixes {
                if added == take {
                    break;
                }
                let name = format!("{domain}-{suffix}");
                if services.iter().any(|s| s.name == name) {
                    continue;
                }
                services.push(Service { name, team });
                added += 1;
                if services.len() == n_services {
                    break 'outer;
                }
            }
            if services.len() >= SUFFIXES.len() * DOMAINS.len() {
                break;
            }
        }
        let mut svc_order: Vec<usize> = (0..services.len()).collect();
        rng.shuffle(&mut svc_order);
        let svc_zipf = Zipf::new(services.len(), 0.9, 0.0);

        let n_people = (24 + count / 25).min(FIRST_NAMES.len() * LAST_NAMES.len()).min(420);
        let mut names: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        while names.len() < n_people {
            let name = format!("{}.{}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
            if seen.insert(name.clone()) {
                names.push(name);
            }
        }
        for (i, _) in names.iter().enumerate() {
            let t = i % teams.len();
            teams[t].members.push(i);
        }
        // Teams with a single member borrow a second so owners and authors can differ.
        let n_names = names.len();
        for (t, team) in teams.iter_mut().enumerate() {
            let mut extra = (t * 7 + 3) % n_names;
            while team.members.len() < 2.min(n_names) {
                if !team.members.contains(&extra) {
                    team.members.push(extra);
                }
                extra = (extra + 1) % n_names;
            }
        }
        let facilitators: Vec<usize> = (0..names.len().min(10)).collect();
        World {
            company,
            company_slug,
            cats,
            cat_order,
            cat_zipf,
            services,
            svc_order,
            svc_zipf,
            teams,
            people: names,
            facilitators,
            lex,
        }
    }

    /// A taxonomy category (index into `CATS`), skewed by popularity.
    fn pick_cat(&self, rng: &mut Rng) -> usize {
        self.cats[self.cat_order[self.cat_zipf.sample(rng)]]
    }

    fn pick_service(&self, rng: &mut Rng) -> usize {
        self.svc_order[self.svc_zipf.sample(rng)]
    }
}

// ---------------------------------------------------------------------------
// Planning: dates, severities, ids, groups and links for every record
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Status {
    Draft,
    InReview,
    Published,
}

/// A failure mechanism: what every record of a planted group shares.
struct Mech {
    cat: usize,
    symptom: String,
    trigger: String,
    error: String,
    term: String,
    comp: String,
    cfg: String,
    metric: &'static str,
    svc: usize,
    svc2: usize,
    remedy: usize,
    guard: usize,
}

struct Plan {
    id: String,
    started: i64,
    detected: i64,
    mitigated: i64,
    resolved: i64,
    /// Index into `DETECTION`.
    method: usize,
    /// 0 = SEV1 … 3 = SEV4.
    sev: usize,
    status: Status,
    mech: usize,
    group: Option<usize>,
    cats: Vec<usize>,
    services: Vec<usize>,
    title: String,
    recurrence_of: Vec<usize>,
    /// (target, table form: relation and note).
    related: Vec<(usize, Option<(&'static str, String)>)>,
    region: &'static str,
}

/// What text generation needs to know about the record being written.
struct Ctx {
    svc: String,
    svc2: String,
    services: Vec<String>,
    region: &'static str,
    term: String,
    comp: String,
    cfg: String,
    err: String,
    symptom: String,
    trigger: String,
    metric: &'static str,
    team: String,
    proj: String,
    rel: String,
    people: Vec<String>,
    t0: i64,
    t1: i64,
    /// From start to mitigation, for `{dur}`.
    impact_minutes: i64,
    /// Which of `SENTENCES` this record has used, so none repeats.
    used_sentences: Cell<u64>,
}

impl Ctx {
    fn for_mech(world: &World, svc: usize, svc2: usize, term: &str, comp: &str, cfg: &str, t0: i64) -> Ctx {
        let team = &world.teams[world.services[svc].team];
        Ctx {
            svc: world.services[svc].name.clone(),
            svc2: world.services[svc2].name.clone(),
            services: vec![world.services[svc].name.clone(), world.services[svc2].name.clone()],
            region: REGIONS[0],
            term: term.to_string(),
            comp: comp.to_string(),
            cfg: cfg.to_string(),
            err: String::new(),
            symptom: String::new(),
            trigger: String::new(),
            metric: METRICS[0],
            team: team.name.clone(),
            proj: team.key.clone(),
            rel: release_name(day_of(t0), 1),
            people: team.members.iter().map(|&p| world.people[p].clone()).collect(),
            t0,
            t1: t0 + 3600,
            impact_minutes: 60,
            used_sentences: Cell::new(0),
        }
    }
}

fn release_name(day: i64, n: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y}.{m:02}.{d:02}-{n}")
}

fn new_mech(world: &World, rng: &mut Rng, cat: usize, planted: bool, minted: &mut HashSet<String>, t0: i64) -> Mech {
    let svc = world.pick_service(rng);
    let team = world.services[svc].team;
    let siblings: Vec<usize> =
        (0..world.services.len()).filter(|&s| s != svc && world.services[s].team == team).collect();
    let mut svc2 = if !siblings.is_empty() && rng.chance(0.4) { rng.pick(&siblings) } else { world.pick_service(rng) };
    if svc2 == svc {
        svc2 = (svc + 1) % world.services.len();
    }
    let term = if planted {
        mint_term(rng, &world.lex, minted)
    } else {
        let lo = world.lex.real_nouns;
        world.lex.nouns.list[rng.range(lo as i64, world.lex.nouns.list.len() as i64 - 1) as usize].clone()
    };
    let comp = format!("{term}-{}", rng.pick(COMP_SUFFIXES));
    let cfg = format!("{term}.{}", rng.pick(CFG_KEYS));
    let ctx = Ctx::for_mech(world, svc, svc2, &term, &comp, &cfg, t0);
    let c = &CATS[cat];
    let mut symptom = String::new();
    let tpl = rng_pick_str(rng, c.symptoms);
    fill(rng, &world.lex, &ctx, tpl, &mut symptom);
    let mut trigger = String::new();
    let tpl = rng_pick_str(rng, c.triggers);
    fill(rng, &world.lex, &ctx, tpl, &mut trigger);
    let mut error = String::new();
    if planted {
        let _ = write!(error, "{}_E{}: ", term.to_ascii_uppercase(), rng.range(1000, 9999));
    }
    let tpl = rng_pick_str(rng, c.errors);
    fill(rng, &world.lex, &ctx, tpl, &mut error);
    Mech {
        cat,
        symptom,
        trigger,
        error,
        term,
        comp,
        cfg,
        metric: rng.pick(METRICS),
        svc,
        svc2,
        remedy: rng.below(c.remedies.len()),
        guard: rng.below(c.guards.len()),
    }
}

fn rng_pick_str(rng: &mut Rng, xs: &[&'static str]) -> &'static str {
    xs[rng.below(xs.len())]
}

const TITLE_TEMPLATES: &[&str] = &[
    "{Symptom} on {svc} after {trigger}",
    "{svc}: {symptom} after {trigger}",
    "{Symptom} in {svc} during {trigger}",
    "{Symptom} on {svc} when {comp} stalled",
    "{Trigger} caused {symptom} on {svc}",
    "{Symptom} for {dur} on {svc}",
    "{svc} {symptom} traced to {comp}",
    "{Symptom} after {trigger} in {region}",
    "{Symptom} across {svc} and {svc2}",
    "{Trigger} led to {symptom} for {svc} customers",
];

const STOP: &[&str] = &[
    "on",
    "after",
    "the",
    "a",
    "an",
    "in",
    "for",
    "during",
    "by",
    "of",
    "to",
    "with",
    "when",
    "caused",
    "led",
    "and",
    "from",
    "across",
    "traced",
    "customers",
    "s",
];

fn slug_words(title: &str, max: usize) -> String {
    let mut slug = String::new();
    let mut n = 0;
    for word in title.split(|c: char| !c.is_ascii_alphanumeric()) {
        let word = word.to_ascii_lowercase();
        if word.is_empty() || STOP.contains(&word.as_str()) {
            continue;
        }
        if n == max || slug.len() + word.len() > 48 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word);
        n += 1;
    }
    slug
}

struct Planned {
    plans: Vec<Plan>,
    mechs: Vec<Mech>,
    groups: usize,
}

fn plan(world: &World, count: usize, seed: u64) -> Planned {
    let mut rng = Rng::derive(seed, u64::MAX - 1);

    // Start times, sorted, so that index order is time order.
    let span = (LAST_DAY - FIRST_DAY) * 86_400;
    let mut starts: Vec<i64> = (0..count)
        .map(|_| {
            // More incidents in later years: the company (and its record keeping) grew.
            let u = rng.f64().powf(0.8);
            let t = FIRST_DAY * 86_400 + (u * span as f64) as i64;
            t - t.rem_euclid(60)
        })
        .collect();
    starts.sort_unstable();

    let sevs: Vec<usize> = (0..count).map(|_| rng.weighted(&[5, 15, 50, 30])).collect();
    let statuses: Vec<Status> = (0..count)
        .map(|i| {
            if rng.chance(0.02) {
                Status::Draft
            } else if sevs[i] >= 2 && rng.chance(0.03) {
                Status::InReview
            } else {
                Status::Published
            }
        })
        .collect();

    // Planted groups: later members repeat the first; ~15% of records have recurrence_of.
    let mut group_of: Vec<Option<usize>> = vec![None; count];
    let mut members: Vec<Vec<usize>> = Vec::new();
    let target = (count as f64 * 0.15).round() as usize;
    let mut recurrent = 0;
    let window = (count / 6).max(12);
    let mut attempts = 0;
    while recurrent < target && attempts < count * 20 {
        attempts += 1;
        let size = [2, 3, 4, 5][rng.weighted(&[40, 30, 18, 12])].min(target - recurrent + 1);
        let first = rng.below(count);
        if group_of[first].is_some() || statuses[first] == Status::Draft {
            continue;
        }
        let mut chosen = vec![first];
        let mut tries = 0;
        while chosen.len() < size && tries < 40 {
            tries += 1;
            let j = first + 1 + rng.below(window);
            if j < count
                && group_of[j].is_none()
                && statuses[j] != Status::Draft
                && !chosen.contains(&j)
                && starts[j] > starts[first]
            {
                chosen.push(j);
            }
        }
        if chosen.len() < 2 {
            continue;
        }
        chosen.sort_unstable();
        let g = members.len();
        for &c in &chosen {
            group_of[c] = Some(g);
        }
        recurrent += chosen.len() - 1;
        members.push(chosen);
    }

    // Mechanisms: one per group, one per ungrouped record.
    let mut minted: HashSet<String> = HashSet::new();
    let mut mechs: Vec<Mech> = Vec::new();
    let mut group_mech: Vec<usize> = Vec::new();
    for m in &members {
        let cat = world.pick_cat(&mut rng);
        mechs.push(new_mech(world, &mut rng, cat, true, &mut minted, starts[m[0]]));
        group_mech.push(mechs.len() - 1);
    }

    let mut plans: Vec<Plan> = Vec::with_capacity(count);
    let mut ids: HashSet<String> = HashSet::new();
    for i in 0..count {
        let mech = match group_of[i] {
            Some(g) => group_mech[g],
            None => {
                let cat = world.pick_cat(&mut rng);
                mechs.push(new_mech(world, &mut rng, cat, false, &mut minted, starts[i]));
                mechs.len() - 1
            }
        };
        let m = &mechs[mech];
        let mut cats = vec![m.cat];
        for _ in 0..rng.weighted(&[45, 40, 15]) {
            let c = world.pick_cat(&mut rng);
            if !cats.contains(&c) {
                cats.push(c);
            }
        }
        let mut services = vec![m.svc];
        if rng.chance(0.7) {
            services.push(m.svc2);
        }
        for _ in 0..rng.weighted(&[50, 35, 15]) {
            let s = world.pick_service(&mut rng);
            if !services.contains(&s) {
                services.push(s);
            }
        }
        let region = rng.pick(REGIONS);

        // Clock: how it was noticed decides how long that took.
        let method = rng.weighted(&DETECTION.iter().map(|d| d.1).collect::<Vec<_>>());
        let (_, _, lo, hi) = DETECTION[method];
        let started = starts[i];
        let detected = started + 60 * rng.range(lo, hi);
        let mitigated = detected + 60 * rng.range(4, [120, 240, 360, 600][sevs[i]]);
        let long_tail = rng.chance(0.2);
        let resolved = mitigated + 60 * rng.range(10, if long_tail { 2880 } else { 300 });

        // Title and id.
        let mut ctx = Ctx::for_mech(world, m.svc, m.svc2, &m.term, &m.comp, &m.cfg, starts[i]);
        ctx.impact_minutes = (mitigated - started) / 60;
        ctx.symptom = m.symptom.clone();
        ctx.trigger = m.trigger.clone();
        ctx.region = region;
        let mut title = String::new();
        let tpl = rng_pick_str(&mut rng, TITLE_TEMPLATES);
        fill(&mut rng, &world.lex, &ctx, tpl, &mut title);
        let (y, mo, _) = civil_from_days(day_of(starts[i]));
        let base = format!("{y:04}-{mo:02}-{}", slug_words(&title, 6));
        let mut id = base.clone();
        let mut n = 2;
        while !ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }

        let mut recurrence_of = Vec::new();
        if let Some(g) = group_of[i] {
            let pos = members[g].iter().position(|&x| x == i).unwrap_or(0);
            if pos > 0 {
                recurrence_of.push(members[g][pos - 1]);
                if pos > 1 && rng.chance(0.3) {
                    recurrence_of.push(members[g][0]);
                }
            }
        }
        plans.push(Plan {
            id,
            started,
            detected,
            mitigated,
            resolved,
            method,
            sev: sevs[i],
            status: statuses[i],
            mech,
            group: group_of[i],
            cats,
            services,
            title,
            recurrence_of,
            related: Vec::new(),
            region,
        });
    }

    // Related links, to earlier records that are not drafts.
    for i in 1..count {
        if !rng.chance(0.2) {
            continue;
        }
        let links = if rng.chance(0.25) { 2 } else { 1 };
        for _ in 0..links {
            let same_group: Vec<usize> = match plans[i].group {
                Some(g) => {
                    members[g].iter().copied().filter(|&j| j < i && !plans[i].recurrence_of.contains(&j)).collect()
                }
                None => Vec::new(),
            };
            let (target, relation) = if !same_group.is_empty() && rng.chance(0.5) {
                (rng.pick(&same_group), "same-cause")
            } else {
                let mut j = rng.below(i);
                // Prefer an earlier record sharing a category.
                for back in 1..=40.min(i) {
                    let k = i - back;
                    if plans[k].cats.iter().any(|c| plans[i].cats.contains(c)) && rng.chance(0.3) {
                        j = k;
                        break;
                    }
                }
                (j, if rng.chance(0.25) { "caused-by" } else { "similar" })
            };
            if plans[target].status == Status::Draft
                || plans[i].recurrence_of.contains(&target)
                || plans[i].related.iter().any(|(t, _)| *t == target)
            {
                continue;
            }
            let table = if relation == "same-cause" || rng.chance(0.5) {
                let note = match relation {
                    "same-cause" => format!(
                        "Same {} behaviour in {}.",
                        mechs[plans[i].mech].comp, world.services[mechs[plans[i].mech].svc].name
                    ),
                    "caused-by" => format!(
                        "Fallout from {} left {} degraded.",
                        plans[target].id, world.services[plans[i].services[0]].name
                    ),
                    _ => format!("Also involved {}.", CATS[plans[target].cats[0]].name),
                };
                Some((relation, note))
            } else {
                None
            };
            plans[i].related.push((target, table));
        }
    }

    Planned { plans, mechs, groups: members.len() }
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

/// Expand `{slot}`s in `tpl`. A slot name starting with a capital letter capitalises its text.
fn fill(rng: &mut Rng, lex: &Lexicon, ctx: &Ctx, tpl: &str, out: &mut String) {
    let mut rest = tpl;
    // `{time2}` comes after the `{time}` before it; `{person2}` is not `{person}`.
    let mut last_time = ctx.t0;
    let mut last_person = usize::MAX;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        let name = &after[..close];
        // A JSON brace or anything that is not a slot name is copied as is.
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            out.push('{');
            rest = after;
            continue;
        }
        let start = out.len();
        match name {
            "time" | "time2" => {
                let from = if name == "time2" { last_time } else { ctx.t0 };
                last_time = rng.range(from, ctx.t1.max(from));
                out.push_str(&clock_string(last_time));
            }
            "person" | "person2" if !ctx.people.is_empty() => {
                let mut k = rng.below(ctx.people.len());
                if k == last_person {
                    k = (k + 1) % ctx.people.len();
                }
                last_person = k;
                out.push_str(&ctx.people[k]);
            }
            _ => slot(rng, lex, ctx, &name.to_ascii_lowercase(), out),
        }
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            capitalize_from(out, start);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
}

fn capitalize_from(out: &mut String, start: usize) {
    if let Some(c) = out[start..].chars().next().filter(char::is_ascii_lowercase) {
        let upper = c.to_ascii_uppercase();
        out.replace_range(start..start + 1, upper.encode_utf8(&mut [0; 4]));
    }
}

fn slot(rng: &mut Rng, lex: &Lexicon, ctx: &Ctx, name: &str, out: &mut String) {
    match name {
        "svc" => out.push_str(&ctx.svc),
        "svc2" => out.push_str(&ctx.svc2),
        "anysvc" => out.push_str(&ctx.services[rng.below(ctx.services.len())]),
        "region" => out.push_str(ctx.region),
        "term" => out.push_str(&ctx.term),
        "comp" => out.push_str(&ctx.comp),
        "cfg" => out.push_str(&ctx.cfg),
        "err" => out.push_str(&ctx.err),
        "symptom" => out.push_str(&ctx.symptom),
        "trigger" => out.push_str(&ctx.trigger),
        "metric" => out.push_str(ctx.metric),
        "team" => out.push_str(&ctx.team),
        "proj" => out.push_str(&ctx.proj),
        "rel" => out.push_str(&ctx.rel),
        "person" | "person2" => out.push_str("the on-call engineer"),
        "n" => {
            let _ = write!(out, "{}", rng.range(2, 480));
        }
        "k" => {
            let _ = write!(out, "{}", rng.range(2, 9));
        }
        "big" => {
            let v = rng.range(1_200, 480_000);
            push_thousands(v, out);
        }
        "pct" => {
            let _ = write!(out, "{}", rng.range(3, 97));
        }
        "ms" => {
            let _ = write!(out, "{}", rng.range(40, 900));
        }
        "ms2" => {
            let _ = write!(out, "{}", rng.range(1_200, 30_000));
        }
        "min" => {
            let _ = write!(out, "{}", rng.range(3, 75));
        }
        "dur" => out.push_str(&duration_words(ctx.impact_minutes)),
        "hex" => {
            let _ = write!(out, "{:08x}", rng.next_u64() as u32);
        }
        "ip" => {
            let _ = write!(out, "10.{}.{}.{}", rng.range(0, 40), rng.range(0, 255), rng.range(2, 254));
        }
        "host" => {
            let _ = write!(out, "{}-{:04x}", ctx.svc, rng.next_u64() as u16);
        }
        "table" => out.push_str(rng.pick(TABLES)),
        "topic" => {
            let _ = write!(out, "{}.{}", ctx.team, ctx.term);
        }
        "vendor" => out.push_str(rng.pick(VENDORS)),
        "bucket" => {
            let _ = write!(out, "{}-{}-assets", ctx.team, ctx.term);
        }
        "vol" => {
            let _ = write!(out, "vol-0{:012x}", rng.next_u64() & 0xFFFF_FFFF_FFFF);
        }
        "op" => out.push_str(rng.pick(&["INSERT", "UPDATE", "DELETE"])),
        "ts" => fmt_datetime(ctx.t0, out),
        "ts2" => fmt_datetime(ctx.t0 - 60 * rng.range(5, 600), out),
        "noun" => out.push_str(lex.nouns.pick(rng)),
        "adj" => out.push_str(lex.adjs.pick(rng)),
        "verb" => out.push_str(lex.verbs.pick(rng)),
        "np" => {
            noun_phrase(rng, lex, ctx, out, false);
        }
        _ => {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
    }
}

fn push_thousands(v: i64, out: &mut String) {
    let s = v.to_string();
    let head = match s.len() % 3 {
        0 => 3.min(s.len()),
        h => h,
    };
    out.push_str(&s[..head]);
    let mut rest = &s[head..];
    while rest.len() >= 3 {
        out.push(',');
        out.push_str(&rest[..3]);
        rest = &rest[3..];
    }
}

/// A noun phrase; returns whether it began with a proper name (not to be capitalised).
fn noun_phrase(rng: &mut Rng, lex: &Lexicon, ctx: &Ctx, out: &mut String, allow_entity: bool) -> bool {
    if allow_entity && rng.chance(0.14) {
        match rng.below(6) {
            0 | 1 => out.push_str(&ctx.services[rng.below(ctx.services.len())]),
            2 => out.push_str(&ctx.comp),
            3 => out.push_str(ctx.region),
            4 => {
                out.push_str("the ");
                out.push_str(ctx.metric);
                return false;
            }
            _ => {
                out.push_str("the ");
                out.push_str(&ctx.term);
                out.push(' ');
                out.push_str(lex.nouns.pick(rng));
                return false;
            }
        }
        return true;
    }
    let det = rng.pick(DETS);
    let adj = if rng.chance(0.3) { Some(lex.adjs.pick(rng)) } else { None };
    let noun = lex.nouns.pick(rng);
    if !det.is_empty() {
        let next = adj.unwrap_or(noun);
        if det == "a" && next.starts_with(['a', 'e', 'i', 'o', 'u']) {
            out.push_str("an ");
        } else {
            out.push_str(det);
            out.push(' ');
        }
    }
    if let Some(a) = adj {
        out.push_str(a);
        out.push(' ');
    }
    out.push_str(noun);
    if rng.chance(0.15) {
        out.push(' ');
        out.push_str(lex.nouns.pick(rng));
    }
    false
}

fn clause(rng: &mut Rng, lex: &Lexicon, ctx: &Ctx, out: &mut String) -> bool {
    let proper = noun_phrase(rng, lex, ctx, out, true);
    out.push(' ');
    if rng.chance(0.15) {
        out.push_str(lex.advs.pick(rng));
        out.push(' ');
    }
    out.push_str(lex.verbs.pick(rng));
    out.push(' ');
    noun_phrase(rng, lex, ctx, out, true);
    if rng.chance(0.55) {
        out.push(' ');
        out.push_str(rng.pick(PREPS));
        out.push(' ');
        noun_phrase(rng, lex, ctx, out, true);
    }
    if rng.chance(0.12) {
        out.push(' ');
        out.push_str(rng.pick(PREPS));
        out.push(' ');
        noun_phrase(rng, lex, ctx, out, true);
    }
    proper
}

/// Realistic sentences with numbers and names, mixed into the Zipf prose.
const SENTENCES: &[&str] = &[
    "p99.9 latency on {svc} rose from {ms} ms to {ms2} ms within {min} minutes.",
    "The {svc} error rate reached {pct}% at {time} UTC.",
    "{svc} logged '{err}' on {k} of {n} pods.",
    "We rolled {svc} back to release {rel} at {time} UTC.",
    "Retries from {svc2} multiplied the load on {svc} by {k}x.",
    "{comp} kept serving {adj} {noun} for {min} minutes.",
    "{region} carried {pct}% of the traffic during the {noun}.",
    "An alert on {metric} paged the on-call engineer at {time} UTC.",
    "Nobody had exercised the {term} path in production before.",
    "The runbook for {svc} did not mention {comp} or {cfg}.",
    "Queue depth on {topic} grew to {big} messages.",
    "Connections from {svc} to {svc2} stayed open for {min} minutes.",
    "The {cfg} setting was {k} in production and {n} in staging.",
    "{person} checked the {svc} dashboard and saw {metric} climbing.",
    "Error budget burn for {svc} reached {pct}% of the monthly budget in {min} minutes.",
    "Traffic shifted to {region} at {time} UTC and p99 latency settled at {ms} ms.",
    "{svc} returned HTTP 503 to {pct}% of requests.",
    "We saw the first '{err}' at {time} UTC.",
    "{person} paired with {person2} on the {comp} logs.",
    "{Trigger} made {symptom} visible within minutes.",
    "{Symptom} spread from {svc} to {svc2}.",
    "The canary for {svc} looked healthy because it received {pct}% of traffic.",
    "{comp} holds a {noun} for {k} seconds before it {verb} the {noun}.",
    "We paused deploys to {svc} until {time} UTC.",
    "Certificate, DNS and network checks on {svc} all passed, which pointed us to {comp}.",
    "The incident channel had {n} messages by {time} UTC.",
    "CPU on {svc} stayed below {pct}%, so capacity was not the limit.",
    "The fix touched {k} files in {comp}.",
    "The {metric} on {anysvc} doubled between {time} and {time2} UTC.",
    "Failover to {region} took {min} minutes.",
];

fn sentence(rng: &mut Rng, lex: &Lexicon, ctx: &Ctx, out: &mut String) {
    let pick = rng.below(SENTENCES.len());
    let used = ctx.used_sentences.get();
    if rng.chance(0.28) && used & (1 << pick) == 0 {
        ctx.used_sentences.set(used | (1 << pick));
        // Templates start with a capital, a capitalised slot, or a name that stays as written.
        fill(rng, lex, ctx, SENTENCES[pick], out);
        return;
    }
    let start = out.len();
    let proper = clause(rng, lex, ctx, out);
    if rng.chance(0.35) {
        out.push_str(", ");
        out.push_str(rng.pick(CONJS));
        out.push(' ');
        clause(rng, lex, ctx, out);
    }
    out.push('.');
    if !proper {
        capitalize_from(out, start);
    }
}

/// `n` sentences separated by spaces.
fn sentences(rng: &mut Rng, lex: &Lexicon, ctx: &Ctx, n: usize, out: &mut String) {
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        sentence(rng, lex, ctx, out);
    }
}

fn count_words(s: &str) -> usize {
    s.split_ascii_whitespace().filter(|w| w.bytes().any(|b| b.is_ascii_alphanumeric())).count()
}

// ---------------------------------------------------------------------------
// TOML output
// ---------------------------------------------------------------------------

fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn kv(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(" = ");
    quote(value, out);
    out.push('\n');
}

fn kv_raw(out: &mut String, key: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "{key} = {value}");
}

fn kv_date(out: &mut String, key: &str, day: i64) {
    out.push_str(key);
    out.push_str(" = ");
    fmt_date(day, out);
    out.push('\n');
}

fn kv_datetime(out: &mut String, key: &str, secs: i64) {
    out.push_str(key);
    out.push_str(" = ");
    fmt_datetime(secs, out);
    out.push('\n');
}

/// An inline list on one line, or one item per line when `multiline`.
fn kv_list<S: AsRef<str>>(out: &mut String, key: &str, items: &[S], multiline: bool) {
    out.push_str(key);
    out.push_str(" = [");
    for (i, item) in items.iter().enumerate() {
        if multiline {
            out.push_str("\n  ");
        } else if i > 0 {
            out.push_str(", ");
        }
        quote(item.as_ref(), out);
        if multiline {
            out.push(',');
        }
    }
    if multiline && !items.is_empty() {
        out.push('\n');
    }
    out.push_str("]\n");
}

// ---------------------------------------------------------------------------
// One record
// ---------------------------------------------------------------------------

const ROOT_CAUSES: &[&str] = &[
    "{comp} had no way to detect {symptom} once {trigger} began.",
    "The {cfg} setting allowed {svc} to keep {np} after {trigger}.",
    "{Trigger} left {svc} depending on {comp}, which the design assumed could not stall.",
    "{comp} treats '{err}' as retryable, so {svc} kept retrying instead of shedding load.",
    "{svc} has a single {comp} per {region} zone, and nothing takes over while it recovers.",
];
const FACTORS: &[&str] = &[
    "No alert covered {metric} on {svc}, so the problem went unseen for {min} minutes.",
    "The runbook for {svc} predates {comp} and does not mention {cfg}.",
    "Retries from {svc2} multiplied the load on {svc} by {k}x.",
    "Staging does not run {comp}, so the {term} path was never exercised before production.",
    "{svc} and {svc2} share one {noun}, so the blast radius covered both.",
    "The {svc} dashboard averaged {metric} over five minutes and hid the spikes.",
    "Ownership of {comp} moved between teams last quarter and the on-call rotation was not updated.",
];
const TRIGGERS: &[&str] = &[
    "{Trigger} at {time} UTC set off the failure.",
    "A change to {cfg} reached {svc} at {time} UTC.",
    "A traffic shift to {region} at {time} UTC put {comp} under load.",
];

struct FindingOut {
    id: String,
    kind: &'static str,
}

struct GuardOut {
    id: String,
    summary: String,
    addresses: Vec<String>,
    implemented: Option<i64>,
}

const DETECTION: &[(&str, u32, i64, i64)] = &[
    // (method, weight, min and max minutes to detect)
    ("alert", 45, 1, 12),
    ("synthetic-check", 10, 1, 8),
    ("customer-report", 14, 8, 240),
    ("employee-report", 9, 4, 120),
    ("third-party-report", 5, 5, 90),
    ("automated-test", 5, 0, 30),
    ("manual", 6, 10, 600),
    ("other", 6, 3, 90),
];

fn render_record(world: &World, planned: &Planned, i: usize, seed: u64) -> String {
    let p = &planned.plans[i];
    let m = &planned.mechs[p.mech];
    let cat = &CATS[m.cat];
    let lex = &world.lex;
    let mut rng = Rng::derive(seed, i as u64);
    let rng = &mut rng;
    let sev = p.sev;

    // People.
    let team_idx = world.services[m.svc].team;
    let team = &world.teams[team_idx];
    let name = |k: usize| world.people[k].clone();
    let owner_i = rng.pick(&team.members);
    let mut authors = vec![owner_i];
    for _ in 0..rng.below(3) {
        let a = rng.pick(&team.members);
        if !authors.contains(&a) {
            authors.push(a);
        }
    }
    let mut reviewers: Vec<usize> = Vec::new();
    for _ in 0..rng.range(1, 2) {
        let r = rng.below(world.people.len());
        if !authors.contains(&r) && !reviewers.contains(&r) {
            reviewers.push(r);
        }
    }
    let mut facilitator = rng.pick(&world.facilitators);
    if facilitator == owner_i {
        facilitator = world.facilitators[(facilitator + 1) % world.facilitators.len()];
    }
    let mut participants: Vec<(usize, &str)> = authors.iter().map(|&a| (a, "engineering")).collect();
    for _ in 0..rng.range(1, 4) {
        let who = rng.below(world.people.len());
        if !participants.iter().any(|(p, _)| *p == who) {
            participants.push((who, rng.pick(ROLES)));
        }
    }

    // Clock.
    let method = DETECTION[p.method].0;
    let (started, detected, mitigated, resolved) = (p.started, p.detected, p.mitigated, p.resolved);
    let resolved_day = day_of(resolved);
    let status = p.status;
    let (reviewed, published) = match status {
        Status::Draft => (None, None),
        Status::InReview => (if rng.chance(0.5) { Some(resolved_day + rng.range(1, 6)) } else { None }, None),
        Status::Published => {
            let (r, pbl) = match sev {
                0 => {
                    let r = resolved_day + rng.range(0, 2);
                    (r, r + rng.range(0, resolved_day + 3 - r))
                }
                1 => {
                    let r = resolved_day + rng.range(0, 3);
                    (r, r + rng.range(0, resolved_day + 5 - r))
                }
                _ => {
                    let r = resolved_day + rng.range(1, 7);
                    (r, r + rng.range(0, 6))
                }
            };
            (Some(r), Some(pbl))
        }
    };

    let ctx = Ctx {
        svc: world.services[m.svc].name.clone(),
        svc2: world.services[m.svc2].name.clone(),
        services: p.services.iter().map(|&s| world.services[s].name.clone()).collect(),
        region: p.region,
        term: m.term.clone(),
        comp: m.comp.clone(),
        cfg: m.cfg.clone(),
        err: m.error.clone(),
        symptom: m.symptom.clone(),
        trigger: m.trigger.clone(),
        metric: if rng.chance(0.7) { m.metric } else { rng.pick(METRICS) },
        team: team.name.clone(),
        proj: team.key.clone(),
        rel: release_name(day_of(started) - rng.range(0, 6), rng.range(1, 4)),
        people: participants.iter().map(|(p, _)| name(*p)).collect(),
        t0: started,
        t1: resolved,
        impact_minutes: (mitigated - started) / 60,
        used_sentences: Cell::new(0),
    };
    let ctx = &ctx;

    let mut fm = String::with_capacity(8192);
    let mut tmp = String::new();
    macro_rules! text {
        ($($tpl:expr),+) => {{
            tmp.clear();
            $( {
                let tpl = $tpl;
                fill(rng, lex, ctx, tpl, &mut tmp);
            } )+
            tmp.clone()
        }};
    }
    let prose = |rng: &mut Rng, n: usize| {
        let mut s = String::new();
        sentences(rng, lex, ctx, n, &mut s);
        s
    };

    fm.push_str("+++\n");
    if rng.chance(0.1) {
        // The default id is the file name; some records spell it out.
        kv(&mut fm, "id", &p.id);
    }
    kv(&mut fm, "title", &p.title);
    let summary_lead = text!(
        rng_pick_str(
            rng,
            &[
                "{Symptom} hit {svc} after {trigger}. ",
                "After {trigger}, {svc} showed {symptom}. ",
                "{svc} saw {symptom} for {dur}; {trigger} set it off. ",
            ]
        ),
        rng_pick_str(
            rng,
            &[
                "{comp} was at the centre of it: '{err}'.",
                "The logs showed '{err}' from {comp}.",
                "The key signal was '{err}' on {svc}.",
            ]
        )
    );
    let summary = format!("{summary_lead} {}", prose(rng, 1));
    if status != Status::Draft || rng.chance(0.5) {
        kv(&mut fm, "summary", &summary);
    }
    kv(&mut fm, "severity", &format!("SEV{}", sev + 1));
    match status {
        Status::Draft => kv(&mut fm, "status", "draft"),
        Status::InReview => kv(&mut fm, "status", "in-review"),
        Status::Published => {
            if rng.chance(0.3) {
                kv(&mut fm, "status", "published");
            }
        }
    }
    kv(&mut fm, "owner", &name(owner_i));
    if authors.len() == 1 && rng.chance(0.5) {
        kv(&mut fm, "authors", &name(authors[0]));
    } else {
        kv_list(&mut fm, "authors", &authors.iter().map(|&a| name(a)).collect::<Vec<_>>(), false);
    }
    if reviewers.len() == 1 && rng.chance(0.4) {
        kv(&mut fm, "reviewers", &name(reviewers[0]));
    } else if !reviewers.is_empty() {
        kv_list(&mut fm, "reviewers", &reviewers.iter().map(|&r| name(r)).collect::<Vec<_>>(), false);
    }
    kv(&mut fm, "facilitator", &name(facilitator));
    fm.push_str("participants = [\n");
    for (who, role) in &participants {
        fm.push_str("  { name = ");
        quote(&world.people[*who], &mut fm);
        fm.push_str(", role = ");
        quote(role, &mut fm);
        fm.push_str(" },\n");
    }
    fm.push_str("]\n");
    kv_datetime(&mut fm, "started", started);
    kv_datetime(&mut fm, "detected", detected);
    kv_datetime(&mut fm, "mitigated", mitigated);
    kv_datetime(&mut fm, "resolved", resolved);
    if rng.chance(0.08) {
        kv(&mut fm, "time_precision", rng.pick(&["estimate", "estimate", "hour", "day"]));
    }
    if let Some(r) = reviewed {
        kv_date(&mut fm, "reviewed", r);
    }
    if let Some(pb) = published {
        kv_date(&mut fm, "published", pb);
    }
    kv_list(&mut fm, "services", &ctx.services, false);
    kv_list(&mut fm, "categories", &p.cats.iter().map(|&c| CATS[c].name).collect::<Vec<_>>(), false);
    let mut tags: Vec<&str> = Vec::new();
    if p.group.is_some() || rng.chance(0.3) {
        tags.push(&m.term);
    }
    for _ in 0..rng.range(2, 5) {
        let t = rng.pick(TAGS);
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    kv_list(&mut fm, "tags", &tags, false);
    if !p.recurrence_of.is_empty() {
        let ids: Vec<&str> = p.recurrence_of.iter().map(|&r| planned.plans[r].id.as_str()).collect();
        kv_list(&mut fm, "recurrence_of", &ids, false);
    }
    if !p.related.is_empty() {
        fm.push_str("related = [\n");
        for (target, table) in &p.related {
            let id = &planned.plans[*target].id;
            match table {
                None => {
                    fm.push_str("  ");
                    quote(id, &mut fm);
                    fm.push_str(",\n");
                }
                Some((relation, note)) => {
                    fm.push_str("  { id = ");
                    quote(id, &mut fm);
                    fm.push_str(", relation = ");
                    quote(relation, &mut fm);
                    fm.push_str(", note = ");
                    quote(note, &mut fm);
                    fm.push_str(" },\n");
                }
            }
        }
        fm.push_str("]\n");
    }
    let env_text = rng.chance(0.4);
    if env_text {
        let env = format!(
            "{}, release {}, {}",
            ctx.region,
            ctx.rel,
            rng.pick(&[
                "peak traffic",
                "normal weekday load",
                "overnight batch window",
                "weekend low traffic",
                "sale event"
            ])
        );
        kv(&mut fm, "environment", &env);
    }

    // Actions may be replaced by a reason for none (SEV4 only).
    let no_actions = sev == 3 && rng.chance(0.2);
    if no_actions {
        let reason = text!(rng_pick_str(
            rng,
            &[
                "The review found the existing {metric} alert and runbook for {svc} adequate; {comp} was already scheduled for replacement.",
                "A one-off: {trigger}, with no customer impact beyond {dur}; the review decided monitoring on {svc} is enough.",
            ]
        ));
        kv(&mut fm, "no_actions_reason", &reason);
    }

    // customer_impact
    if sev <= 1 || rng.chance(if sev == 2 { 0.8 } else { 0.5 }) {
        fm.push_str("\n[customer_impact]\n");
        let lead = text!(rng_pick_str(
            rng,
            &[
                "About {pct}% of {aud} saw {symptom} for {dur}.",
                "{Symptom} affected {aud} in {region} for {dur}; retrying sometimes worked.",
                "Customers of {svc} hit {symptom}; most {aud} were unaffected.",
            ]
        ))
        .replace("{aud}", rng.pick(AUDIENCES));
        kv(&mut fm, "summary", &format!("{lead} {}", prose(rng, 1)));
        let users = match sev {
            0 => rng.range(5_000, 400_000),
            1 => rng.range(500, 60_000),
            2 => rng.range(0, 8_000),
            _ => rng.range(0, 600),
        };
        kv_raw(&mut fm, "users_affected", users);
        let revenue = match sev {
            0 => rng.range(10_000, 900_000),
            1 => rng.range(0, 120_000),
            _ => rng.range(0, 5_000),
        };
        if rng.chance(0.3) {
            kv_raw(&mut fm, "revenue_impact", format!("{revenue}.5"));
        } else {
            kv_raw(&mut fm, "revenue_impact", revenue);
        }
        let burned = match sev {
            0 => rng.range(400, 3000),
            1 => rng.range(100, 900),
            _ => rng.range(0, 250),
        };
        kv_raw(&mut fm, "slo_budget_burned", format!("{}.{}", burned / 10, burned % 10));
    }

    // detection
    fm.push_str("\n[detection]\n");
    kv(&mut fm, "method", method);
    let signal = match method {
        "alert" => {
            format!("{} ({})", alert_name(&ctx.svc, ctx.metric), text!("{metric} above threshold for {k} minutes"))
        }
        "synthetic-check" => text!("The {svc} synthetic check from {region} returned errors"),
        "customer-report" => text!("Support tickets about {symptom}, then a rise in {metric} on {svc}"),
        "employee-report" => text!("{person} noticed {symptom} while testing {svc}"),
        "third-party-report" => text!("A partner reported '{err}' in their integration logs"),
        "automated-test" => text!("The post-deploy smoke test for {svc} caught {symptom}"),
        "manual" => text!("{person} spotted {metric} drift on the {svc} dashboard"),
        _ => text!("A capacity review of {svc} turned up {symptom}"),
    };
    kv(&mut fm, "signal", &signal);

    if !env_text && rng.chance(0.9) {
        fm.push_str("\n[environment]\n");
        kv(&mut fm, "region", &format!("{} ({} zones)", ctx.region, rng.range(2, 3)));
        kv(&mut fm, "release", &format!("{} {}", ctx.svc, ctx.rel));
        if rng.chance(0.7) {
            kv(&mut fm, "traffic", &text!("{big} requests per minute at {time} UTC"));
        }
        if rng.chance(0.6) {
            kv(&mut fm, "load", &text!("{svc} at {pct}% CPU before the event"));
        }
        if rng.chance(0.4) {
            kv(&mut fm, "notes", &prose(rng, 1));
        }
    }

    // Findings, remedies, guardrails and actions.
    let n_findings = match sev {
        0 => rng.range(3, 4),
        1 => rng.range(2, 4),
        2 => rng.range(1, 3),
        _ => rng.range(1, 2),
    } as usize;
    let mut findings: Vec<FindingOut> = Vec::new();
    for k in 0..n_findings {
        let kind = if k == 0 {
            "root-cause"
        } else if k == 1 && sev <= 1 {
            "contributing-factor"
        } else {
            ["contributing-factor", "contributing-factor", "trigger", "root-cause"][rng.below(4)]
        };
        findings.push(FindingOut { id: format!("F{}", k + 1), kind });
    }

    // Timeline: an optional earlier change, start, detection, declaration, investigation,
    // perhaps a remedy that did not work, mitigation and resolution, in time order.
    let n_middle = match sev {
        0 => rng.range(4, 6),
        1 => rng.range(3, 5),
        _ => rng.range(1, 3),
    } as usize;
    let failed_remedy = rng.chance(0.25);
    let ic = name(facilitator);
    let mut events: Vec<(i64, String, String)> = Vec::new();
    if rng.chance(0.3) {
        let at = started - 60 * rng.range(20, 10_000);
        events.push((at, text!("Release {rel} of {svc} rolls out with a change to {cfg}."), "deploy pipeline".into()));
    }
    events.push((started, text!("{svc} starts showing {symptom}: '{err}'."), ctx.svc.clone()));
    let detector = match method {
        "alert" | "synthetic-check" => "alertmanager".to_string(),
        _ => name(owner_i),
    };
    let noticed = rng.pick(&["reaches the on-call engineer.", "is picked up by on-call.", "opens the incident."]);
    events.push((detected, format!("{signal} {noticed}"), detector));
    let mut mids: Vec<i64> = (0..n_middle).map(|_| rng.range(detected, mitigated)).collect();
    mids.sort_unstable();
    for (k, &at) in mids.iter().enumerate() {
        let (event, actor) = if k == 0 {
            (format!("SEV{} declared; {ic} takes incident command.", sev + 1), ic.clone())
        } else if failed_remedy && k + 1 == mids.len() {
            (text!("Restarting {comp} on a few hosts; no change in {metric}."), name(owner_i))
        } else {
            (prose(rng, 1), ctx.people[rng.below(ctx.people.len())].clone())
        };
        events.push((at, event, actor));
    }
    let fix = fill_str(rng, lex, ctx, cat.remedies[m.remedy]);
    events.push((mitigated, format!("{fix}. {}", prose(rng, 1)), name(owner_i)));
    events.push((
        resolved,
        text!("Incident resolved: {metric} on {svc} back to baseline and follow-ups filed."),
        ic.clone(),
    ));
    for (at, event, actor) in &events {
        fm.push_str("\n[[timeline]]\n");
        kv_datetime(&mut fm, "at", *at);
        kv(&mut fm, "event", event);
        kv(&mut fm, "actor", actor);
    }

    let classes = ["architecture", "process", "tooling", "people-and-org", "external"];
    // Each template at most once per record, so findings do not repeat each other.
    let mut order: [Vec<usize>; 3] =
        [(0..ROOT_CAUSES.len()).collect(), (0..FACTORS.len()).collect(), (0..TRIGGERS.len()).collect()];
    for o in &mut order {
        rng.shuffle(o);
    }
    let mut used = [0usize; 3];
    for f in &findings {
        fm.push_str("\n[[findings]]\n");
        kv(&mut fm, "id", &f.id);
        kv(&mut fm, "kind", f.kind);
        let class = match f.kind {
            "trigger" => {
                if rng.chance(0.5) {
                    "external"
                } else {
                    classes[rng.below(3)]
                }
            }
            _ => classes[rng.weighted(&[35, 30, 25, 7, 3])],
        };
        kv(&mut fm, "class", class);
        let (list, slot) = match f.kind {
            "root-cause" => (ROOT_CAUSES, 0),
            "contributing-factor" => (FACTORS, 1),
            _ => (TRIGGERS, 2),
        };
        let tpl = list[order[slot][used[slot] % list.len()]];
        used[slot] += 1;
        let summary = text!(tpl);
        kv(&mut fm, "summary", &summary);
        kv(
            &mut fm,
            "evidence",
            &text!(rng_pick_str(
                rng,
                &[
                    "{metric} graph for {svc} between {time} and {time2} UTC; logs with '{err}'.",
                    "Logs from {n} pods show '{err}' from {time} UTC.",
                    "Ticket {proj}-{n} and the {svc} dashboard: {pct}% of requests affected.",
                    "{comp} metrics show {big} rejected calls; {cfg} was {k} at the time.",
                ]
            )),
        );
        let n_whys = match f.kind {
            "root-cause" => rng.range(3, 5),
            "contributing-factor" => rng.range(0, 3),
            _ => 0,
        } as usize;
        if n_whys > 0 {
            let mut whys = vec![text!("{Symptom} on {svc}.")];
            for _ in 1..n_whys {
                let mut w = String::new();
                sentence(rng, lex, ctx, &mut w);
                whys.push(w);
            }
            kv_list(&mut fm, "whys", &whys, true);
        }
        if f.kind != "trigger" && rng.chance(0.5) {
            kv(
                &mut fm,
                "counterfactual",
                &text!(rng_pick_str(
                    rng,
                    &[
                        "With an alert on {metric}, on-call would have seen it {min} minutes earlier.",
                        "Had {comp} dropped connections on '{err}', {svc} would have recovered in seconds.",
                        "A game day on {trigger} would have shown the gap before customers did.",
                    ]
                )),
            );
        }
    }

    for k in 0..rng.range(1, 3) {
        fm.push_str("\n[[barriers]]\n");
        let held = k == 0 || rng.chance(0.4);
        let summary = if held {
            text!(rng_pick_str(
                rng,
                &[
                    "The {metric} alert on {svc} fired within minutes",
                    "Fencing in {comp} prevented data loss",
                    "The {region} failover held"
                ]
            ))
        } else {
            text!(rng_pick_str(
                rng,
                &[
                    "{comp} health checks caught the bad state",
                    "The canary for {svc} stopped the rollout",
                    "Staging tests exercised the {term} path"
                ]
            ))
        };
        kv(&mut fm, "summary", &summary);
        kv_raw(&mut fm, "held", held);
    }

    // Remedies: the one that worked, sometimes others, sometimes one that did not.
    let mut remedy_list: Vec<(String, String, bool)> = Vec::new();
    let main_symptom = text!(rng_pick_str(
        rng,
        &[
            "{err} from {svc} after {trigger}",
            "{err} on {svc}; {metric} rising",
            "'{err}' in {comp} logs and {symptom} on {svc}"
        ]
    ));
    remedy_list.push((fill_str(rng, lex, ctx, cat.remedies[m.remedy]), main_symptom, true));
    if rng.chance(0.4) {
        let other = (m.remedy + 1) % cat.remedies.len();
        if other != m.remedy {
            let s = text!("{Symptom} on {svc} while {comp} recovers");
            remedy_list.push((fill_str(rng, lex, ctx, cat.remedies[other]), s, true));
        }
    }
    if failed_remedy {
        let s = text!("{Symptom} on {svc}; suspicion that {comp} was stuck");
        remedy_list.push((text!("Restarting {comp} on a few hosts"), s, false));
    }
    for (summary, symptom, worked) in &remedy_list {
        fm.push_str("\n[[remedies]]\n");
        kv(&mut fm, "summary", summary);
        kv(&mut fm, "symptom", symptom);
        let mut steps: Vec<String> = Vec::new();
        if *worked {
            for s in cat.steps {
                steps.push(fill_str(rng, lex, ctx, s));
            }
            if rng.chance(0.5) {
                steps.push(text!("Watch {metric} on the {svc} dashboard for {min} minutes."));
            }
        } else {
            steps.push(text!("kubectl -n {team} delete pod -l app={comp}"));
        }
        kv_list(&mut fm, "steps", &steps, steps.len() > 1);
        if !*worked {
            kv_raw(&mut fm, "worked", false);
        } else if rng.chance(0.2) {
            kv_raw(&mut fm, "worked", true);
        }
    }

    // Guardrails.
    let addressable: Vec<&str> = findings.iter().filter(|f| f.kind != "trigger").map(|f| f.id.as_str()).collect();
    let n_guards = if no_actions { rng.range(0, 1) } else { rng.range(1, 3) } as usize;
    let mut guards: Vec<GuardOut> = Vec::new();
    for k in 0..n_guards {
        let (control, tpl) = cat.guards[(m.guard + k) % cat.guards.len()];
        let summary = fill_str(rng, lex, ctx, tpl);
        if guards.iter().any(|g| g.summary == summary) {
            break;
        }
        let mut addresses: Vec<String> = Vec::new();
        if let Some(f) = addressable.get(k) {
            addresses.push(f.to_string());
        }
        if rng.chance(0.3) {
            let f = rng.pick(&addressable).to_string();
            if !addresses.contains(&f) {
                addresses.push(f);
            }
        }
        if addresses.is_empty() {
            addresses.push(addressable[0].to_string());
        }
        let id = format!("G{}", k + 1);
        fm.push_str("\n[[guardrails]]\n");
        kv(&mut fm, "id", &id);
        kv(&mut fm, "summary", &summary);
        kv(&mut fm, "control", control);
        kv_list(&mut fm, "addresses", &addresses, false);
        kv(
            &mut fm,
            "would_have",
            &text!(rng_pick_str(
                rng,
                &[
                    "It would have caught {symptom} within {min} minutes instead of {dur}.",
                    "{svc} would have kept serving while {comp} recovered.",
                    "The trigger would have been stopped before it reached {svc}.",
                ]
            )),
        );
        // Live guardrails need a date on or before today.
        let latest = (resolved_day + 110).min(TODAY);
        let earliest = resolved_day + 1;
        let status = if latest >= earliest {
            ["proposed", "implemented", "verified"][rng.weighted(&[35, 45, 20])]
        } else {
            "proposed"
        };
        let implemented = if status == "proposed" { None } else { Some(rng.range(earliest, latest)) };
        if status != "proposed" || rng.chance(0.5) {
            kv(&mut fm, "status", status);
        }
        if let Some(d) = implemented {
            kv_date(&mut fm, "implemented", d);
        }
        guards.push(GuardOut { id, summary, addresses, implemented });
    }

    // Actions: one per guardrail, and one for every finding no guardrail answers.
    if !no_actions {
        let mut actions: Vec<(String, &'static str, Option<String>, Option<usize>)> = Vec::new();
        for (gi, g) in guards.iter().enumerate() {
            let summary =
                format!("{} {}", rng.pick(&["Ship:", "Implement:", "Roll out:", "Build:"]), lower_first(&g.summary));
            actions.push((summary, "technical", g.addresses.first().cloned(), Some(gi)));
        }
        for f in &findings {
            if f.kind == "trigger" || guards.iter().any(|g| g.addresses.contains(&f.id)) {
                continue;
            }
            let (tpl, kind) = rng.pick(&[
                ("Document {cfg} and the '{err}' symptom in the {svc} runbook", "process"),
                ("Add a {metric} alert for {svc} routed to the {team} rotation", "technical"),
                ("Run a game day on {trigger} with the {team} team", "process"),
                ("Review {cfg} defaults across {team} services", "technical"),
                ("Make {comp} ownership explicit in the service catalog", "organizational"),
            ]);
            actions.push((fill_str(rng, lex, ctx, tpl), kind, Some(f.id.clone()), None));
        }
        if actions.is_empty() || rng.chance(0.2) {
            actions.push((
                text!("Share the {term} lessons at the {team} operations review"),
                "organizational",
                None,
                None,
            ));
        }
        for (k, (summary, kind, finding, guard)) in actions.iter().enumerate() {
            fm.push_str("\n[[actions]]\n");
            kv(&mut fm, "id", &format!("A{}", k + 1));
            kv(&mut fm, "summary", summary);
            kv(&mut fm, "kind", kind);
            let owner = if rng.chance(0.6) { owner_i } else { rng.pick(&team.members) };
            kv(&mut fm, "owner", &name(owner));
            let implemented = guard.and_then(|g| guards[g].implemented);
            let (due, status, completed) = match implemented {
                Some(done) => {
                    let due = (done + rng.range(0, 20)).min(resolved_day + ACTION_HORIZON);
                    (due, "done", Some(done))
                }
                None => {
                    let due = resolved_day + rng.range(7, ACTION_HORIZON);
                    if due < TODAY {
                        let roll = rng.weighted(&[75, 8, 10, 7]);
                        let close = (resolved_day + rng.range(1, (due - resolved_day + 20).max(1))).min(TODAY);
                        match roll {
                            0 if guard.is_none() => (due, "done", Some(close)),
                            1 => (due, "wont-do", Some(close)),
                            2 => (due, "in-progress", None),
                            _ => (due, "open", None),
                        }
                    } else {
                        match rng.weighted(&[50, 35, 15]) {
                            0 => (due, "open", None),
                            1 => (due, "in-progress", None),
                            _ => (due, "done", Some((resolved_day + rng.range(1, 30)).min(TODAY))),
                        }
                    }
                }
            };
            kv_date(&mut fm, "due", due);
            if status != "open" || rng.chance(0.5) {
                kv(&mut fm, "status", status);
            }
            if let Some(c) = completed {
                kv_date(&mut fm, "completed", c.max(resolved_day));
            }
            if let Some(f) = finding {
                kv(&mut fm, "finding", f);
            }
            if let Some(g) = guard {
                kv(&mut fm, "guardrail", &guards[*g].id);
            }
            if rng.chance(0.8) {
                kv(
                    &mut fm,
                    "metric",
                    &text!(rng_pick_str(
                        rng,
                        &[
                            "No '{err}' errors on {svc} for 30 days",
                            "The {metric} alert fires in a staging test",
                            "Runbook reviewed by two on-call engineers",
                            "{metric} on {svc} stays below target through the next peak",
                        ]
                    )),
                );
            }
            kv(
                &mut fm,
                "tracker",
                &format!("https://tracker.{}.example/{}-{}", world.company_slug, team.key, rng.range(100, 9999)),
            );
        }
    }

    if rng.chance(0.75) {
        fm.push_str("\n[lessons]\n");
        let mut ww = Vec::new();
        for _ in 0..rng.range(1, 2) {
            ww.push(prose(rng, 1));
        }
        kv_list(&mut fm, "went_well", &ww, true);
        let mut wr = vec![text!("We spent time on {comp} before looking at {metric}.")];
        if rng.chance(0.5) {
            wr.push(prose(rng, 1));
        }
        kv_list(&mut fm, "went_wrong", &wr, true);
        if rng.chance(0.5) {
            kv_list(&mut fm, "got_lucky", &[text!("{person} happened to know where {comp} keeps its logs.")], true);
        }
    }
    fm.push_str("+++\n");

    // The narrative fills the record up to its word target, a sentence at a time.
    let target = rng.range(650, 1440);
    let mut budget = target - count_words(&fm) as i64;
    let spend = |text: &str, budget: &mut i64| *budget -= count_words(text) as i64;

    let mut summary_para = String::new();
    let _ = write!(
        summary_para,
        "On {}, {} ",
        long_date(day_of(started)),
        text!("{svc} showed {symptom} after {trigger}.")
    );
    let n = rng.range(2, 3) as usize;
    sentences(rng, lex, ctx, n, &mut summary_para);
    spend(&summary_para, &mut budget);
    let mut impact = String::new();
    for _ in 0..rng.range(2, 3) {
        impact.push_str("- ");
        sentence(rng, lex, ctx, &mut impact);
        impact.push('\n');
    }
    spend(&impact, &mut budget);
    let code = if rng.chance(0.45) { code_block(rng, lex, ctx) } else { String::new() };
    spend(&code, &mut budget);
    let mut closing = String::new();
    if !guards.is_empty() {
        closing.push_str("## What we are changing\n\n");
        for g in &guards {
            let _ = writeln!(closing, "- {} ({}).", g.summary, g.id);
        }
        closing.push('\n');
    }
    closing.push_str("## Lessons\n\n");
    sentences(rng, lex, ctx, 2, &mut closing);
    closing.push('\n');
    spend(&closing, &mut budget);

    // What happened and Analysis: paragraphs of 3–6 sentences until the budget is spent.
    let mut happened: Vec<String> = Vec::new();
    let mut analysis: Vec<String> = Vec::new();
    let mut turn = 0;
    while budget > 0 || happened.is_empty() || analysis.is_empty() {
        let mut para = String::new();
        for k in 0..rng.range(3, 6) {
            if k > 0 {
                if budget <= 0 {
                    break;
                }
                para.push(' ');
            }
            let before = para.len();
            sentence(rng, lex, ctx, &mut para);
            spend(&para[before..], &mut budget);
        }
        if turn % 3 == 2 {
            analysis.push(para)
        } else {
            happened.push(para)
        }
        turn += 1;
    }

    let mut body = String::with_capacity(8192);
    body.push_str("\n## Summary\n\n");
    body.push_str(&summary_para);
    body.push_str("\n\n## Impact\n\n");
    body.push_str(&impact);
    body.push_str("\n## What happened\n\n");
    for (k, para) in happened.iter().enumerate() {
        body.push_str(para);
        body.push_str("\n\n");
        if k == 0 && !code.is_empty() {
            body.push_str(&code);
        }
    }
    body.push_str("## Analysis\n\n");
    for para in &analysis {
        body.push_str(para);
        body.push_str("\n\n");
    }
    body.push_str(&closing);

    fm.push_str(&body);
    fm
}

/// An alert name in the usual CamelCase: `PaymentsApiLatencyHigh`.
fn alert_name(svc: &str, metric: &str) -> String {
    let mut out = String::new();
    let word = metric.split(' ').next_back().unwrap_or("errors");
    for part in svc.split('-').chain(std::iter::once(word)) {
        let mut c = part.chars();
        if let Some(f) = c.next() {
            out.push(f.to_ascii_uppercase());
            out.push_str(c.as_str());
        }
    }
    out.push_str("High");
    out
}

fn fill_str(rng: &mut Rng, lex: &Lexicon, ctx: &Ctx, tpl: &str) -> String {
    let mut s = String::new();
    fill(rng, lex, ctx, tpl, &mut s);
    s
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep acronyms and names as written.
        Some(f) if f.is_ascii_uppercase() && !c.clone().next().is_some_and(|n| n.is_ascii_uppercase()) => {
            f.to_ascii_lowercase().to_string() + c.as_str()
        }
        _ => s.to_string(),
    }
}

/// A fenced block: a log excerpt, the commands that fixed it, or a config diff.
fn code_block(rng: &mut Rng, lex: &Lexicon, ctx: &Ctx) -> String {
    let mut out = String::new();
    match rng.below(3) {
        0 => {
            out.push_str("```text\n");
            let mut t = ctx.t0;
            for _ in 0..rng.range(3, 6) {
                fmt_datetime(t, &mut out);
                let level = rng.pick(&["ERROR", "ERROR", "WARN", "INFO"]);
                let _ = writeln!(out, " {level} {} {}", ctx.comp, ctx.err);
                t += rng.range(1, 40);
            }
        }
        1 => {
            out.push_str("```sh\n");
            let _ = writeln!(out, "kubectl -n {} get pods -l app={} -o wide", ctx.team, ctx.svc);
            let _ =
                writeln!(out, "kubectl -n {} logs deploy/{} --since=30m | grep -c '{}'", ctx.team, ctx.svc, ctx.term);
            let _ = writeln!(out, "kubectl -n {} rollout restart deploy/{}", ctx.team, ctx.svc);
        }
        _ => {
            out.push_str("```yaml\n");
            let _ = writeln!(out, "# {}/{}.yaml", ctx.svc, ctx.comp);
            let key = ctx.cfg.rsplit('.').next().unwrap_or("value");
            let _ = writeln!(out, "{}:\n  {key}: {}  # was {}", ctx.term, rng.range(2, 600), rng.range(0, 1));
            let _ = writeln!(out, "  {}: {}", lex.nouns.list[rng.below(40)].replace(' ', "_"), rng.range(1, 90));
        }
    }
    out.push_str("```\n\n");
    out
}

// ---------------------------------------------------------------------------
// casebook.toml and the whole corpus
// ---------------------------------------------------------------------------

fn config_toml(world: &World, count: usize, seed: u64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Synthetic Casebook benchmark corpus: {count} records, seed {seed}.\n# Written by examples/gen-corpus.rs; regenerate rather than edit.\n"
    );
    out.push_str("[site]\n");
    kv(&mut out, "title", &format!("{} — incident knowledge base", world.company));
    kv(
        &mut out,
        "description",
        &format!(
            "{count} synthetic postmortems from the engineering teams of {}, generated for benchmarks.",
            world.company
        ),
    );
    kv(&mut out, "language", "en");
    kv(&mut out, "currency", "USD");
    out.push_str("\n[severity]\nlevels = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\"]\n");
    out.push_str(
        "\n[policy]\nstrict = false\npostmortem_required = [\"SEV1\", \"SEV2\"]\npublish_within_days = { SEV1 = 3, SEV2 = 5 }\n",
    );
    let _ = writeln!(out, "action_due_within_days = {ACTION_HORIZON}");
    out.push_str(
        "required_fields = { SEV1 = [\"summary\", \"detected\", \"mitigated\", \"customer_impact\", \"detection\", \"timeline\", \"reviewed\", \"published\"], SEV2 = [\"summary\", \"detected\", \"mitigated\", \"timeline\", \"published\"] }\n",
    );
    out.push_str("\n[recurrence]\nsimilarity_threshold = 0.45\nmax_similar = 5\n");
    out.push_str("\n[markdown]\nallow_raw_html = false\n\n[theme]\nname = \"default\"\n");
    for &c in &world.cats {
        let cat = &CATS[c];
        out.push_str("\n[[categories]]\n");
        kv(&mut out, "name", cat.name);
        kv(&mut out, "description", cat.description);
        kv(&mut out, "group", cat.group);
    }
    out
}

struct Stats {
    records: usize,
    drafts: usize,
    recurrences: usize,
    groups: usize,
    bytes: u64,
    words: u64,
}

fn generate(args: &Args) -> Result<Stats, String> {
    let world = World::new(args.count, args.seed);
    let planned = plan(&world, args.count, args.seed);

    let out = &args.out;
    let io = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let config_path = out.join("casebook.toml");
    std::fs::write(&config_path, config_toml(&world, args.count, args.seed)).map_err(|e| io(&config_path, e))?;
    let mut years: Vec<i64> = planned.plans.iter().map(|p| civil_from_days(day_of(p.started)).0).collect();
    years.dedup();
    for y in &years {
        let dir = out.join("incidents").join(y.to_string());
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    }

    // Records are independent once planned: write them from a few threads.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let results: Vec<Result<(u64, u64), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (world, planned) = (&world, &planned);
                scope.spawn(move || -> Result<(u64, u64), String> {
                    let (mut bytes, mut words) = (0u64, 0u64);
                    for i in (t..planned.plans.len()).step_by(threads) {
                        let text = render_record(world, planned, i, args.seed);
                        let year = civil_from_days(day_of(planned.plans[i].started)).0;
                        let path =
                            out.join("incidents").join(year.to_string()).join(format!("{}.md", planned.plans[i].id));
                        std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
                        bytes += text.len() as u64;
                        words += count_words(&text) as u64;
                    }
                    Ok((bytes, words))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a writer thread stopped unexpectedly".into())))
            .collect()
    });
    let (mut bytes, mut words) = (0, 0);
    for r in results {
        let (b, w) = r?;
        bytes += b;
        words += w;
    }
    Ok(Stats {
        records: planned.plans.len(),
        drafts: planned.plans.iter().filter(|p| p.status == Status::Draft).count(),
        recurrences: planned.plans.iter().filter(|p| !p.recurrence_of.is_empty()).count(),
        groups: planned.groups,
        bytes,
        words,
    })
}
