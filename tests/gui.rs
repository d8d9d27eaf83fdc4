//! The real desktop app driven through egui_kittest (no display needed) against real peers on
//! loopback: widgets are found by their accessible labels, as a screen reader would.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use common::{DEADLINE, is_closed};
use crossbeam_channel::Receiver;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use socket_tester::gui::app::App;
use socket_tester::gui::model::log::Direction;
use socket_tester::gui::model::page::{Link, Page, PageAction, StepKind};

/// Frames to run until the app settles: events from the engine request repaints while they
/// arrive, which takes a few frames on a loaded machine.
const MAX_STEPS: u64 = 64;

fn app() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .with_max_steps(MAX_STEPS)
        .with_context_setup(socket_tester::gui::view::fonts::install)
        .build_eframe(|cc| App::new(cc))
}

/// For tests whose peers send arbitrary bytes: decoded as text, they may hold characters no
/// bundled font draws (shown as boxes, as in the real app; the hex view shows the bytes).
fn app_showing_any_bytes() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .with_max_steps(MAX_STEPS)
        .with_context_setup(socket_tester::gui::view::fonts::install)
        .allow_missing_glyphs()
        .build_eframe(|cc| App::new(cc))
}

fn page<'h>(h: &'h mut Harness<'static, App>) -> &'h mut Page {
    h.state_mut().tab().page()
}

/// Steps frames until `done` holds; the engine's threads work meanwhile.
fn wait_until(
    h: &mut Harness<'static, App>,
    what: &str,
    done: impl Fn(&mut Harness<'static, App>) -> bool,
) {
    let deadline = Instant::now() + DEADLINE;
    while !done(h) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        h.step();
        thread::sleep(Duration::from_millis(5));
    }
    h.run();
}

fn set_field(h: &mut Harness<'static, App>, label: &str, value: &str) {
    h.get_by_role_and_label(Role::TextInput, label)
        .set_text_value_accesskit(value);
    h.run();
}

fn type_message(h: &mut Harness<'static, App>, text: &str) {
    let message = h.get_by_role_and_label(Role::MultilineTextInput, "Message");
    message.focus();
    message.type_text(text);
    h.run();
}

fn choose_encoding(h: &mut Harness<'static, App>, encoding: &str) {
    open_combo(h, "Encoding");
    h.get_by_label(encoding).click();
    h.run();
}

/// Clicks as a person would: scrolls the widget into sight first (the tool panel scrolls).
fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.run();
}

/// Opens a combo box, scrolled into sight first.
fn open_combo(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_role_and_label(Role::ComboBox, label)
        .scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::ComboBox, label).click();
    h.run();
}

fn rx_texts(h: &mut Harness<'static, App>) -> Vec<String> {
    page(h)
        .log()
        .iter()
        .filter(|r| r.direction == Direction::Rx)
        .map(|r| r.text)
        .collect()
}

/// The TX row (after the write) and the RX row (the echo) come from two threads, in either
/// order: waits for both.
fn wait_for_tx_and_rx(h: &mut Harness<'static, App>) {
    wait_until(h, "the TX and RX rows", |h| {
        !rx_texts(h).is_empty() && page(h).log().iter().any(|r| r.direction == Direction::Tx)
    });
}

/// A TCP echo server for one client that also reports every chunk it receives.
fn echo_server() -> (SocketAddr, Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = crossbeam_channel::unbounded();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = stream.read(&mut buf) {
            let _ = tx.send(buf[..n].to_vec());
            let _ = stream.write_all(&buf[..n]);
        }
    });
    (addr, rx)
}

fn connect_client(h: &mut Harness<'static, App>, server: SocketAddr) {
    set_field(h, "Host", &server.ip().to_string());
    set_field(h, "Port", &server.port().to_string());
    click(h, "Connect");
    wait_until(h, "connected", |h| {
        matches!(page(h).link(), Link::Connected { .. })
    });
    assert!(
        h.query_by_label("Disconnect").is_some(),
        "the button follows the state"
    );
    assert!(
        h.query_by_label_contains(&format!("Connected to {server}"))
            .is_some()
    );
}

/// Switches to `tab`, binds 127.0.0.1 port 0 and returns the real address once bound.
fn open_on_loopback(
    h: &mut Harness<'static, App>,
    tab: &str,
    address: &str,
    port: &str,
    button: &str,
) -> SocketAddr {
    click(h, tab);
    set_field(h, address, "127.0.0.1");
    set_field(h, port, "0");
    click(h, button);
    wait_until(h, "the socket to be bound", |h| {
        matches!(page(h).link(), Link::Listening { .. })
    });
    match page(h).link() {
        Link::Listening { local } => *local,
        ref other => panic!("not bound: {other:?}"),
    }
}

#[test]
fn tcp_client_sends_gbk_and_shows_the_echo() {
    let (server, received) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    choose_encoding(&mut h, "GBK");
    type_message(&mut h, "你好");
    click(&mut h, "Send");

    let bytes = received
        .recv_timeout(DEADLINE)
        .expect("the server got bytes");
    assert_eq!(bytes, vec![0xC4, 0xE3, 0xBA, 0xC3]);
    wait_for_tx_and_rx(&mut h);
    assert_eq!(rx_texts(&mut h), vec!["你好"]);
    // Both the TX row and the RX row show the text.
    assert_eq!(h.query_all_by_label("你好").count(), 2);
    assert!(
        h.query_by_role_and_label(Role::Label, "RX").is_some(),
        "an RX row"
    );

    click(&mut h, "Disconnect");
    assert!(h.query_by_label("Connect").is_some());
}

#[test]
fn tcp_server_lists_a_client_shows_its_message_and_replies() {
    let mut h = app();
    let local = open_on_loopback(&mut h, "TCP Server", "Address", "Port", "Listen");
    assert_ne!(local.port(), 0);
    assert!(
        h.query_by_label_contains(&format!("Listening on {local}"))
            .is_some()
    );
    assert!(h.query_by_label("Stop").is_some());

    let mut client = TcpStream::connect(local).unwrap();
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    client.write_all(b"hello server").unwrap();
    wait_until(&mut h, "the client's message", |h| !rx_texts(h).is_empty());
    assert_eq!(rx_texts(&mut h), vec!["hello server"]);
    let me = client.local_addr().unwrap();
    assert_eq!(page(&mut h).clients().len(), 1);
    assert!(
        h.query_by_role_and_label(Role::Button, &format!("#1 {me}"))
            .is_some(),
        "the client list shows the client"
    );

    type_message(&mut h, "welcome");
    click(&mut h, "Send");
    let mut reply = [0u8; 7];
    client.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"welcome");

    click(&mut h, "Stop");
    assert!(is_closed(&mut client), "stopping closes the client");
}

#[test]
fn udp_round_trip_shows_the_sender() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let peer_addr = peer.local_addr().unwrap();
    let mut h = app();
    let local = open_on_loopback(&mut h, "UDP", "Local address", "Local port", "Open");

    set_field(&mut h, "Host", "127.0.0.1");
    set_field(&mut h, "Port", &peer_addr.port().to_string());
    type_message(&mut h, "ping");
    click(&mut h, "Send");
    let mut buf = [0u8; 16];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"ping"[..], local));

    peer.send_to(b"pong", local).unwrap();
    wait_for_tx_and_rx(&mut h);
    assert_eq!(rx_texts(&mut h), vec!["pong"]);
    let rx_peer = page(&mut h)
        .log()
        .iter()
        .find(|r| r.direction == Direction::Rx)
        .and_then(|r| r.peer);
    assert_eq!(rx_peer, Some(peer_addr));
    assert_eq!(
        h.query_all_by_label(&peer_addr.to_string()).count(),
        2,
        "TX and RX rows name the peer"
    );
    click(&mut h, "Close");
    assert!(h.query_by_label("Open").is_some());
}

#[test]
fn invalid_hex_shows_the_error_and_sends_nothing() {
    let (server, received) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    click(&mut h, "Hex");
    type_message(&mut h, "48 G5");
    click(&mut h, "Send");
    assert!(
        h.query_by_label("invalid hex digit 'G' at position 4")
            .is_some()
    );
    // Give a wrongly sent message every chance to arrive before checking that none did.
    for _ in 0..20 {
        h.step();
        thread::sleep(Duration::from_millis(5));
    }
    assert!(received.try_recv().is_err(), "nothing reached the server");
    assert_eq!(page(&mut h).totals().tx_messages, 0);
}

#[test]
fn switching_the_encoding_redecodes_old_rows() {
    let (server, _) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    click(&mut h, "Hex");
    type_message(&mut h, "C4 E3 BA C3");
    click(&mut h, "Send");
    wait_for_tx_and_rx(&mut h);
    // In UTF-8 these bytes are invalid; C3 could still start a character, so it waits.
    assert_eq!(rx_texts(&mut h), vec![r"\xC4\xE3\xBA"]);
    assert!(h.query_by_label("你好").is_none());

    choose_encoding(&mut h, "GBK");
    assert_eq!(rx_texts(&mut h), vec!["你好"]);
    assert_eq!(
        h.query_all_by_label("你好").count(),
        2,
        "TX and RX rows re-rendered"
    );
}

#[test]
fn a_refused_connection_is_explained_inline() {
    let port = common::free_port();
    let mut h = app();
    set_field(&mut h, "Host", "127.0.0.1");
    set_field(&mut h, "Port", &port.to_string());
    click(&mut h, "Connect");
    let message = format!("connection refused by 127.0.0.1:{port}");
    // In red on the status line, and as an ERROR row in the log.
    wait_until(&mut h, "the error", |h| {
        h.query_all_by_label(&message).count() == 2
    });
    // `Stopped` follows the error: then the button reads Connect again.
    wait_until(&mut h, "back to Connect after the failure", |h| {
        h.query_by_label("Connect").is_some()
    });

    set_field(&mut h, "Port", "70000");
    click(&mut h, "Connect");
    // In the status line, and (issue 27) in the log.
    assert_eq!(
        h.query_all_by_label("invalid port '70000': use a number from 0 to 65535")
            .count(),
        2
    );
}

#[test]
fn server_disconnects_the_selected_client_and_filters_its_rows() {
    let mut h = app();
    let local = open_on_loopback(&mut h, "TCP Server", "Address", "Port", "Listen");
    let mut first = TcpStream::connect(local).unwrap();
    let mut second = TcpStream::connect(local).unwrap();
    first.write_all(b"from one").unwrap();
    second.write_all(b"from two").unwrap();
    wait_until(&mut h, "both messages", |h| rx_texts(h).len() == 2);

    let second_name = format!("#2 {}", second.local_addr().unwrap());
    h.get_by_role_and_label(Role::Button, &second_name).click();
    h.run();
    h.get_by_label("Only this client's rows").click();
    h.run();
    assert!(h.query_by_label("from two").is_some());
    assert!(
        h.query_by_label("from one").is_none(),
        "the other client's rows are hidden"
    );

    click(&mut h, "Disconnect client");
    assert!(is_closed(&mut second), "client #2 was closed");
    wait_until(&mut h, "the client list to update", |h| {
        page(h).clients().len() == 1
    });
    first
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    assert!(
        first.read(&mut [0u8; 1]).is_err(),
        "client #1 stays connected"
    );
}

/// The app started again from what `h` saves, through the same serialisation eframe's
/// storage uses.
fn restart(h: &Harness<'static, App>) -> Harness<'static, App> {
    let text = serde_json::to_string(&h.state().saved_state()).unwrap();
    let restored: socket_tester::gui::app::SavedState = serde_json::from_str(&text).unwrap();
    let mut again = Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .with_max_steps(MAX_STEPS)
        .with_context_setup(socket_tester::gui::view::fonts::install)
        .build_eframe(move |cc| App::with_state(&cc.egui_ctx, restored));
    again.run();
    again
}

#[test]
fn auto_reply_is_shown_while_on_and_comes_back_off_after_a_restart() {
    let mut h = app();
    assert!(h.query_by_label_contains("Auto-reply on").is_none());
    {
        let config = h.state_mut().tab().page().config_mut();
        config.echo = true;
        config
            .rules
            .push(socket_tester::net::rules::Rule::parse("PING=>PONG").unwrap());
    }
    h.run();
    // Shown with the rules' section closed.
    assert!(
        h.query_by_label("Auto-reply on: echo and 1 rule(s)")
            .is_some()
    );
    let mut again = restart(&h);
    let config = again.state_mut().tab().page().config().clone();
    assert_eq!(config.rules.len(), 1, "the rule is kept");
    assert!(!config.rules[0].enabled && !config.echo, "but switched off");
    assert!(again.query_by_label_contains("Auto-reply on").is_none());
}

#[test]
fn another_server_page_takes_a_free_port_and_udp_does_not_aim_at_itself() {
    let mut h = app();
    click(&mut h, "UDP");
    let udp = h.state_mut().tab().page().config().clone();
    assert_ne!(
        udp.bind_port, udp.port,
        "a first send does not go to itself"
    );
    click(&mut h, "TCP Server");
    h.state_mut().tab().page().config_mut().bind_port = "9000".into();
    click(&mut h, "+");
    let another = h.state_mut().tab().page().config().clone();
    assert_eq!(
        another.bind_port, "0",
        "not 9000, which the first page may hold"
    );
    assert_eq!(h.state_mut().tab().pages.len(), 2);
}

#[test]
fn settings_survive_a_restart() {
    let mut h = app();
    set_field(&mut h, "Host", "192.0.2.10");
    set_field(&mut h, "Port", "502");
    choose_encoding(&mut h, "GBK");
    open_combo(&mut h, "Rows");
    click(&mut h, "Show hex");
    click(&mut h, "Light theme");
    click(&mut h, "UDP");
    let mut again = restart(&h);
    assert!(again.query_by_label("UDP").is_some());
    assert!(!again.state().dark, "light theme kept");
    again.state_mut().active_tab = 0;
    again.run();
    let client = again.state_mut().tab().page().config().clone();
    assert_eq!(
        (client.host.as_str(), client.port.as_str()),
        ("192.0.2.10", "502")
    );
    assert_eq!(client.encoding, socket_tester::codec::TextEncoding::Gbk);
    assert_eq!(
        client.display,
        socket_tester::gui::model::page::DisplayMode::Hex
    );
    assert_eq!(
        again
            .get_by_role_and_label(Role::TextInput, "Host")
            .value()
            .as_deref(),
        Some("192.0.2.10")
    );
}

/// A TCP server on loopback that splits what it receives into lines.
fn line_framed_server(h: &mut Harness<'static, App>) -> SocketAddr {
    click(h, "TCP Server");
    click(h, "Framing and TCP options");
    open_combo(h, "Framing");
    click(h, "Line (LF)");
    open_on_loopback(h, "TCP Server", "Address", "Port", "Listen")
}

#[test]
fn line_framing_shows_one_row_per_line_of_a_single_write() {
    let mut h = app();
    let local = line_framed_server(&mut h);
    let mut client = TcpStream::connect(local).unwrap();
    client.write_all(b"a\nb\nc\n").unwrap();
    wait_until(&mut h, "three rows", |h| rx_texts(h).len() == 3);
    assert_eq!(rx_texts(&mut h), vec!["a\n", "b\n", "c\n"]);
    assert!(
        h.query_by_label(r"b\n").is_some(),
        "each line is its own row"
    );
}

#[test]
fn checksum_bytes_are_appended_to_a_send() {
    let (server, received) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    click(&mut h, "Hex");
    open_combo(&mut h, "Checksum");
    click(&mut h, "crc16-modbus");
    type_message(&mut h, "01 03 00 00 00 01");
    click(&mut h, "Send");
    let bytes = received.recv_timeout(DEADLINE).unwrap();
    assert_eq!(bytes, vec![0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A]);
}

#[test]
fn periodic_send_repeats_until_stopped() {
    let (server, received) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    type_message(&mut h, "tick");
    click(&mut h, "Periodic send and split writes");
    set_field(&mut h, "Every ms", "10");
    set_field(&mut h, "Times", "0");
    click(&mut h, "Repeat");
    assert!(h.query_by_label("Stop repeat").is_some());
    for _ in 0..3 {
        received.recv_timeout(DEADLINE).expect("a periodic send");
    }
    click(&mut h, "Stop repeat");
    assert!(h.query_by_label("Repeat").is_some());
    // Drain what was already on its way, then check that nothing more comes.
    while received.recv_timeout(Duration::from_millis(200)).is_ok() {}
    assert!(
        received.recv_timeout(Duration::from_millis(200)).is_err(),
        "sends stopped"
    );

    set_field(&mut h, "Times", "2");
    click(&mut h, "Repeat");
    let mut bytes = 0;
    while let Ok(chunk) = received.recv_timeout(Duration::from_millis(300)) {
        bytes += chunk.len();
    }
    assert_eq!(bytes, 8, "two more sends of 4 bytes");
}

#[test]
fn capture_send_file_and_export_work_from_the_files_panel() {
    let dir = common::TempDir::new("gui-files");
    let (server, received) = echo_server();
    let mut h = app_showing_any_bytes();
    connect_client(&mut h, server);
    click(&mut h, "Files: send, capture, export");

    let capture = dir.file("capture.bin");
    set_field(&mut h, "Capture file", capture.to_str().unwrap());
    click(&mut h, "Start capture");
    assert!(h.query_by_label("Stop capture").is_some());

    let file = dir.file("payload.bin");
    let content = common::pattern(200_000);
    std::fs::write(&file, &content).unwrap();
    set_field(&mut h, "File to send", file.to_str().unwrap());
    // Traffic follows at once and keeps the app repainting: step, do not wait to settle.
    h.get_by_label("Send file").click();
    h.step();
    let mut got = Vec::new();
    while got.len() < content.len() {
        got.extend(received.recv_timeout(DEADLINE).expect("file bytes"));
    }
    assert!(got == content, "the server got the file");
    wait_until(&mut h, "the echo of the whole file", |h| {
        page(h).totals().rx_bytes == content.len() as u64
    });
    click(&mut h, "Stop capture");
    assert!(
        std::fs::read(&capture).unwrap() == content,
        "the capture holds every received byte"
    );

    let export = dir.file("log.jsonl");
    set_field(&mut h, "Export to", export.to_str().unwrap());
    open_combo(&mut h, "Export format");
    click(&mut h, "JSON Lines");
    click(&mut h, "Export log");
    let rows = page(&mut h).log().len();
    let text = std::fs::read_to_string(&export).unwrap();
    assert_eq!(text.lines().count(), rows);
    assert!(
        h.query_by_label_contains(&format!("Saved {rows} rows"))
            .is_some()
    );

    set_field(
        &mut h,
        "File to send",
        dir.file("missing").to_str().unwrap(),
    );
    click(&mut h, "Send file");
    assert!(
        h.query_by_label_contains("opening").is_some(),
        "a missing file is explained"
    );
}

#[test]
fn auto_reply_rules_and_echo_answer_peers() {
    let mut h = app();
    click(&mut h, "TCP Server");
    click(&mut h, "Auto-reply rules");
    click(&mut h, "Add rule");
    set_field(&mut h, "Pattern", "PING");
    set_field(&mut h, "Reply", "PONG");
    // A new rule is off until switched on (issue 27 item 4).
    click(&mut h, "On");
    let local = open_on_loopback(&mut h, "TCP Server", "Address", "Port", "Listen");
    let mut client = TcpStream::connect(local).unwrap();
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    client.write_all(b"PING 1").unwrap();
    let mut answer = [0u8; 4];
    // The app answers from its frame loop: step it until the reply has gone.
    wait_until(&mut h, "the reply", |h| page(h).totals().tx_messages == 1);
    client.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"PONG");

    click(&mut h, "Echo");
    client.write_all(b"hello").unwrap();
    wait_until(&mut h, "the echo", |h| page(h).totals().tx_messages == 2);
    let mut echo = [0u8; 5];
    client.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"hello");
}

#[test]
fn presets_send_with_their_own_settings_and_history_recalls_messages() {
    let (server, received) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    click(&mut h, "Presets and history");

    click(&mut h, "Hex");
    type_message(&mut h, "01 02");
    set_field(&mut h, "Preset name", "Read status");
    click(&mut h, "Save as preset");
    click(&mut h, "Text");
    *page(&mut h).message_mut() = "hello".into();
    click(&mut h, "Send");
    assert_eq!(received.recv_timeout(DEADLINE).unwrap(), b"hello");

    // The preset keeps hex mode although the send panel is on text now.
    click(&mut h, "Read status");
    assert_eq!(received.recv_timeout(DEADLINE).unwrap(), vec![1, 2]);

    page(&mut h).message_mut().clear();
    open_combo(&mut h, "History");
    h.get_by_role_and_label(Role::Button, "hello").click();
    h.run();
    assert_eq!(page(&mut h).message(), "hello");
    assert_eq!(
        page(&mut h).config().history.len(),
        1,
        "only messages sent from the box"
    );
}

/// Ctrl+1 … Ctrl+9 send presets 1 to 9 from anywhere in the window; each preset shows its
/// key, and the "?" menu lists every key.
#[test]
fn ctrl_and_a_digit_sends_that_preset() {
    let (server, received) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    click(&mut h, "Presets and history");
    for (name, text) in [("First", "one"), ("Second", "two")] {
        page(&mut h).message_mut().clear();
        type_message(&mut h, text);
        set_field(&mut h, "Preset name", name);
        click(&mut h, "Save as preset");
    }
    h.get_by_label("Ctrl+2");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num2);
    h.run();
    assert_eq!(received.recv_timeout(DEADLINE).unwrap(), b"two");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num1);
    h.run();
    assert_eq!(received.recv_timeout(DEADLINE).unwrap(), b"one");
    // No third preset: Ctrl+3 sends nothing.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num3);
    h.run();
    assert!(received.recv_timeout(Duration::from_millis(200)).is_err());
    click(&mut h, "?");
    h.get_by_label("Send preset 1 … 9");
}

#[test]
fn filter_find_copy_and_row_limit_in_the_log() {
    let mut h = app();
    let local = line_framed_server(&mut h);
    let mut client = TcpStream::connect(local).unwrap();
    client
        .write_all(b"alpha\nbeta\ngamma 42\nbeta again\nomega\n")
        .unwrap();
    wait_until(&mut h, "five rows", |h| rx_texts(h).len() == 5);

    // Filter by text: only the two "beta" rows stay.
    click(&mut h, "Filter");
    set_field(&mut h, "Filter text", "beta");
    assert!(h.query_by_label(r"beta\n").is_some());
    assert!(h.query_by_label(r"beta again\n").is_some());
    assert!(h.query_by_label(r"gamma 42\n").is_none(), "filtered out");
    set_field(&mut h, "Filter text", "");
    h.get_by_label("Events").click();
    h.run();
    assert!(
        h.query_by_label("client #1 connected").is_none(),
        "events hidden"
    );
    h.get_by_label("Events").click();
    h.run();

    // Ctrl+F finds, counts, and steps through matches, wrapping around.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Find")
        .type_text("BETA");
    h.run();
    assert!(h.query_by_label("2 matches").is_some());
    click(&mut h, "Next");
    assert!(h.query_by_label("1 of 2").is_some());
    click(&mut h, "Next");
    assert!(h.query_by_label("2 of 2").is_some());
    click(&mut h, "Next");
    assert!(
        h.query_by_label("1 of 2").is_some(),
        "wraps to the first match"
    );
    click(&mut h, "Previous");
    assert!(h.query_by_label("2 of 2").is_some());

    // Copy a row as hex from its context menu.
    h.get_by_label(r"omega\n").click_secondary();
    h.run();
    h.get_by_label("Copy as hex").click();
    h.step();
    let copied =
        h.output().platform_output.commands.iter().any(
            |c| matches!(c, egui::OutputCommand::CopyText(text) if text == "6F 6D 65 67 61 0A"),
        );
    assert!(copied, "{:?}", h.output().platform_output.commands);
    h.run();

    // Keep only three rows: older ones go, counters stay exact.
    set_field(&mut h, "Keep rows", "3");
    assert_eq!(page(&mut h).log().len(), 3);
    assert_eq!(page(&mut h).totals().rx_messages, 5);
    assert!(h.query_by_label(r"alpha\n").is_none());
}

/// Joining a multicast group announces it on the network, so this test runs itself again in a
/// network namespace of its own (`unshare --net`), where the only interface is loopback.
#[test]
fn multicast_join_and_leave_from_the_udp_tab() {
    const INSIDE: &str = "SOCKET_TESTER_IN_OWN_NETNS";
    if std::env::var_os(INSIDE).is_none() {
        let status = std::process::Command::new("unshare")
            .args(["--net", "--"])
            .arg(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "multicast_join_and_leave_from_the_udp_tab",
                "--nocapture",
            ])
            .env(INSIDE, "1")
            .status();
        match status {
            Ok(status) if status.success() => {}
            Ok(status) if status.code() == Some(SKIP_CODE) => {}
            Ok(status) => panic!("the test in its own network namespace failed: {status}"),
            Err(err) => eprintln!("SKIPPED: cannot run unshare ({err})"),
        }
        return;
    }
    for setup in [
        &["link", "set", "lo", "up"][..],
        &["link", "set", "lo", "multicast", "on"],
        &["route", "add", "224.0.0.0/4", "dev", "lo"],
    ] {
        let ok = std::process::Command::new("ip")
            .args(setup)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED: cannot set up loopback multicast in the namespace");
            std::process::exit(SKIP_CODE);
        }
    }

    let mut h = app();
    click(&mut h, "UDP");
    click(&mut h, "Multicast");
    set_field(&mut h, "Multicast group", "239.7.7.7");
    click(&mut h, "Join");
    // All addresses: datagrams to a group are not addressed to 127.0.0.1.
    set_field(&mut h, "Local address", "0.0.0.0");
    set_field(&mut h, "Local port", "0");
    click(&mut h, "Open");
    wait_until(&mut h, "bound", |h| {
        matches!(page(h).link(), Link::Listening { .. })
    });
    let Link::Listening { local } = page(&mut h).link().clone() else {
        unreachable!()
    };

    let sender = UdpSocket::bind("0.0.0.0:0").unwrap();
    sender
        .send_to(b"to the group", ("239.7.7.7", local.port()))
        .unwrap();
    wait_until(&mut h, "the group datagram", |h| {
        rx_texts(h) == ["to the group"]
    });

    click(&mut h, "Leave 239.7.7.7");
    // Commands are handled in order: once a send after the Leave is out, the Leave is done.
    let witness = UdpSocket::bind("127.0.0.1:0").unwrap();
    set_field(&mut h, "Host", "127.0.0.1");
    set_field(
        &mut h,
        "Port",
        &witness.local_addr().unwrap().port().to_string(),
    );
    type_message(&mut h, "marker");
    click(&mut h, "Send");
    wait_until(&mut h, "the marker send", |h| {
        page(h).totals().tx_messages == 1
    });
    sender
        .send_to(b"after leaving", ("239.7.7.7", local.port()))
        .unwrap();
    for _ in 0..40 {
        h.step();
        thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        rx_texts(&mut h),
        vec!["to the group"],
        "nothing after leaving"
    );
}

/// Exit code of a re-run test that could not set up what it needs.
const SKIP_CODE: i32 = 77;

/// A file as the window system hands a dropped one to egui.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_file_dropped_on_the_window_is_sent() {
    let dir = common::TempDir::new("gui-drop");
    let file = dir.file("dropped.txt");
    std::fs::write(&file, b"dropped bytes").unwrap();
    let (server, received) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(file)));
    h.run();
    assert_eq!(received.recv_timeout(DEADLINE).unwrap(), b"dropped bytes");
}

#[test]
fn bad_input_in_every_field_is_explained_and_nothing_opens() {
    let mut h = app();
    let cases = [
        ("", "8080", "invalid address '': the host is empty"),
        ("a b", "8080", "invalid address 'a b': a host has no spaces"),
        (
            "999.1.1.1",
            "8080",
            "invalid address '999.1.1.1': not a valid IPv4 address (four numbers from 0 to 255)",
        ),
        (
            "[::1",
            "8080",
            "invalid address '[::1': '[' is not closed by ']'",
        ),
        (
            "127.0.0.1",
            "",
            "invalid port '': use a number from 0 to 65535",
        ),
        (
            "127.0.0.1",
            "65536",
            "invalid port '65536': use a number from 0 to 65535",
        ),
        (
            "127.0.0.1",
            "abc",
            "invalid port 'abc': use a number from 0 to 65535",
        ),
        (
            "127.0.0.1",
            "0",
            "port 0 cannot be a peer's port: use 1 to 65535",
        ),
    ];
    for (host, port, message) in cases {
        set_field(&mut h, "Host", host);
        set_field(&mut h, "Port", port);
        click(&mut h, "Connect");
        // In the status line and in the log (the earlier cases' rows are there too).
        assert!(
            h.query_all_by_label(message).count() >= 1,
            "{host:?}:{port:?} should say {message:?}"
        );
        assert_eq!(
            page(&mut h).status_error(),
            Some(message),
            "{host:?}:{port:?}"
        );
        assert!(
            !page(&mut h).is_open(),
            "nothing opened for {host:?}:{port:?}"
        );
    }

    // Send-side fields, with a real connection so only the input can be wrong.
    let (server, received) = echo_server();
    connect_client(&mut h, server);
    type_message(&mut h, "x");
    click(&mut h, "Periodic send and split writes");
    for (interval, times, message) in [
        ("0", "1", "the interval must be at least 1 ms"),
        ("-5", "1", "invalid number '-5'"),
        (
            "99999999999999999999",
            "1",
            "invalid number '99999999999999999999'",
        ),
        ("10", "many", "invalid number 'many'"),
    ] {
        set_field(&mut h, "Every ms", interval);
        set_field(&mut h, "Times", times);
        click(&mut h, "Repeat");
        assert!(
            h.query_by_label(message).is_some(),
            "{interval}/{times} should say {message:?}"
        );
    }
    *page(&mut h).message_mut() = "你好Ł".into();
    choose_encoding(&mut h, "GBK");
    click(&mut h, "Send");
    assert!(
        h.query_by_label("'Ł' (U+0141) cannot be encoded in GBK")
            .is_some()
    );
    click(&mut h, "Files: send, capture, export");
    set_field(&mut h, "File to send", "/");
    click(&mut h, "Send file");
    assert!(
        h.query_by_label_contains("reading / failed").is_some(),
        "a folder is not a file"
    );
    assert!(
        received.recv_timeout(Duration::from_millis(200)).is_err(),
        "nothing was sent"
    );
}

#[test]
fn the_window_keeps_drawing_through_a_flood() {
    const FLOOD: usize = 256 * 1024 * 1024;
    let mut h = app();
    let local = open_on_loopback(&mut h, "TCP Server", "Address", "Port", "Listen");
    let writer = thread::spawn(move || {
        let mut stream = TcpStream::connect(local).unwrap();
        let chunk = vec![0x41u8; 64 * 1024];
        for _ in 0..FLOOD / chunk.len() {
            stream.write_all(&chunk).unwrap();
        }
    });
    // Every step is a frame drawn; each takes at most a bounded batch of events, so frames
    // keep coming while the flood lasts, and the log stays within its limits.
    let mut frames = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while page(&mut h).totals().rx_bytes < FLOOD as u64 {
        assert!(
            std::time::Instant::now() < deadline,
            "the flood did not get through"
        );
        h.step();
        frames += 1;
    }
    writer.join().unwrap();
    assert!(frames > 1, "frames were drawn during the flood");
    let kept: usize = page(&mut h).log().iter().map(|row| row.data.len()).sum();
    assert!(
        kept <= socket_tester::gui::model::log::BYTE_LIMIT,
        "the log kept {kept} bytes"
    );
}

#[test]
fn presentation_switch_enlarges_and_sharpens_and_switches_back() {
    let mut h = app();
    click(&mut h, "Presentation");
    assert_eq!(
        h.ctx.zoom_factor(),
        socket_tester::gui::view::PRESENTATION_ZOOM
    );
    let style = h.ctx.style_of(egui::Theme::Dark);
    assert_eq!(
        style.visuals.override_text_color,
        Some(egui::Color32::WHITE)
    );
    assert!(style.visuals.widgets.inactive.fg_stroke.width >= 2.0);
    assert!(h.state().presentation);
    // At presentation size the switch back is in the "»" menu, and on F5.
    // The top bar's "»" is the first; toolbars below have their own.
    h.get_all_by_label("»").next().expect("a » menu").click();
    h.run();
    click(&mut h, "Normal view");
    assert_eq!(h.ctx.zoom_factor(), 1.0);
    h.key_press(egui::Key::F5);
    h.run();
    assert!(h.state().presentation, "F5 switches too");
    h.key_press(egui::Key::F5);
    h.run();
    assert!(!h.state().presentation);
    assert_eq!(
        h.ctx
            .style_of(egui::Theme::Dark)
            .visuals
            .override_text_color,
        None
    );
}

#[test]
fn stress_tab_shows_live_figures_stops_and_exports_the_report() {
    let server = common::EchoServer::start().addr;
    let dir = common::TempDir::new("gui-stress");
    let mut h = app();
    click(&mut h, "Stress");
    set_field(&mut h, "Target port", &server.port().to_string());
    set_field(&mut h, "Clients", "20");
    set_field(&mut h, "Rate (msg/s)", "2000");
    set_field(&mut h, "Duration (s)", "600");
    click(&mut h, "Start test");
    assert!(
        h.state().stress.is_running(),
        "{:?}",
        h.state().stress.error
    );

    wait_until(&mut h, "live figures", |h| {
        let stress = &h.state().stress;
        stress.report.as_ref().is_some_and(|r| r.succeeded > 0) && !stress.timeline.is_empty()
    });
    assert_eq!(h.state().stress.report.as_ref().unwrap().active, 20);
    h.get_by_label("Succeeded");
    h.get_by_label("Latency p99");

    click(&mut h, "Stop test");
    wait_until(&mut h, "the run to end", |h| !h.state().stress.is_running());
    let report = h.state().stress.report.clone().unwrap();
    assert!(!report.running);
    assert_eq!(report.sent, report.succeeded + report.failed, "{report:?}");
    assert_eq!(report.failed, 0, "{report:?}");
    h.get_by_label("Start test");
    // Byte counts read at a glance: "12,480 B" (issue 27 item 8).
    let grouped = socket_tester::gui::model::log::grouped;
    let bytes_out = format!("{} B", grouped(report.bytes_out));
    assert!(h.query_all_by_label(&bytes_out).count() >= 1, "{bytes_out}");

    let csv = dir.file("report.csv");
    set_field(&mut h, "Report file", &csv.display().to_string());
    click(&mut h, "Export report");
    let written = std::fs::read_to_string(&csv).unwrap();
    assert!(
        written.contains(&format!("succeeded,{}", report.succeeded)),
        "{written}"
    );
}

#[test]
fn stress_tab_explains_a_bad_field_and_starts_nothing() {
    let mut h = app();
    click(&mut h, "Stress");
    set_field(&mut h, "Clients", "many");
    click(&mut h, "Start test");
    assert!(!h.state().stress.is_running());
    h.get_by_label("Clients 'many' is not a number");
}

#[test]
fn the_sequence_chart_draws_an_arrow_per_event_and_fin_vs_rst() {
    let (server, _received) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    type_message(&mut h, "hello");
    click(&mut h, "Send");
    wait_for_tx_and_rx(&mut h);
    open_combo(&mut h, "View");
    click(&mut h, "Sequence chart");

    h.get_by_label("This end");
    h.get_by_label("connect");
    assert_eq!(
        h.query_all_by_label("5 B  hello").count(),
        2,
        "one arrow for the write, one for the read of the echo"
    );

    click(&mut h, "Close with RST");
    wait_until(&mut h, "the reset", |h| !page(h).is_open());
    h.get_by_label("RST");
    assert!(h.query_by_label("FIN").is_none(), "a reset is not a FIN");
}

#[test]
fn split_writes_show_as_separate_sends_in_the_log() {
    let (server, received) = echo_server();
    let mut h = app();
    connect_client(&mut h, server);
    click(&mut h, "Framing and TCP options");
    h.get_by_label("No delay").click();
    click(&mut h, "Periodic send and split writes");
    set_field(&mut h, "Writes", "3");
    set_field(&mut h, "Apart (ms)", "20");
    type_message(&mut h, "abcdefghi");
    click(&mut h, "Send");
    wait_until(&mut h, "three writes", |h| {
        page(h)
            .log()
            .iter()
            .filter(|r| r.direction == Direction::Tx)
            .count()
            == 3
    });
    let sent: Vec<String> = page(&mut h)
        .log()
        .iter()
        .filter(|r| r.direction == Direction::Tx)
        .map(|r| r.text)
        .collect();
    assert_eq!(sent, ["abc", "def", "ghi"]);
    let mut all = Vec::new();
    while all.len() < 9 {
        all.extend(received.recv_timeout(DEADLINE).unwrap());
    }
    assert_eq!(all, b"abcdefghi");
}

#[test]
fn the_local_demo_connects_a_client_to_a_server_side_by_side() {
    let mut h = app();
    click(&mut h, "Demo");
    click(&mut h, "Start TCP demo");
    wait_until(&mut h, "the demo client to connect", |h| {
        let demo = h.state().demo.as_ref().unwrap();
        demo.pages[1].is_connected() && demo.pages[0].clients().len() == 1
    });
    h.get_by_label("TCP server");
    h.get_by_label("TCP client");

    // The client's message box and Send are the second of each.
    let field = h
        .get_all_by_role_and_label(Role::TextInput, "Message")
        .nth(1)
        .unwrap();
    field.focus();
    field.type_text("ping");
    h.run();
    h.get_all_by_label("Send").nth(1).unwrap().click();
    wait_until(&mut h, "the server to read it", |h| {
        h.state().demo.as_ref().unwrap().pages[0]
            .log()
            .iter()
            .any(|r| r.direction == Direction::Rx && r.text == "ping")
    });
    assert_eq!(
        h.query_all_by_label("4 B  ping").count(),
        2,
        "the client's chart shows the write, the server's the read"
    );

    click(&mut h, "Close with RST");
    wait_until(&mut h, "the server to see the reset", |h| {
        h.state().demo.as_ref().unwrap().pages[0]
            .clients()
            .is_empty()
    });
    assert_eq!(
        h.query_all_by_label("RST").count(),
        2,
        "both charts show the RST"
    );

    click(&mut h, "Stop demo");
    assert!(h.state().demo.is_none());
}

#[test]
fn the_udp_demo_points_two_sockets_at_each_other() {
    let mut h = app();
    click(&mut h, "Demo");
    click(&mut h, "Start UDP demo");
    wait_until(&mut h, "both sockets bound and aimed", |h| {
        let demo = h.state().demo.as_ref().unwrap();
        demo.pages
            .iter()
            .all(|p| p.config().port != "8080" && p.is_open())
    });
    let field = h
        .get_all_by_role_and_label(Role::TextInput, "Message")
        .next()
        .unwrap();
    field.focus();
    field.type_text("datagram");
    h.run();
    h.get_all_by_label("Send").next().unwrap().click();
    wait_until(&mut h, "B to receive the datagram", |h| {
        h.state().demo.as_ref().unwrap().pages[1]
            .log()
            .iter()
            .any(|r| r.direction == Direction::Rx && r.text == "datagram")
    });
}

#[test]
fn the_language_switch_puts_every_label_in_chinese_and_back() {
    let mut h = app();
    open_combo(&mut h, "Language");
    click(&mut h, "简体中文");
    assert_eq!(
        h.state().language,
        socket_tester::gui::i18n::Language::Chinese
    );
    h.get_by_label("连接");

    // With steps in the sequence, so their rows are on screen too.
    for kind in [StepKind::Send, StepKind::Wait, StepKind::Expect] {
        let page = page(&mut h);
        page.perform(PageAction::AddStep(kind), &socket_tester::net::no_waker());
    }
    for tab in [
        "TCP 客户端",
        "TCP 服务器",
        "UDP",
        "中继",
        "压力测试",
        "演示",
    ] {
        click(&mut h, tab);
        for section in [
            "发送序列",
            "预设和历史",
            "文件：发送、抓取、导出",
            "自动回复规则",
            "录制、pcap、回放",
        ] {
            if let Some(header) = h.query_by_label(section) {
                header.click();
                h.run();
            }
        }
        let english = common::english_on_screen(&h);
        assert!(english.is_empty(), "{tab}: English left: {english:?}");
    }
    click(&mut h, "开始 TCP 演示");
    wait_until(&mut h, "the demo to connect", |h| {
        h.state().demo.as_ref().unwrap().pages[1].is_connected()
    });
    assert_eq!(
        h.query_all_by_label("本端").count(),
        2,
        "a lane title per chart"
    );
    let english = common::english_on_screen(&h);
    assert!(english.is_empty(), "demo: English left: {english:?}");

    // Errors too: a refused connection, in the status line and the log. The tab is the first
    // "TCP 客户端" (the demo's client has the same title).
    h.get_all_by_label("TCP 客户端").next().unwrap().click();
    h.run();
    set_field(&mut h, "端口", &common::free_port().to_string());
    click(&mut h, "连接");
    wait_until(&mut h, "the refusal", |h| page(h).status_error().is_some());
    let error = page(&mut h).status_error().map(str::to_string).unwrap();
    assert!(error.contains("拒绝了连接"), "{error}");

    open_combo(&mut h, "语言");
    click(&mut h, "English");
    h.get_by_label("Connect");
}

#[test]
fn record_save_pcap_and_replay_from_the_window() {
    let (server, received) = echo_server();
    let dir = common::TempDir::new("gui-record");
    let mut h = app();
    connect_client(&mut h, server);
    click(&mut h, "Record, pcap, replay");
    click(&mut h, "Record");
    type_message(&mut h, "hello");
    click(&mut h, "Send");
    wait_for_tx_and_rx(&mut h);
    assert_eq!(received.recv_timeout(DEADLINE).unwrap(), b"hello");
    h.get_by_label_contains("Stop recording").click();
    h.run();

    let pcap = dir.file("session.pcap");
    set_field(&mut h, "pcap file", &pcap.display().to_string());
    click(&mut h, "Save pcap");
    // The connection (open before Record), the message and its echo.
    h.get_by_label_contains("Wrote 3 items");
    let bytes = std::fs::read(&pcap).unwrap();
    assert_eq!(&bytes[..4], &0xa1b2_c3d4u32.to_le_bytes(), "a pcap file");

    let recording = dir.file("session.json");
    set_field(&mut h, "Recording file", &recording.display().to_string());
    click(&mut h, "Save recording");
    set_field(&mut h, "Replay file", &recording.display().to_string());
    click(&mut h, "Start replay");
    h.get_by_label("Replaying 1 messages");
    assert_eq!(
        received.recv_timeout(DEADLINE).unwrap(),
        b"hello",
        "the replay sent what this end sent"
    );
    // Once it has ended it says so, in the language of the moment (issue 27 item 8).
    wait_until(&mut h, "the replay's end", |h| {
        h.query_by_label("Replay ended: 1 messages sent").is_some()
    });
    open_combo(&mut h, "Language");
    click(&mut h, "简体中文");
    assert!(h.query_by_label("回放结束：已发送 1 条消息").is_some());
}

/// A UDP page on loopback whose log holds one datagram from a peer.
fn udp_page_that_received(datagram: &[u8]) -> Harness<'static, App> {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut h = app_showing_any_bytes();
    let local = open_on_loopback(&mut h, "UDP", "Local address", "Local port", "Open");
    peer.send_to(datagram, local).unwrap();
    wait_until(&mut h, "the datagram", |h| {
        page(h).log().iter().any(|r| r.direction == Direction::Rx)
    });
    h
}

#[test]
fn a_clicked_row_opens_its_details_decoded_as_the_chosen_protocol() {
    let mut h = udp_page_that_received(&[0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A]);
    assert!(
        h.query_by_label("Decode as").is_none(),
        "no row is selected yet"
    );

    h.get_by_label("8 B").click();
    h.run();
    assert!(
        h.query_by_label("Decode as").is_some(),
        "the detail pane opened"
    );
    open_combo(&mut h, "Decode as");
    click(&mut h, "Modbus RTU");
    assert!(h.query_by_label("3 (Read Holding Registers)").is_some());
    assert!(h.query_by_label("0x0A84 (correct)").is_some());
    assert_eq!(
        page(&mut h).config().decode_as,
        Some(socket_tester::codec::dissect::Dissector::ModbusRtu),
        "the choice is the page's, kept with its settings"
    );

    click(&mut h, "Hide details");
    assert!(h.query_by_label("Decode as").is_none(), "the pane closed");
}

#[test]
fn what_does_not_fit_the_protocol_is_said_in_the_windows_language() {
    let mut h = udp_page_that_received(&[0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]);
    h.get_by_label("8 B").click();
    h.run();
    open_combo(&mut h, "Decode as");
    click(&mut h, "Modbus RTU");
    let english = "CRC 0x0000 does not match the frame: it should be 0x0A84";
    assert!(h.query_by_label(english).is_some());
    open_combo(&mut h, "Language");
    click(&mut h, "简体中文");
    assert!(
        h.query_by_label("CRC 0x0000 与帧不符：应为 0x0A84")
            .is_some()
    );
    assert!(h.query_by_label(english).is_none());
}

#[test]
fn seq_counts_the_sends_of_the_message_box_and_of_a_periodic_send() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut h = app();
    open_on_loopback(&mut h, "UDP", "Local address", "Local port", "Open");
    set_field(&mut h, "Host", "127.0.0.1");
    set_field(
        &mut h,
        "Port",
        &peer.local_addr().unwrap().port().to_string(),
    );
    let receive = || {
        let mut buf = [0u8; 64];
        let (n, _) = peer.recv_from(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };

    type_message(&mut h, "n=${seq}${hex:21}");
    click(&mut h, "Send");
    click(&mut h, "Send");
    assert_eq!([receive(), receive()], ["n=1!", "n=2!"]);

    click(&mut h, "Periodic send and split writes");
    set_field(&mut h, "Every ms", "10");
    set_field(&mut h, "Times", "3");
    click(&mut h, "Repeat");
    assert_eq!(
        [receive(), receive(), receive()],
        ["n=1!", "n=2!", "n=3!"],
        "a periodic send counts its own sends"
    );
}

#[test]
fn a_large_row_shows_its_first_bytes_in_the_detail_pane() {
    let mut h = udp_page_that_received(&[b'x'; 60_000]);
    h.get_by_label("60000 B").click();
    h.run();
    assert!(
        h.query_by_label(
            "The first 16384 of 60000 bytes are shown; the copy buttons take them all"
        )
        .is_some()
    );
}

#[test]
fn the_relay_tab_passes_bytes_both_ways_shows_each_end_and_injects_either_way() {
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let target_addr = target.local_addr().unwrap();
    let mut h = app();
    click(&mut h, "Relay");
    set_field(&mut h, "Target host", "127.0.0.1");
    set_field(&mut h, "Target port", &target_addr.port().to_string());
    let local = open_on_loopback(&mut h, "Relay", "Listen on", "Port", "Start relay");
    assert!(
        h.query_by_label_contains(&format!("Relaying {local} to {target_addr}"))
            .is_some(),
        "the status line says where bytes go"
    );

    let mut client = common::connect(local);
    let client_addr = client.local_addr().unwrap();
    let (mut upstream, _) = target.accept().unwrap();
    upstream.set_read_timeout(Some(DEADLINE)).unwrap();
    client.write_all(b"from the client").unwrap();
    let mut got = [0u8; 15];
    upstream.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"from the client");
    upstream.write_all(b"from the target").unwrap();
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"from the target");

    wait_until(&mut h, "both ends' rows", |h| rx_texts(h).len() == 2);
    let rows: Vec<(Option<SocketAddr>, String)> = page(&mut h)
        .log()
        .iter()
        .filter(|r| r.direction == Direction::Rx)
        .map(|r| (r.peer, r.text))
        .collect();
    assert_eq!(
        rows,
        [
            (Some(client_addr), "from the client".to_string()),
            (Some(target_addr), "from the target".to_string())
        ]
    );
    assert!(
        h.query_by_label_contains(&format!("relayed to target {target_addr}"))
            .is_some(),
        "the log says the client was joined to the target"
    );
    for cell in [
        format!("#1 client->target {client_addr}"),
        format!("#1 target->client {target_addr}"),
    ] {
        assert!(h.query_by_label(&cell).is_some(), "the log shows {cell}");
    }

    // Typed messages go toward the target, or toward the client once chosen.
    type_message(&mut h, "typed for the target");
    click(&mut h, "Send");
    let mut typed = [0u8; 20];
    upstream.read_exact(&mut typed).unwrap();
    assert_eq!(&typed, b"typed for the target");
    click(&mut h, "To client");
    h.get_by_role_and_label(Role::MultilineTextInput, "Message")
        .set_text_value_accesskit("typed for the client");
    h.run();
    click(&mut h, "Send");
    client.read_exact(&mut typed).unwrap();
    assert_eq!(&typed, b"typed for the client");

    click(&mut h, "Stop");
    assert!(is_closed(&mut client), "stopping closes the client");
    assert!(is_closed(&mut upstream), "and the target");
}

#[test]
fn a_send_sequence_is_built_in_the_tools_run_and_each_step_marked() {
    // A device that answers "PING" with "PONG".
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let device = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = [0u8; 64];
        while let Ok(n @ 1..) = stream.read(&mut buf) {
            if buf[..n].starts_with(b"PING") {
                let _ = stream.write_all(b"PONG");
            }
        }
    });
    let mut h = app();
    connect_client(&mut h, device);
    click(&mut h, "Send sequence");
    type_message(&mut h, "PING");
    click(&mut h, "Add send");
    click(&mut h, "Add expect");
    set_field(&mut h, "Pattern", "PONG");
    set_field(&mut h, "Rounds", "2");
    click(&mut h, "Run sequence");
    wait_until(&mut h, "the sequence to end", |h| {
        page(h).sequence_progress().ended.is_some()
    });
    assert_eq!(
        page(&mut h).sequence_progress().ended,
        Some(socket_tester::net::SequenceOutcome::Passed { rounds: 2 })
    );
    assert_eq!(
        h.query_all_by_label("passed").count(),
        2,
        "both steps marked"
    );
    assert!(h.query_by_label("passed (2 rounds)").is_some());
    assert_eq!(rx_texts(&mut h), ["PONG", "PONG"]);
    assert!(
        h.query_by_label_contains("sequence passed (2 rounds)")
            .is_some(),
        "the log says how it ended"
    );

    // A reply that never comes fails the step where it waits.
    set_field(&mut h, "Pattern", "NEVER");
    set_field(&mut h, "Within ms", "100");
    set_field(&mut h, "Rounds", "1");
    click(&mut h, "Run sequence");
    wait_until(&mut h, "the sequence to fail", |h| {
        matches!(
            page(h).sequence_progress().ended,
            Some(socket_tester::net::SequenceOutcome::Failed { .. })
        )
    });
    assert!(h.query_by_label("failed at step 2").is_some());
    assert!(h.query_by_label("failed").is_some(), "the step is marked");
}

#[test]
#[cfg(feature = "tls")]
fn a_tls_client_page_refuses_a_self_signed_device_until_any_certificate_is_accepted() {
    use common::tls_peer::{Certificates, python_server};
    let certs = Certificates::new("gui-tls");
    let (cert, key) = certs.leaf("device", &["localhost"], true, false);
    let Some((_refusing, addr)) = python_server(&cert, &key) else {
        return;
    };
    let addr: SocketAddr = addr.parse().unwrap();
    let mut h = app();
    click(&mut h, "TLS");
    set_field(&mut h, "Host", "127.0.0.1");
    set_field(&mut h, "Port", &addr.port().to_string());
    click(&mut h, "Connect");
    wait_until(&mut h, "the refusal", |h| {
        page(h)
            .status_error()
            .is_some_and(|e| e.contains("is not signed by a trusted authority"))
    });

    let Some((_python, addr)) = python_server(&cert, &key) else {
        return;
    };
    let addr: SocketAddr = addr.parse().unwrap();
    click(&mut h, "Accept any certificate");
    assert!(page(&mut h).config().tls_accept_any);
    connect_client(&mut h, addr);
    wait_until(&mut h, "the handshake's row", |h| {
        h.query_by_label_contains("TLS established: TLSv1.3, TLS13_")
            .is_some()
    });
    type_message(&mut h, "hello");
    click(&mut h, "Send");
    wait_until(&mut h, "the echo", |h| rx_texts(h).concat() == "echo:hello");
}

#[test]
#[cfg(feature = "tls")]
fn a_tls_server_page_generates_its_certificate_and_serves_a_python_client() {
    const CLIENT: &str = r#"
import socket, ssl, sys
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:
    with context.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"hello server")
        print(tls.recv(1024).decode(), flush=True)
"#;
    let mut h = app();
    click(&mut h, "TCP Server");
    click(&mut h, "TLS");
    // No certificate yet: said at once, nothing opens.
    click(&mut h, "Listen");
    assert!(
        page(&mut h)
            .status_error()
            .is_some_and(|e| e.contains("needs a certificate and key file")),
        "{:?}",
        page(&mut h).status_error()
    );
    click(&mut h, "Framing and TCP options");
    click(&mut h, "Generate a self-signed certificate");
    assert!(
        h.query_by_label("using the generated certificate")
            .is_some()
    );
    let local = open_on_loopback(&mut h, "TCP Server", "Address", "Port", "Listen");
    type_message(&mut h, "welcome");
    let Some(mut python) = common::Python::start(CLIENT, &[&local.port().to_string()]) else {
        return;
    };
    wait_until(&mut h, "the client's message", |h| !rx_texts(h).is_empty());
    assert_eq!(rx_texts(&mut h), ["hello server"]);
    assert!(
        h.query_by_label_contains("TLS established: TLSv1.3")
            .is_some()
    );
    click(&mut h, "Send");
    assert_eq!(python.line(), "welcome");
}
