//! The command line against peers slower or greedier than it: nothing is lost, and the
//! process's memory stays bounded whatever the peers do. The tests that move up to a few GiB
//! through loopback are ignored by default; CI runs them with `--ignored`.
//! Linux only: memory is read from /proc.
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use common::*;

/// The CLI with its output thrown away (printing a GiB is not what is measured).
fn spawn_quiet(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_socket-tester"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start socket-tester")
}

/// The CLI on port 0 with its output thrown away once it has said where it listens (a thread
/// reads the rest and drops it): the child binds the port itself, so no other test can take
/// it first.
fn spawn_quiet_listening(args: &[&str]) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_socket-tester"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start socket-tester");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let (said, listening) = crossbeam_channel::bounded(1);
    thread::spawn(move || {
        let mut line = String::new();
        while line.is_empty() || !line.starts_with("listening ") {
            line.clear();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
        }
        let _ = said.send(line.trim_end().trim_start_matches("listening ").to_string());
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
    });
    let addr = match listening.recv_timeout(DEADLINE) {
        Ok(addr) => addr.parse().expect("listening address"),
        Err(_) => {
            let _ = child.kill();
            let (_, stderr) = wait_exit(&mut child, DEADLINE);
            panic!("{args:?} never said where it listens: {stderr}");
        }
    };
    (child, addr)
}

/// A field of `/proc/PID/status` in KiB (VmRSS now, VmHWM the peak); 0 once the process is gone.
fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Watches a child's peak resident memory until it exits, as the last reading of VmHWM.
struct PeakWatch {
    peak: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl PeakWatch {
    fn start(pid: u32) -> PeakWatch {
        let (peak, done) = (
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let thread = {
            let (peak, done) = (peak.clone(), done.clone());
            thread::spawn(move || {
                while !done.load(Ordering::Acquire) {
                    peak.fetch_max(status_kib(pid, "VmHWM:"), Ordering::AcqRel);
                    thread::sleep(Duration::from_millis(20));
                }
            })
        };
        PeakWatch {
            peak,
            done,
            thread: Some(thread),
        }
    }

    /// Stops watching; prints the peak (the figure RELIABILITY.md quotes) and checks it.
    fn check(self, what: &str, limit_mib: u64) {
        let peak = self.peak_mib();
        eprintln!("{what}: peak RSS {peak} MiB");
        assert!(peak < limit_mib, "{what}: peak resident memory {peak} MiB");
    }

    fn peak_mib(mut self) -> u64 {
        self.done.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.peak.load(Ordering::Acquire) / 1024
    }
}

/// Ends a server as Ctrl+C would, and waits for it.
fn interrupt(child: &mut Child) -> (i32, String) {
    // SAFETY: kill(2) on the pid of a child we own and have not reaped.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    wait_exit(child, DEADLINE)
}

/// `tcp-server --echo` on a loopback port of its choosing with its output thrown away, its
/// memory watched, and listening by the time this returns.
fn quiet_echo_server() -> (Child, PeakWatch, SocketAddr) {
    let (server, addr) = spawn_quiet_listening(&["tcp-server", "127.0.0.1:0", "--echo"]);
    let watch = PeakWatch::start(server.id());
    (server, watch, addr)
}

#[test]
#[ignore = "1 GiB through loopback; run with --ignored"]
fn a_gigabyte_file_reaches_a_reading_peer_whole_in_bounded_memory() {
    const CHUNKS: usize = 1024;
    let dir = TempDir::new("gigabyte-file");
    let path = dir.file("big.bin");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for index in 0..CHUNKS {
            file.write_all(&numbered_mib(index)).unwrap();
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let peer = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        read_numbered_mibs(&mut stream, CHUNKS);
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "{} bytes too many", rest.len());
    });
    let mut client = spawn_quiet(&[
        "tcp-client",
        &addr,
        "--send-file",
        path.to_str().unwrap(),
        "--wait-ms",
        "100",
    ]);
    let watch = PeakWatch::start(client.id());
    let (code, stderr) = wait_exit(&mut client, Duration::from_secs(600));
    peer.join().expect("the peer got the whole file, in order");
    assert_eq!(code, 0, "{stderr}");
    watch.check("1 GiB file send", 200);
}

#[test]
#[ignore = "1 GiB through loopback; run with --ignored"]
fn a_gigabyte_echoed_to_a_peer_that_reads_late_comes_back_whole_in_bounded_memory() {
    const CHUNKS: usize = 1024;
    let (mut server, watch, addr) = quiet_echo_server();
    let mut stream = TcpStream::connect(addr).unwrap();
    let sender = write_numbered_mibs(stream.try_clone().unwrap(), CHUNKS);
    // The echo cannot go out while we do not read: the server must wait, not drop or hoard.
    thread::sleep(Duration::from_secs(3));
    read_numbered_mibs(&mut stream, CHUNKS);
    sender.join().unwrap();
    drop(stream);
    let (code, stderr) = interrupt(&mut server);
    assert_eq!(code, 130, "{stderr}");
    watch.check("1 GiB echoed to a late reader", 200);
}

#[test]
#[ignore = "30 s of 16 clients that never read; run with --ignored"]
fn echo_clients_that_never_read_hold_the_server_to_bounded_memory() {
    const CLIENTS: usize = 16;
    let (mut server, watch, addr) = quiet_echo_server();
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let floods: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (stop, sent) = (stop.clone(), sent.clone());
            let mut stream = TcpStream::connect(addr).unwrap();
            stream
                .set_write_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            thread::spawn(move || {
                let data = vec![b'x'; 64 * 1024];
                // Sends while it can, never reads: the echo has nowhere to go.
                while !stop.load(Ordering::Acquire) {
                    match stream.write(&data) {
                        Ok(n) => {
                            sent.fetch_add(n as u64, Ordering::Relaxed);
                        }
                        Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(_) => break,
                    }
                }
                stream
            })
        })
        .collect();
    // What is tested: the server's memory over 30 s of clients that never read (a duration
    // on purpose, not a wait for something).
    thread::sleep(Duration::from_secs(30));
    let rss_now = status_kib(server.id(), "VmRSS:") / 1024;
    // A new client is served at once, while the 16 are still there.
    let mut fresh = connect(addr);
    assert_eq!(ask(&mut fresh, b"still there?", 12), b"still there?");
    stop.store(true, Ordering::Release);
    let streams: Vec<TcpStream> = floods.into_iter().map(|t| t.join().unwrap()).collect();
    drop(streams);
    let (code, stderr) = interrupt(&mut server);
    assert_eq!(code, 130, "{stderr}");
    let sent_mib = sent.load(Ordering::Relaxed) / MIB as u64;
    watch.check(
        &format!(
            "16 non-reading echo clients, 30 s ({sent_mib} MiB sent, RSS {rss_now} MiB at the end)"
        ),
        300,
    );
}

#[test]
#[ignore = "256 clients send up to 4 GiB; run with --ignored"]
fn unfinished_lines_from_many_clients_stay_within_the_memory_budget() {
    const CLIENTS: usize = 256;
    const LINE: usize = 16 * MIB - 1;
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--framing",
        "line",
        "--echo",
        "--max-clients",
        "1000",
    ]);
    let addr = server.listening();
    let server_pid = server.pid();
    let watch = PeakWatch::start(server_pid);
    let data = Arc::new(vec![b'x'; MIB]);
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let data = data.clone();
            thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                let mut left = LINE;
                while left > 0 {
                    let n = left.min(data.len());
                    // A connection the budget closed refuses the rest.
                    if stream.write_all(&data[..n]).is_err() {
                        return None;
                    }
                    left -= n;
                }
                // Kept open: the line stays unfinished in the server.
                Some(stream)
            })
        })
        .collect();
    let still_open: Vec<TcpStream> = clients
        .into_iter()
        .filter_map(|client| client.join().unwrap())
        .collect();
    // Every close the budget made is reported; the output goes quiet once the dust settles.
    let mut closed_for_budget = 0;
    while let Some(line) = server.try_line(Duration::from_secs(2)) {
        closed_for_budget += usize::from(line.contains("memory budget"));
    }
    let kept = CLIENTS - closed_for_budget;
    // Still serving: a complete line is echoed.
    let mut fresh = connect(addr);
    assert_eq!(ask(&mut fresh, b"ping\n", 5), b"ping\n");
    drop(server);
    assert!(closed_for_budget > 0, "the budget closed the largest");
    assert!(
        kept * LINE <= 256 * MIB,
        "what stays open fits the 256 MiB budget ({kept} kept)"
    );
    // The budget counts the frames' buffers; on top come a read (64 KiB) per reader, stacks
    // and the event queue: 283 MiB beside this file's other long tests. Readers wait while a
    // connection the budget closed still holds its memory; before they did, a busy machine
    // was slow to end the closed ones and the peak reached 358-406 MiB in CI.
    watch.check(
        &format!(
            "256 unfinished 16 MiB lines ({kept} kept, {closed_for_budget} closed by the budget)"
        ),
        256 + 96,
    );
    drop(still_open);
}

#[test]
#[ignore = "512 MiB each way through a relay; run with --ignored"]
fn a_relay_between_two_late_readers_passes_everything_on_in_bounded_memory() {
    const CHUNKS: usize = 512;
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let target_addr = target.local_addr().unwrap().to_string();
    let (mut relay, listen) = spawn_quiet_listening(&["relay", "127.0.0.1:0", &target_addr]);
    let watch = PeakWatch::start(relay.id());
    let mut client = TcpStream::connect(listen).unwrap();
    let (mut upstream, _) = target.accept().unwrap();
    // Both ends send at once and read nothing for 3 s: the relay must hold them back, not
    // hoard or drop.
    let up = write_numbered_mibs(client.try_clone().unwrap(), CHUNKS);
    let down = write_numbered_mibs(upstream.try_clone().unwrap(), CHUNKS);
    thread::sleep(Duration::from_secs(3));
    let target_reads = thread::spawn(move || {
        read_numbered_mibs(&mut upstream, CHUNKS);
        upstream
    });
    read_numbered_mibs(&mut client, CHUNKS);
    let upstream = target_reads
        .join()
        .expect("the target got every byte, in order");
    up.join().unwrap();
    down.join().unwrap();
    drop((client, upstream));
    let (code, stderr) = interrupt(&mut relay);
    assert_eq!(code, 130, "{stderr}");
    watch.check("512 MiB each way through a relay to late readers", 200);
}

/// Mappings of the process (`/proc/PID/maps`): a thread's stack adds two.
fn mappings(pid: u32) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .map(|maps| maps.lines().count())
        .unwrap_or(0)
}

/// A server's file sends to clients that have left leave nothing behind (before, each ended
/// send kept its thread's stack, two mappings, until the run ended; some 33,000 clients later
/// no thread could start and the server aborted). Not ignored: a second or two.
#[test]
fn file_sends_to_clients_that_have_left_leave_no_thread_stacks_behind() {
    let dir = TempDir::new("file-per-client");
    let file = dir.file("greeting.txt");
    std::fs::write(&file, b"hello from the server\n").unwrap();
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--send-file",
        file.to_str().unwrap(),
    ]);
    let addr = server.listening();
    let clients = |count: usize, server: &mut Cli| {
        for _ in 0..count {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(DEADLINE)).unwrap();
            let mut greeting = [0u8; 22];
            stream.read_exact(&mut greeting).unwrap();
            drop(stream);
            server.line_containing("closed");
        }
    };
    clients(20, &mut server);
    let before = mappings(server.pid());
    clients(300, &mut server);
    let after = mappings(server.pid());
    assert!(
        after < before + 100,
        "300 clients later the server has {after} mappings, {before} before"
    );
    server.signal(libc::SIGINT);
    let (code, _, stderr) = server.finish();
    assert_eq!(code, 130, "{stderr}");
}
