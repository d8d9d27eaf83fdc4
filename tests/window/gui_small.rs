//! Issue 27 item 8, the smaller things, in the window on a projector: the empty log's hint
//! follows the session (connecting, then connected), a port field shows 65535 whole, a port
//! that cannot be gets a log row, with four sessions the status line's error is shown whole,
//! and a long one leaves the status whole or out.

mod gui_support;

use std::io::Write;
use std::net::{TcpListener, TcpStream};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::*;
use socket_tester::error::Error;
use socket_tester::gui::app::App;
use socket_tester::gui::i18n::Language;
use socket_tester::gui::model::log::Direction;
use socket_tester::gui::model::page::{Link, LogView, PageAction};
use socket_tester::net::{Event, EventKind};

/// For each painted text that is `text` or starts with it: the characters painted inside
/// their clip rectangle, and whether the text was cut with "…".
fn painted(h: &Harness<'static, App>, text: &str) -> Vec<(usize, bool)> {
    let mut found = Vec::new();
    for clipped in &h.output().shapes {
        let egui::Shape::Text(shape) = &clipped.shape else {
            continue;
        };
        let galley = &shape.galley;
        if !galley.text().starts_with(text) {
            continue;
        }
        let clip = clipped.clip_rect;
        let mut inside = 0;
        let mut cut = false;
        for row in &galley.rows {
            for glyph in &row.glyphs {
                let left = shape.pos.x + row.pos.x + glyph.pos.x;
                let right = left + glyph.advance_width;
                cut |= glyph.chr == '…';
                if glyph.chr != '…' && left >= clip.left() - 0.5 && right <= clip.right() + 0.5 {
                    inside += 1;
                }
            }
        }
        found.push((inside, cut));
    }
    found
}

fn set_port(h: &mut Harness<'static, App>, port: &str) {
    h.state_mut().tab().page().config_mut().port = port.into();
    h.run();
}

#[test]
fn a_port_field_shows_65535_whole() {
    for size in SIZES {
        let mut h = projector(size, Language::English);
        set_port(&mut h, "65535");
        let shown = painted(&h, "65535");
        assert!(
            shown.iter().any(|&(inside, _)| inside == 5),
            "{size:?}: {shown:?}"
        );
    }
}

#[test]
fn a_port_that_cannot_be_is_said_in_the_log_too() {
    let mut h = projector(SIZES[0], Language::English);
    set_port(&mut h, "99999");
    click(&mut h, "Connect");
    let page = h.state_mut().tab().page();
    assert!(page.status_error().is_some());
    let row = page
        .log()
        .iter()
        .find(|row| row.direction == Direction::Error)
        .map(|row| row.text);
    assert!(
        row.is_some_and(|text| text.contains("99999")),
        "a log row names the port"
    );
}

/// A TLS client whose server takes the connection but has not answered the handshake is
/// open, not connected: the empty log says it is connecting, not "Connected".
#[test]
fn while_the_handshake_waits_the_empty_log_says_connecting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut h = projector(SIZES[1], Language::English);
    h.state_mut().tab().page().config_mut().tls = true;
    set_port(&mut h, &port.to_string());
    click(&mut h, "Connect");
    let _held = listener.accept().unwrap();
    h.run();
    let page = h.state_mut().tab().page();
    assert!(page.is_open() && !page.is_connected() && page.log().is_empty());
    assert!(h.query_by_label_contains("Connected:").is_none());
    assert!(h.query_by_label_contains("Connecting:").is_some());
}

#[test]
fn after_clear_the_empty_log_says_what_to_do_on_a_connected_session() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut h = projector(SIZES[1], Language::English);
    set_port(&mut h, &port.to_string());
    click(&mut h, "Connect");
    let _held = listener.accept().unwrap();
    wait_until(&mut h, "the connection", |h| {
        h.state_mut().tab().page().is_connected()
    });
    click(&mut h, "Clear");
    assert!(h.query_by_label_contains("Connect to a server").is_none());
    assert!(
        h.query_by_label_contains("Connected: type a message below")
            .is_some()
    );
}

#[test]
fn with_four_sessions_the_status_error_is_shown_whole() {
    for size in SIZES {
        let mut h = projector(size, Language::English);
        for _ in 0..3 {
            click(&mut h, "+");
        }
        // Nothing listens there: refused.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        set_port(&mut h, &port.to_string());
        click(&mut h, "Connect");
        wait_until(&mut h, "the refusal", |h| {
            h.state_mut().tab().page().status_error().is_some()
        });
        let error = h
            .state_mut()
            .tab()
            .page()
            .status_error()
            .unwrap()
            .to_string();
        let shown = painted(&h, &error);
        assert!(
            shown
                .iter()
                .any(|&(inside, cut)| !cut && inside == error.chars().count()),
            "{size:?}: {error} shown as {shown:?}"
        );
    }
}

/// An error too long for the status row takes it alone: the status is whole after it or
/// only on the error's hover, never cut to a lone "…" beside "Hide tools".
#[test]
fn a_long_error_leaves_the_status_whole_or_out() {
    for size in SIZES {
        let mut h = projector(size, Language::English);
        let peer = "127.0.0.1:443".parse().unwrap();
        let reason = "the peer took the connection but did not answer the handshake ".repeat(3);
        let page = h.state_mut().tab().page();
        page.apply_event(Event::now(EventKind::Error {
            client: None,
            error: Error::Tls { peer, reason },
        }));
        h.run();
        let status = h.state_mut().tab().page().status();
        let shown = painted(&h, &status);
        assert!(
            shown.iter().all(|&(_, cut)| !cut),
            "{size:?}: '{status}' shown as {shown:?}"
        );
        let error = h
            .state_mut()
            .tab()
            .page()
            .status_error()
            .unwrap()
            .to_string();
        assert!(
            painted(&h, &error).iter().any(|&(inside, _)| inside > 20),
            "{size:?}: the error is in sight"
        );
    }
}

/// "×" on an open session asks first; "Keep it" keeps it, "Close session" closes it. A closed
/// session's "×" closes at once.
#[test]
fn closing_an_open_session_asks_first() {
    let mut h = projector(SIZES[1], Language::English);
    click(&mut h, "TCP Server");
    click(&mut h, "+");
    {
        let config = h.state_mut().tab().page().config_mut();
        config.bind_address = "127.0.0.1".into();
    }
    click(&mut h, "Listen");
    wait_until(&mut h, "listening", |h| {
        matches!(h.state_mut().tab().page().link(), Link::Listening { .. })
    });
    let close_second = |h: &mut Harness<'static, App>| {
        h.query_all_by_label("×").nth(1).expect("its ×").click();
        h.run();
    };
    close_second(&mut h);
    assert_eq!(h.state_mut().tab().pages.len(), 2, "asked, not closed");
    assert!(
        h.query_by_label_contains("Close the open session")
            .is_some()
    );
    click(&mut h, "Keep it");
    assert_eq!(h.state_mut().tab().pages.len(), 2);
    assert!(h.state_mut().tab().page().is_open());
    close_second(&mut h);
    click(&mut h, "Close session");
    assert_eq!(h.state_mut().tab().pages.len(), 1);
}

/// Broadcast switched while a UDP socket is open says so in the log, both ways.
#[test]
fn toggling_broadcast_while_open_is_logged() {
    let mut h = projector(SIZES[0], Language::English);
    click(&mut h, "UDP");
    {
        let config = h.state_mut().tab().page().config_mut();
        config.bind_address = "127.0.0.1".into();
        config.bind_port = "0".into();
    }
    click(&mut h, "Open");
    wait_until(&mut h, "open", |h| h.state_mut().tab().page().is_open());
    let said = |h: &mut Harness<'static, App>, words: &str| {
        let page = h.state_mut().tab().page();
        page.log().iter().filter(|row| row.text == words).count()
    };
    click(&mut h, "Broadcast");
    wait_until(&mut h, "the row", |h| {
        said(h, "broadcast on: datagrams may go to broadcast addresses") == 1
    });
    click(&mut h, "Broadcast");
    wait_until(&mut h, "the row", |h| said(h, "broadcast off") == 1);
}

/// On a projector at 1024×768 the Demo's arrows say "11 B  hello world" whole, in both halves.
#[test]
fn a_demo_arrow_label_is_whole_on_a_projector() {
    let mut h = projector(SIZES[0], Language::English);
    click(&mut h, "Demo");
    click(&mut h, "Start TCP demo");
    wait_until(&mut h, "the demo to connect", |h| {
        let demo = h.state().demo.as_ref().unwrap();
        demo.pages[1].is_connected() && demo.pages[0].clients().len() == 1
    });
    if let Some(demo) = h.state_mut().demo.as_mut() {
        *demo.pages[1].message_mut() = "hello world".into();
    }
    h.get_all_by_label("Send").nth(1).unwrap().click();
    h.run();
    wait_until(&mut h, "the server to read it", |h| {
        h.state().demo.as_ref().unwrap().pages[0]
            .log()
            .iter()
            .any(|r| r.direction == Direction::Rx)
    });
    let label = "11 B  hello world";
    let shown = painted(&h, label);
    assert_eq!(shown.len(), 2, "{shown:?}");
    for (inside, cut) in shown {
        assert!(
            !cut && inside == label.chars().count(),
            "{inside} of {label}"
        );
    }
}

/// The session strip names a server by the port it listens on, the one the system chose for
/// port 0, and tells apart sessions copied with "+" that would share a name.
#[test]
fn the_session_strip_names_each_session_apart() {
    let mut h = projector(SIZES[1], Language::English);
    let port = listening_server(&mut h).port();
    assert!(
        h.query_by_label(&format!(":{port}")).is_some(),
        "the strip names :{port}"
    );
    assert!(h.query_by_label(":0").is_none(), "not :0");

    click(&mut h, "TCP Client");
    click(&mut h, "+");
    let peer = h.state_mut().tab().page().config().peer_label();
    for place in [1, 2] {
        let name = format!("{peer} ({place})");
        assert!(h.query_by_label(&name).is_some(), "{name} in the strip");
    }
}

/// A ws:// URL that names its port leaves Port showing that port, greyed: the URL's is used.
#[test]
fn a_url_that_names_its_port_shows_it_in_port() {
    let mut h = projector(SIZES[1], Language::English);
    let set_host = |h: &mut Harness<'static, App>, host: &str| {
        h.state_mut().tab().page().config_mut().host = host.into();
        h.run();
    };
    set_host(&mut h, "ws://127.0.0.1:9001/chat");
    let port_field = h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Port");
    assert_eq!(port_field.value().as_deref(), Some("9001"));
    assert!(port_field.accesskit_node().is_disabled(), "greyed");
    let typed = h.state_mut().tab().page().config().port.clone();
    assert_ne!(typed, "9001", "Port's own text is kept");
    set_host(&mut h, "ws://127.0.0.1/chat");
    let port_field = h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Port");
    assert_eq!(port_field.value(), Some(typed), "without one, Port is used");
}

/// A chart label that crosses other peers' lifelines (an arrow from the third client over the
/// first two) has its own backdrop over them: no lifeline runs through its text.
#[test]
fn no_lifeline_runs_through_a_chart_label() {
    let mut h = projector(SIZES[1], Language::English);
    let local = listening_server(&mut h);
    h.state_mut().tab().page().config_mut().view = LogView::Chart;
    let mut clients: Vec<TcpStream> = Vec::new();
    for _ in 0..3 {
        clients.push(TcpStream::connect(local).unwrap());
        let count = clients.len();
        wait_until(&mut h, "the client", |h| {
            h.state_mut().tab().page().clients().len() == count
        });
    }
    let message = "hello from client 3";
    clients[2].write_all(message.as_bytes()).unwrap();
    wait_until(&mut h, "the message", |h| {
        h.state_mut()
            .tab()
            .page()
            .log()
            .iter()
            .any(|row| row.direction == Direction::Rx)
    });
    h.run();

    let shapes = &h.output().shapes;
    let (at, text) = shapes
        .iter()
        .enumerate()
        .find_map(|(at, clipped)| match &clipped.shape {
            egui::Shape::Text(text) if text.galley.text().ends_with(message) => Some((at, text)),
            _ => None,
        })
        .unwrap_or_else(|| {
            let texts: Vec<String> = shapes
                .iter()
                .filter_map(|clipped| match &clipped.shape {
                    egui::Shape::Text(text) => Some(text.galley.text().to_string()),
                    _ => None,
                })
                .collect();
            panic!("no arrow says {message:?}: {texts:?}")
        });
    let text_rect = text.visual_bounding_rect().shrink(1.0);
    let crossing: Vec<usize> = shapes[..at]
        .iter()
        .enumerate()
        .filter(|(_, clipped)| match &clipped.shape {
            egui::Shape::LineSegment { points: [a, b], .. } => {
                a.x == b.x
                    && text_rect.x_range().contains(a.x)
                    && a.y.min(b.y) < text_rect.bottom()
                    && a.y.max(b.y) > text_rect.top()
            }
            _ => false,
        })
        .map(|(index, _)| index)
        .collect();
    assert!(!crossing.is_empty(), "the label lies across lifelines");
    let backdrop = shapes[..at].iter().rposition(|clipped| {
        matches!(&clipped.shape, egui::Shape::Rect(rect) if rect.rect.contains_rect(text_rect))
    });
    assert!(
        backdrop.is_some_and(|b| crossing.iter().all(|&line| line < b)),
        "lifelines {crossing:?} are drawn over the text (backdrop: {backdrop:?})"
    );
}

/// On a projector, a clicked row's details sit below the log's rows, not over them: "Hide
/// details" takes its click (it went to the row drawn over it, which was selected instead).
#[test]
fn a_rows_details_leave_the_rows_in_sight_and_take_their_clicks() {
    for size in SIZES {
        let mut h = projector(size, Language::English);
        let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 50_007));
        let page = h.state_mut().tab().page();
        for n in 0..40 {
            let data = format!("row-{n:02}").into_bytes();
            page.apply_event(Event::now(EventKind::received(None, peer, data)));
        }
        let row = page.log().first() + 30;
        page.perform(
            PageAction::SelectRow(Some(row)),
            &socket_tester::net::no_waker(),
        );
        h.run();
        assert_eq!(h.state_mut().tab().page().selected_row(), Some(row));
        click(&mut h, "Hide details");
        assert_eq!(
            h.state_mut().tab().page().selected_row(),
            None,
            "{size:?}: the click went to a row under the details"
        );
    }
}
