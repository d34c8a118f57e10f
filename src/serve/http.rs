//! Answers one HTTP request from a site held in memory.
//!
//! A pure function of the site snapshot and the request line, so path
//! handling (percent-decoding, traversal, directory indexes, redirects, 404,
//! ETags) is unit-tested without sockets. Only files Casebook generated can be
//! answered: the snapshot is a map of output paths, and any path with a `..`
//! segment, a backslash or a NUL, in any encoding, is refused before lookup.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::Arc;

/// The site as served: output files plus the problems of the latest build.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub files: HashMap<String, Arc<[u8]>>,
    /// Diagnostics of the latest build when it failed, as plain text; the
    /// files are then those of the last good build.
    pub errors: Option<String>,
    /// Increases on every rebuild; open pages reload when it changes.
    pub version: u64,
}

/// An answer, ready to send.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Reply { status, headers: vec![("Content-Type", content_type.to_string())], body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The most bytes a request line and its headers may take together, and the
/// most header lines: a longer head is answered 431 and the connection closed
/// without reading the rest.
pub const MAX_HEAD: usize = 16 * 1024;
pub const MAX_HEADERS: usize = 100;

/// A request line and its headers.
#[derive(Debug, PartialEq, Eq)]
pub struct Head {
    pub method: String,
    pub target: String,
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub http11: bool,
    pub headers: Vec<(String, String)>,
}

/// Why a request head cannot be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    #[error("request header fields too large")]
    TooLarge,
    #[error("malformed request")]
    Malformed,
    #[error("HTTP version not supported")]
    Version,
}

impl HeadError {
    pub fn reply(self) -> Reply {
        let status = match self {
            HeadError::TooLarge => 431,
            HeadError::Malformed => 400,
            HeadError::Version => 505,
        };
        Reply::new(status, "text/plain; charset=utf-8", format!("{self}\n").into_bytes())
    }
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn connection_has(&self, token: &str) -> bool {
        self.header("Connection").is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    }

    /// Whether another request may follow on the same connection.
    pub fn keep_alive(&self) -> bool {
        if self.http11 { !self.connection_has("close") } else { self.connection_has("keep-alive") }
    }

    /// Whether a body follows the head (never read: the connection is closed
    /// after the answer instead).
    pub fn has_body(&self) -> bool {
        self.header("Transfer-Encoding").is_some() || self.header("Content-Length").is_some_and(|v| v.trim() != "0")
    }
}

/// Where the head in `buf` ends (just past its blank line), once it is all there.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', buf).find_map(|i| match buf.get(i + 1..) {
        Some([b'\n', ..]) => Some(i + 2),
        Some([b'\r', b'\n', ..]) => Some(i + 3),
        _ => None,
    })
}

/// Parse a complete head, as found by [`head_end`].
pub fn parse_head(bytes: &[u8]) -> Result<Head, HeadError> {
    if bytes.len() > MAX_HEAD {
        return Err(HeadError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| HeadError::Malformed)?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().ok_or(HeadError::Malformed)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Malformed);
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) || target.is_empty() {
        return Err(HeadError::Malformed);
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        v if v.starts_with("HTTP/") => return Err(HeadError::Version),
        _ => return Err(HeadError::Malformed),
    };
    let mut headers = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        if headers.len() == MAX_HEADERS {
            return Err(HeadError::TooLarge);
        }
        // No obsolete line folding, no space before the colon.
        let (name, value) = line.split_once(':').ok_or(HeadError::Malformed)?;
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
            return Err(HeadError::Malformed);
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Head { method: method.to_string(), target: target.to_string(), http11, headers })
}

/// `reply` as bytes to send: status line, headers, `Content-Length`, and the
/// body unless `head_only` (a `HEAD` request); `Connection: close` when the
/// connection closes after it. One buffer, so it leaves in one write.
pub fn encode(reply: &Reply, head_only: bool, close: bool) -> Vec<u8> {
    let reason = match reply.status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if reply.status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if !head_only && reply.status != 304 {
        out.extend_from_slice(&reply.body);
    }
    out
}

/// The path prefix of Casebook's own endpoints in serve mode.
pub const INTERNAL: &str = "/__casebook/";

/// The script added to every HTML page in serve mode: the server streams the
/// site version; a page built from another version reloads.
fn live_reload(version: u64) -> String {
    format!(
        "<script>(function(){{var v=\"{version}\";if(!window.EventSource)return;var s=new EventSource(\"/__casebook/events\");s.onmessage=function(e){{if(e.data!==v){{s.close();location.reload();}}}};}})();</script>"
    )
}

/// Answer `GET`/`HEAD` of `raw_url`.
pub fn respond(site: &Snapshot, method: &str, raw_url: &str, if_none_match: Option<&str>) -> Reply {
    if method != "GET" && method != "HEAD" {
        let mut r = Reply::new(405, "text/plain; charset=utf-8", b"only GET and HEAD are served\n".to_vec());
        r.headers.push(("Allow", "GET, HEAD".into()));
        return r;
    }
    // One slash between segments, so a redirect built from the path can
    // never be protocol-relative (`//host/`), i.e. never leave this site.
    let path = collapse_slashes(raw_url.split(['?', '#']).next().unwrap_or(""));
    let path = path.as_str();
    if path == "/__casebook/version" {
        let body = format!("{{\"version\":{},\"ok\":{}}}\n", site.version, site.errors.is_none());
        return Reply::new(200, "application/json", body.into_bytes());
    }
    let Some(relative) = clean_path(path) else {
        return Reply::new(400, "text/plain; charset=utf-8", b"bad path\n".to_vec());
    };
    let index =
        if relative.is_empty() || relative.ends_with('/') { format!("{relative}index.html") } else { relative.clone() };
    let (status, file, name) = match site.files.get(&index) {
        Some(bytes) => (200, Some(bytes), index),
        None if site.files.contains_key(&format!("{relative}/index.html")) => {
            let mut r = Reply::new(301, "text/plain; charset=utf-8", Vec::new());
            r.headers.push(("Location", format!("{path}/")));
            return r;
        }
        None => (404, site.files.get("404.html"), "404.html".to_string()),
    };
    let content_type = content_type(&name);
    let mut body = match file {
        Some(bytes) => bytes.to_vec(),
        None if site.errors.is_some() => b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body><h1>The knowledge base does not build yet</h1></body></html>".to_vec(),
        None => b"not found\n".to_vec(),
    };
    if content_type.starts_with("text/html") {
        body = inject(body, site.version, site.errors.as_deref());
    }
    let etag = format!("\"{:016x}\"", hash(&body));
    if status == 200 && if_none_match.is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag)) {
        let mut r = Reply::new(304, content_type, Vec::new());
        r.headers.push(("ETag", etag));
        return r;
    }
    let status = if status == 404 && file.is_none() && site.errors.is_some() { 503 } else { status };
    let mut r = Reply::new(status, content_type, body);
    r.headers.push(("ETag", etag));
    r.headers.push(("Cache-Control", "no-cache".into()));
    r
}

/// `path` with every run of slashes made one slash.
fn collapse_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

/// Whether `host`, the request's `Host` header, names this server: a name a
/// DNS answer can point anywhere (`evil.example`) is refused, so a page on
/// another site cannot read the preview through DNS rebinding. Accepted:
/// `localhost` and any loopback address, the address bound to, and, when
/// bound to all interfaces, any IP address (an address cannot be rebound);
/// always with the port listened on (80 when none is given).
pub fn host_allowed(host: Option<&str>, bind: IpAddr, port: u16) -> bool {
    let Some(host) = host.map(str::trim) else { return false };
    let (name, rest) = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((name, rest)) => (name, rest),
            None => return false,
        },
        None => match host.find(':') {
            Some(at) => host.split_at(at),
            None => (host, ""),
        },
    };
    let host_port = match rest {
        "" => Some(80),
        _ => rest.strip_prefix(':').and_then(|p| p.parse::<u16>().ok()),
    };
    if host_port != Some(port) {
        return false;
    }
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bracketed = host.starts_with('[');
    match name.parse::<IpAddr>() {
        Ok(ip) if ip.is_ipv6() == bracketed => ip.is_loopback() || ip == bind || bind.is_unspecified(),
        _ => false,
    }
}

/// The answer to a request whose `Host` is not this server's.
pub fn wrong_host(port: u16) -> Reply {
    let body = format!("this preview answers only as http://127.0.0.1:{port}/ or http://localhost:{port}/\n");
    Reply::new(403, "text/plain; charset=utf-8", body.into_bytes())
}

/// Percent-decode and normalise a URL path into a key of the site, or refuse it.
pub fn clean_path(path: &str) -> Option<String> {
    let decoded = percent_decode(path.strip_prefix('/')?)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut out: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            ".." | "." => return None,
            "" => {}
            s => out.push(s),
        }
    }
    let mut joined = out.join("/");
    if decoded.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => {
            if path.ends_with("feed.xml") {
                "application/atom+xml"
            } else {
                "application/xml"
            }
        }
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Add the live-reload script, and the error overlay when the latest build failed.
fn inject(body: Vec<u8>, version: u64, errors: Option<&str>) -> Vec<u8> {
    let mut extra = live_reload(version);
    if let Some(text) = errors {
        extra.push_str(&overlay(text));
    }
    let html = String::from_utf8_lossy(&body);
    let at = html.rfind("</body>").unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + extra.len());
    out.push_str(&html[..at]);
    out.push_str(&extra);
    out.push_str(&html[at..]);
    out.into_bytes()
}

fn overlay(text: &str) -> String {
    let escaped = crate::render::theme::escape_html(text);
    format!(
        "<div id=\"casebook-overlay\" role=\"alert\" style=\"position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:99;background:#2b0d0e;color:#ffe9e9;border-top:4px solid #e5484d;padding:1rem 1.5rem;font:14px/1.45 ui-monospace,monospace\"><p style=\"margin:0 0 .5rem;font-weight:700\">The latest edit does not build; showing the last good version. Fix these and save:</p><pre style=\"margin:0;white-space:pre-wrap\">{escaped}</pre></div>"
    )
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Snapshot {
        let mut files: HashMap<String, Arc<[u8]>> = HashMap::new();
        files.insert("index.html".into(), Arc::from(&b"<html><body>home</body></html>"[..]));
        files.insert("incidents/a/index.html".into(), Arc::from(&b"<html><body>A</body></html>"[..]));
        files.insert("404.html".into(), Arc::from(&b"<html><body>missing</body></html>"[..]));
        files.insert("static/style.css".into(), Arc::from(&b"body{}"[..]));
        Snapshot { files, errors: None, version: 3 }
    }

    #[test]
    fn directories_serve_their_index_and_redirect_without_slash() {
        let s = site();
        let r = respond(&s, "GET", "/incidents/a/?x=1", None);
        assert_eq!(r.status, 200);
        assert!(String::from_utf8_lossy(&r.body).contains("A<script>"));
        let r = respond(&s, "GET", "/incidents/a", None);
        assert_eq!((r.status, r.header("Location")), (301, Some("/incidents/a/")));
        assert_eq!(respond(&s, "GET", "/", None).status, 200);
    }

    #[test]
    fn redirects_stay_on_this_site() {
        let s = site();
        for (url, location) in [
            ("//incidents/a", "/incidents/a/"),
            ("///incidents//a?x=1", "/incidents/a/"),
            ("/incidents//a", "/incidents/a/"),
        ] {
            let r = respond(&s, "GET", url, None);
            assert_eq!((r.status, r.header("Location")), (301, Some(location)), "{url}");
        }
        assert_eq!(respond(&s, "GET", "//", None).status, 200);
        // An encoded slash stays a literal character of this site's path.
        let r = respond(&s, "GET", "/%2Fincidents/a", None);
        assert_eq!((r.status, r.header("Location")), (301, Some("/%2Fincidents/a/")));
    }

    #[test]
    fn only_this_servers_names_are_accepted_hosts() {
        let loopback: IpAddr = [127, 0, 0, 1].into();
        let ok = |h: &str| host_allowed(Some(h), loopback, 1111);
        for good in ["127.0.0.1:1111", "localhost:1111", "LOCALHOST:1111", "[::1]:1111", " localhost:1111 "] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost",
            "localhost:1112",
            "localhost:",
            "localhost.:1111",
            "localhost.evil.example:1111",
            "127.0.0.1:1111.evil.example",
            "10.0.0.2:1111",
            "::1:1111",
            "[::1:1111",
            "[127.0.0.1]:1111",
            "",
        ] {
            assert!(!ok(bad), "{bad}");
        }
        assert!(!host_allowed(None, loopback, 1111));
        assert!(host_allowed(Some("localhost"), loopback, 80));
        let all: IpAddr = [0, 0, 0, 0].into();
        assert!(host_allowed(Some("192.168.1.20:1111"), all, 1111));
        assert!(!host_allowed(Some("preview.example:1111"), all, 1111));
        let lan: IpAddr = [192, 168, 1, 20].into();
        assert!(host_allowed(Some("192.168.1.20:1111"), lan, 1111));
        assert!(!host_allowed(Some("192.168.1.21:1111"), lan, 1111));
    }

    #[test]
    fn heads_parse_within_bounds() {
        let raw = b"GET /a?b HTTP/1.1\r\nHost: localhost:1111\r\nConnection: keep-alive, Upgrade\r\n\r\nGET /next";
        let end = head_end(raw);
        assert_eq!(end, Some(raw.len() - 9));
        let head = parse_head(&raw[..raw.len() - 9]).unwrap();
        assert_eq!((head.method.as_str(), head.target.as_str(), head.http11), ("GET", "/a?b", true));
        assert_eq!(head.header("host"), Some("localhost:1111"));
        assert!(head.keep_alive() && !head.has_body());
        assert_eq!(head_end(b"GET / HTTP/1.0\n\n"), Some(16));
        assert!(!parse_head(b"GET / HTTP/1.0\n\n").unwrap().keep_alive());
        assert!(!parse_head(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n").unwrap().keep_alive());
        assert!(parse_head(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").unwrap().has_body());
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
        for bad in [
            &b"GET /\r\n\r\n"[..],
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nNo colon\r\n\r\n",
            b"GET / HTTP/1.1\r\n folded: x\r\n\r\n",
            b"G\xffT / HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(parse_head(bad), Err(HeadError::Malformed), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_head(b"GET / HTTP/2.0\r\n\r\n"), Err(HeadError::Version));
        let mut many = String::from("GET / HTTP/1.1\r\n");
        for i in 0..=MAX_HEADERS {
            many.push_str(&format!("X-{i}: v\r\n"));
        }
        assert_eq!(parse_head(format!("{many}\r\n").as_bytes()), Err(HeadError::TooLarge));
        assert_eq!(parse_head(&vec![b'a'; MAX_HEAD + 1]), Err(HeadError::TooLarge));
    }

    #[test]
    fn replies_encode_with_length_and_without_a_body_for_head() {
        let s = site();
        let r = respond(&s, "GET", "/static/style.css", None);
        let text = String::from_utf8(encode(&r, false, false)).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("\r\nContent-Length: 6\r\n") && text.ends_with("\r\n\r\nbody{}"), "{text}");
        let text = String::from_utf8(encode(&r, true, true)).unwrap();
        assert!(text.contains("Content-Length: 6\r\nConnection: close\r\n\r\n") && text.ends_with("\r\n\r\n"));
        assert!(
            String::from_utf8(encode(&HeadError::TooLarge.reply(), false, true)).unwrap().starts_with("HTTP/1.1 431 ")
        );
    }

    #[test]
    fn types_etags_and_not_found() {
        let s = site();
        let css = respond(&s, "GET", "/static/style.css", None);
        assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
        assert_eq!(css.body, b"body{}");
        let etag = css.header("ETag").map(str::to_string);
        let again = respond(&s, "GET", "/static/style.css", etag.as_deref());
        assert_eq!((again.status, again.body.len()), (304, 0));
        let missing = respond(&s, "GET", "/nope/", None);
        assert_eq!(missing.status, 404);
        assert!(String::from_utf8_lossy(&missing.body).contains("missing"));
        assert_eq!(respond(&s, "POST", "/", None).status, 405);
    }

    #[test]
    fn traversal_is_refused_in_any_encoding() {
        let s = site();
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/incidents/..%2f..%2f",
            "/a\\..\\b",
            "/%5c..%5cx",
            "/./index.html",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(respond(&s, "GET", bad, None).status, 400, "{bad}");
        }
        // Double encoding decodes once: a literal name, simply not found.
        assert_eq!(respond(&s, "GET", "/%252e%252e/etc/passwd", None).status, 404);
    }

    #[test]
    fn errors_show_an_escaped_overlay_on_html_only() {
        let mut s = site();
        s.errors = Some("error[toml-syntax]: <bad> at incidents/x.md:2:9".into());
        let page = String::from_utf8_lossy(&respond(&s, "GET", "/", None).body).into_owned();
        assert!(page.contains("id=\"casebook-overlay\""));
        assert!(page.contains("&lt;bad&gt;"));
        assert!(page.ends_with("</body></html>"));
        assert_eq!(respond(&s, "GET", "/static/style.css", None).body, b"body{}");
        let v = respond(&s, "GET", "/__casebook/version", None);
        assert_eq!(String::from_utf8_lossy(&v.body), "{\"version\":3,\"ok\":false}\n");
    }
}
