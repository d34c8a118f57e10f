//! The preview's HTTP/1.1 server on std sockets: one thread per connection,
//! so a live-reload stream never holds a page request up.
//!
//! Why not tiny_http, which served before: it reads request heads without any
//! bound (a 64 MB header was accepted), hands requests to a fixed pool of
//! workers that an event stream holds for as long as a tab is open (four tabs
//! stopped the preview), cannot close those streams on Ctrl-C, and writes a
//! response's head and body in separate small writes without `TCP_NODELAY`,
//! which Nagle's algorithm and the client's delayed ACK turn into ~40 ms per
//! keep-alive request. None of that is configurable there. The preview needs
//! only `GET` and `HEAD` from a browser on the same machine, so reading the
//! head here ([`http::parse_head`], pure and unit-tested) is smaller than
//! wrapping tiny_http's listener, and cheaper to build than an async server.
//! Dropping it removed four crates (tiny_http, ascii, chunked_transfer,
//! httpdate; about 8.5 s of a clean debug build on two cores) for the ~300
//! lines here.
//!
//! Bounds: a head of at most [`http::MAX_HEAD`] bytes and
//! [`http::MAX_HEADERS`] lines (else 431, and nothing more is read); at most
//! [`MAX_CONNECTIONS`] open connections, of which at most [`MAX_STREAMS`]
//! event streams (else 503); an idle connection closes after [`IDLE`].
//! Request bodies are never read: a request with one is answered and its
//! connection closed. [`Server::stop`] wakes every stream and shuts every
//! open connection down, so Ctrl-C ends the server at once.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Shared;
use super::http::{self, HeadError};

/// Open connections at most (a browser keeps six per site).
pub const MAX_CONNECTIONS: usize = 128;
/// Open live-reload streams at most.
pub const MAX_STREAMS: usize = 64;
/// How long a connection may stay silent before it is closed.
pub const IDLE: Duration = Duration::from_secs(30);
/// How often a stream with nothing to say sends a comment, so proxies and
/// browsers keep it open.
const PING: Duration = Duration::from_secs(15);
/// How often a waiting stream checks whether its client went away.
const TICK: Duration = Duration::from_millis(500);

/// What every connection thread shares.
struct Context {
    shared: Arc<Shared>,
    bind: IpAddr,
    port: u16,
    stopping: AtomicBool,
    next_id: AtomicU64,
    /// A handle on each open connection, to shut it down on stop.
    open: Mutex<HashMap<u64, TcpStream>>,
    streams: AtomicUsize,
}

impl Context {
    fn open(&self) -> MutexGuard<'_, HashMap<u64, TcpStream>> {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}

/// A running server; [`Server::stop`] ends it.
pub struct Server {
    context: Arc<Context>,
    address: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Serve `shared` on `listener` until [`Server::stop`].
    pub fn start(listener: TcpListener, shared: Arc<Shared>) -> io::Result<Server> {
        let address = listener.local_addr()?;
        let context = Arc::new(Context {
            shared,
            bind: address.ip(),
            port: address.port(),
            stopping: AtomicBool::new(false),
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
            streams: AtomicUsize::new(0),
        });
        let accepting = Arc::clone(&context);
        let accept = std::thread::Builder::new()
            .name("serve-accept".into())
            .spawn(move || accept_loop(&listener, &accepting))?;
        Ok(Server { context, address, accept: Some(accept) })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stop accepting, end every event stream and close every connection;
    /// waits at most a second for their threads.
    pub fn stop(mut self) {
        self.context.stopping.store(true, Ordering::SeqCst);
        // Taking the lock the streams wait under means none misses the wake-up.
        {
            let _version = self.context.shared.version.lock().unwrap_or_else(|p| p.into_inner());
            self.context.shared.changed.notify_all();
        }
        for stream in self.context.open().values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        // Wake the accept loop with a connection of our own.
        let ip = match self.address.ip() {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let woke = TcpStream::connect_timeout(&SocketAddr::new(ip, self.address.port()), Duration::from_millis(500));
        if let (Ok(_), Some(accept)) = (woke, self.accept.take()) {
            let _ = accept.join();
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        while !self.context.open().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn accept_loop(listener: &TcpListener, context: &Arc<Context>) {
    for incoming in listener.incoming() {
        if context.stopping() {
            return;
        }
        let stream = match incoming {
            Ok(stream) => stream,
            // Out of file descriptors and the like: let some close first.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        // One response is one write; never wait for the client's ACK to send it.
        let _ = stream.set_nodelay(true);
        if context.open().len() >= MAX_CONNECTIONS {
            // Answered here without reading, so the accept loop never waits.
            let mut stream = stream;
            let _ = stream.write_all(&http::encode(&busy(), false, true));
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        }
        let id = context.next_id.fetch_add(1, Ordering::Relaxed);
        let Ok(handle) = stream.try_clone() else { continue };
        context.open().insert(id, handle);
        let connection = Arc::clone(context);
        let spawned = std::thread::Builder::new().name("serve-connection".into()).spawn(move || {
            serve_connection(stream, &connection);
            connection.open().remove(&id);
        });
        if spawned.is_err() {
            context.open().remove(&id);
        }
    }
}

fn busy() -> http::Reply {
    let mut reply = http::Reply::new(503, "text/plain; charset=utf-8", b"too many connections\n".to_vec());
    reply.headers.push(("Retry-After", "1".into()));
    reply
}

/// Answer the requests of one connection until it closes.
fn serve_connection(mut stream: TcpStream, context: &Context) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let mut buffer: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        // Read one head, never more than MAX_HEAD bytes of it.
        let end = loop {
            if let Some(end) = http::head_end(&buffer) {
                break end;
            }
            if buffer.len() >= http::MAX_HEAD {
                finish(stream, &http::encode(&HeadError::TooLarge.reply(), false, true));
                return;
            }
            let room = (http::MAX_HEAD - buffer.len()).min(chunk.len());
            match stream.read(&mut chunk[..room]) {
                Ok(0) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        };
        let parsed = http::parse_head(&buffer[..end]);
        buffer.drain(..end);
        let head = match parsed {
            Ok(head) => head,
            Err(e) => {
                finish(stream, &http::encode(&e.reply(), false, true));
                return;
            }
        };
        if context.stopping() {
            return;
        }
        let host_ok = http::host_allowed(head.header("Host"), context.bind, context.port);
        let is_events = head.target.split('?').next() == Some("/__casebook/events") && head.method == "GET";
        if host_ok && is_events && !head.has_body() {
            if context.streams.fetch_add(1, Ordering::SeqCst) < MAX_STREAMS {
                stream_events(&mut stream, context);
                context.streams.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            context.streams.fetch_sub(1, Ordering::SeqCst);
            finish(stream, &http::encode(&busy(), false, true));
            return;
        }
        let reply = if host_ok {
            http::respond(&context.shared.snapshot(), &head.method, &head.target, head.header("If-None-Match"))
        } else {
            http::wrong_host(context.port)
        };
        // A body is never read, so the connection cannot carry another request.
        let close = !head.keep_alive() || head.has_body();
        let bytes = http::encode(&reply, head.method == "HEAD", close);
        if close {
            finish(stream, &bytes);
            return;
        }
        if stream.write_all(&bytes).is_err() {
            return;
        }
    }
}

/// Send a last answer and close: stop writing, then read and drop what the
/// client is still sending (at most 256 KB, for at most a second) so that
/// closing does not reset the connection before the client has read it.
fn finish(mut stream: TcpStream, bytes: &[u8]) {
    if stream.write_all(bytes).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(250)));
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut drained = 0;
    let mut sink = [0u8; 8192];
    while drained < 256 * 1024 && Instant::now() < deadline {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// Server-sent events: the site version now, and again whenever it changes,
/// until the client goes away or the server stops.
fn stream_events(stream: &mut TcpStream, context: &Context) {
    let shared = &context.shared;
    let mut seen = *shared.version.lock().unwrap_or_else(|p| p.into_inner());
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\ndata: {seen}\n\n"
    );
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut last_sent = Instant::now();
    loop {
        let current = {
            let guard = shared.version.lock().unwrap_or_else(|p| p.into_inner());
            let waited = shared
                .changed
                .wait_timeout_while(guard, TICK, |v| *v == seen && !context.stopping.load(Ordering::SeqCst));
            match waited {
                Ok((v, _)) => *v,
                Err(p) => *p.into_inner().0,
            }
        };
        if context.stopping() || client_left(stream) {
            return;
        }
        let message = if current != seen {
            format!("data: {current}\n\n")
        } else if last_sent.elapsed() >= PING {
            ": ping\n\n".to_string()
        } else {
            continue;
        };
        seen = current;
        if stream.write_all(message.as_bytes()).is_err() {
            return;
        }
        last_sent = Instant::now();
    }
}

/// Whether the client closed its side (a closed tab), seen without blocking.
fn client_left(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let left = match stream.peek(&mut [0u8; 1]) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != io::ErrorKind::WouldBlock,
    };
    left || stream.set_nonblocking(false).is_err()
}
