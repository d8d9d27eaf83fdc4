//! tcp_ingest and udp_ingest: how fast a session takes a flood in and hands it to the GUI's
//! log model, against a plain read loop. The two take turns (plain, session, plain, …), each
//! with an equal share of the load, so a change in the machine's speed during the run (on a
//! virtual machine it swings within seconds) falls on both alike.

use super::stand_in::WindowStandIn;
use super::*;

/// How many turns each side takes.
const TURNS: usize = 4;

/// How long the receivers wait for one more datagram before a flood counts as over.
pub(super) const UDP_QUIET: Duration = Duration::from_millis(300);

/// What one side took in over its turns, and the time it spent taking it.
#[derive(Default)]
struct Intake {
    amount: usize,
    seconds: f64,
    /// Sent but not received (UDP).
    lost: usize,
}

impl Intake {
    fn add(&mut self, amount: usize, seconds: f64, lost: usize) {
        self.amount += amount;
        self.seconds += seconds;
        self.lost += lost;
    }

    fn rate(&self) -> f64 {
        self.amount as f64 / self.seconds.max(1e-6)
    }
}

/// Bytes per second a TCP server session takes in and hands to the GUI's log model, against a
/// plain read loop into a 64 KiB buffer.
pub(super) fn tcp_ingest(bytes: usize) -> Figure {
    let per_turn = bytes / TURNS;
    let listener = TcpListener::bind(loopback()).expect("bind 127.0.0.1");
    let plain_addr = listener.local_addr().expect("local address");
    let (window, waker) = WindowStandIn::new();
    let server =
        Session::tcp_server(TcpServerConfig::new(loopback()), waker).expect("start a server");
    let session_addr = wait_listening(&server).unwrap_or(loopback());
    let mut log = Log::new(TextEncoding::Utf8, true);
    let (mut plain, mut ours) = (Intake::default(), Intake::default());
    for _ in 0..TURNS {
        let start = Instant::now();
        let writer = firehose(plain_addr, per_turn);
        let mut total = 0;
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n @ 1..) = stream.read(&mut buf) {
                total += n;
            }
        }
        let _ = writer.join();
        plain.add(total, start.elapsed().as_secs_f64(), 0);

        let start = Instant::now();
        let writer = firehose(session_addr, per_turn);
        let mut total = 0;
        while total < per_turn {
            let Some(event) = window.next(server.events(), Duration::from_secs(10)) else {
                break;
            };
            total += event.kind.received_len();
            log.push_event(event);
        }
        let _ = writer.join();
        ours.add(total, start.elapsed().as_secs_f64(), 0);
    }
    Figure::new("tcp_ingest", ours.rate(), "bytes/s", plain.rate())
}

/// Writes `bytes` to `addr` as fast as the socket takes them, from its own thread.
fn firehose(addr: SocketAddr, bytes: usize) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let Ok(mut stream) = TcpStream::connect(addr) else {
            return;
        };
        let chunk = vec![0x5Au8; 64 * 1024];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len());
            if stream.write_all(&chunk[..n]).is_err() {
                return;
            }
            left -= n;
        }
    })
}

/// 64-byte datagrams per second received through a UDP session into the log model, against a
/// plain `recv_from` loop; also the datagrams each lost, and whether the session counted each
/// of its losses as a kernel drop.
pub(super) fn udp_ingest(count: usize) -> Vec<Figure> {
    let per_turn = count / TURNS;
    let socket = UdpSocket::bind(loopback()).expect("bind 127.0.0.1");
    let _ = socket.set_read_timeout(Some(UDP_QUIET));
    let plain_addr = socket.local_addr().expect("local address");
    let (window, waker) = WindowStandIn::new();
    let session = Session::udp(UdpConfig::new(loopback()), waker).expect("bind a UDP session");
    let session_addr = wait_listening(&session).unwrap_or(loopback());
    let mut log = Log::new(TextEncoding::Utf8, false);
    let (mut plain, mut ours) = (Intake::default(), Intake::default());
    for _ in 0..TURNS {
        let sender = udp_flood(plain_addr, per_turn);
        let mut buf = [0u8; 2048];
        let mut arrivals = Arrivals::default();
        while socket.recv_from(&mut buf).is_ok() {
            arrivals.add(1);
        }
        arrivals.end_turn(sender, &mut plain);

        let sender = udp_flood(session_addr, per_turn);
        let mut arrivals = Arrivals::default();
        while let Some(event) = window.next(session.events(), UDP_QUIET) {
            if let EventKind::Received { messages, .. } = &event.kind {
                arrivals.add(messages.len());
            }
            log.push_event(event);
        }
        arrivals.end_turn(sender, &mut ours);
    }
    let dropped = session.totals().kernel_dropped as f64;
    let (loss, base_loss) = (ours.lost as f64, plain.lost as f64);
    vec![
        Figure::new("udp_ingest", ours.rate(), "datagrams/s", plain.rate()),
        // Counts can be 0: the ratio adds one to each side so it stays finite and fair.
        Figure {
            ratio: (loss + 1.0) / (base_loss + 1.0),
            ..Figure::new("udp_loss", loss, "datagrams", base_loss)
        },
        // Every datagram lost should be one the session counted as dropped by the kernel
        // (Linux): 1.0 when each loss is accounted for, also when there were none.
        Figure {
            ratio: if loss == 0.0 { 1.0 } else { dropped / loss },
            ..Figure::new("udp_kernel_drops", dropped, "datagrams", loss)
        },
    ]
}

/// Datagrams received in one turn, from the first to the last.
#[derive(Default)]
struct Arrivals {
    received: usize,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Arrivals {
    fn add(&mut self, datagrams: usize) {
        let now = Instant::now();
        self.received += datagrams;
        self.first.get_or_insert(now);
        self.last = Some(now);
    }

    /// Adds this turn to `intake` once its sender is done.
    fn end_turn(self, sender: thread::JoinHandle<usize>, intake: &mut Intake) {
        let sent = sender.join().unwrap_or(0);
        let seconds = match (self.first, self.last) {
            (Some(first), Some(last)) => last.duration_since(first).as_secs_f64(),
            _ => 0.0,
        };
        intake.add(self.received, seconds, sent.saturating_sub(self.received));
    }
}

/// Sends `count` 64-byte datagrams to `to` as fast as possible; returns how many were sent.
fn udp_flood(to: SocketAddr, count: usize) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let Ok(socket) = UdpSocket::bind(loopback()) else {
            return 0;
        };
        let payload = [0xA5u8; 64];
        (0..count)
            .filter(|_| socket.send_to(&payload, to).is_ok())
            .count()
    })
}
