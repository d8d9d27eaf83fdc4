//! Issue 27 item 7: a clicked row is decoded as the protocol its bytes fit (JSON that parses,
//! a Modbus TCP frame whose header agrees) unless the user picked one, and what does not fit
//! is said in a line shown whole, on a projector at both sizes.

mod gui_support;

use std::net::SocketAddr;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::*;
use socket_tester::codec::dissect::Dissector;
use socket_tester::gui::i18n::Language;
use socket_tester::net::{Event, EventKind};

const JSON_LINE: &str = r#"{"temp": 21.5, "unit": "C", "ok": true}"#;
/// Read holding registers, transaction 7, unit 1: a 12-byte Modbus TCP request.
const MODBUS: [u8; 12] = [0, 7, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2];

#[test]
fn a_clicked_row_is_decoded_as_what_it_fits_and_its_problem_shown_whole() {
    for size in SIZES {
        let mut h = projector(size, Language::English);
        let peer = SocketAddr::from(([127, 0, 0, 1], 502));
        let page = h.state_mut().tab().page();
        for bytes in [JSON_LINE.as_bytes().to_vec(), MODBUS.to_vec()] {
            page.apply_event(Event::now(EventKind::received(None, peer, bytes)));
        }
        h.run();
        click_row(&mut h, &format!("{} B", JSON_LINE.len()));
        assert_eq!(decoded_as(&h), "Automatic (JSON)", "{size:?}");
        assert!(h.query_by_label_contains("\n  \"unit\": \"C\"").is_some());
        assert!(
            h.query_by_label("Transaction").is_none(),
            "{size:?}: no Modbus fields"
        );

        click_row(&mut h, "12 B");
        assert_eq!(decoded_as(&h), "Automatic (Modbus TCP)", "{size:?}");
        assert!(h.query_by_label("Transaction").is_some());

        // Picked by hand, JSON it stays, and says in a whole line why the bytes are not JSON.
        h.get_by_role_and_label(Role::ComboBox, "Decode as").click();
        h.run();
        click(&mut h, "JSON");
        assert_eq!(
            h.state_mut().tab().page().config().decode_as,
            Some(Dissector::Json)
        );
        let problem = Dissector::Json
            .dissect(&MODBUS)
            .problem
            .unwrap()
            .to_string();
        let line = h.get_by_label(&problem).rect();
        let screen = h.ctx.content_rect();
        let message_box = h.get_by_label("Message").rect();
        assert!(
            screen.contains_rect(line) && line.bottom() <= message_box.top(),
            "{size:?}: the problem line {line:?} is cut"
        );
    }
}

/// What the "Decode as" box says.
fn decoded_as(h: &egui_kittest::Harness<'static, socket_tester::gui::app::App>) -> String {
    let combo = h.get_by_role_and_label(Role::ComboBox, "Decode as");
    combo.accesskit_node().value().unwrap_or_default()
}

/// Clicks the log row whose Length cell says `length`.
fn click_row(h: &mut egui_kittest::Harness<'static, socket_tester::gui::app::App>, length: &str) {
    h.get_by_label(length).click();
    h.run();
}
