//! The UDP engine over real loopback sockets.

mod common;

use std::net::{SocketAddr, UdpSocket};

use common::*;
use socket_tester::Error;
use socket_tester::codec::template::Template;
use socket_tester::error::MAX_UDP_PAYLOAD;
use socket_tester::net::addr::parse_host_port;
use socket_tester::net::{Destination, EventKind, Session, UdpConfig, no_waker};

fn udp_on(bind: &str, target: Option<SocketAddr>) -> (Session, SocketAddr) {
    let mut config = UdpConfig::new(bind.parse().unwrap());
    config.target = target.map(|t| parse_host_port(&t.to_string()).unwrap());
    let session = Session::udp(config, no_waker()).unwrap();
    let local = listening(&session);
    (session, local)
}

fn received(session: &Session) -> (SocketAddr, Vec<u8>) {
    let (_, message) = next_messages(session, 1).remove(0);
    (message.peer, message.data)
}

#[test]
fn round_trip_with_a_plain_socket_names_the_sender() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let (session, local) = udp_on("127.0.0.1:0", Some(peer.local_addr().unwrap()));
    assert_ne!(local.port(), 0, "the real port is reported");

    session
        .send(Destination::Default, b"ping".to_vec())
        .unwrap();
    // Counters are updated before `Sent` is reported (the datagram may arrive even sooner).
    wait_for(&session, "Sent", |kind| {
        matches!(kind, EventKind::Sent { .. }).then_some(())
    });
    let mut buf = [0u8; 64];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"ping"[..], local));

    peer.send_to(b"pong \xC4\xE3", local).unwrap();
    assert_eq!(
        received(&session),
        (peer.local_addr().unwrap(), b"pong \xC4\xE3".to_vec())
    );
    let totals = session.totals();
    assert_eq!(
        (
            totals.rx_messages,
            totals.rx_bytes,
            totals.tx_messages,
            totals.tx_bytes
        ),
        (1, 7, 1, 4)
    );
}

#[test]
fn each_send_may_name_its_own_target() {
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    a.set_read_timeout(Some(DEADLINE)).unwrap();
    let (session, _) = udp_on("127.0.0.1:0", None);
    session
        .send(Destination::Default, b"nowhere".to_vec())
        .unwrap();
    assert_eq!(error(&session), Error::NoTarget);
    session
        .send(
            Destination::Address(a.local_addr().unwrap()),
            b"to a".to_vec(),
        )
        .unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = a.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"to a");
}

#[test]
fn largest_datagram_arrives_whole_and_one_more_byte_is_refused() {
    let (receiver, receiver_addr) = udp_on("127.0.0.1:0", None);
    let (sender, _) = udp_on("127.0.0.1:0", Some(receiver_addr));

    let largest = pattern(MAX_UDP_PAYLOAD);
    sender.send(Destination::Default, largest.clone()).unwrap();
    assert!(received(&receiver).1 == largest, "nothing truncated");

    sender
        .send(Destination::Default, vec![0; MAX_UDP_PAYLOAD + 1])
        .unwrap();
    let refused = error(&sender);
    assert_eq!(
        refused,
        Error::DatagramTooLarge {
            len: MAX_UDP_PAYLOAD + 1
        }
    );
    assert_eq!(
        refused.to_string(),
        "UDP payload of 65508 bytes is over the limit of 65507 bytes"
    );
    assert_eq!(sender.totals().tx_messages, 1);
}

#[test]
fn stop_frees_the_port_at_once() {
    let (session, local) = udp_on("127.0.0.1:0", None);
    session.stop();
    let _again = UdpSocket::bind(local).expect("port free after stop");
}

#[test]
fn address_in_use_is_reported() {
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let session = Session::udp(UdpConfig::new(addr), no_waker()).unwrap();
    assert_eq!(error(&session), Error::AddrInUse(addr));
}

/// A target by name is looked up once, off the control thread; messages sent meanwhile wait
/// for it in order, and a send to an address does not wait behind the lookup.
#[test]
fn messages_to_a_name_arrive_in_order_once_it_is_looked_up() {
    use socket_tester::net::addr::HostPort;
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let (session, _) = udp_on("127.0.0.1:0", None);
    let name = HostPort {
        host: "localhost".into(),
        port: peer.local_addr().unwrap().port(),
    };
    for n in 0..50u8 {
        session
            .send(Destination::Named(name.clone()), vec![n])
            .unwrap();
    }
    let mut buf = [0u8; 16];
    for n in 0..50u8 {
        let (len, _) = peer.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..len], [n], "in the order sent");
    }
    // An IPv6 address from an IPv4 socket is refused with the reason.
    let v6 = HostPort {
        host: "::1".into(),
        port: 9,
    };
    session.send(Destination::Named(v6), b"x".to_vec()).unwrap();
    assert!(
        matches!(error(&session), Error::InvalidAddress { reason, .. } if reason.contains("no IPv4 address")),
    );
}

#[test]
fn broadcast_option_allows_sending_to_a_broadcast_address() {
    // Only the socket option is checked: the datagram goes to the loopback broadcast address
    // 127.255.255.255, which stays on this machine.
    let (plain, _) = udp_on("127.0.0.1:0", None);
    // A port this test holds, so the datagram cannot land in another test's socket.
    let (_held, held_addr) = refusing_udp();
    let broadcast = SocketAddr::from(([127, 255, 255, 255], held_addr.port()));
    plain
        .send(Destination::Address(broadcast), b"x".to_vec())
        .unwrap();
    assert_eq!(error(&plain), Error::BroadcastNotEnabled(broadcast));

    let mut config = UdpConfig::new("127.0.0.1:0".parse().unwrap());
    config.broadcast = true;
    let with_broadcast = Session::udp(config, no_waker()).unwrap();
    listening(&with_broadcast);
    with_broadcast
        .send(Destination::Address(broadcast), b"x".to_vec())
        .unwrap();
    wait_for(&with_broadcast, "Sent", |kind| {
        matches!(kind, EventKind::Sent { .. }).then_some(())
    });
}

#[test]
fn ipv6_round_trip() {
    if !has_ipv6_loopback() {
        eprintln!("SKIPPED: no IPv6 loopback on this machine");
        return;
    }
    let (a, a_addr) = udp_on("[::1]:0", None);
    let (b, b_addr) = udp_on("[::1]:0", Some(a_addr));
    b.send(Destination::Default, b"v6".to_vec()).unwrap();
    assert_eq!(received(&a), (b_addr, b"v6".to_vec()));
}

#[test]
fn repeat_sends_the_set_number_of_times_and_stops_when_dropped() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let (session, _) = udp_on("127.0.0.1:0", Some(peer.local_addr().unwrap()));
    let interval = std::time::Duration::from_millis(10);
    // Sends `marker` through the session (after whatever a repeater handed it before) and
    // counts the datagrams that arrive before it. The session's events are taken meanwhile,
    // so a full channel never holds a send back.
    let mut buf = [0u8; 16];
    let mut before_marker = |marker: &[u8]| {
        while session.events().try_recv().is_ok() {}
        session.send(Destination::Default, marker.to_vec()).unwrap();
        let mut count = 0;
        loop {
            let (n, _) = peer.recv_from(&mut buf).expect("the marker arrives");
            if &buf[..n] == marker {
                return count;
            }
            count += 1;
        }
    };

    let counted = session
        .repeat(
            Destination::Default,
            vec![Template::from_bytes(b"tick".to_vec())],
            interval,
            Some(5),
        )
        .unwrap();
    let deadline = std::time::Instant::now() + DEADLINE;
    while counted.is_running() {
        assert!(
            std::time::Instant::now() < deadline,
            "the repeater never ended"
        );
        while session.events().try_recv().is_ok() {}
        std::thread::sleep(interval);
    }
    assert_eq!(before_marker(b"end"), 5, "exactly the rounds asked for");

    let endless = session
        .repeat(
            Destination::Default,
            vec![Template::from_bytes(b"tock".to_vec())],
            interval,
            None,
        )
        .unwrap();
    let mut tock = [0u8; 16];
    for _ in 0..3 {
        let (n, _) = peer.recv_from(&mut tock).unwrap();
        assert_eq!(&tock[..n], b"tock");
    }
    drop(endless);
    // Whatever was handed over before the drop may still arrive before a first marker; a
    // second marker then comes straight after it: nothing was sent after the drop.
    before_marker(b"first");
    assert_eq!(
        before_marker(b"second"),
        0,
        "sends went on after the repeater was dropped"
    );
    assert!(
        session
            .repeat(
                Destination::Default,
                vec![Template::from_bytes(b"x".to_vec())],
                std::time::Duration::ZERO,
                None
            )
            .is_err()
    );
}

/// A flood that overflows the receive buffer while nobody takes the session's events: every
/// datagram is either received or counted as dropped by the kernel (SO_MEMINFO), and the
/// session's events say how many by the time it stops. Linux only: elsewhere the kernel gives no count.
#[test]
fn every_datagram_the_kernel_drops_is_counted() {
    if !cfg!(target_os = "linux") {
        eprintln!("SKIPPED: the kernel reports its drops on Linux only");
        return;
    }
    let (session, local) = udp_on("127.0.0.1:0", None);
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    // More than the event channel holds (32 MiB) and the kernel buffer together.
    const SENT: u64 = 50_000;
    for _ in 0..SENT {
        // Loopback never blocks a sender: what does not fit is dropped at the receiver.
        sender.send_to(&[0x55; 1000], local).unwrap();
    }
    let deadline = std::time::Instant::now() + DEADLINE;
    let mut told = 0;
    loop {
        let totals = session.totals();
        if totals.rx_messages + totals.kernel_dropped == SENT {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{totals:?}: not all {SENT} datagrams are accounted for"
        );
        while let Ok(event) = session.events().try_recv() {
            if let EventKind::KernelDropped { total } = event.kind {
                told = told.max(total);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let dropped = session.totals().kernel_dropped;
    assert!(dropped > 0, "the flood overflowed the buffer");
    // The last drops are told by the time the session stops.
    for event in session.stop_and_collect() {
        if let EventKind::KernelDropped { total } = event.kind {
            told = told.max(total);
        }
    }
    assert_eq!(told, dropped, "the events told every drop");
}

/// The session says what receive buffer the kernel granted, so a user who sees drops knows
/// why (Linux grants at most `net.core.rmem_max`, and reports twice what it keeps).
#[test]
fn the_receive_buffer_granted_is_reported() {
    let (session, _) = udp_on("127.0.0.1:0", None);
    let (asked, granted) = wait_for(&session, "ReceiveBuffer", |kind| match kind {
        EventKind::ReceiveBuffer { asked, granted } => Some((*asked, *granted)),
        _ => None,
    });
    assert_eq!(asked, 4 * 1024 * 1024);
    assert!(granted > 0);
}

/// A datagram to a port nobody listens on draws an ICMP "port unreachable". Windows reports it
/// on the socket's next receive (WSAECONNRESET) unless `SIO_UDP_CONNRESET` is off, and a loop
/// that took that error as fatal would end the session. Here (and under Wine) the receiving
/// goes on with no error row at all; the once-only row for systems that do report it is a unit
/// test in src/net/udp.rs.
#[test]
fn datagrams_to_a_closed_port_do_not_end_the_session() {
    let closed = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let (session, local) = udp_on("127.0.0.1:0", None);
    let mut errors = Vec::new();
    for n in 0..3u8 {
        session.send(Destination::Address(closed), vec![n]).unwrap();
        peer.send_to(&[n], local).unwrap();
        let got = wait_for(&session, "Received", |kind| match kind {
            EventKind::Received { messages, .. } => {
                Some(messages.iter().map(|m| m.data.clone()).collect::<Vec<_>>())
            }
            EventKind::Error { error, .. } => {
                errors.push(error.clone());
                None
            }
            _ => None,
        });
        assert_eq!(
            got,
            [vec![n]],
            "still receiving after {n} closed-port sends"
        );
    }
    let events = session.stop_and_collect();
    errors.extend(events.iter().filter_map(|e| match &e.kind {
        EventKind::Error { error, .. } => Some(error.clone()),
        _ => None,
    }));
    assert!(errors.is_empty(), "{errors:?}");
}
