//! What the window tests share (tests/window/gui.rs, gui_tools.rs, gui_views.rs): the app at
//! 1100x720, clicks and typing by label, waiting on real sockets, echo servers.
#![allow(dead_code, unused_imports)]

pub use std::io::{Read, Write};
pub use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
pub use std::thread;
pub use std::time::{Duration, Instant};

pub use crate::common::{DEADLINE, is_closed};
pub use crossbeam_channel::Receiver;
pub use egui::accesskit::Role;
pub use egui_kittest::Harness;
pub use egui_kittest::kittest::Queryable;
pub use socket_tester::gui::app::App;
pub use socket_tester::gui::model::log::Direction;
pub use socket_tester::gui::model::page::{Link, Page, PageAction, StepKind};

/// Frames to run until the app settles: events from the engine request repaints while they
/// arrive, which takes a few frames on a loaded machine.
pub const MAX_STEPS: u64 = 64;

pub fn app() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .with_max_steps(MAX_STEPS)
        .with_context_setup(socket_tester::gui::view::fonts::install)
        .build_eframe(|cc| App::new(cc))
}

/// For tests whose peers send arbitrary bytes: decoded as text, they may hold characters no
/// bundled font draws (shown as boxes, as in the real app; the hex view shows the bytes).
pub fn app_showing_any_bytes() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .with_max_steps(MAX_STEPS)
        .with_context_setup(socket_tester::gui::view::fonts::install)
        .allow_missing_glyphs()
        .build_eframe(|cc| App::new(cc))
}

pub fn page<'h>(h: &'h mut Harness<'static, App>) -> &'h mut Page {
    h.state_mut().tab().page()
}

/// Steps frames until `done` holds; the engine's threads work meanwhile.
pub fn wait_until(
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

pub fn set_field(h: &mut Harness<'static, App>, label: &str, value: &str) {
    h.get_by_role_and_label(Role::TextInput, label)
        .set_text_value_accesskit(value);
    h.run();
}

pub fn type_message(h: &mut Harness<'static, App>, text: &str) {
    let message = h.get_by_role_and_label(Role::MultilineTextInput, "Message");
    message.focus();
    message.type_text(text);
    h.run();
}

pub fn choose_encoding(h: &mut Harness<'static, App>, encoding: &str) {
    open_combo(h, "Encoding");
    h.get_by_label(encoding).click();
    h.run();
}

/// Clicks as a person would: scrolls the widget into sight first (the tool panel scrolls).
pub fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.run();
}

/// Opens a combo box, scrolled into sight first.
pub fn open_combo(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_role_and_label(Role::ComboBox, label)
        .scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::ComboBox, label).click();
    h.run();
}

pub fn rx_texts(h: &mut Harness<'static, App>) -> Vec<String> {
    page(h)
        .log()
        .iter()
        .filter(|r| r.direction == Direction::Rx)
        .map(|r| r.text)
        .collect()
}

/// The TX row (after the write) and the RX row (the echo) come from two threads, in either
/// order: waits for both.
pub fn wait_for_tx_and_rx(h: &mut Harness<'static, App>) {
    wait_until(h, "the TX and RX rows", |h| {
        !rx_texts(h).is_empty() && page(h).log().iter().any(|r| r.direction == Direction::Tx)
    });
}

/// A TCP echo server for one client that also reports every chunk it receives.
pub fn echo_server() -> (SocketAddr, Receiver<Vec<u8>>) {
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

pub fn connect_client(h: &mut Harness<'static, App>, server: SocketAddr) {
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
pub fn open_on_loopback(
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

/// A TCP server on loopback that splits what it receives into lines.
pub fn line_framed_server(h: &mut Harness<'static, App>) -> SocketAddr {
    click(h, "TCP Server");
    click(h, "Framing and TCP options");
    open_combo(h, "Framing");
    click(h, "Line (LF)");
    open_on_loopback(h, "TCP Server", "Address", "Port", "Listen")
}
