//! `casebook serve`: a real server on a free port, driven over HTTP while the
//! knowledge base is edited. Every wait polls with a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::build::read_tree;
use crate::support::{KbTest, TODAY, fixtures};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["serve", dir.to_str().unwrap(), "--port", "0", "--today", TODAY])
        .args(extra)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let port = loop {
        assert!(Instant::now() < deadline, "server did not start");
        let line = lines.next().expect("server exited").unwrap();
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest.trim_end_matches(|c: char| !c.is_ascii_digit()).split('/').next().unwrap().parse().unwrap();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, port }
}

/// A minimal HTTP/1.1 client: (status, headers, body).
fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, body)
}

/// Send raw bytes on a fresh connection and read the answer until the server closes it.
fn raw(port: u16, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(bytes).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

fn status_of(answer: &str) -> u16 {
    answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Open a live-reload stream; the caller reads from it or just keeps it open.
fn event_stream(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let req = format!("GET /__casebook/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    stream
}

fn get(port: u16, path: &str) -> (u16, String) {
    let (status, _, body) = request(port, "GET", path, &[]);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Poll until `check` holds, for at most 20 s.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn copy_fixture(name: &str) -> KbTest {
    let kb = KbTest::new();
    for (rel, bytes) in read_tree(&fixtures().join(name)) {
        let path = kb.path().join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    kb
}

#[test]
fn serves_pages_with_types_etags_head_and_the_theme_404() {
    let kb = copy_fixture("site-links");
    let server = serve(kb.path(), &[]);
    let (status, head, body) = request(server.port, "GET", "/incidents/first/", &[]);
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: text/html; charset=utf-8"), "{head}");
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("Pool kept the old primary after failover"));
    assert!(body.contains("/__casebook/events"), "live reload script injected");
    let etag = head.lines().find_map(|l| l.strip_prefix("ETag: ")).unwrap().to_string();
    let (status, _, body) = request(server.port, "GET", "/incidents/first/", &[("If-None-Match", &etag)]);
    assert_eq!((status, body.len()), (304, 0));
    let (status, head, body) = request(server.port, "HEAD", "/static/style.css", &[]);
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: text/css"), "{head}");
    assert!(body.is_empty());
    let (status, head, _) = request(server.port, "GET", "/incidents/first", &[]);
    assert_eq!(status, 301);
    assert!(head.contains("Location: /incidents/first/"), "{head}");
    let (status, body) = get(server.port, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the theme's 404 page");
    let (status, _, body) = request(server.port, "GET", "/feed.xml", &[]);
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).starts_with("<?xml"));
    // Nothing was written into the knowledge base.
    assert!(!kb.path().join("public").exists());
}

#[test]
fn refuses_path_traversal_in_any_encoding() {
    let kb = copy_fixture("site-links");
    let server = serve(kb.path(), &[]);
    for path in [
        "/../casebook.toml",
        "/%2e%2e/casebook.toml",
        "/%2E%2E%2Fcasebook.toml",
        "/static/..%2f..%2fcasebook.toml",
        "/..\\casebook.toml",
        "/%5c..%5ccasebook.toml",
        "/incidents/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let (status, body) = get(server.port, path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("[site]") && !body.contains("root:"), "{path} leaked a file");
    }
}

#[test]
fn edits_show_up_and_errors_overlay_the_last_good_site() {
    let kb = copy_fixture("site-links");
    let server = serve(kb.path(), &[]);
    let record = kb.path().join("incidents/first.md");
    let original = std::fs::read_to_string(&record).unwrap();

    std::fs::write(
        &record,
        original.replace("Pool kept the old primary after failover", "Pool pinned to the fenced primary"),
    )
    .unwrap();
    eventually("the edited title", || {
        get(server.port, "/incidents/first/").1.contains("Pool pinned to the fenced primary")
    });
    eventually("the list shows it too", || {
        get(server.port, "/incidents/").1.contains("Pool pinned to the fenced primary")
    });

    // Break the record: the site stays up, with the diagnostics on every page.
    std::fs::write(&record, original.replace("severity = \"SEV2\"", "severity = \"SEV2")).unwrap();
    eventually("the overlay", || get(server.port, "/").1.contains("id=\"casebook-overlay\""));
    let (status, page) = get(server.port, "/incidents/first/");
    assert_eq!(status, 200);
    assert!(page.contains("Pool pinned to the fenced primary"), "the last good page is still served");
    assert!(page.contains("incidents/first.md:4:"), "the overlay names the file and line");
    assert!(get(server.port, "/__casebook/version").1.contains("\"ok\":false"));

    // Fix it: the overlay goes.
    std::fs::write(&record, &original).unwrap();
    eventually("the overlay to clear", || {
        let page = get(server.port, "/incidents/first/").1;
        !page.contains("casebook-overlay") && page.contains("Pool kept the old primary after failover")
    });

    // Add, rename and delete records.
    std::fs::write(kb.path().join("incidents/fourth.md"), crate::support::GOOD_RECORD).unwrap();
    eventually("a new record", || get(server.port, "/incidents/fourth/").0 == 200);
    std::fs::rename(kb.path().join("incidents/fourth.md"), kb.path().join("incidents/fifth.md")).unwrap();
    eventually("the renamed record", || {
        get(server.port, "/incidents/fifth/").0 == 200 && get(server.port, "/incidents/fourth/").0 == 404
    });
    std::fs::remove_file(kb.path().join("incidents/fifth.md")).unwrap();
    eventually("the deleted record", || get(server.port, "/incidents/fifth/").0 == 404);

    // Templates and the config are watched too.
    std::fs::create_dir_all(kb.path().join("templates")).unwrap();
    std::fs::write(
        kb.path().join("templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>Custom missing page</h1>{% endblock main %}",
    )
    .unwrap();
    eventually("the template override", || get(server.port, "/nowhere/").1.contains("Custom missing page"));
    let config = std::fs::read_to_string(kb.path().join("casebook.toml")).unwrap();
    std::fs::write(kb.path().join("casebook.toml"), config.replace("Links fixture", "Renamed knowledge base")).unwrap();
    eventually("the config change", || get(server.port, "/").1.contains("Renamed knowledge base"));
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["serve", fixtures().join("site-links").to_str().unwrap(), "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("error: port {port} on 127.0.0.1 is in use: choose another with --port")),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let kb = copy_fixture("site-links");
    let mut server = serve(kb.path(), &[]);
    assert_eq!(get(server.port, "/").0, 200);
    assert_eq!(interrupt(&mut server, Duration::from_secs(20)), Some(0));
}

/// Send SIGINT and wait at most `within` for the exit code.
#[cfg(unix)]
fn interrupt(server: &mut Server, within: Duration) -> Option<i32> {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status.code();
        }
        assert!(Instant::now() < deadline, "server did not stop within {within:?} of SIGINT");
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn refuses_requests_naming_another_host() {
    // DNS rebinding: a page on evil.example whose name now points at
    // 127.0.0.1 sends its own name in Host. Only this server's names pass.
    let kb = copy_fixture("site-links");
    let server = serve(kb.path(), &[]);
    let port = server.port;
    for host in
        ["evil.example", &format!("evil.example:{port}"), "localhost", &format!("localhost:{}", port.wrapping_add(1))]
    {
        for path in ["/", "/incidents/first/", "/__casebook/version", "/__casebook/events"] {
            let answer =
                raw(port, format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes());
            assert_eq!(status_of(&answer), 403, "{host} {path}: {answer}");
            assert!(answer.contains("text/plain"), "{answer}");
            assert!(!answer.contains("Pool kept") && !answer.contains("version"), "{host} {path} leaked: {answer}");
        }
    }
    let missing = raw(port, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(status_of(&missing), 403, "no Host at all: {missing}");
    for host in
        [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("LocalHost:{port}"), format!("[::1]:{port}")]
    {
        let answer = raw(
            port,
            format!("GET /incidents/first/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(status_of(&answer), 200, "{host}: {answer}");
    }
}

#[test]
fn leading_slashes_never_redirect_to_another_host() {
    let kb = copy_fixture("site-links");
    let server = serve(kb.path(), &[]);
    for (path, location) in [
        ("//incidents", "/incidents/"),
        ("///incidents", "/incidents/"),
        ("//incidents//first", "/incidents/first/"),
        ("/incidents/first", "/incidents/first/"),
    ] {
        let (status, head, _) = request(server.port, "GET", path, &[]);
        assert_eq!(status, 301, "{path}: {head}");
        let got = head.lines().find_map(|l| l.strip_prefix("Location: ")).unwrap_or_default();
        assert_eq!(got, location, "{path}");
        assert!(got.starts_with('/') && !got.starts_with("//"), "{path} redirects off-site: {got}");
    }
}

#[test]
fn oversized_request_heads_are_refused_and_the_server_stays_up() {
    let kb = copy_fixture("site-links");
    let server = serve(kb.path(), &[]);
    let port = server.port;
    let big = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: {}\r\n\r\n", "a".repeat(70 * 1024));
    let answer = raw(port, big.as_bytes());
    assert!(matches!(status_of(&answer), 431 | 400), "a 70 KB header: {}", &answer[..answer.len().min(200)]);
    let mut many = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    for i in 0..150 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let answer = raw(port, many.as_bytes());
    assert!(matches!(status_of(&answer), 431 | 400), "150 headers: {}", &answer[..answer.len().min(200)]);
    // A long request line alone is refused too.
    let answer =
        raw(port, format!("GET /{} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n", "x".repeat(40 * 1024)).as_bytes());
    assert!(
        matches!(status_of(&answer), 431 | 414 | 400),
        "a 40 KB request line: {}",
        &answer[..answer.len().min(200)]
    );
    assert_eq!(get(port, "/incidents/first/").0, 200, "still serving");
}

#[test]
fn keep_alive_answers_several_requests_on_one_connection() {
    let kb = copy_fixture("site-links");
    let server = serve(kb.path(), &[]);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    for (i, path) in ["/", "/incidents/first/", "/static/style.css", "/no/such/", "/"].iter().enumerate() {
        let method = if i == 2 { "HEAD" } else { "GET" };
        stream
            .write_all(format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", server.port).as_bytes())
            .unwrap();
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length: ") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; if method == "HEAD" { 0 } else { length }];
        reader.read_exact(&mut body).unwrap();
        let expected = if *path == "/no/such/" { " 404 " } else { " 200 " };
        assert!(status.contains(expected), "{path}: {status}");
    }
}

#[test]
fn event_streams_never_starve_page_requests() {
    let kb = copy_fixture("site-links");
    let server = serve(kb.path(), &[]);
    // More streams than a browser keeps for one site (six), as with many tabs.
    let streams: Vec<TcpStream> = (0..6).map(|_| event_stream(server.port)).collect();
    let started = Instant::now();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let port = server.port;
    std::thread::spawn(move || {
        for i in 0..20 {
            let path = if i % 2 == 0 { "/" } else { "/incidents/first/" };
            let _ = done_tx.send(get(port, path).0);
        }
    });
    for i in 0..20 {
        let left = Duration::from_secs(10).saturating_sub(started.elapsed());
        let status = done_rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("page {i} of 20 not answered within 10 s with 6 streams open"));
        assert_eq!(status, 200);
    }
    // And every stream is live: its first event carries the site version.
    for mut stream in streams {
        let mut seen = Vec::new();
        let mut buf = [0u8; 512];
        while !String::from_utf8_lossy(&seen).contains("data: ") {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "stream closed: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
        }
        assert!(String::from_utf8_lossy(&seen).contains("text/event-stream"));
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_promptly_with_event_streams_open() {
    let kb = copy_fixture("site-links");
    let mut server = serve(kb.path(), &[]);
    let streams: Vec<TcpStream> = (0..3).map(|_| event_stream(server.port)).collect();
    // An idle keep-alive connection must not hold the server either.
    let mut idle = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    idle.write_all(format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", server.port).as_bytes()).unwrap();
    assert_eq!(get(server.port, "/").0, 200);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(interrupt(&mut server, Duration::from_secs(5)), Some(0), "with streams open");
    drop((streams, idle));
}

/// Read a stream's answer until its first event (or the end), with the status.
fn first_event(stream: &mut TcpStream) -> (u16, String) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 512];
    while !String::from_utf8_lossy(&seen).contains("\n\n") || !String::from_utf8_lossy(&seen).contains("data: ") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&seen).into_owned();
    (status_of(&text), text)
}

#[test]
fn live_reload_streams_are_capped_and_freed_when_tabs_close() {
    let kb = copy_fixture("site-links");
    let server = serve(kb.path(), &[]);
    let mut streams: Vec<TcpStream> = (0..64).map(|_| event_stream(server.port)).collect();
    for stream in &mut streams {
        assert_eq!(first_event(stream).0, 200);
    }
    let (status, text) = first_event(&mut event_stream(server.port));
    assert_eq!(status, 503, "the 65th stream: {text}");
    assert_eq!(get(server.port, "/").0, 200, "pages are still answered");
    drop(streams);
    eventually("closed tabs free their streams", || first_event(&mut event_stream(server.port)).0 == 200);
}
