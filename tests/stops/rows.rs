//! The rows of the engine's stop tables: each sets a mode or a job running against a peer that
//! does not read, until its queues are full.

use std::any::Any;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use crate::common::{TempDir, flood, listening, wait_for};
use socket_tester::codec::TextEncoding;
use socket_tester::codec::payload::PayloadFormat;
use socket_tester::codec::template::Template;
use socket_tester::net::addr::parse_host_port;
use socket_tester::net::stress::{Protocol, Stress, StressConfig, StressMode};
use socket_tester::net::{
    Destination, EventKind, FileSend, Sequence, Session, SessionConfig, Step, TcpClientConfig,
    TcpServerConfig, UdpConfig, no_waker,
};

/// What a row leaves running: a session or a stress run (which is not a session, and has no
/// events), and the jobs on it.
pub enum Target {
    Session(Session),
    Stress(Stress),
}

pub struct Running {
    pub target: Target,
    pub jobs: Vec<Box<dyn Any>>,
}

/// What a row's peers hold (sockets, Python programs, files), kept until the stop is over.
pub type Peers = Vec<Box<dyn Any>>;

/// One row: sets a running job up against a peer that does not read. A thread of the test's
/// own is a [`flood`], which the thread count leaves out.
pub type Row = fn(&mut Peers) -> Running;

pub fn all() -> Vec<(&'static str, Row)> {
    let mut rows: Vec<(&'static str, Row)> = vec![
        ("tcp-client sending /dev/zero", tcp_client_sending_a_file),
        ("udp sending /dev/zero", udp_sending_a_file),
        ("tcp-server repeating", tcp_server_repeating_to_a_client),
        (
            "tcp-server capturing a flood and sending /dev/zero",
            tcp_server_capturing_and_sending,
        ),
        (
            "relay sending to both ends",
            relay_between_peers_that_do_not_read,
        ),
        (
            "endless sequence with capture",
            endless_sequence_with_capture,
        ),
        ("replay of a recording", replay_of_a_recording),
        (
            "stress, throughput",
            stress_against_a_server_that_does_not_read,
        ),
    ];
    #[cfg(unix)]
    rows.push(("capture into a FIFO not read", capture_into_a_fifo_not_read));
    #[cfg(feature = "tls")]
    rows.extend([
        (
            "TLS server sending to a Python client that does not read",
            tls_server_to_a_client_that_does_not_read as Row,
        ),
        (
            "TLS client sending to a Python server that does not read",
            tls_client_to_a_server_that_does_not_read,
        ),
    ]);
    rows
}

fn session(session: Session, jobs: Vec<Box<dyn Any>>) -> Running {
    Running {
        target: Target::Session(session),
        jobs,
    }
}

fn client_to(addr: SocketAddr, capture: Option<&std::path::Path>) -> Session {
    let target = parse_host_port(&addr.to_string()).unwrap();
    let config = SessionConfig::TcpClient(TcpClientConfig::new(target));
    let session = Session::open(config, no_waker(), capture, None).unwrap();
    wait_for(&session, "Connected", |kind| {
        matches!(kind, EventKind::Connected { .. }).then_some(())
    });
    session
}

fn send_zeros(session: &Session, to: Destination, chunk: usize) -> FileSend {
    session.send_file(to, "/dev/zero".as_ref(), chunk).unwrap()
}

/// Waits until `file`'s bytes stop moving: the peer's buffers are full and the send waits.
fn until_it_stalls(file: &FileSend) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut written = 0;
    while file.written() != written || written == 0 {
        assert!(Instant::now() < deadline, "the peer's buffers never filled");
        written = file.written();
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn tcp_client_sending_a_file(peers: &mut Peers) -> Running {
    // Accepted by the kernel, never read: the send queue and the socket buffers fill.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = client_to(listener.local_addr().unwrap(), None);
    let file = send_zeros(&client, Destination::Default, 64 * 1024);
    peers.push(Box::new(listener));
    session(client, vec![Box::new(file)])
}

fn udp_sending_a_file(peers: &mut Peers) -> Running {
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut config = UdpConfig::new("127.0.0.1:0".parse().unwrap());
    config.target = Some(parse_host_port(&receiver.local_addr().unwrap().to_string()).unwrap());
    let udp = Session::udp(config, no_waker()).unwrap();
    listening(&udp);
    // Each datagram is reported: with nobody taking the events, the control thread waits
    // for room while the file send fills the control queue (issue 25 item 2).
    let file = send_zeros(&udp, Destination::Default, 1024);
    peers.push(Box::new(receiver));
    session(udp, vec![Box::new(file)])
}

/// A TCP server and one client connected to it, accepted.
fn server_with_a_client(capture: Option<&std::path::Path>) -> (Session, TcpStream) {
    let config = SessionConfig::TcpServer(TcpServerConfig::new("127.0.0.1:0".parse().unwrap()));
    let server = Session::open(config, no_waker(), capture, None).unwrap();
    let client = TcpStream::connect(listening(&server)).unwrap();
    wait_for(&server, "Accepted", |kind| {
        matches!(kind, EventKind::Accepted { .. }).then_some(())
    });
    (server, client)
}

fn tcp_server_repeating_to_a_client(peers: &mut Peers) -> Running {
    let (server, client) = server_with_a_client(None);
    let message = Template::parse(&"x".repeat(60_000), PayloadFormat::default()).unwrap();
    let repeater = server
        .repeat(
            Destination::AllClients,
            vec![message],
            Duration::from_millis(1),
            None,
        )
        .unwrap();
    peers.push(Box::new(client));
    session(server, vec![Box::new(repeater)])
}

fn tcp_server_capturing_and_sending(peers: &mut Peers) -> Running {
    let dir = TempDir::new("stops-server-capture");
    let (server, client) = server_with_a_client(Some(&dir.file("capture.bin")));
    flood(client.try_clone().unwrap());
    let file = send_zeros(&server, Destination::AllClients, 64 * 1024);
    peers.push(Box::new(client));
    peers.push(Box::new(dir));
    session(server, vec![Box::new(file)])
}

fn relay_between_peers_that_do_not_read(peers: &mut Peers) -> Running {
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = socket_tester::net::RelayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        parse_host_port(&target.local_addr().unwrap().to_string()).unwrap(),
    );
    let relay = Session::open(SessionConfig::Relay(config), no_waker(), None, None).unwrap();
    let client = TcpStream::connect(listening(&relay)).unwrap();
    wait_for(&relay, "Relaying", |kind| {
        matches!(kind, EventKind::Relaying { .. }).then_some(())
    });
    // The relay's own side sends to both ends, which read nothing.
    let file = send_zeros(&relay, Destination::AllClients, 64 * 1024);
    peers.push(Box::new(target));
    peers.push(Box::new(client));
    session(relay, vec![Box::new(file)])
}

fn endless_sequence_with_capture(peers: &mut Peers) -> Running {
    let dir = TempDir::new("stops-capture");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = client_to(
        listener.local_addr().unwrap(),
        Some(&dir.file("capture.bin")),
    );
    let sequence = Sequence {
        steps: vec![
            Step::Send {
                text: "PING".to_string(),
                format: PayloadFormat::default(),
            },
            Step::Wait { ms: 0 },
        ],
        rounds: 0,
    };
    let run = client
        .run_sequence(Destination::Default, &sequence, TextEncoding::Utf8)
        .unwrap();
    peers.push(Box::new(listener));
    peers.push(Box::new(dir));
    session(client, vec![Box::new(run)])
}

/// A TCP client capturing into a FIFO whose reader holds it open and reads nothing, from a
/// peer that sends without end: the capture's writer waits on the FIFO, the readers on it.
#[cfg(unix)]
fn capture_into_a_fifo_not_read(peers: &mut Peers) -> Running {
    let dir = TempDir::new("stops-capture-fifo-row");
    let fifo = dir.fifo("capture.fifo");
    let reader = crate::common::fifo_reader_that_does_not_read(&fifo);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = client_to(listener.local_addr().unwrap(), Some(&fifo));
    let (peer, _) = listener.accept().unwrap();
    flood(peer);
    peers.push(Box::new(reader));
    peers.push(Box::new(listener));
    peers.push(Box::new(dir));
    session(client, Vec::new())
}

/// A recording of 20 MiB sent by this end, replayed as fast as it goes ("Start replay") to a
/// peer that reads nothing.
fn replay_of_a_recording(peers: &mut Peers) -> Running {
    use socket_tester::capture::record::{Item, Recording, Side, Transport, What};
    use socket_tester::gui::model::recording::{RecordingConfig, SessionRecording};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let peer = listener.local_addr().unwrap();
    let message = |index: u64| Item {
        time_us: index,
        local: "127.0.0.1:1".parse().unwrap(),
        peer,
        what: What::Data {
            from: Side::Here,
            data: vec![b'r'; 128 * 1024],
        },
    };
    let recording = Recording {
        transport: Transport::Tcp,
        items: (0..160).map(message).collect(),
        truncated: false,
    };
    let dir = TempDir::new("stops-replay");
    let path = dir.file("recording.json");
    std::fs::write(&path, recording.to_json()).unwrap();
    let client = client_to(peer, None);
    let mut replay = SessionRecording::default();
    let config = RecordingConfig {
        replay_path: path.display().to_string(),
        replay_side: Side::Here,
        replay_fast: true,
        ..RecordingConfig::default()
    };
    replay.toggle_replay(&config, Some(&client), Destination::Default);
    assert!(replay.is_replaying(), "{:?}", replay.note);
    peers.push(Box::new(listener));
    peers.push(Box::new(dir));
    session(client, vec![Box::new(replay)])
}

/// Stress clients sending as fast as they go to a server that accepts (the kernel does) and
/// never reads: every client's write waits.
fn stress_against_a_server_that_does_not_read(peers: &mut Peers) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = parse_host_port(&listener.local_addr().unwrap().to_string()).unwrap();
    let payload = Template::parse_for_stress(&"s".repeat(1000), PayloadFormat::default()).unwrap();
    let clients = 4;
    let stress = Stress::start(
        StressConfig {
            protocol: Protocol::Tcp,
            target,
            clients,
            short_connections: false,
            mode: StressMode::Throughput,
            rate: None,
            duration: Some(Duration::from_secs(3600)),
            count: None,
            payload,
            timeout: Duration::from_secs(60),
        },
        no_waker(),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while stress.report().active < clients as u64 {
        assert!(Instant::now() < deadline, "{:?}", stress.report());
        std::thread::sleep(Duration::from_millis(5));
    }
    peers.push(Box::new(listener));
    Running {
        target: Target::Stress(stress),
        jobs: Vec::new(),
    }
}

/// A Python TLS client (as a course's program would be) that finishes its handshake and
/// then reads nothing, while the server sends to it.
#[cfg(feature = "tls")]
pub const PYTHON_TLS_CLIENT_THAT_DOES_NOT_READ: &str = r#"
import socket, ssl, sys, time
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
plain = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
tls = context.wrap_socket(plain, server_hostname="localhost")
print("ready", flush=True)
time.sleep(60)
"#;

#[cfg(feature = "tls")]
fn tls_server_to_a_client_that_does_not_read(peers: &mut Peers) -> Running {
    use socket_tester::net::tls::TlsServer;
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.tls = Some(TlsServer::self_signed(&["localhost".to_string()]).unwrap());
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let port = listening(&server).port().to_string();
    let mut python = crate::common::Python::start(PYTHON_TLS_CLIENT_THAT_DOES_NOT_READ, &[&port])
        .expect("python3 (CI has it)");
    assert_eq!(python.line(), "ready");
    wait_for(&server, "TlsEstablished", |kind| {
        matches!(kind, EventKind::TlsEstablished { .. }).then_some(())
    });
    // The pump's writes to the client fill its buffers and then wait for it.
    let to_client = send_zeros(&server, Destination::AllClients, 64 * 1024);
    until_it_stalls(&to_client);
    peers.push(Box::new(python));
    session(server, vec![Box::new(to_client)])
}

#[cfg(feature = "tls")]
fn tls_client_to_a_server_that_does_not_read(peers: &mut Peers) -> Running {
    use crate::common::tls_peer::{Certificates, python_server_that_does_not_read};
    use socket_tester::net::tls::{TlsClient, Trust};
    let certificates = Certificates::new("stops-tls-client");
    let (cert, key) = certificates.leaf("server", &["localhost"], true, false);
    let (python, addr) =
        python_server_that_does_not_read(&cert, &key).expect("python3 (CI has it)");
    let mut config = TcpClientConfig::new(parse_host_port(&addr).unwrap());
    config.tls = Some(TlsClient {
        sni: Some("localhost".to_string()),
        trust: Trust::AnyCertificate,
        certificate: None,
    });
    let client = Session::tcp_client(config, no_waker()).unwrap();
    wait_for(&client, "TlsEstablished", |kind| {
        matches!(kind, EventKind::TlsEstablished { .. }).then_some(())
    });
    let to_server = send_zeros(&client, Destination::Default, 64 * 1024);
    until_it_stalls(&to_server);
    peers.push(Box::new(python));
    peers.push(Box::new(certificates));
    session(client, vec![Box::new(to_server)])
}
