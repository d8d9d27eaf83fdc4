//! Issue 27 item 2: decoding recovers. The walk's bytes on a client page: 你 in UTF-8, a
//! switch to GBK, echoes of 你好 in GBK, a switch back, Clear, and "seq 7". A character split
//! across two reads still joins; a byte that starts or continues nothing stays in its own row
//! as `\xNN`; a carry is dropped when the next read does not complete it, on Clear and on an
//! encoding switch.

use std::net::SocketAddr;

use socket_tester::codec::TextEncoding;
use socket_tester::gui::model::page::{Page, PageAction, PageConfig};
use socket_tester::net::{Event, EventKind, SessionKind, no_waker};

fn page() -> Page {
    Page::new(
        SessionKind::TcpClient,
        PageConfig::default_for(SessionKind::TcpClient),
    )
}

fn receive(page: &mut Page, bytes: &[u8]) {
    let peer = SocketAddr::from(([127, 0, 0, 1], 8080));
    page.apply_event(Event::now(EventKind::received(None, peer, bytes.to_vec())));
}

fn texts(page: &Page) -> Vec<String> {
    page.log().iter().map(|row| row.text).collect()
}

const NI_UTF8: [u8; 3] = [0xE4, 0xBD, 0xA0];
const NIHAO_GBK: [u8; 4] = [0xC4, 0xE3, 0xBA, 0xC3];

#[test]
fn the_walk_decodes_each_row_from_its_own_bytes() {
    let mut page = page();
    receive(&mut page, &NI_UTF8);
    assert_eq!(texts(&page), ["你"]);
    page.perform(PageAction::SetEncoding(TextEncoding::Gbk), &no_waker());
    receive(&mut page, &NIHAO_GBK);
    receive(&mut page, &NIHAO_GBK);
    // 你 in UTF-8 read as GBK: a character and a lead byte that nothing completes. It is not
    // carried into the next echo (which would read 犇愫 and 媚愫).
    assert_eq!(texts(&page), ["浣\\xA0", "你好", "你好"]);
    page.perform(PageAction::SetEncoding(TextEncoding::Utf8), &no_waker());
    let rows = texts(&page);
    assert_eq!(rows[0], "你");
    page.perform(PageAction::ClearLog, &no_waker());
    receive(&mut page, b"seq 7");
    assert_eq!(texts(&page), ["seq 7"], "no byte of a row before Clear");
    // And switching again re-decodes it alone.
    page.perform(PageAction::SetEncoding(TextEncoding::Gbk), &no_waker());
    assert_eq!(texts(&page), ["seq 7"]);
}

#[test]
fn gbk_rows_read_as_utf8_keep_their_bytes_to_themselves() {
    let mut page = page();
    page.perform(PageAction::SetEncoding(TextEncoding::Gbk), &no_waker());
    receive(&mut page, &NIHAO_GBK);
    receive(&mut page, b"seq 7");
    page.perform(PageAction::SetEncoding(TextEncoding::Utf8), &no_waker());
    // C3 could begin a UTF-8 character, but "seq 7" does not finish it: it stays in its row.
    assert_eq!(texts(&page), ["\\xC4\\xE3\\xBA\\xC3", "seq 7"]);
}

#[test]
fn a_character_split_across_reads_still_joins() {
    let mut page = page();
    receive(&mut page, &[b'A', 0xE4]);
    receive(&mut page, &[0xBD, 0xA0, b'B']);
    assert_eq!(texts(&page), ["A", "你B"]);
    page.perform(PageAction::SetEncoding(TextEncoding::Gbk), &no_waker());
    page.perform(PageAction::ClearLog, &no_waker());
    receive(&mut page, &[b'x', 0xC4]);
    receive(&mut page, &[0xE3, 0xBA, 0xC3]);
    assert_eq!(texts(&page), ["x", "你好"]);
}

#[test]
fn an_unfinished_character_the_next_read_does_not_complete_stays_in_its_row() {
    let mut page = page();
    receive(&mut page, &[b'A', 0xE4, 0xBD]);
    receive(&mut page, b"B");
    assert_eq!(texts(&page), ["A\\xE4\\xBD", "B"]);
}

#[test]
fn an_invalid_byte_is_shown_in_its_own_row_and_never_carried() {
    let mut page = page();
    receive(&mut page, &[b'A', 0xFF]);
    receive(&mut page, &[0x80, b'B']);
    assert_eq!(texts(&page), ["A\\xFF", "\\x80B"]);
}
