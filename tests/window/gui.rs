//! The real desktop app driven through egui_kittest (no display needed) against real peers on
//! loopback: widgets are found by their accessible labels, as a screen reader would. Here:
//! connecting, serving, UDP, encodings, settings, framing, periodic sends, files, rules and
//! presets. Also gui_tools.rs and gui_views.rs beside it.

#[path = "../common/mod.rs"]
mod common;
mod gui_helpers;

use gui_helpers::*;

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
    assert_eq!(page(&mut h).totals().tx_messages, 0);
    // A valid message sent next is the first thing the server gets: nothing went before it.
    page(&mut h).message_mut().clear();
    type_message(&mut h, "48 49");
    click(&mut h, "Send");
    assert_eq!(
        received.recv_timeout(DEADLINE).unwrap(),
        b"HI",
        "nothing reached the server before the valid message"
    );
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
    let (_held, refusing) = common::refusing_tcp();
    let port = refusing.port();
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
    // Client #1 stays connected: what it sends now still arrives.
    first.write_all(b"still here").unwrap();
    wait_until(&mut h, "client #1's message after the disconnect", |h| {
        page(h).totals().rx_messages == 3
    });
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
    // What was already on its way may come before a first marker; nothing comes between it
    // and a second.
    let before = send_marker(&mut h, &received, "<first>");
    assert!(before.chunks(4).all(|tick| tick == b"tick"), "{before:?}");
    assert_eq!(
        send_marker(&mut h, &received, "<second>"),
        b"",
        "sends stopped"
    );

    *page(&mut h).message_mut() = "tick".into();
    set_field(&mut h, "Times", "2");
    click(&mut h, "Repeat");
    wait_until(&mut h, "the two sends done", |h| !page(h).is_repeating());
    assert_eq!(
        send_marker(&mut h, &received, "<end>"),
        b"ticktick",
        "two more sends of 4 bytes"
    );
}

/// Sends `marker` as the page's message and returns what the server got before it.
fn send_marker(
    h: &mut Harness<'static, App>,
    received: &Receiver<Vec<u8>>,
    marker: &str,
) -> Vec<u8> {
    *page(h).message_mut() = marker.into();
    click(h, "Send");
    let mut got = Vec::new();
    while !got.ends_with(marker.as_bytes()) {
        got.extend(
            received
                .recv_timeout(DEADLINE)
                .unwrap_or_else(|_| panic!("{marker} never arrived; got {got:?}")),
        );
    }
    got.truncate(got.len() - marker.len());
    got
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
    // The switch reaches the session's control thread after the click: a message sent
    // before it is in force is not echoed (this failed under load).
    page(&mut h).settle_session();
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
    // No third preset: Ctrl+3 sends nothing, so what Ctrl+1 sends next is the first to come.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num3);
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num1);
    h.run();
    assert_eq!(received.recv_timeout(DEADLINE).unwrap(), b"one");
    click(&mut h, "?");
    h.get_by_label("Send preset 1 … 9");
}
