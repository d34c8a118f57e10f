//! `casebook serve`: build in memory, serve over HTTP on loopback, watch the
//! knowledge base, rebuild, and reload open pages.
//!
//! The site is held in memory as a [`http::Snapshot`] and never written to
//! disk, so serving cannot reach any file Casebook did not generate. Every
//! rebuild runs the whole pipeline from the files on disk (a consistent
//! state), reusing rendered pages whose inputs did not change (see
//! `render::cache`), so the result always equals a full build. When a
//! rebuild fails, the last good site stays served and every page shows the
//! diagnostics in an overlay until the problem is fixed.

pub mod http;
mod server;
pub mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::build::{BuildError, SiteBuilder};
use crate::diagnostics::{self, Diagnostics, Style};
use crate::load::LoadError;
use http::Snapshot;
use watch::ChangeKind;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub dir: PathBuf,
    pub bind: IpAddr,
    /// A fixed port (an error if taken), or None for the first free one from 1111.
    pub port: Option<u16>,
    pub open: bool,
    pub build: crate::build::BuildOptions,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("port {port} on {bind} is in use: choose another with --port, or stop the program using it")]
    PortInUse { bind: IpAddr, port: u16 },
    #[error("cannot listen on {bind}: {message}")]
    Listen { bind: IpAddr, message: String },
    #[error("cannot watch {path}: {message}")]
    Watch { path: PathBuf, message: String },
    /// The first build could not run (a content error is not one: the
    /// server starts and shows it).
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// The served state, shared by the request threads and the rebuild loop.
struct Shared {
    site: RwLock<Arc<Snapshot>>,
    version: Mutex<u64>,
    changed: Condvar,
}

impl Shared {
    fn snapshot(&self) -> Arc<Snapshot> {
        match self.site.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn publish(&self, snapshot: Snapshot) {
        let version = snapshot.version;
        match self.site.write() {
            Ok(mut s) => *s = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        match self.version.lock() {
            Ok(mut v) => *v = version,
            Err(poisoned) => *poisoned.into_inner() = version,
        }
        self.changed.notify_all();
    }
}

enum Message {
    Changed(Vec<PathBuf>),
    WatchError(String),
    Stop,
}

/// Run the preview server until Ctrl-C.
pub fn run(options: ServeOptions) -> Result<(), ServeError> {
    let stderr_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let style =
        if stderr_terminal && std::env::var_os("NO_COLOR").is_none() { Style::colored() } else { Style::plain() };
    let dir = options.dir.clone();
    if !dir.is_dir() {
        return Err(BuildError::from(LoadError::NoDirectory(dir)).into());
    }

    // Watch events carry canonical paths: classify against the canonical directory.
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
    let mut builder = SiteBuilder::new(&dir, options.build);
    let started = Instant::now();
    let sink = crate::output::MemorySink::default();
    let (files, errors) = match builder.render(&|_| {}, &sink) {
        Ok(rendered) => {
            report_warnings(&rendered.diagnostics, style);
            eprintln!(
                "built {} incidents, {} pages in {} ms",
                rendered.incidents,
                rendered.pages,
                started.elapsed().as_millis()
            );
            (to_map(sink.into_files()), None)
        }
        Err(BuildError::Content(diags)) => {
            let text = render_plain(&diags);
            report_errors(&diags, style);
            (HashMap::new(), Some(text))
        }
        Err(e) => return Err(e.into()),
    };
    let shared = Arc::new(Shared {
        site: RwLock::new(Arc::new(Snapshot { files, errors, version: 1 })),
        version: Mutex::new(1),
        changed: Condvar::new(),
    });

    // Watch before announcing the address, so no edit made after it is missed.
    let (tx, rx) = mpsc::channel::<Message>();
    let stop = tx.clone();
    let _ = ctrlc::set_handler(move || {
        let _ = stop.send(Message::Stop);
    });
    let _watcher = watch_dir(&canonical, tx)?;

    let listener = listen(options.bind, options.port)?;
    let server = server::Server::start(listener, Arc::clone(&shared))
        .map_err(|e| ServeError::Listen { bind: options.bind, message: e.to_string() })?;
    let port = server.address().port();
    let url = format!("http://{}/", format_host(options.bind, port));
    eprintln!("serving {} at {url} (Ctrl-C to stop)", dir.display());

    if options.open {
        open_browser(&url);
    }

    let output = canonical.join("public");
    let mut version = 1;
    loop {
        let paths = match rx.recv() {
            Ok(Message::Changed(paths)) => paths,
            Ok(Message::WatchError(e)) => {
                eprintln!("watch error: {e}");
                continue;
            }
            Ok(Message::Stop) | Err(_) => break,
        };
        // Gather the burst of changes an editor's save makes, then rebuild once.
        let mut relevant: Vec<(PathBuf, ChangeKind)> = paths
            .into_iter()
            .map(|p| {
                let k = watch::classify(&canonical, &output, &p);
                (p, k)
            })
            .filter(|(_, k)| *k != ChangeKind::Ignored)
            .collect();
        loop {
            match rx.recv_timeout(Duration::from_millis(10)) {
                Ok(Message::Changed(more)) => relevant.extend(
                    more.into_iter()
                        .map(|p| {
                            let k = watch::classify(&canonical, &output, &p);
                            (p, k)
                        })
                        .filter(|(_, k)| *k != ChangeKind::Ignored),
                ),
                Ok(Message::WatchError(e)) => eprintln!("watch error: {e}"),
                Ok(Message::Stop) => {
                    server.stop();
                    eprintln!("stopped");
                    return Ok(());
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        if relevant.is_empty() {
            continue;
        }
        // File names are not ours: shown escaped on the terminal.
        let what = diagnostics::terminal_safe(&describe(&relevant, &canonical)).into_owned();
        let started = Instant::now();
        let reusable = builder.cached_pages();
        let previous = shared.snapshot();
        // Edited records first: their pages on their own, in milliseconds.
        // Only when nothing but records changed (editors' leftovers such as
        // sed's temporary files count as record changes and are skipped here).
        if previous.errors.is_none() && relevant.iter().all(|(_, k)| *k == ChangeKind::Record) {
            let mut files = previous.files.clone();
            let mut changed = 0;
            let saved: std::collections::BTreeSet<&PathBuf> = relevant
                .iter()
                .map(|(p, _)| p)
                .filter(|p| p.extension().is_some_and(|e| e == "md") && p.is_file())
                .collect();
            for path in saved {
                if let Some(pages) = builder.preview_record(path) {
                    for f in pages {
                        files.insert(f.path, Arc::from(f.bytes));
                        changed += 1;
                    }
                }
            }
            if changed > 0 {
                version += 1;
                shared.publish(Snapshot { files, errors: None, version });
                eprintln!(
                    "{what}: previewed {changed} pages in {} ms; rebuilding the rest",
                    started.elapsed().as_millis()
                );
            }
        }
        version += 1;
        let previous = shared.snapshot();
        let sink = crate::output::MemorySink::default();
        match builder.render(&|_| {}, &sink) {
            Ok(rendered) => {
                report_warnings(&rendered.diagnostics, style);
                let reused = reusable.min(rendered.pages);
                eprintln!(
                    "{what}: rebuilt {} pages in {} ms (up to {reused} reused)",
                    rendered.pages,
                    started.elapsed().as_millis()
                );
                shared.publish(Snapshot { files: to_map(sink.into_files()), errors: None, version });
            }
            Err(BuildError::Content(diags)) => {
                report_errors(&diags, style);
                eprintln!("{what}: the build failed; still serving the last good site");
                shared.publish(Snapshot { files: previous.files.clone(), errors: Some(render_plain(&diags)), version });
            }
            Err(e) => {
                // The overlay shows what the terminal does.
                let message = e.to_string();
                eprintln!("{what}: {}", diagnostics::terminal_safe(&message));
                shared.publish(Snapshot { files: previous.files.clone(), errors: Some(message), version });
            }
        }
    }
    server.stop();
    eprintln!("stopped");
    Ok(())
}

fn listen(bind: IpAddr, port: Option<u16>) -> Result<TcpListener, ServeError> {
    let candidates: Vec<u16> = match port {
        Some(p) => vec![p],
        None => (1111..1131).collect(),
    };
    let mut last = None;
    for p in &candidates {
        match TcpListener::bind((bind, *p)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    match (port, last) {
        (Some(p), Some(e)) if e.kind() == std::io::ErrorKind::AddrInUse => Err(ServeError::PortInUse { bind, port: p }),
        (_, last) => Err(ServeError::Listen { bind, message: last.map(|e| e.to_string()).unwrap_or_default() }),
    }
}

fn format_host(bind: IpAddr, port: u16) -> String {
    match bind {
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
        IpAddr::V4(v4) => format!("{v4}:{port}"),
    }
}

fn watch_dir(dir: &Path, tx: mpsc::Sender<Message>) -> Result<notify::RecommendedWatcher, ServeError> {
    use notify::Watcher;
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let _ = match res {
            Ok(event) if watch::is_change(&event.kind) => tx.send(Message::Changed(event.paths)),
            Ok(_) => Ok(()),
            Err(e) => tx.send(Message::WatchError(e.to_string())),
        };
    })
    .map_err(|e| ServeError::Watch { path: dir.to_path_buf(), message: e.to_string() })?;
    watcher
        .watch(dir, notify::RecursiveMode::Recursive)
        .map_err(|e| ServeError::Watch { path: dir.to_path_buf(), message: e.to_string() })?;
    Ok(watcher)
}

fn describe(changes: &[(PathBuf, ChangeKind)], dir: &Path) -> String {
    // Name a file the writer recognises (a record, the config) before editors' leftovers.
    let named = |p: &PathBuf| p.extension().is_some_and(|e| e == "md" || e == "toml" || e == "html");
    let first = changes
        .iter()
        .find(|(p, _)| named(p))
        .or(changes.first())
        .map(|(p, _)| p.strip_prefix(dir).unwrap_or(p).display().to_string())
        .unwrap_or_default();
    match changes.len() {
        1 => format!("changed {first}"),
        n => format!("changed {first} and {} more", n - 1),
    }
}

fn to_map(files: Vec<crate::output::File>) -> HashMap<String, Arc<[u8]>> {
    files.into_iter().map(|f| (f.path, Arc::from(f.bytes))).collect()
}

fn render_plain(diags: &Diagnostics) -> String {
    let mut text: String =
        diags.sorted().iter().map(|d| diagnostics::render_human(d, Style::plain())).collect::<Vec<_>>().join("\n");
    text.push_str(&format!("\n{}", diagnostics::summary_line(diags, 0).replace(" in 0 records", "")));
    text
}

fn report_errors(diags: &Diagnostics, style: Style) {
    for d in diags.sorted() {
        eprintln!("{}", diagnostics::render_human(&d, style));
    }
}

fn report_warnings(diags: &Diagnostics, style: Style) {
    if !diags.is_empty() {
        report_errors(diags, style);
    }
}

fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    if std::process::Command::new(program).arg(url).spawn().is_err() {
        eprintln!("could not start a browser; open {url} yourself");
    }
}
