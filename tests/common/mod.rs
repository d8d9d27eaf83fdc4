//! Helpers shared by the integration tests. Deadlines here only stop a broken test from
//! hanging; no test asserts on time.
#![allow(dead_code)] // each test binary uses its own subset

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use socket_tester::net::{Event, EventKind, Session};

pub const DEADLINE: Duration = Duration::from_secs(10);

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
        seen.push(format!("{:?}", event.kind));
    }
    panic!("never saw {what}; saw {seen:?}");
}

pub fn listening(session: &Session) -> SocketAddr {
    wait_for(session, "Listening", |kind| match kind {
        EventKind::Listening { local } => Some(*local),
        _ => None,
    })
}

/// Bytes received by the session until `len` have arrived, as one buffer.
pub fn receive_exactly(session: &Session, len: usize) -> Vec<u8> {
    let mut all = Vec::with_capacity(len);
    while all.len() < len {
        wait_for(session, "more received bytes", |kind| match kind {
            EventKind::Received { data, .. } => {
                all.extend_from_slice(data);
                Some(())
            }
            _ => None,
        });
    }
    all
}

/// A port that was free a moment ago (bound to port 0 and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
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
