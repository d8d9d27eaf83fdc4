//! echo_rtt: 64-byte round trips through a TCP client session and a server session that
//! echoes, against two plain sockets doing the same. The two take turns in short blocks, so a
//! change in how fast this machine wakes its threads (on a virtual machine it swings by four
//! times within seconds) falls on both alike. The sessions' events are taken by blocking on
//! their channels, as the CLI takes them: its short spin before sleeping catches a reply that
//! comes back at once, where the window's way of waking (`stand_in`) does not.

use super::*;

/// How many turns each side takes; each turn is an equal share of the round trips.
const TURNS: usize = 20;

const MESSAGE: [u8; 64] = [0x42; 64];

pub(super) fn echo_rtt(round_trips: usize) -> Vec<Figure> {
    let (Some(mut plain), Some(mut ours)) = (PlainPair::open(), SessionPair::open()) else {
        return Vec::new();
    };
    let per_turn = round_trips.div_ceil(TURNS);
    let (mut baseline, mut session) = (Vec::new(), Vec::new());
    for _ in 0..TURNS {
        baseline.extend((0..per_turn).map_while(|_| plain.round_trip()));
        session.extend((0..per_turn).map_while(|_| ours.round_trip()));
    }
    ours.close();
    plain.close();
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    let (baseline, session) = (sorted(baseline), sorted(session));
    vec![
        Figure::new(
            "echo_rtt_p50",
            percentile(&session, 0.50),
            "µs",
            percentile(&baseline, 0.50),
        ),
        Figure::new(
            "echo_rtt_p99",
            percentile(&session, 0.99),
            "µs",
            percentile(&baseline, 0.99),
        ),
    ]
}

/// The baseline: a std client and a std server thread that writes back what it reads.
struct PlainPair {
    client: TcpStream,
    server: thread::JoinHandle<()>,
}

impl PlainPair {
    fn open() -> Option<PlainPair> {
        let listener = TcpListener::bind(loopback()).ok()?;
        let addr = listener.local_addr().ok()?;
        let server = thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_nodelay(true);
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stream.read(&mut buf) {
                if stream.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        });
        let client = TcpStream::connect(addr).ok()?;
        let _ = client.set_nodelay(true);
        let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
        Some(PlainPair { client, server })
    }

    /// One round trip in microseconds; None when the echo failed.
    fn round_trip(&mut self) -> Option<f64> {
        let start = Instant::now();
        let mut back = [0u8; 64];
        self.client.write_all(&MESSAGE).ok()?;
        self.client.read_exact(&mut back).ok()?;
        Some(start.elapsed().as_secs_f64() * 1e6)
    }

    fn close(self) {
        drop(self.client);
        let _ = self.server.join();
    }
}

/// The engine: a client session, and a server session with the engine's echo whose events a
/// thread takes as the window would.
struct SessionPair {
    client: Session,
    server_events: thread::JoinHandle<()>,
}

impl SessionPair {
    fn open() -> Option<SessionPair> {
        let options = TcpOptions {
            nodelay: true,
            ..TcpOptions::default()
        };
        let mut server_config = TcpServerConfig::new(loopback());
        server_config.options = options.clone();
        let server = Session::tcp_server(server_config, no_waker()).ok()?;
        let addr = wait_listening(&server)?;
        server
            .set_responder(Some(echo_responder()))
            .expect("the session takes its rules");
        server.settle();
        let server_events = thread::spawn(move || {
            for event in server.events().iter() {
                if let EventKind::Closed { .. } | EventKind::Stopped = event.kind {
                    return;
                }
            }
        });
        let mut client_config = TcpClientConfig::new(target(addr));
        client_config.options = options;
        let client = Session::tcp_client(client_config, no_waker()).ok()?;
        let connected = client
            .events()
            .iter()
            .find(|e| matches!(e.kind, EventKind::Connected { .. } | EventKind::Stopped))
            .is_some_and(|e| matches!(e.kind, EventKind::Connected { .. }));
        connected.then_some(SessionPair {
            client,
            server_events,
        })
    }

    /// One round trip in microseconds, from the send to the event that brings the echo back;
    /// None when the echo failed.
    fn round_trip(&mut self) -> Option<f64> {
        let start = Instant::now();
        // As the command line sends a typed line: on this thread, straight to the connection.
        self.client
            .send_wait(Destination::Default, MESSAGE.to_vec())
            .ok()?;
        let mut got = 0;
        while got < MESSAGE.len() {
            let event = self
                .client
                .events()
                .recv_timeout(Duration::from_secs(5))
                .ok()?;
            got += event.kind.received_len();
        }
        Some(start.elapsed().as_secs_f64() * 1e6)
    }

    fn close(self) {
        self.client.stop();
        let _ = self.server_events.join();
    }
}
