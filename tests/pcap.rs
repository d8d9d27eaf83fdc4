//! pcap files from real sessions, read back with a pcap reader and a packet parser: the right
//! addresses, ports, flags, sequence numbers, checksums and payloads.

mod common;

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::thread;

use common::*;
use etherparse::{NetHeaders, PacketHeaders, TransportHeader};
use pcap_file::pcap::PcapReader;
use socket_tester::capture::pcap::PcapWriter;
use socket_tester::capture::record::{Recorder, Transport};
use socket_tester::net::{Command, EventKind, Session, TcpServerConfig, no_waker};

/// One packet as Wireshark would list it.
#[derive(Debug, Clone, PartialEq)]
struct Packet {
    src: SocketAddr,
    dst: SocketAddr,
    /// "S", "SA", "A", "PA", "FA", "RA"; "UDP" for datagrams.
    flags: String,
    seq: u32,
    ack: u32,
    payload: Vec<u8>,
}

fn read_pcap(path: &std::path::Path) -> Vec<Packet> {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = PcapReader::new(file).unwrap();
    assert_eq!(u32::from(reader.header().datalink), 101, "LINKTYPE_RAW");
    let mut packets = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.unwrap();
        let headers = PacketHeaders::from_ip_slice(&packet.data).unwrap();
        let payload = headers.payload.slice().to_vec();
        let (src_ip, dst_ip): (IpAddr, IpAddr) = match headers.net.as_ref().unwrap() {
            NetHeaders::Ipv4(ip, _) => {
                assert_eq!(
                    ip.header_checksum,
                    ip.calc_header_checksum(),
                    "IPv4 checksum"
                );
                (ip.source.into(), ip.destination.into())
            }
            NetHeaders::Ipv6(ip, _) => (ip.source.into(), ip.destination.into()),
            NetHeaders::Arp(_) => panic!("ARP"),
        };
        let checksum_ok = |computed: u16, stored: u16| assert_eq!(computed, stored, "checksum");
        let parsed = match (headers.transport.unwrap(), headers.net.unwrap()) {
            (TransportHeader::Tcp(tcp), net) => {
                match &net {
                    NetHeaders::Ipv4(ip, _) => {
                        checksum_ok(tcp.calc_checksum_ipv4(ip, &payload).unwrap(), tcp.checksum)
                    }
                    NetHeaders::Ipv6(ip, _) => {
                        checksum_ok(tcp.calc_checksum_ipv6(ip, &payload).unwrap(), tcp.checksum)
                    }
                    NetHeaders::Arp(_) => unreachable!(),
                }
                let mut flags = String::new();
                for (on, letter) in [
                    (tcp.syn, 'S'),
                    (tcp.fin, 'F'),
                    (tcp.rst, 'R'),
                    (tcp.psh, 'P'),
                    (tcp.ack, 'A'),
                ] {
                    if on {
                        flags.push(letter);
                    }
                }
                Packet {
                    src: SocketAddr::new(src_ip, tcp.source_port),
                    dst: SocketAddr::new(dst_ip, tcp.destination_port),
                    flags,
                    seq: tcp.sequence_number,
                    ack: tcp.acknowledgment_number,
                    payload,
                }
            }
            (TransportHeader::Udp(udp), net) => {
                if let NetHeaders::Ipv6(ip, _) = &net {
                    checksum_ok(udp.calc_checksum_ipv6(ip, &payload).unwrap(), udp.checksum);
                }
                Packet {
                    src: SocketAddr::new(src_ip, udp.source_port),
                    dst: SocketAddr::new(dst_ip, udp.destination_port),
                    flags: "UDP".into(),
                    seq: 0,
                    ack: 0,
                    payload,
                }
            }
            (other, _) => panic!("unexpected {other:?}"),
        };
        packets.push(parsed);
    }
    packets
}

#[test]
fn a_tcp_client_session_is_a_complete_conversation_in_the_pcap() {
    let server = EchoServer::start().addr;
    let dir = TempDir::new("pcap-tcp");
    let path = dir.file("client.pcap");
    let (code, lines, stderr) = run_cli(&[
        "tcp-client",
        &server.to_string(),
        "--send",
        "Hello",
        "--count",
        "1",
        "--wait-ms",
        WAIT_MS_DEADLINE,
        "--pcap",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let local: SocketAddr = lines[0].rsplit(' ').next().unwrap().parse().unwrap();

    let packets = read_pcap(&path);
    let flags: Vec<&str> = packets.iter().map(|p| p.flags.as_str()).collect();
    assert_eq!(
        flags,
        ["S", "SA", "A", "PA", "PA", "FA", "A"],
        "our FIN and its ACK: the session reads no more, so the server's FIN is not seen: \
         {packets:#?}"
    );
    let out = (local, server);
    let back = (server, local);
    let directions: Vec<(SocketAddr, SocketAddr)> =
        packets.iter().map(|p| (p.src, p.dst)).collect();
    // The write and the echo are reported by two threads, so the echo may be recorded first.
    let (request, reply) = if directions[3] == out { (3, 4) } else { (4, 3) };
    assert_eq!(
        (directions[request], directions[reply]),
        (out, back),
        "{directions:?}"
    );
    assert_eq!(&directions[..3], [out, back, out]);
    assert_eq!(&directions[5..], [out, back]);
    assert_eq!(packets[request].payload, b"Hello");
    assert_eq!(packets[reply].payload, b"Hello");
    if request == 3 {
        // Sequence numbers follow the bytes: the echo acknowledges the 5 bytes after the SYN.
        assert_eq!(packets[3].seq + 5, packets[4].ack);
    }
    assert_eq!(packets[1].ack, packets[0].seq + 1);
}

#[test]
fn a_reset_from_this_end_is_an_rst_from_the_server_address() {
    let dir = TempDir::new("pcap-rst");
    let path = dir.file("server.pcap");
    let server = Session::tcp_server(
        TcpServerConfig::new("127.0.0.1:0".parse().unwrap()),
        no_waker(),
    )
    .unwrap();
    let mut recorder = Recorder::new(Transport::Tcp);
    let mut writer =
        PcapWriter::new(std::fs::File::create(&path).unwrap(), Transport::Tcp).unwrap();
    let mut pump = |until: &dyn Fn(&EventKind) -> bool| loop {
        let event = server.events().recv_timeout(DEADLINE).expect("an event");
        for item in recorder.items(&event) {
            writer.write(&item).unwrap();
        }
        if until(&event.kind) {
            return event.kind;
        }
    };
    let EventKind::Listening { local } = pump(&|k| matches!(k, EventKind::Listening { .. })) else {
        unreachable!()
    };
    let mut client = TcpStream::connect(local).unwrap();
    let client_addr = client.local_addr().unwrap();
    pump(&|k| matches!(k, EventKind::Accepted { .. }));
    client.write_all(b"abc").unwrap();
    pump(&|k| matches!(k, EventKind::Received { .. }));
    server.command(Command::Reset(1)).unwrap();
    pump(&|k| matches!(k, EventKind::Closed { .. }));
    writer.flush().unwrap();

    let packets = read_pcap(&path);
    let flags: Vec<&str> = packets.iter().map(|p| p.flags.as_str()).collect();
    assert_eq!(flags, ["S", "SA", "A", "PA", "RA"]);
    assert_eq!((packets[0].src, packets[0].dst), (client_addr, local));
    assert_eq!(packets[3].payload, b"abc");
    assert_eq!((packets[4].src, packets[4].dst), (local, client_addr));
}

#[test]
fn udp_over_ipv6_shows_each_datagram_between_the_right_ends() {
    if !has_ipv6_loopback() {
        eprintln!("SKIPPED: no IPv6 loopback");
        return;
    }
    let peer = UdpSocket::bind("[::1]:0").unwrap();
    let peer_addr = peer.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 100];
        let (n, from) = peer.recv_from(&mut buf).unwrap();
        peer.send_to(&buf[..n], from).unwrap();
    });
    let dir = TempDir::new("pcap-udp6");
    let path = dir.file("udp.pcap");
    let (code, _, stderr) = run_cli(&[
        "udp",
        "--to",
        &peer_addr.to_string(),
        "--send",
        "ping",
        "--count",
        "1",
        "--wait-ms",
        WAIT_MS_DEADLINE,
        "--pcap",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let packets = read_pcap(&path);
    assert_eq!(packets.len(), 2, "{packets:#?}");
    assert!(
        packets
            .iter()
            .all(|p| p.flags == "UDP" && p.payload == b"ping")
    );
    assert_eq!(packets[0].dst, peer_addr);
    assert_eq!(packets[1].src, peer_addr);
    assert_eq!(packets[0].src, packets[1].dst);
    assert!(packets[0].src.ip().is_loopback(), "{:?}", packets[0].src);
}

#[test]
fn an_unwritable_pcap_path_is_bad_input() {
    let (code, lines, stderr) = run_cli(&[
        "udp",
        "--bind",
        "127.0.0.1:0",
        "--pcap",
        "/nonexistent-dir/x.pcap",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(lines.is_empty());
    assert!(stderr.contains("/nonexistent-dir/x.pcap"), "{stderr}");
}

/// The window's path: Record, then "Save pcap", from a UDP conversation.
#[test]
fn a_recorded_udp_session_saves_a_pcap_with_each_datagram() {
    use socket_tester::gui::model::recording::{AlreadyOpen, SessionRecording};
    use socket_tester::net::{Destination, SessionKind, UdpConfig};

    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let peer_addr = peer.local_addr().unwrap();
    let session = Session::udp(UdpConfig::new("127.0.0.1:0".parse().unwrap()), no_waker()).unwrap();
    let mut recording = SessionRecording::default();
    recording.toggle(SessionKind::Udp, AlreadyOpen::default());
    let EventKind::Listening { local } = record_until(&session, &mut recording, |k| {
        matches!(k, EventKind::Listening { .. })
    }) else {
        unreachable!()
    };
    session
        .send(Destination::Address(peer_addr), b"one".to_vec())
        .unwrap();
    record_until(&session, &mut recording, |k| {
        matches!(k, EventKind::Sent { .. })
    });
    peer.send_to(b"two", local).unwrap();
    record_until(&session, &mut recording, |k| {
        matches!(k, EventKind::Received { .. })
    });
    recording.toggle(SessionKind::Udp, AlreadyOpen::default());

    let dir = TempDir::new("pcap-window");
    let path = dir.file("udp.pcap");
    recording.save_pcap(path.to_str().unwrap());
    assert!(
        recording.note.as_deref().unwrap().contains("Wrote 2 items"),
        "{:?}",
        recording.note
    );
    let packets = read_pcap(&path);
    let summary: Vec<(SocketAddr, SocketAddr, &[u8])> = packets
        .iter()
        .map(|p| (p.src, p.dst, p.payload.as_slice()))
        .collect();
    assert_eq!(
        summary,
        [
            (local, peer_addr, &b"one"[..]),
            (peer_addr, local, &b"two"[..])
        ]
    );
}

/// Whether a page's log has a row of `data` received (the engine's counters run ahead of the
/// events the page has applied).
fn received(data: &[u8]) -> impl Fn(&socket_tester::gui::model::page::Page) -> bool + '_ {
    use socket_tester::gui::model::log::Direction;
    move |page| {
        page.log()
            .iter()
            .any(|row| row.direction == Direction::Rx && row.data == data)
    }
}

/// Records an open page's traffic from "Record" on (the connection was opened before) and
/// saves it as pcap.
fn pcap_of_a_connection_already_open(
    page: &mut socket_tester::gui::model::page::Page,
    exchange: impl FnOnce(&mut socket_tester::gui::model::page::Page),
) -> Vec<Packet> {
    use socket_tester::gui::model::page::PageAction;
    let waker = no_waker();
    page.perform(PageAction::ToggleRecording, &waker);
    exchange(page);
    page.perform(PageAction::ToggleRecording, &waker);
    let dir = TempDir::new("pcap-open");
    let path = dir.file("open.pcap");
    page.config_mut().recording.pcap_path = path.display().to_string();
    page.perform(PageAction::SavePcap, &waker);
    read_pcap(&path)
}

#[test]
fn a_pcap_of_a_connection_opened_before_recording_has_its_real_ends_and_a_handshake() {
    use socket_tester::gui::model::page::{Link, PageAction};
    let echo = EchoServer::start();
    let mut page = client_page(echo.addr.port());
    page.toggle(no_waker());
    drain_until(&mut page, "the connection", |p| p.is_connected());
    let packets = pcap_of_a_connection_already_open(&mut page, |page| {
        *page.message_mut() = "hi".into();
        page.perform(PageAction::Send, &no_waker());
        drain_until(page, "the echo", received(b"hi"));
    });
    let Link::Connected { local, .. } = *page.link() else {
        panic!("still connected")
    };
    assert!(!local.ip().is_unspecified() && local.port() != 0, "{local}");
    let flags: Vec<(&str, SocketAddr, SocketAddr)> = packets
        .iter()
        .map(|p| (p.flags.as_str(), p.src, p.dst))
        .collect();
    assert_eq!(
        flags[..3],
        [
            ("S", local, echo.addr),
            ("SA", echo.addr, local),
            ("A", local, echo.addr)
        ],
        "the handshake, from this end's real address"
    );
    assert_eq!(packets[3].payload, b"hi");
    assert_eq!(packets[4].payload, b"hi", "the echo");
}

#[test]
fn a_pcap_of_a_server_client_accepted_before_recording_has_its_handshake() {
    use socket_tester::gui::model::page::{Link, Page, PageConfig};
    use socket_tester::net::SessionKind;
    let mut page = Page::new(
        SessionKind::TcpServer,
        PageConfig {
            bind_address: "127.0.0.1".into(),
            bind_port: "0".into(),
            ..PageConfig::default()
        },
    );
    page.toggle(no_waker());
    drain_until(&mut page, "listening", |p| {
        matches!(p.link(), Link::Listening { .. })
    });
    let Link::Listening { local: server } = *page.link() else {
        unreachable!()
    };
    let mut client = TcpStream::connect(server).unwrap();
    let client_addr = client.local_addr().unwrap();
    drain_until(&mut page, "the client", |p| !p.clients().is_empty());
    let packets = pcap_of_a_connection_already_open(&mut page, |page| {
        client.write_all(b"ping").unwrap();
        drain_until(page, "the bytes", received(b"ping"));
    });
    let flags: Vec<(&str, SocketAddr, SocketAddr)> = packets
        .iter()
        .map(|p| (p.flags.as_str(), p.src, p.dst))
        .collect();
    assert_eq!(
        flags,
        [
            ("S", client_addr, server),
            ("SA", server, client_addr),
            ("A", client_addr, server),
            ("PA", client_addr, server)
        ]
    );
}

#[test]
fn a_relay_pcap_holds_both_connections_of_a_pair_between_their_real_ends() {
    use std::io::Read;
    let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target_addr = target.local_addr().unwrap();
    let dir = TempDir::new("pcap-relay");
    let path = dir.file("relay.pcap");
    let mut cli = Cli::spawn(&[
        "relay",
        "127.0.0.1:0",
        &target_addr.to_string(),
        "--pcap",
        path.to_str().unwrap(),
    ]);
    let listen = cli.listening();
    let mut client = connect(listen);
    let client_addr = client.local_addr().unwrap();
    let (mut upstream, relay_end) = target.accept().unwrap();
    client.write_all(b"up").unwrap();
    let mut got = [0u8; 2];
    upstream.read_exact(&mut got).unwrap();
    upstream.write_all(b"down").unwrap();
    let mut back = [0u8; 4];
    client.read_exact(&mut back).unwrap();
    drop(client);
    drop(upstream);
    cli.line_containing("closed");
    cli.line_containing("closed");
    cli.signal(libc::SIGINT);
    let (code, _, stderr) = cli.finish();
    assert_eq!(code, 130, "{stderr}");

    let packets = read_pcap(&path);
    let opened: Vec<(SocketAddr, SocketAddr)> = packets
        .iter()
        .filter(|p| p.flags == "S")
        .map(|p| (p.src, p.dst))
        .collect();
    assert_eq!(opened, [(client_addr, listen), (relay_end, target_addr)]);
    let data: Vec<(SocketAddr, SocketAddr, &[u8])> = packets
        .iter()
        .filter(|p| !p.payload.is_empty())
        .map(|p| (p.src, p.dst, p.payload.as_slice()))
        .collect();
    assert_eq!(
        data,
        [
            (client_addr, listen, &b"up"[..]),
            (target_addr, relay_end, &b"down"[..])
        ]
    );
}

/// A TCP server's pcap after Ctrl+C: its FIN to a client that stays connected, and nothing the
/// client never sent (issue 20: the pcap showed a FIN from the client).
#[cfg(unix)]
#[test]
fn a_server_stopped_by_ctrl_c_sends_the_only_fin_in_its_pcap() {
    let dir = TempDir::new("pcap-sigint");
    let path = dir.file("server.pcap");
    let mut cli = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--pcap",
        path.to_str().unwrap(),
    ]);
    let listen = cli.listening();
    let mut client = connect(listen);
    let client_addr = client.local_addr().unwrap();
    client.write_all(b"hi").unwrap();
    cli.line_containing("hi");
    cli.signal(libc::SIGINT);
    let (code, _, stderr) = cli.finish();
    assert_eq!(code, 130, "{stderr}");
    assert!(
        is_closed(&mut client),
        "the server's FIN reached the client"
    );

    let packets = read_pcap(&path);
    let flags: Vec<&str> = packets.iter().map(|p| p.flags.as_str()).collect();
    assert_eq!(flags, ["S", "SA", "A", "PA", "FA", "A"], "{packets:#?}");
    assert_eq!((packets[4].src, packets[4].dst), (listen, client_addr));
    assert_eq!(
        packets[5].ack,
        packets[4].seq + 1,
        "the client ACKs the FIN"
    );
    drop(client);
}

/// With --half-close the client's FIN is in the pcap when it comes, and the server's own FIN
/// when Ctrl+C closes the connection it kept open for sending.
#[cfg(unix)]
#[test]
fn a_half_closed_connection_shows_each_fin_when_it_was_sent() {
    let dir = TempDir::new("pcap-half-close");
    let path = dir.file("server.pcap");
    let mut cli = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--half-close",
        "--pcap",
        path.to_str().unwrap(),
    ]);
    let listen = cli.listening();
    let client = connect(listen);
    let client_addr = client.local_addr().unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    cli.line_containing("finished");
    cli.signal(libc::SIGINT);
    let (code, _, stderr) = cli.finish();
    assert_eq!(code, 130, "{stderr}");

    let packets = read_pcap(&path);
    let ends: Vec<(&str, SocketAddr)> = packets.iter().map(|p| (p.flags.as_str(), p.src)).collect();
    assert_eq!(
        ends,
        [
            ("S", client_addr),
            ("SA", listen),
            ("A", client_addr),
            ("FA", client_addr),
            ("A", listen),
            ("FA", listen),
            ("A", client_addr),
        ],
        "{packets:#?}"
    );
    drop(client);
}
