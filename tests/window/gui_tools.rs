//! The real desktop app driven through egui_kittest against real peers on loopback: the log's
//! filter and find, multicast, dropped files, bad input, floods, presentation, the Stress tab.

#[path = "../common/mod.rs"]
mod common;
mod gui_helpers;

use gui_helpers::*;

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
    // Then a datagram straight to the socket, from the same sender: the group's would have
    // arrived before it.
    sender
        .send_to(b"marker", ("127.0.0.1", local.port()))
        .unwrap();
    wait_until(&mut h, "the direct datagram", |h| rx_texts(h).len() >= 2);
    assert_eq!(
        rx_texts(&mut h),
        vec!["to the group", "marker"],
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
    // A valid message sent next is the first to come: nothing was sent before it.
    *page(&mut h).message_mut() = "ok".into();
    click(&mut h, "Send");
    assert_eq!(
        received.recv_timeout(DEADLINE).unwrap(),
        b"ok",
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

/// At a projector's size the language is chosen in the top bar's "»" menu, in one click (a
/// box there opened its list over the menu, and the click on it closed the menu instead).
#[test]
fn the_language_is_chosen_in_the_overflow_menu_in_one_click() {
    let mut h = app();
    click(&mut h, "Presentation");
    h.get_all_by_label("»").next().expect("a » menu").click();
    h.run();
    h.get_by_label("简体中文").click();
    h.run();
    assert_eq!(
        h.state().language,
        socket_tester::gui::i18n::Language::Chinese
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
