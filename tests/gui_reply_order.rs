//! Issue 27 item 5: under load (an upload read in batches while the window is busy), the row
//! of an auto-reply always follows the row of the message it answers.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::drain_until;
use socket_tester::gui::model::log::Direction;
use socket_tester::gui::model::page::{Link, Page, PageConfig};
use socket_tester::net::rules::{MatchKind, Rule};
use socket_tester::net::{SessionKind, no_waker};

const CHUNKS: usize = 2000;

#[test]
fn every_auto_reply_row_follows_the_row_it_answers() {
    let mut page = Page::new(
        SessionKind::TcpServer,
        PageConfig {
            bind_address: "127.0.0.1".into(),
            bind_port: "0".into(),
            rules: vec![Rule {
                enabled: true,
                kind: MatchKind::Any,
                reply: "ACK".into(),
                ..Rule::default()
            }],
            ..PageConfig::default_for(SessionKind::TcpServer)
        },
    );
    page.toggle(no_waker());
    drain_until(&mut page, "listening", |p| {
        matches!(p.link(), Link::Listening { .. })
    });
    let Link::Listening { local } = *page.link() else {
        unreachable!()
    };
    let client = TcpStream::connect(local).unwrap();
    let mut reader = client.try_clone().unwrap();
    let acks = std::thread::spawn(move || {
        let mut sink = vec![0u8; 64 * 1024];
        let mut total = 0;
        while let Ok(n) = reader.read(&mut sink) {
            if n == 0 {
                break;
            }
            total += n;
        }
        total
    });
    // The window is busy while the upload runs (it drains every 20 ms): the reader batches
    // its reads.
    const CHUNK: usize = 25_000;
    let mut writer = client.try_clone().unwrap();
    let upload = std::thread::spawn(move || {
        for _ in 0..CHUNKS {
            writer.write_all(&[b'u'; CHUNK]).unwrap();
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let total = (CHUNKS * CHUNK) as u64;
    while page.totals().rx_bytes < total {
        assert!(Instant::now() < deadline, "the upload arrives");
        page.drain_events();
        std::thread::sleep(Duration::from_millis(20));
    }
    upload.join().unwrap();
    // Every message answered and logged: as many replies as messages (a reply's row comes
    // after its message's, so the count of replies catches up last).
    let counts = |page: &socket_tester::gui::model::page::Page| {
        let log = page.log();
        (0..log.len()).fold((0usize, 0usize), |(rx, tx), i| match log.direction(i) {
            Direction::Rx => (rx + 1, tx),
            Direction::Tx => (rx, tx + 1),
            _ => (rx, tx),
        })
    };
    loop {
        page.drain_events();
        let (rx, tx) = counts(&page);
        if tx >= rx {
            break;
        }
        assert!(Instant::now() < deadline, "{tx} of {rx} replies logged");
        std::thread::sleep(Duration::from_millis(5));
    }
    client.shutdown(std::net::Shutdown::Both).unwrap();
    drop(acks.join());
    // At every row, no more replies have been logged than messages received.
    let log = page.log();
    let (mut received, mut replied) = (0usize, 0usize);
    for i in 0..log.len() {
        match log.direction(i) {
            Direction::Rx => received += 1,
            Direction::Tx => {
                replied += 1;
                assert!(
                    replied <= received,
                    "row {i}: reply {replied} logged before its message ({received} received)"
                );
            }
            _ => {}
        }
    }
    assert!(
        replied > 0 && replied == received,
        "{replied} of {received}"
    );
}
