//! Record a real conversation, save it, and replay either side as a mock client or a mock
//! server: the other end gets the recorded bytes, in order.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;

use common::*;
use socket_tester::capture::record::Side;
use socket_tester::gui::model::recording::{AlreadyOpen, RecordingConfig, SessionRecording};
use socket_tester::net::addr::parse_host_port;
use socket_tester::net::{Destination, EventKind, Session, SessionKind, TcpClientConfig, no_waker};

/// A server that answers each message with "re:" and the message.
fn answering_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = [0u8; 1024];
        while let Ok(n @ 1..) = stream.read(&mut buf) {
            let mut reply = b"re:".to_vec();
            reply.extend_from_slice(&buf[..n]);
            stream.write_all(&reply).unwrap();
        }
    });
    addr
}

fn client_to(addr: SocketAddr) -> Session {
    let target = parse_host_port(&addr.to_string()).unwrap();
    Session::tcp_client(TcpClientConfig::new(target), no_waker()).unwrap()
}

/// Records a client conversation of three requests and their answers; returns the file.
fn record_conversation(dir: &TempDir) -> String {
    let client = client_to(answering_server());
    let mut recording = SessionRecording::default();
    recording.toggle(SessionKind::TcpClient, AlreadyOpen::default());
    record_until(&client, &mut recording, |k| {
        matches!(k, EventKind::Connected { .. })
    });
    for message in ["one", "two", "three"] {
        client
            .send(Destination::Default, message.as_bytes().to_vec())
            .unwrap();
        // The write and the answer, in either order.
        let mut seen = (false, false);
        while seen != (true, true) {
            let event = client.events().recv_timeout(DEADLINE).expect("an event");
            recording.observe(&event);
            match event.kind {
                EventKind::Sent { .. } => seen.0 = true,
                EventKind::Received { .. } => seen.1 = true,
                _ => {}
            }
        }
    }
    recording.toggle(SessionKind::TcpClient, AlreadyOpen::default());
    let path = dir.file("conversation.json").display().to_string();
    recording.save_recording(&path);
    assert!(
        recording.note.as_deref().unwrap_or("").contains("Saved"),
        "{:?}",
        recording.note
    );
    path
}

/// Starts replaying the recording at `path` on `session`, as "Start replay" does.
fn start_replay(
    path: String,
    side: Side,
    fast: bool,
    session: &Session,
    to: Destination,
) -> SessionRecording {
    let config = RecordingConfig {
        replay_path: path,
        replay_side: side,
        replay_fast: fast,
        ..RecordingConfig::default()
    };
    let mut replay = SessionRecording::default();
    replay.toggle_replay(&config, Some(session), to);
    replay
}

#[test]
fn replaying_this_ends_side_as_a_mock_client_sends_the_recorded_bytes_in_order() {
    let dir = TempDir::new("replay-client");
    let path = record_conversation(&dir);

    let (server, received) = collecting_server();
    let client = client_to(server);
    wait_for(&client, "Connected", |k| {
        matches!(k, EventKind::Connected { .. }).then_some(())
    });
    let replay = start_replay(path, Side::Here, false, &client, Destination::Default);
    assert_eq!(replay.words().as_deref(), Some("Replaying 3 messages"));
    for _ in 0..3 {
        wait_for(&client, "Sent", |k| {
            matches!(k, EventKind::Sent { .. }).then_some(())
        });
    }
    client.stop();
    assert_eq!(received.join().unwrap(), b"onetwothree");
}

#[test]
fn replaying_the_peers_side_as_a_mock_server_answers_like_the_recorded_server() {
    let dir = TempDir::new("replay-server");
    let path = record_conversation(&dir);

    let (server, local) = server_on("127.0.0.1:0");
    let mut student = TcpStream::connect(local).unwrap();
    let id = wait_for(&server, "Accepted", |k| match k {
        EventKind::Accepted { client, .. } => Some(*client),
        _ => None,
    });
    let _replay = start_replay(path, Side::Peer, true, &server, Destination::Client(id));
    let expected = b"re:onere:twore:three";
    let mut got = vec![0u8; expected.len()];
    student.set_read_timeout(Some(DEADLINE)).unwrap();
    student.read_exact(&mut got).unwrap();
    assert_eq!(got, expected);
}

#[test]
fn replay_explains_a_missing_or_foreign_file() {
    let dir = TempDir::new("replay-bad");
    let foreign = dir.file("foreign.json");
    std::fs::write(&foreign, "{\"hello\": 1}").unwrap();
    for (path, words) in [
        (dir.file("missing.json"), "missing.json"),
        (foreign, "not a socket-tester recording"),
    ] {
        let config = RecordingConfig {
            replay_path: path.display().to_string(),
            ..RecordingConfig::default()
        };
        let mut replay = SessionRecording::default();
        replay.toggle_replay(&config, None, Destination::Default);
        let note = replay.note.clone().unwrap();
        assert!(note.contains(words), "{note}");
        assert!(!replay.is_replaying());
    }
}
