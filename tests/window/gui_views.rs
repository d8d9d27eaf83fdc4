//! The real desktop app driven through egui_kittest against real peers on loopback: the
//! sequence chart, split writes, the Demo, the language switch, recording and replay, the
//! detail pane, ${seq}, the Relay tab, send sequences, TLS pages.

#[path = "../common/mod.rs"]
mod common;
mod gui_helpers;
mod words;

use gui_helpers::*;

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
        let english = words::english_on_screen(&h);
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
    let english = words::english_on_screen(&h);
    assert!(english.is_empty(), "demo: English left: {english:?}");

    // Errors too: a refused connection, in the status line and the log. The tab is the first
    // "TCP 客户端" (the demo's client has the same title).
    h.get_all_by_label("TCP 客户端").next().unwrap().click();
    h.run();
    let (_held, refusing) = common::refusing_tcp();
    set_field(&mut h, "端口", &refusing.port().to_string());
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
    // One message is sent at once: the replay may have ended by the frame after the click.
    assert!(
        h.query_by_label("Replaying 1 messages").is_some()
            || h.query_by_label("Replay ended: 1 messages sent").is_some()
    );
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
