//! The log's rows: stored compactly, decoded when read, dropped past the limit.
#[test]
fn a_stored_row_stays_forty_bytes() {
    assert_eq!(std::mem::size_of::<super::StoredRow>(), 40);
}

use super::*;
use crate::net::Message;

fn received(peer: &str, data: &[u8]) -> Event {
    Event::now(EventKind::received(
        None,
        peer.parse().unwrap(),
        data.to_vec(),
    ))
}

#[test]
fn a_character_split_across_reads_decodes_in_the_second_row() {
    let mut log = Log::new(TextEncoding::Gbk, true);
    log.push_event(received("127.0.0.1:1", &[0xC4]));
    log.push_event(received("127.0.0.1:1", &[0xE3, 0x41]));
    let texts: Vec<String> = log.iter().map(|r| r.text).collect();
    assert_eq!(texts, ["", "你A"]);
}

#[test]
fn a_websocket_message_is_whole_and_takes_no_other_messages_bytes() {
    let mut log = Log::new(TextEncoding::Utf8, true);
    // "你" is E4 BD A0: as two reads of a stream the second row would show it whole.
    for data in [[0xE4, 0xBD].as_slice(), &[0xA0, 0x41]] {
        let message = Message {
            websocket: Some(Opcode::Binary),
            ..Message::now("127.0.0.1:1".parse().unwrap(), data.to_vec())
        };
        log.push_event(Event::now(EventKind::Received {
            client: None,
            messages: vec![message],
        }));
    }
    let texts = |log: &Log| log.iter().map(|r| r.text).collect::<Vec<String>>();
    assert_eq!(texts(&log), ["\\xE4\\xBD", "\\xA0A"]);
    // Read again in another encoding and back, as an encoding switch does.
    log.set_encoding(TextEncoding::Gbk);
    log.set_encoding(TextEncoding::Utf8);
    assert_eq!(texts(&log), ["\\xE4\\xBD", "\\xA0A"]);
}

#[test]
fn switching_encoding_redecodes_from_raw_bytes() {
    let mut log = Log::new(TextEncoding::Utf8, true);
    log.push_event(received("127.0.0.1:1", &[0xC4, 0xE3, 0xBA, 0xC3]));
    // Invalid UTF-8; the last byte could still begin a character, so it waits for more.
    assert_eq!(log.row(0).text, "\\xC4\\xE3\\xBA");
    log.set_encoding(TextEncoding::Gbk);
    assert_eq!(log.row(0).text, "你好");
    assert_eq!(log.row(0).data, [0xC4, 0xE3, 0xBA, 0xC3]);
}

#[test]
fn export_formats_carry_every_row() {
    let mut log = Log::new(TextEncoding::Utf8, true);
    log.push_event(received("127.0.0.1:1", b"a,\"b\"\n"));
    log.push_event(received("127.0.0.1:1", b"ok"));
    let write = |format| {
        let mut out = Vec::new();
        export(log.iter(), format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let txt = write(ExportFormat::Txt);
    assert!(
        txt.lines()
            .next()
            .unwrap()
            .ends_with(r#" RX 127.0.0.1:1 6B a,"b"\n"#),
        "{txt}"
    );
    let csv = write(ExportFormat::Csv);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time,direction,peer,client,len,text,hex");
    assert!(lines[1].contains(r#",RX,127.0.0.1:1,,6,"a,""b"""#), "{csv}");
    let json: Vec<serde_json::Value> = write(ExportFormat::JsonLines)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json.len(), 2);
    assert_eq!(json[0]["text"], "a,\"b\"\n");
    assert_eq!(json[1]["hex"], "6F 6B");
}

#[test]
fn old_rows_are_dropped_past_the_limit_and_numbering_goes_on() {
    let mut log = Log::new(TextEncoding::Utf8, true);
    log.set_limit(3);
    for i in 0..5u8 {
        log.push_event(received("127.0.0.1:1", &[b'a' + i]));
    }
    let texts: Vec<String> = log.iter().map(|r| r.text).collect();
    assert_eq!(texts, ["c", "d", "e"]);
    assert_eq!(log.first(), 2);
    log.clear();
    assert_eq!(log.first(), 5);
}

#[test]
fn a_flood_of_large_reads_keeps_at_most_the_byte_limit() {
    let mut log = Log::new(TextEncoding::Utf8, true);
    let chunk = vec![b'x'; 1024 * 1024];
    for _ in 0..(BYTE_LIMIT / chunk.len() + 10) {
        log.push_event(received("127.0.0.1:1", &chunk));
    }
    let kept: usize = log.iter().map(|row| row.data.len()).sum();
    assert!(kept <= BYTE_LIMIT, "{kept}");
    assert_eq!(log.len(), BYTE_LIMIT / chunk.len());
}

#[test]
fn filter_by_direction_peer_and_text() {
    let mut log = Log::new(TextEncoding::Utf8, true);
    log.push_event(received("127.0.0.1:1", b"Temperature 21"));
    log.push_event(received("127.0.0.1:2", b"humidity"));
    log.push_note(Note::Listening {
        local: "127.0.0.1:7".parse().unwrap(),
    });
    let only = |filter: LogFilter| {
        let found = RowSearch::default().update(&log, &filter, "", usize::MAX);
        (0..found.len()).map(|i| found.row(i)).collect::<Vec<_>>()
    };
    assert_eq!(only(LogFilter::default()), vec![0, 1, 2]);
    assert_eq!(
        only(LogFilter {
            events: false,
            ..LogFilter::default()
        }),
        vec![0, 1]
    );
    assert_eq!(
        only(LogFilter {
            peer: ":2".into(),
            ..LogFilter::default()
        }),
        vec![1]
    );
    assert_eq!(
        only(LogFilter {
            text: "temp".into(),
            ..LogFilter::default()
        }),
        vec![0]
    );
    assert_eq!(
        only(LogFilter {
            text: "68 75".into(),
            ..LogFilter::default()
        }),
        vec![1],
        "hex of 'hu'"
    );
    assert_eq!(
        only(LogFilter {
            rx: false,
            events: false,
            ..LogFilter::default()
        }),
        Vec::<usize>::new()
    );
}

#[test]
fn a_kept_search_follows_new_rows_dropped_rows_and_changed_settings() {
    let mut log = Log::new(TextEncoding::Utf8, false);
    log.set_limit(4);
    let mut search = RowSearch::default();
    let rx_only = LogFilter {
        tx: false,
        events: false,
        ..LogFilter::default()
    };
    let rows = |found: &Found| (0..found.len()).map(|i| found.row(i)).collect::<Vec<_>>();
    log.push_event(received("127.0.0.1:1", b"one"));
    log.push_note(Note::PeerFinished);
    log.push_event(received("127.0.0.1:1", b"two"));
    assert_eq!(rows(&search.update(&log, &rx_only, "", usize::MAX)), [0, 2]);
    // Two more rows: the oldest two are dropped (limit 4), the new one is found.
    log.push_event(received("127.0.0.1:1", b"three"));
    log.push_note(Note::PeerFinished);
    log.push_event(received("127.0.0.1:1", b"four"));
    let found = search.update(&log, &rx_only, "", usize::MAX);
    assert_eq!(rows(&found), [0, 1, 3], "two, three, four");
    assert_eq!(found.next_to(1, true), Some(3));
    assert_eq!(found.next_to(1, false), Some(0));
    // Only rows before a pause; a new find text starts afresh.
    assert_eq!(rows(&search.update(&log, &rx_only, "", 2)), [0, 1]);
    assert_eq!(
        rows(&search.update(&log, &rx_only, "t", usize::MAX)),
        [0, 1]
    );
    log.clear();
    assert!(search.update(&log, &rx_only, "t", usize::MAX).is_empty());
}

#[test]
fn peers_of_dropped_or_cleared_rows_are_forgotten() {
    let mut log = Log::new(TextEncoding::Utf8, false);
    log.set_limit(100);
    // A flood from 100,000 source ports, one datagram each.
    for port in 1..=100_000u32 {
        let peer = format!("127.0.0.1:{}", 1 + port % 65_535);
        log.push_event(received(&peer, &port.to_le_bytes()));
    }
    assert!(
        log.peers().len() <= PEERS_KEPT_FREELY,
        "{}",
        log.peers().len()
    );
    for i in 0..log.len() {
        let peer = log.peers()[log.peer_index(i).unwrap()].0;
        assert_eq!(Some(peer), log.row(i).peer, "rows keep their own peer");
    }
    let last = log.row(log.len() - 1).data.to_vec();
    assert_eq!(last, 100_000u32.to_le_bytes());
    log.clear();
    assert!(log.peers().is_empty(), "no lanes for cleared rows");
}

#[test]
fn notes_written_before_a_language_switch_follow_it() {
    use crate::gui::i18n::{Language, set_language};
    set_language(Language::English);
    let mut log = Log::new(TextEncoding::Utf8, true);
    log.push_note(Note::Closed(CloseReason::ClosedHere));
    log.push_event(Event::now(EventKind::Listening {
        local: "127.0.0.1:7".parse().unwrap(),
    }));
    assert_eq!(log.row(0).text, "closed here");
    assert_eq!(log.row(1).text, "listening on 127.0.0.1:7");
    set_language(Language::Chinese);
    let texts: Vec<String> = log.iter().map(|r| r.text).collect();
    set_language(Language::English);
    assert!(
        texts
            .iter()
            .all(|text| !text.contains("closed") && !text.contains("listening")),
        "{texts:?}"
    );
    // Notes go with their rows.
    log.set_limit(1);
    assert_eq!(log.row(0).text, "listening on 127.0.0.1:7");
    log.clear();
    assert!(log.notes.is_empty());
}

#[test]
fn streams_of_different_peers_do_not_mix() {
    let mut log = Log::new(TextEncoding::Gbk, true);
    log.push_event(received("127.0.0.1:1", &[0xC4]));
    log.push_event(received("127.0.0.1:2", &[0x41]));
    log.push_event(received("127.0.0.1:1", &[0xE3]));
    let texts: Vec<String> = log.iter().map(|r| r.text).collect();
    assert_eq!(texts, ["", "A", "你"]);
}
