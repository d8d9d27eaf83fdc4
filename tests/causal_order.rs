//! A write is reported before anything the peer can send in answer to it: the echo of a
//! message never shows before the message, in the window's log or in the command line's
//! output, however fast the peer answers.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::*;
use socket_tester::gui::model::log::Direction;
use socket_tester::gui::model::page::Page;
use socket_tester::net::no_waker;

const ROUND_TRIPS: usize = 1000;

/// Checks that, row by row, no more bytes have come back than were sent: an echo is never
/// shown before the write it answers. `rows` are (received, bytes).
fn assert_causal(rows: impl IntoIterator<Item = (bool, usize)>) -> usize {
    let (mut sent, mut echoed) = (0, 0);
    for (index, (received, len)) in rows.into_iter().enumerate() {
        if received {
            echoed += len;
            assert!(
                echoed <= sent,
                "row {index}: {echoed} bytes echoed but only {sent} sent"
            );
        } else {
            sent += len;
        }
    }
    echoed
}

#[test]
fn the_window_logs_every_write_before_its_echo() {
    let echo = EchoServer::start();
    let mut page = client_page(echo.addr.port());
    page.toggle(no_waker());
    drain_until(&mut page, "the connection", Page::is_connected);
    for i in 0..ROUND_TRIPS {
        *page.message_mut() = format!("message {i:04}");
        page.send();
        assert_eq!(page.send_error(), None);
        // Each answered before the next: the echo races its own write's report.
        let expected = (i + 1) * 12;
        drain_until(&mut page, "the echo", |page| {
            page.totals().rx_bytes as usize >= expected
        });
    }
    page.drain_events();
    let log = &page.log();
    let rows = (0..log.len()).filter_map(|i| match log.direction(i) {
        Direction::Rx => Some((true, log.data_len(i))),
        Direction::Tx => Some((false, log.data_len(i))),
        _ => None,
    });
    assert_eq!(assert_causal(rows), ROUND_TRIPS * 12);
}

#[test]
fn the_command_line_prints_every_write_before_its_echo() {
    let echo = EchoServer::start();
    let mut cli = Cli::spawn_with_stdin(
        &[
            "tcp-client",
            &echo.addr.to_string(),
            "--eol",
            "lf",
            // One row per echoed line, so the run ends once every echo is back.
            "--framing",
            "line",
            "--count",
            &ROUND_TRIPS.to_string(),
            "--wait-ms",
            WAIT_MS_DEADLINE,
        ],
        Stdio::piped(),
    );
    let mut stdin = cli.stdin();
    let input: String = (0..ROUND_TRIPS)
        .map(|i| format!("message {i:04}\n"))
        .collect();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    let (code, lines, stderr) = cli.finish();
    assert_eq!(code, 0, "{stderr}");
    // "HH:MM:SS.mmm TX 127.0.0.1:PORT 13B message 0001\n"
    let rows = lines.iter().filter_map(|line| {
        let mut words = line.split(' ');
        let direction = words.nth(1)?;
        let len = words.nth(1)?.strip_suffix('B')?.parse().ok()?;
        match direction {
            "RX" => Some((true, len)),
            "TX" => Some((false, len)),
            _ => None,
        }
    });
    assert_eq!(assert_causal(rows), ROUND_TRIPS * 13);
}
