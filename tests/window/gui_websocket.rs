//! WebSocket in the window: a TCP Server page with "WebSocket" ticked takes a Python
//! `websockets` client (the handshake, its text, its ping and our pong are rows; what we send
//! reaches it as a text frame), and a TCP Client page whose Host is a ws:// URL talks to the
//! engine's echoing WebSocket server, and Disconnect says goodbye with code 1000 to it; hex
//! that spells ASCII goes in a text frame, or a binary one once Frames says Binary. The test
//! with a Python client is skipped, with a printed reason, without python3 and its websockets
//! package.

#[path = "../common/mod.rs"]
mod common;
mod gui_helpers;

use common::Python;
use gui_helpers::*;
use socket_tester::codec::TextEncoding;
use socket_tester::codec::websocket::Opcode;
use socket_tester::net::{EventKind, Responder, Session, TcpServerConfig, no_waker};

/// Every row's text, oldest first (notes in words).
fn texts(h: &mut Harness<'static, App>) -> Vec<String> {
    page(h).log().iter().map(|row| row.text).collect()
}

fn has_row(h: &mut Harness<'static, App>, words: &str) -> bool {
    texts(h).iter().any(|text| text.contains(words))
}

fn wait_for_row(h: &mut Harness<'static, App>, words: &str) {
    wait_until(h, words, |h| has_row(h, words));
}

const PYTHON_CLIENT: &str = r#"
import sys
from websockets.sync.client import connect
with connect(sys.argv[1], compression=None) as ws:
    ws.send("你好 from python")
    print("pong", ws.ping(b"pp").wait(5), flush=True)
    print("got", repr(ws.recv(timeout=10)), flush=True)
"#;

#[test]
fn a_server_page_with_websocket_ticked_takes_a_python_client() {
    if !common::python_websockets() {
        return;
    }
    let mut h = app();
    click(&mut h, "TCP Server");
    click(&mut h, "WebSocket");
    let addr = open_on_loopback(&mut h, "TCP Server", "Address", "Port", "Listen");
    let url = format!("ws://{addr}/lab");
    let mut python = Python::start(PYTHON_CLIENT, &[&url]).expect("python3 runs");
    wait_for_row(&mut h, "你好 from python");
    // The Length column says the message's kind.
    h.get_by_label("18 B text");
    assert_eq!(python.line(), "pong True");
    let rows = texts(&mut h);
    assert!(
        rows.iter().any(|text| text.contains(
            "WebSocket open: GET /lab HTTP/1.1, answered HTTP/1.1 101 Switching Protocols"
        )),
        "{rows:?}"
    );
    wait_for_row(&mut h, "WebSocket pong sent: \"pp\"");
    // The counters count the message's payload, as they count what is sent: not the frame
    // headers, nor the ping (they said 32 B before).
    let totals = page(&mut h).totals();
    assert_eq!((totals.rx_bytes, totals.rx_messages), (18, 1));
    assert!(has_row(&mut h, "WebSocket ping received: \"pp\""));
    type_message(&mut h, "hello students");
    click(&mut h, "Send");
    assert_eq!(python.line(), "got 'hello students'");
}

#[test]
fn a_client_page_connects_to_a_ws_url_and_says_goodbye_on_disconnect() {
    // The engine's own WebSocket server, echoing, in this process.
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.websocket = true;
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let echo = Responder::new(&[], true, TextEncoding::Utf8).unwrap();
    server.set_responder(Some(echo)).unwrap();
    let addr = common::listening(&server);
    let mut h = app();
    // The URL names no port: the Port field's is used.
    set_field(&mut h, "Host", "ws://127.0.0.1/chat");
    set_field(&mut h, "Port", &addr.port().to_string());
    click(&mut h, "Connect");
    wait_until(&mut h, "connected", |h| {
        matches!(page(h).link(), Link::Connected { .. })
    });
    wait_for_row(&mut h, "WebSocket open: GET /chat HTTP/1.1");
    type_message(&mut h, "hello 你好");
    click(&mut h, "Send");
    wait_for_tx_and_rx(&mut h);
    assert_eq!(rx_texts(&mut h), ["hello 你好"]);
    click(&mut h, "Disconnect");
    wait_until(&mut h, "closed", |h| matches!(page(h).link(), Link::Closed));
    // The page lets go of its session as it closes, so the goodbye shows at the peer.
    let goodbye = common::wait_for(&server, "the client's close frame", |kind| match kind {
        EventKind::WebSocketControl {
            sent: false,
            opcode: Opcode::Close,
            payload,
            ..
        } => Some(payload.clone()),
        _ => None,
    });
    assert_eq!(goodbye, [0x03, 0xE8], "code 1000, no reason");
    // The page's log shows the goodbye too: a closed session's last events still come.
    wait_for_row(&mut h, "WebSocket close sent: code 1000");
}

/// The next message `server` receives: its opcode and bytes.
fn next_message(server: &Session) -> (Option<Opcode>, Vec<u8>) {
    common::wait_for(server, "a message", |kind| match kind {
        EventKind::Received { messages, .. } => {
            let message = &messages[0];
            Some((message.websocket, message.data.clone()))
        }
        _ => None,
    })
}

#[test]
fn frames_choose_binary_for_hex_that_spells_ascii() {
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.websocket = true;
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let addr = common::listening(&server);
    let mut h = app();
    set_field(&mut h, "Host", &format!("ws://{addr}/"));
    click(&mut h, "Connect");
    wait_until(&mut h, "connected", |h| {
        matches!(page(h).link(), Link::Connected { .. })
    });
    click(&mut h, "Hex");
    type_message(&mut h, "41 54");
    click(&mut h, "Send");
    // By default a message's bytes decide: these are UTF-8, so text.
    assert_eq!(next_message(&server), (Some(Opcode::Text), b"AT".to_vec()));
    open_combo(&mut h, "Frames");
    click(&mut h, "Binary");
    click(&mut h, "Send");
    assert_eq!(
        next_message(&server),
        (Some(Opcode::Binary), b"AT".to_vec())
    );
    // The page's log says which frame each went out in.
    wait_until(&mut h, "the binary send in the log", |h| {
        h.query_by_label("2 B binary").is_some()
    });
    assert!(h.query_by_label("2 B text").is_some());
}
