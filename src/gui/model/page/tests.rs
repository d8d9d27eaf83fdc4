//! The page on its own, without a window and (but for one test) without a socket: what each
//! action does to what the page holds and says.

use super::*;
use crate::net::no_waker;

fn page(kind: SessionKind) -> Page {
    Page::new(kind, PageConfig::default_for(kind))
}

fn act(page: &mut Page, action: PageAction) {
    page.perform(action, &no_waker());
}

#[test]
fn text_and_hex_convert_the_typed_message_both_ways() {
    let mut page = page(SessionKind::TcpClient);
    page.message = "AB\r\n".into();
    page.config.escapes = false;
    act(&mut page, PageAction::SetInputMode(InputMode::Hex));
    assert_eq!(page.message, "41 42 0D 0A");
    assert_eq!(page.config.input_mode, InputMode::Hex);
    act(&mut page, PageAction::SetInputMode(InputMode::Text));
    assert_eq!(page.message, "AB\r\n");
}

#[test]
fn hex_is_checked_as_it_is_typed_and_the_error_goes_once_fixed() {
    let mut page = page(SessionKind::TcpClient);
    act(&mut page, PageAction::SetInputMode(InputMode::Hex));
    page.message = "01 0G".into();
    act(&mut page, PageAction::MessageEdited);
    let error = page
        .send_error()
        .expect("bad hex is told at once")
        .to_string();
    assert!(error.contains('G'), "{error}");
    page.message = "01 0F".into();
    act(&mut page, PageAction::MessageEdited);
    assert_eq!(page.send_error(), None);
}

#[test]
fn a_send_with_nothing_open_is_refused_with_the_reason() {
    let mut page = page(SessionKind::TcpClient);
    page.message = "hello".into();
    act(&mut page, PageAction::Send);
    assert_eq!(
        page.send_error(),
        Some(i18n::error(&Error::NotConnected).as_str())
    );
    assert!(page.log().is_empty(), "nothing was logged as sent");
}

#[test]
fn a_bad_port_leaves_the_page_closed_and_says_which() {
    let mut page = page(SessionKind::TcpServer);
    page.config.bind_port = "70000".into();
    act(&mut page, PageAction::Toggle);
    assert!(!page.is_open());
    assert_eq!(page.link, Link::Closed);
    let error = page.status_error().expect("the reason").to_string();
    assert!(error.contains("70000"), "{error}");
}

#[test]
fn rules_come_and_go_by_action_and_restored_rules_are_off() {
    let mut page = page(SessionKind::TcpServer);
    act(&mut page, PageAction::AddRule);
    act(&mut page, PageAction::AddRule);
    act(&mut page, PageAction::DeleteRule(0));
    act(&mut page, PageAction::DeleteRule(5)); // no such rule: nothing happens
    assert_eq!(page.config.rules.len(), 1);
    page.config.rules[0].enabled = true;
    page.config.echo = true;
    let saved = serde_json::to_string(&page.config).unwrap();
    let restored: PageConfig = serde_json::from_str(&saved).unwrap();
    let restored = Page::new(SessionKind::TcpServer, restored.with_answers_off());
    assert!(!restored.config.echo);
    assert!(restored.config.rules.iter().all(|rule| !rule.enabled));
}

#[test]
fn closing_an_open_page_logs_one_note_and_a_closed_page_none() {
    let mut page = loopback_udp_page();
    page.close();
    assert!(page.log().is_empty(), "nothing was open");
    act(&mut page, PageAction::Toggle);
    assert!(page.is_open());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while page.link == Link::Closed {
        assert!(std::time::Instant::now() < deadline, "never listening");
        page.drain_events();
        std::thread::sleep(Duration::from_millis(1));
    }
    act(&mut page, PageAction::Toggle);
    assert!(!page.is_open(), "closed at once");
    let closed_here = |page: &Page| {
        page.log()
            .iter()
            .filter(|row| row.text == "closed here")
            .count()
    };
    // Said after the session's last event.
    while closed_here(&page) == 0 {
        assert!(std::time::Instant::now() < deadline, "never said");
        page.drain_events();
        std::thread::sleep(Duration::from_millis(1));
    }
    let last = page.log().row(page.log().len() - 1);
    assert_eq!(last.mark, crate::gui::model::log::Mark::Note);
    page.drain_events();
    assert_eq!(closed_here(&page), 1, "once");
    assert!(page.endings.is_empty(), "the session is let go");
}

/// Steps the page as frames do until `done`.
fn drain_until(page: &mut Page, what: &str, done: impl Fn(&Page) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !done(page) {
        assert!(std::time::Instant::now() < deadline, "never {what}");
        page.drain_events();
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A UDP page set to bind 127.0.0.1 at a port the system chooses, not open yet.
fn loopback_udp_page() -> Page {
    let mut page = page(SessionKind::Udp);
    page.config.bind_address = "127.0.0.1".into();
    page.config.bind_port = "0".into();
    page
}

/// Opens `page` and waits until it listens; the address it listens on.
fn open_and_listen(page: &mut Page) -> std::net::SocketAddr {
    act(page, PageAction::Toggle);
    drain_until(page, "listening", |page| {
        matches!(page.link, Link::Listening { .. })
    });
    match page.link {
        Link::Listening { local } => local,
        ref other => panic!("not listening: {other:?}"),
    }
}

/// Closed and opened again at once: the closed session's "closed here" comes before the new
/// one's first row, and Reset counters in between leaves nothing of the closed one counted.
#[test]
fn a_session_opened_right_after_a_close_logs_after_the_closed_ones_last_row() {
    let mut page = loopback_udp_page();
    let local = open_and_listen(&mut page);
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"before", local).unwrap();
    drain_until(&mut page, "counted", |page| page.totals().rx_bytes == 6);
    act(&mut page, PageAction::Toggle);
    act(&mut page, PageAction::ResetTotals);
    act(&mut page, PageAction::Toggle);
    let texts = |page: &Page| -> Vec<String> { page.log().iter().map(|row| row.text).collect() };
    drain_until(&mut page, "open again", |page| {
        page.link != Link::Closed && texts(page).iter().any(|text| text == "closed here")
    });
    let texts = texts(&page);
    let closed = texts.iter().position(|text| text == "closed here");
    let opened_again = texts
        .iter()
        .rposition(|text| text.starts_with("listening on"));
    assert!(closed < opened_again, "{texts:?}");
    assert_eq!(page.totals().rx_bytes, 0, "reset: {texts:?}");
}

#[test]
fn a_selected_row_is_forgotten_when_the_log_is_cleared() {
    let mut page = page(SessionKind::Udp);
    act(&mut page, PageAction::SelectRow(Some(3)));
    assert_eq!(page.selected_row(), Some(3));
    act(&mut page, PageAction::ClearLog);
    assert_eq!(page.selected_row(), None, "row 3 is gone with the log");
}

#[test]
fn a_relay_page_names_each_end_and_which_way_the_bytes_went() {
    let mut page = page(SessionKind::Relay);
    let client: SocketAddr = "127.0.0.1:50007".parse().unwrap();
    let target: SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let local: SocketAddr = "127.0.0.1:8081".parse().unwrap();
    for kind in [
        EventKind::Accepted {
            client: 1,
            local,
            peer: client,
            counters: Default::default(),
        },
        EventKind::Relaying {
            client: 1,
            local: "127.0.0.1:40000".parse().unwrap(),
            target,
        },
        EventKind::received(Some(1), client, b"up".to_vec()),
        EventKind::received(Some(1), target, b"down".to_vec()),
        EventKind::sent(Some(1), target, b"injected".to_vec()),
        EventKind::Closed {
            client: Some(1),
            peer: client,
            reason: CloseReason::PeerClosed,
        },
    ] {
        page.apply_event(Event::now(kind));
    }
    let cells: Vec<String> = page.log().iter().map(|row| page.peer_cell(&row)).collect();
    assert_eq!(
        cells,
        [
            "#1 client 127.0.0.1:50007",
            "#1 target 127.0.0.1:8080",
            "#1 client->target 127.0.0.1:50007",
            "#1 target->client 127.0.0.1:8080",
            "#1 ->target 127.0.0.1:8080",
            "#1 client 127.0.0.1:50007",
        ]
    );
    // A server's rows keep the plain form.
    let mut server = Page::new(SessionKind::TcpServer, PageConfig::default());
    server.apply_event(Event::now(EventKind::received(Some(2), client, vec![1])));
    let row = server.log().iter().next().expect("a row");
    assert_eq!(server.peer_cell(&row), "#2 127.0.0.1:50007");
}

#[test]
fn sequence_steps_are_added_moved_removed_and_followed_as_they_run() {
    use crate::net::{SequenceOutcome, Step, StepState};
    let mut page = page(SessionKind::TcpClient);
    page.message = "PING".into();
    act(&mut page, PageAction::AddStep(StepKind::Expect));
    act(&mut page, PageAction::AddStep(StepKind::Send));
    act(&mut page, PageAction::AddStep(StepKind::Wait));
    act(&mut page, PageAction::MoveStepUp(1));
    act(&mut page, PageAction::RemoveStep(2));
    let steps = &page.config.sequence.steps;
    assert!(matches!(&steps[0], Step::Send { text, .. } if text == "PING"));
    assert!(matches!(steps[1], Step::Expect { .. }));
    assert_eq!(steps.len(), 2);

    // Running needs a session: refused with the reason.
    act(&mut page, PageAction::ToggleSequence);
    assert_eq!(
        page.sequence_note(),
        Some(i18n::error(&Error::NotConnected).as_str())
    );

    page.sequence_progress.results = vec![None, None];
    let step = |step, state| {
        Event::now(EventKind::SequenceStep {
            round: 1,
            step,
            state,
        })
    };
    page.apply_event(step(0, StepState::Running));
    assert_eq!(page.sequence_progress().current, Some(0));
    page.apply_event(step(0, StepState::Passed));
    page.apply_event(step(1, StepState::Running));
    page.apply_event(step(1, StepState::TimedOut { millis: 500 }));
    page.apply_event(Event::now(EventKind::SequenceEnded {
        outcome: SequenceOutcome::Failed { round: 1, step: 1 },
    }));
    let progress = page.sequence_progress();
    assert_eq!(progress.current, None);
    assert_eq!(
        progress.results,
        [
            Some(Ok(())),
            Some(Err("nothing matched within 500 ms".to_string()))
        ]
    );
    assert_eq!(
        progress.ended,
        Some(SequenceOutcome::Failed { round: 1, step: 1 })
    );
}

#[test]
fn a_sequence_is_exported_and_imported_as_the_command_line_reads_it() {
    let dir = std::env::temp_dir().join(format!("st-seq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("steps.json");
    let mut page = page(SessionKind::TcpClient);
    page.message = "HELLO".into();
    act(&mut page, PageAction::AddStep(StepKind::Send));
    act(&mut page, PageAction::AddStep(StepKind::Wait));
    page.config.sequence_path = path.display().to_string();
    act(&mut page, PageAction::ExportSequence);
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        crate::net::Sequence::from_json(&written).unwrap(),
        page.config.sequence
    );

    let mut other = self::page(SessionKind::Udp);
    other.config.sequence_path = path.display().to_string();
    act(&mut other, PageAction::ImportSequence);
    assert_eq!(other.config.sequence, page.config.sequence);
    std::fs::write(&path, "not json").unwrap();
    act(&mut other, PageAction::ImportSequence);
    assert!(
        other
            .sequence_note()
            .is_some_and(|note| note.starts_with("not a usable sequence")),
        "{:?}",
        other.sequence_note()
    );
    assert_eq!(
        other.config.sequence.steps.len(),
        2,
        "a bad file changes nothing"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_client_list_is_kept_from_the_events_in_their_order() {
    let mut page = page(SessionKind::TcpServer);
    let local: SocketAddr = "127.0.0.1:9000".parse().unwrap();
    let accepted = |client, port| EventKind::Accepted {
        client,
        local,
        peer: SocketAddr::from(([127, 0, 0, 1], port)),
        counters: Default::default(),
    };
    let closed = |client, port| EventKind::Closed {
        client: Some(client),
        peer: SocketAddr::from(([127, 0, 0, 1], port)),
        reason: CloseReason::PeerClosed,
    };
    // No session is asked: the events say it all (the window takes no engine lock).
    for kind in [accepted(1, 50001), accepted(2, 50002), closed(1, 50001)] {
        page.apply_event(Event::now(kind));
    }
    let ids: Vec<_> = page.clients().iter().map(|client| client.id).collect();
    assert_eq!(ids, [2]);
    page.apply_event(Event::now(accepted(3, 50003)));
    let ids: Vec<_> = page.clients().iter().map(|client| client.id).collect();
    assert_eq!(ids, [2, 3]);
}

/// A multicast join the session refuses (its command queue full) is not listed as joined:
/// the list shows what the socket joined, and the status line says why.
#[test]
fn a_refused_multicast_join_is_not_listed() {
    let mut page = loopback_udp_page();
    let local = open_and_listen(&mut page);
    // Nobody takes the page's events now: a flood fills its event channel, and the control
    // thread then waits to report the sends below, so the commands pile up in its queue.
    let flood = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for _ in 0..40_000 {
        let _ = flood.send_to(b"x", local);
    }
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    page.config.host = "127.0.0.1".into();
    page.config.port = peer.local_addr().unwrap().port().to_string();
    page.message = "ping".into();
    for _ in 0..4 {
        act(&mut page, PageAction::Send);
    }
    let mut refused = None;
    for n in 0..4000u32 {
        let group = format!("239.9.{}.{}", n / 250, n % 250 + 1);
        page.config.multicast_group = group.clone();
        page.join_group();
        if page.status_error.is_some() {
            refused = Some(group.parse::<IpAddr>().unwrap());
            break;
        }
    }
    let refused = refused.expect("the session's queue filled and refused a join");
    assert_eq!(
        page.status_error.as_deref(),
        Some(i18n::error(&Error::SessionBusy).as_str())
    );
    assert!(
        !page.config.multicast_groups.contains(&refused),
        "a refused join is not listed"
    );
    assert!(
        !page.config.multicast_groups.is_empty(),
        "the joins taken are"
    );
}
