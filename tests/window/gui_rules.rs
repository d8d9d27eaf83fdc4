//! Issue 27 items 4 and 6, in the window on a projector: auto-reply rules start inert, a new
//! session does not copy them, a restart switches them off and the closed section says so;
//! typing a reply keeps its field and its place, saving a preset moves no control.

mod gui_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::*;
use socket_tester::gui::app::SavedState;
use socket_tester::gui::i18n::{Language, t, tf};
use socket_tester::gui::model::log::Direction;
use socket_tester::gui::model::page::{Link, PageConfig};
use socket_tester::net::SessionKind;
use socket_tester::net::rules::Rule;

#[test]
fn a_new_rule_is_off_and_answers_nothing_until_it_has_a_pattern_and_a_reply() {
    let mut h = projector(SIZES[0], Language::English);
    click(&mut h, "TCP Server");
    {
        let config = h.state_mut().tab().page().config_mut();
        config.bind_address = "127.0.0.1".into();
        config.bind_port = "0".into();
    }
    click(&mut h, "Auto-reply rules");
    click(&mut h, "Add rule");
    let page = h.state_mut().tab().page();
    assert!(!page.config().rules[0].enabled, "a new rule is off");
    assert_eq!(page.config().answers_on(), (0, false));
    assert!(
        h.get_by_label("On").accesskit_node().is_disabled(),
        "On waits for a pattern and a reply"
    );
    click(&mut h, "Listen");
    wait_until(&mut h, "listening", |h| {
        matches!(h.state_mut().tab().page().link(), Link::Listening { .. })
    });
    let Link::Listening { local } = *h.state_mut().tab().page().link() else {
        unreachable!()
    };
    let mut client = TcpStream::connect(local).unwrap();
    client.write_all(b"hello").unwrap();
    wait_until(&mut h, "the RX row", |h| rows(h, Direction::Rx) == 1);
    std::thread::sleep(Duration::from_millis(200));
    h.run();
    assert_eq!(
        rows(&mut h, Direction::Tx),
        0,
        "an empty rule sends nothing"
    );
    // Filled in, it can be switched on, and answers.
    type_into(&mut h, "Pattern", "hello");
    type_into(&mut h, "Reply", "PONG");
    assert!(!h.get_by_label("On").accesskit_node().is_disabled());
    click(&mut h, "On");
    assert_eq!(h.state_mut().tab().page().config().answers_on(), (1, false));
    // The rule reaches the session's control thread after the click: a message sent before
    // it is in force is not answered (this failed under load).
    h.state_mut().tab().page().settle_session();
    client.write_all(b"hello").unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reply = [0u8; 4];
    client.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"PONG");
}

fn rows(
    h: &mut egui_kittest::Harness<'static, socket_tester::gui::app::App>,
    d: Direction,
) -> usize {
    let page = h.state_mut().tab().page();
    page.log().iter().filter(|row| row.direction == d).count()
}

#[test]
fn another_session_does_not_copy_the_rules_or_echo() {
    let mut h = projector(SIZES[1], Language::English);
    click(&mut h, "Auto-reply rules");
    click(&mut h, "Add rule");
    type_into(&mut h, "Pattern", "PING");
    type_into(&mut h, "Reply", "PONG");
    click(&mut h, "On");
    click(&mut h, "Echo");
    assert_eq!(h.state_mut().tab().page().config().answers_on(), (1, true));
    click(&mut h, "+");
    let tab = h.state_mut().tab();
    assert_eq!(tab.pages.len(), 2);
    let new = tab.page().config();
    assert!(
        new.rules.is_empty() && !new.echo,
        "the new session answers nothing"
    );
    assert!(h.query_by_label_contains("Auto-reply on").is_none());
}

#[test]
fn after_a_restart_the_rules_are_off_and_the_closed_section_says_so() {
    for language in [Language::English, Language::Chinese] {
        let rule = Rule {
            enabled: true,
            pattern: "PING".into(),
            reply: "PONG".into(),
            ..Rule::default()
        };
        let mut config = PageConfig::default_for(SessionKind::TcpClient);
        config.rules = vec![rule; 3];
        config.echo = true;
        let saved = SavedState {
            pages: vec![vec![config]],
            ..SavedState::default()
        };
        let mut h = restarted(SIZES[1], SavedState { language, ..saved });
        let config = h.state_mut().tab().page().config().clone();
        assert!(config.rules.iter().all(|r| !r.enabled) && !config.echo);
        let summary = tf("{n} rule(s), off since restart", &[("n", &3)]);
        assert!(
            h.query_by_label(&summary).is_some(),
            "{language:?}: {summary} shown"
        );
        click(&mut h, "Auto-reply rules");
        assert!(h.query_by_label(&summary).is_none(), "open, the rules show");
        h.query_all_by_label(t("On")).next().unwrap().click();
        h.run();
        assert!(
            !h.state_mut().tab().page().config().rules_off_since_restart,
            "{language:?}"
        );
    }
}

/// Item 6: typing `PONG\r\n` into a rule's Reply keeps the field focused and in its place
/// (the half-typed escape `PONG\` is an error, said under the rules), and every keystroke
/// lands in the field.
#[test]
fn typing_a_reply_keeps_its_field_and_its_place() {
    for size in SIZES {
        let mut h = projector(size, Language::English);
        click(&mut h, "Auto-reply rules");
        click(&mut h, "Add rule");
        type_into(&mut h, "Pattern", "PING");
        type_into(&mut h, "Reply", "PONG");
        click(&mut h, "On");
        let reply = |h: &egui_kittest::Harness<'static, socket_tester::gui::app::App>| {
            h.get_by_role_and_label(Role::TextInput, "Reply").rect()
        };
        let on = h.get_by_label("On").rect();
        h.get_by_role_and_label(Role::TextInput, "Reply").click();
        h.run();
        let place = reply(&h);
        for c in ["\\", "r", "\\", "n"] {
            h.event(egui::Event::Text(c.to_string()));
            h.run();
            assert_eq!(reply(&h), place, "{size:?}: Reply moved after {c:?}");
            assert_eq!(h.get_by_label("On").rect(), on, "{size:?}: On moved");
            assert!(
                h.get_by_role_and_label(Role::TextInput, "Reply")
                    .is_focused(),
                "{size:?}: Reply lost focus after {c:?}"
            );
        }
        let config = h.state_mut().tab().page().config().clone();
        assert_eq!(config.rules[0].reply, "PONG\\r\\n", "{size:?}");
        assert!(h.state_mut().tab().page().rules_error().is_none());
    }
}

/// Item 6: saving a preset appends it below the name field and the history; neither moves.
#[test]
fn saving_a_preset_moves_no_control() {
    for size in SIZES {
        let mut h = projector(size, Language::English);
        click(&mut h, "Presets and history");
        *h.state_mut().tab().page().message_mut() = "hello".into();
        let name = h
            .get_by_role_and_label(Role::TextInput, "Preset name")
            .rect();
        let save = h.get_by_label("Save as preset").rect();
        click(&mut h, "Save as preset");
        click(&mut h, "Save as preset");
        assert_eq!(h.state_mut().tab().page().config().presets.len(), 2);
        let name_now = h
            .get_by_role_and_label(Role::TextInput, "Preset name")
            .rect();
        assert_eq!(name_now, name, "{size:?}: Preset name moved");
        assert_eq!(h.get_by_label("Save as preset").rect(), save, "{size:?}");
    }
}

/// Issue 28 item 3: a reply that names a group its rule's match does not have is refused
/// under the rules as it is typed, with why; one that names the message's bytes is taken.
#[test]
fn a_reply_naming_what_the_match_lacks_is_refused_as_it_is_typed() {
    let mut h = projector(SIZES[0], Language::English);
    // Rules are checked as they go to an open session.
    click(&mut h, "TCP Server");
    let config = h.state_mut().tab().page().config_mut();
    config.bind_address = "127.0.0.1".into();
    config.bind_port = "0".into();
    click(&mut h, "Listen");
    click(&mut h, "Auto-reply rules");
    click(&mut h, "Add rule");
    type_into(&mut h, "Pattern", "PING");
    type_into(&mut h, "Reply", "PONG ${1}");
    click(&mut h, "On");
    let said = h
        .state_mut()
        .tab()
        .page()
        .rules_error()
        .unwrap_or_default()
        .to_string();
    assert!(
        said.contains("names a group of a regular expression"),
        "{said}"
    );
    h.state_mut().tab().page().config_mut().rules[0].reply = "PONG ${rx.len}".into();
    h.run();
    assert_eq!(h.state_mut().tab().page().rules_error(), None);
}

/// Issue 28 item 3: a rule's checksum, chosen in its row, is computed over the reply as built
/// (here over "OK " and the matched group), not over the rule's text.
#[test]
fn a_rules_checksum_is_appended_to_the_reply_it_builds() {
    let mut h = projector(SIZES[0], Language::English);
    click(&mut h, "TCP Server");
    {
        let config = h.state_mut().tab().page().config_mut();
        config.bind_address = "127.0.0.1".into();
        config.bind_port = "0".into();
    }
    click(&mut h, "Auto-reply rules");
    click(&mut h, "Add rule");
    h.state_mut().tab().page().config_mut().rules[0].kind = socket_tester::net::MatchKind::Regex;
    h.run();
    type_into(&mut h, "Pattern", "^ID=(\\d)");
    type_into(&mut h, "Reply", "OK ${1}");
    // The send box has a Checksum choice too: the rule's is the last one drawn.
    h.query_all_by_label(t("Checksum")).last().unwrap().click();
    h.run();
    click(&mut h, "xor8");
    assert_eq!(
        h.state_mut().tab().page().config().rules[0].checksum,
        socket_tester::codec::Checksum::Xor8
    );
    click(&mut h, "On");
    click(&mut h, "Listen");
    wait_until(&mut h, "listening", |h| {
        matches!(h.state_mut().tab().page().link(), Link::Listening { .. })
    });
    let Link::Listening { local } = *h.state_mut().tab().page().link() else {
        unreachable!()
    };
    let mut client = TcpStream::connect(local).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    for (asked, digit) in [(&b"ID=7"[..], b'7'), (b"ID=9", b'9')] {
        client.write_all(asked).unwrap();
        // The engine answers on its reader's side: no frame of the window is needed.
        let mut reply = [0u8; 5];
        client.read_exact(&mut reply).unwrap();
        let xor = b"OK ".iter().fold(digit, |x, b| x ^ b);
        assert_eq!(reply, [b'O', b'K', b' ', digit, xor]);
    }
}
