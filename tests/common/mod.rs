//! Helpers shared by the integration tests. Deadlines here only stop a broken test from
//! hanging; no test asserts on time.
#![allow(dead_code)] // each test binary uses its own subset

mod cli;
pub mod tls_peer;

#[allow(unused_imports)] // each test binary uses its own subset
pub use cli::{Cli, run_cli};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use socket_tester::net::{ClientId, Event, EventKind, Message, Session};

pub const DEADLINE: Duration = Duration::from_secs(10);

/// `--wait-ms` for a run that ends at `--count`: the wait is then only a deadline, after which
/// the run ends without what it waited for and the test's checks fail.
pub const WAIT_MS_DEADLINE: &str = "10000";

pub const MIB: usize = 1024 * 1024;

/// Waits for the next event; panics with what was expected if none comes before the deadline.
pub fn next_event(session: &Session) -> EventKind {
    session
        .events()
        .recv_timeout(DEADLINE)
        .map(|event: Event| event.kind)
        .expect("no event from the session")
}

/// Skips events until one matches `wanted`, and returns it.
pub fn wait_for<T>(
    session: &Session,
    what: &str,
    mut wanted: impl FnMut(&EventKind) -> Option<T>,
) -> T {
    let deadline = Instant::now() + DEADLINE;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(event) = session.events().recv_timeout(left) else {
            break;
        };
        if let Some(found) = wanted(&event.kind) {
            return found;
        }
        // Short enough to read when a test fails on a stream of large messages.
        seen.push(
            format!("{:?}", event.kind)
                .chars()
                .take(200)
                .collect::<String>(),
        );
    }
    panic!("never saw {what}; saw {seen:?}");
}

pub fn listening(session: &Session) -> SocketAddr {
    wait_for(session, "Listening", |kind| match kind {
        EventKind::Listening { local } => Some(*local),
        _ => None,
    })
}

/// The next `count` messages (reads, frames or datagrams) the session reports, whether they
/// come in one batch or several; a batch with more than asked for fails the test.
pub fn next_messages(session: &Session, count: usize) -> Vec<(Option<ClientId>, Message)> {
    let mut got = Vec::new();
    while got.len() < count {
        got.extend(wait_for(session, "Received", |kind| match kind {
            EventKind::Received { client, messages } => Some(
                messages
                    .iter()
                    .map(|m| (*client, m.clone()))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        }));
    }
    assert_eq!(got.len(), count, "more messages than expected: {got:?}");
    got
}

/// Bytes received by the session until `len` have arrived, as one buffer.
pub fn receive_exactly(session: &Session, len: usize) -> Vec<u8> {
    let mut all = Vec::with_capacity(len);
    while all.len() < len {
        wait_for(session, "more received bytes", |kind| match kind {
            EventKind::Received { messages, .. } => {
                messages.iter().for_each(|m| all.extend_from_slice(&m.data));
                Some(())
            }
            _ => None,
        });
    }
    all
}

/// A loopback TCP address where nothing listens, held for as long as the socket lives: it is
/// bound without `listen`, so a connection to it is refused (RST) and no other test can take
/// the port meanwhile. `listen` on the socket makes it accept there.
pub fn refusing_tcp() -> (socket2::Socket, SocketAddr) {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    socket
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .expect("bind 127.0.0.1:0");
    let addr = socket.local_addr().unwrap().as_socket().unwrap();
    (socket, addr)
}

/// A loopback UDP address nobody receives on, held for as long as the socket lives: the
/// socket bound there is connected to itself, so it takes only its own datagrams and the
/// kernel answers everyone else's with "port unreachable" (a refusal).
pub fn refusing_udp() -> (std::net::UdpSocket, SocketAddr) {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = socket.local_addr().unwrap();
    socket.connect(addr).expect("connect to itself");
    (socket, addr)
}

/// Whether this machine has IPv6 loopback (containers may lack it).
pub fn has_ipv6_loopback() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

/// A pseudo-random but reproducible payload.
pub fn pattern(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// A fresh folder under the system temp dir, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("socket-tester-{name}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn file(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }

    /// A new FIFO (named pipe) in the folder.
    #[cfg(unix)]
    pub fn fifo(&self, name: &str) -> std::path::PathBuf {
        let path = self.file(name);
        let made = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
        assert!(made.success(), "mkfifo {}", path.display());
        path
    }
}

/// A reader that holds the FIFO at `path` open and reads nothing: opened without waiting for
/// a writer, so a capture into the FIFO finds it there.
#[cfg(unix)]
pub fn fifo_reader_that_does_not_read(path: &std::path::Path) -> std::fs::File {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .expect("open the FIFO to read")
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A TCP echo server on loopback for any number of clients (a thread each), counting the
/// connections it accepted.
pub struct EchoServer {
    pub addr: SocketAddr,
    accepted: Arc<AtomicU64>,
}

impl EchoServer {
    pub fn start() -> EchoServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicU64::new(0));
        let counter = accepted.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                counter.fetch_add(1, Ordering::Relaxed);
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    while let Ok(n @ 1..) = stream.read(&mut buf) {
                        if stream.write_all(&buf[..n]).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        EchoServer { addr, accepted }
    }

    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

/// A loopback listener whose accept queue is full, so a further connect hangs (Linux drops the
/// SYN) until its timeout. Returns the listener (keep it alive) and the pending connections.
pub fn listener_that_stalls_connects() -> (socket2::Socket, SocketAddr, Vec<socket2::Socket>) {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let mut pending = Vec::new();
    for _ in 0..16 {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        match socket.connect_timeout(&addr.into(), Duration::from_millis(200)) {
            Ok(()) => pending.push(socket),
            Err(_) => return (listener, addr, pending),
        }
    }
    panic!("the accept queue never filled");
}

/// Waits for the child to exit on its own (bounded by `limit`); its exit code and stderr.
pub fn wait_exit(child: &mut std::process::Child, limit: Duration) -> (i32, String) {
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("socket-tester did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    (status.code().unwrap_or(-1), stderr)
}

/// A TCP client page of the window's model aimed at 127.0.0.1:`port`, not yet connected.
pub fn client_page(port: u16) -> socket_tester::gui::model::page::Page {
    use socket_tester::gui::model::page::{Page, PageConfig};
    Page::new(
        socket_tester::net::SessionKind::TcpClient,
        PageConfig {
            host: "127.0.0.1".into(),
            port: port.to_string(),
            ..PageConfig::default()
        },
    )
}

/// Runs `tcp-client ADDR FLAGS…` until its one reply has arrived (`--count 1`), which must
/// exit 0, and returns what it printed. A reply that never comes ends the run after the
/// deadline, and the caller's check of the output fails.
pub fn client_run(addr: &str, flags: &[&str]) -> Vec<String> {
    let args: Vec<&str> = ["tcp-client", addr]
        .into_iter()
        .chain(flags.iter().copied())
        .chain(["--count", "1", "--wait-ms", WAIT_MS_DEADLINE])
        .collect();
    let (code, lines, stderr) = Cli::spawn(&args).finish_within(DEADLINE * 2);
    assert_eq!(code, 0, "{stderr}");
    lines
}

/// The flags of a GBK "你好", and of a Modbus read with its CRC appended.
pub const GBK_HELLO: &[&str] = &["--encoding", "gbk", "--send", "你好"];
pub const MODBUS_READ: &[&str] = &[
    "--hex",
    "--checksum",
    "crc16-modbus",
    "--send",
    "01 03 00 00 00 01",
];

/// Asserts that the command line printed a received row whose text ends with `ending`.
pub fn assert_printed_rx(lines: &[String], ending: &str) {
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" RX ") && l.ends_with(ending)),
        "no RX row ending {ending:?} in {lines:?}"
    );
}

/// Applies the page's events, as the window does each frame, until `done` holds.
pub fn drain_until(
    page: &mut socket_tester::gui::model::page::Page,
    what: &str,
    done: impl Fn(&socket_tester::gui::model::page::Page) -> bool,
) {
    let deadline = Instant::now() + DEADLINE;
    while !done(page) {
        assert!(Instant::now() < deadline, "never saw {what}");
        page.drain_events();
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A TCP connection to `addr` whose reads give up after `DEADLINE`.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Writes `message` and reads the `reply_len` bytes that answer it.
pub fn ask(stream: &mut TcpStream, message: &[u8], reply_len: usize) -> Vec<u8> {
    stream.write_all(message).unwrap();
    let mut reply = vec![0u8; reply_len];
    stream.read_exact(&mut reply).unwrap();
    reply
}

/// A server that keeps every byte one client sends, until the client closes.
pub fn collecting_server() -> (SocketAddr, thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut all = Vec::new();
        stream.read_to_end(&mut all).unwrap();
        all
    });
    (addr, handle)
}

/// Feeds `session`'s events to `recording` until one that `until` accepts, and returns it.
pub fn record_until(
    session: &Session,
    recording: &mut socket_tester::gui::model::recording::SessionRecording,
    until: impl Fn(&EventKind) -> bool,
) -> EventKind {
    loop {
        let event = session.events().recv_timeout(DEADLINE).expect("an event");
        recording.observe(&event);
        if until(&event.kind) {
            return event.kind;
        }
    }
}

/// The next error the session reports, skipping other events.
pub fn error(session: &Session) -> socket_tester::Error {
    wait_for(session, "Error", |kind| match kind {
        EventKind::Error { error, .. } => Some(error.clone()),
        _ => None,
    })
}

/// Whether the peer has closed `stream`: a read gives the end of the stream (or fails).
pub fn is_closed(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut byte = [0u8; 1];
    stream.read(&mut byte).unwrap_or(0) == 0
}

/// 1 MiB of a pattern of letters and digits, numbered so that no two chunks are alike. Text,
/// so that printing each read as a line (which the CLI does) is cheap next to what is measured.
pub fn numbered_mib(index: usize) -> Vec<u8> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    static BASE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let base = BASE.get_or_init(|| {
        pattern(MIB)
            .into_iter()
            .map(|b| ALPHABET[usize::from(b) % ALPHABET.len()])
            .collect()
    });
    let mut chunk = base.clone();
    chunk[..16].copy_from_slice(format!("{index:016}").as_bytes());
    chunk
}

/// Writes MiBs 0 to `count` - 1 (`numbered_mib`) to `stream` from a thread of its own.
pub fn write_numbered_mibs(
    mut stream: impl Write + Send + 'static,
    count: usize,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for index in 0..count {
            stream.write_all(&numbered_mib(index)).unwrap();
        }
    })
}

/// Reads `chunks` MiB from `stream` (a socket or a file) and checks each against
/// [`numbered_mib`]: the stream arrived whole and in order (a stronger check than equal
/// hashes, and it says where it differs).
pub fn read_numbered_mibs(stream: &mut impl Read, chunks: usize) {
    let mut got = vec![0u8; MIB];
    for index in 0..chunks {
        stream.read_exact(&mut got).unwrap_or_else(|err| {
            panic!("the stream ended in MiB {index}: {err}");
        });
        assert!(
            got == numbered_mib(index),
            "the stream differs in MiB {index}"
        );
    }
}

/// A TCP server session listening on `bind`, and the address it got.
pub fn server_on(bind: &str) -> (Session, SocketAddr) {
    let config = socket_tester::net::TcpServerConfig::new(bind.parse().unwrap());
    let server = Session::tcp_server(config, socket_tester::net::no_waker()).unwrap();
    let local = listening(&server);
    (server, local)
}

/// The name of [`flood`]'s threads, which tests that count the engine's threads leave out.
pub const FLOOD_THREAD: &str = "test-flood";

/// A peer on a thread of its own that writes to `stream` until the connection fails (the run
/// it feeds ends): whatever reads it always has more to take.
pub fn flood(mut stream: TcpStream) {
    thread::Builder::new()
        .name(FLOOD_THREAD.into())
        .spawn(move || {
            let chunk = vec![7u8; 64 * 1024];
            while stream.write_all(&chunk).is_ok() {}
        })
        .expect("start a thread");
}

/// Python with its `websockets` package (the blocking API of version 11 or later), or false
/// after saying SKIPPED.
pub fn python_websockets() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import websockets.sync.client"])
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        eprintln!("SKIPPED: python3 with the websockets package is not available");
    }
    found
}

/// A Python program running as a child; killed when dropped.
pub struct Python {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Python {
    pub fn start(source: &str, args: &[&str]) -> Option<Python> {
        let mut child = match Command::new("python3")
            .arg("-c")
            .arg(source)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(err) => {
                eprintln!("SKIPPED: python3 is not available ({err})");
                return None;
            }
        };
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Some(Python { child, stdout })
    }

    pub fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("read python output");
        line.trim_end().to_string()
    }

    pub fn wait(mut self) -> i32 {
        self.child
            .wait()
            .expect("wait for python")
            .code()
            .unwrap_or(-1)
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP client session to `addr`.
pub fn client_to(addr: SocketAddr) -> Session {
    let target = socket_tester::net::addr::parse_host_port(&addr.to_string()).unwrap();
    let config = socket_tester::net::TcpClientConfig::new(target);
    Session::tcp_client(config, socket_tester::net::no_waker()).unwrap()
}

/// The first `Connected`: (local, peer).
pub fn connected(session: &Session) -> (SocketAddr, SocketAddr) {
    wait_for(session, "Connected", |kind| match kind {
        EventKind::Connected { local, peer } => Some((*local, *peer)),
        _ => None,
    })
}

/// The next accepted client's id.
pub fn accepted(session: &Session) -> u64 {
    wait_for(session, "Accepted", |kind| match kind {
        EventKind::Accepted { client, .. } => Some(*client),
        _ => None,
    })
}

/// The next close's reason.
pub fn closed(session: &Session) -> socket_tester::net::CloseReason {
    wait_for(session, "Closed", |kind| match kind {
        EventKind::Closed { reason, .. } => Some(reason.clone()),
        _ => None,
    })
}

/// The bytes of the next `count` messages received.
pub fn next_frames(session: &Session, count: usize) -> Vec<Vec<u8>> {
    let messages = next_messages(session, count);
    messages
        .into_iter()
        .map(|(_, message)| message.data)
        .collect()
}

/// A std TCP server that records everything one client sends and echoes it back.
pub fn recording_echo_server() -> (SocketAddr, thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return all,
                Ok(n) => {
                    all.extend_from_slice(&buf[..n]);
                    let _ = stream.write_all(&buf[..n]);
                }
            }
        }
    });
    (addr, handle)
}
