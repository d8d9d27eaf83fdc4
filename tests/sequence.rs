//! Send sequences over real sockets on loopback: sends, waits for replies that match, waits,
//! rounds, a wait that times out, stopping, and the command line's `--sequence FILE`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread;

use common::{DEADLINE, TempDir, run_cli, wait_for};
use crossbeam_channel::Receiver;
use socket_tester::codec::TextEncoding;
use socket_tester::net::addr::HostPort;
use socket_tester::net::{
    Destination, EventKind, MatchKind, Sequence, SequenceOutcome, SequenceRun, Session, Step,
    StepState, TcpClientConfig, no_waker,
};

/// A device that answers each line: "PING n" with "PONG n"; other lines get no answer. Every
/// line it reads is passed on.
fn device() -> (SocketAddr, Receiver<String>) {
    let (addr, lines) = raw_device();
    let (text_tx, text) = crossbeam_channel::unbounded();
    thread::spawn(move || {
        for line in lines {
            let _ = text_tx.send(String::from_utf8_lossy(&line).into_owned());
        }
    });
    (addr, text)
}

/// The device, passing on each line's bytes (without the newline) as they came.
fn raw_device() -> (SocketAddr, Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (lines_tx, lines) = crossbeam_channel::unbounded();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let lines_tx = lines_tx.clone();
            thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                for line in BufReader::new(stream).split(b'\n') {
                    let Ok(line) = line else { return };
                    if let Some(n) = line.strip_prefix(b"PING") {
                        let _ = writer.write_all(&[b"PONG", n, b"\n"].concat());
                    }
                    let _ = lines_tx.send(line);
                }
            });
        }
    });
    (addr, lines)
}

fn client_of(addr: SocketAddr) -> Session {
    let client = Session::tcp_client(
        TcpClientConfig::new(HostPort {
            host: addr.ip().to_string(),
            port: addr.port(),
        }),
        no_waker(),
    )
    .unwrap();
    wait_for(&client, "Connected", |kind| {
        matches!(kind, EventKind::Connected { .. }).then_some(())
    });
    client
}

fn send(text: &str) -> Step {
    Step::Send {
        text: text.to_string(),
        format: socket_tester::codec::PayloadFormat {
            escapes: true,
            ..Default::default()
        },
    }
}

fn expect(pattern: &str, timeout_ms: u64) -> Step {
    Step::Expect {
        kind: MatchKind::ContainsText,
        pattern: pattern.to_string(),
        timeout_ms,
    }
}

/// Sends a marker line now and checks it is the next line the device reads: nothing went out
/// in between (`why` says what that means).
fn assert_the_next_line_is_a_marker(client: &Session, lines: &Receiver<String>, why: &str) {
    client
        .send(Destination::Default, b"MARK\n".to_vec())
        .unwrap();
    assert_eq!(lines.recv_timeout(DEADLINE).unwrap(), "MARK", "{why}");
}

/// Runs `sequence` on `client`, to the default destination.
fn start(client: &Session, sequence: &Sequence) -> SequenceRun {
    client
        .run_sequence(Destination::Default, sequence, TextEncoding::Utf8)
        .unwrap()
}

/// Every step that ended, as (round, step, state), and how the sequence ended.
fn outcome(session: &Session) -> (Vec<(u64, usize, StepState)>, SequenceOutcome) {
    let mut ended = Vec::new();
    loop {
        let event = session.events().recv_timeout(DEADLINE).expect("an event");
        match event.kind {
            EventKind::SequenceStep {
                state: StepState::Running,
                ..
            } => {}
            EventKind::SequenceStep { round, step, state } => ended.push((round, step, state)),
            EventKind::SequenceEnded { outcome } => return (ended, outcome),
            _ => {}
        }
    }
}

#[test]
fn a_sequence_sends_waits_for_each_reply_and_runs_its_rounds() {
    let (addr, lines) = device();
    let client = client_of(addr);
    let sequence = Sequence {
        steps: vec![
            send("PING ${seq}\\n"),
            expect("PONG", 2_000),
            Step::Wait { ms: 20 },
            send("DONE\\n"),
        ],
        rounds: 2,
    };
    let _run = start(&client, &sequence);
    let (steps, end) = outcome(&client);
    assert_eq!(end, SequenceOutcome::Passed { rounds: 2 });
    let expected: Vec<(u64, usize, StepState)> = (1..=2)
        .flat_map(|round| (0..4).map(move |step| (round, step, StepState::Passed)))
        .collect();
    assert_eq!(steps, expected);
    let got: Vec<String> = (0..4)
        .map(|_| lines.recv_timeout(DEADLINE).unwrap())
        .collect();
    assert_eq!(got, ["PING 1", "DONE", "PING 3", "DONE"]);
}

#[test]
fn a_wait_that_times_out_fails_the_sequence_at_that_step() {
    let (addr, lines) = device();
    let client = client_of(addr);
    let sequence = Sequence {
        steps: vec![send("HELLO\\n"), expect("WELCOME", 200), send("AFTER\\n")],
        rounds: 1,
    };
    let _run = start(&client, &sequence);
    let (steps, end) = outcome(&client);
    assert_eq!(end, SequenceOutcome::Failed { round: 1, step: 1 });
    assert_eq!(
        steps,
        [
            (1, 0, StepState::Passed),
            (1, 1, StepState::TimedOut { millis: 200 })
        ]
    );
    assert_eq!(lines.recv_timeout(DEADLINE).unwrap(), "HELLO");
    // Nothing was sent after the failed step (it would have gone out before the sequence said
    // it ended).
    assert_the_next_line_is_a_marker(&client, &lines, "nothing is sent after the failed step");
}

#[test]
fn a_sequence_without_an_end_runs_until_stopped() {
    let (addr, lines) = device();
    let client = client_of(addr);
    let sequence = Sequence {
        steps: vec![send("PING\\n"), expect("PONG", 2_000)],
        rounds: 0,
    };
    let run = start(&client, &sequence);
    for _ in 0..5 {
        assert_eq!(lines.recv_timeout(DEADLINE).unwrap(), "PING");
    }
    assert!(run.is_running());
    // Nothing took the events meanwhile, so the channel may be full, with the sequence waiting
    // for room: they are taken on another thread while the run is dropped (which waits for
    // the sequence's thread), or neither side could go on.
    let events = client.events().clone();
    let ended = thread::spawn(move || {
        loop {
            let event = events
                .recv_timeout(DEADLINE)
                .expect("no SequenceEnded after the run was dropped");
            if let EventKind::SequenceEnded { outcome } = event.kind {
                return outcome;
            }
        }
    });
    drop(run);
    assert_eq!(ended.join().unwrap(), SequenceOutcome::Stopped);
}

#[test]
fn a_bad_step_is_refused_before_anything_is_sent() {
    let (addr, lines) = device();
    let client = client_of(addr);
    let bad_hex = Sequence {
        steps: vec![
            send("FIRST\\n"),
            Step::Send {
                text: "01 0G".to_string(),
                format: socket_tester::codec::PayloadFormat {
                    mode: socket_tester::codec::InputMode::Hex,
                    ..Default::default()
                },
            },
        ],
        rounds: 1,
    };
    let error = client
        .run_sequence(Destination::Default, &bad_hex, TextEncoding::Utf8)
        .err()
        .expect("refused");
    assert!(error.to_string().contains('G'), "{error}");
    let empty = Sequence::default();
    assert_eq!(
        empty.check().unwrap_err().to_string(),
        "not a usable sequence: it has no steps"
    );
    assert_the_next_line_is_a_marker(&client, &lines, "nothing was sent");
}

#[test]
fn a_sequence_file_runs_from_the_command_line_and_a_timeout_exits_1() {
    let (addr, lines) = device();
    let dir = TempDir::new("sequence-cli");
    let passing = dir.file("passing.json");
    std::fs::write(
        &passing,
        r#"{"rounds": 2, "steps": [
            {"step": "send", "text": "PING ${seq}\\n", "format": {"escapes": true}},
            {"step": "expect", "kind": "ContainsText", "pattern": "PONG", "timeout_ms": 2000}
        ]}"#,
    )
    .unwrap();
    let target = addr.to_string();
    let (code, out, stderr) = run_cli(&[
        "tcp-client",
        &target,
        "--sequence",
        passing.to_str().unwrap(),
        "--wait-ms",
        "0",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let said: Vec<String> = out
        .iter()
        .filter_map(|line| {
            let json: serde_json::Value = serde_json::from_str(line).unwrap();
            let event = json["event"].as_str()?.to_string();
            matches!(event.as_str(), "step" | "sequence" | "rx").then(|| {
                let what = ["result", "reason", "text"]
                    .iter()
                    .find_map(|key| json[key].as_str())
                    .unwrap_or("");
                format!("{event} {} {what}", json["step"].as_u64().unwrap_or(0))
            })
        })
        .collect();
    let steps: Vec<&String> = said.iter().filter(|s| !s.starts_with("rx")).collect();
    assert_eq!(
        steps,
        [
            "step 1 passed",
            "step 2 passed",
            "step 1 passed",
            "step 2 passed",
            "sequence 0 passed (2 rounds)"
        ],
        "{out:?}"
    );
    // Each reply is printed before the wait for it passes.
    let at = |line: &str| said.iter().position(|s| s == line).expect(line);
    let second_wait = said.iter().rposition(|s| s == "step 2 passed").unwrap();
    assert!(at("rx 0 PONG 1\n") < at("step 2 passed"), "{said:?}");
    assert!(at("rx 0 PONG 2\n") < second_wait, "{said:?}");
    assert_eq!(lines.recv_timeout(DEADLINE).unwrap(), "PING 1");

    let failing = dir.file("failing.json");
    std::fs::write(
        &failing,
        r#"{"steps": [{"step": "expect", "pattern": "never", "timeout_ms": 100}]}"#,
    )
    .unwrap();
    let (code, out, _) = run_cli(&[
        "tcp-client",
        &target,
        "--sequence",
        failing.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "a wait that timed out: {out:?}");
    assert!(
        out.iter()
            .any(|line| line.ends_with("step 1 timed_out (round 1) nothing matched within 100 ms")),
        "{out:?}"
    );
    let (code, _, stderr) = run_cli(&["tcp-client", &target, "--sequence", "/nonexistent.json"]);
    assert_eq!(code, 2, "{stderr}");
}

/// A device that answers a line with two replies in one write, and a third a little later.
fn chatty_device() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut writer = stream.try_clone().unwrap();
        let mut lines = BufReader::new(stream).lines();
        if let Some(Ok(_)) = lines.next() {
            let _ = writer.write_all(b"ALPHA\nBETA\n");
            thread::sleep(std::time::Duration::from_millis(100));
            let _ = writer.write_all(b"GAMMA\n");
        }
        // Held open until the client goes.
        let _ = lines.next();
    });
    addr
}

/// Every Expect step up to the next send is armed at that send: a reply that comes in the
/// same read as the one before it, or while a Wait step runs, passes its step.
#[test]
fn replies_in_one_read_or_during_a_wait_each_pass_their_step() {
    let client = client_of(chatty_device());
    let sequence = Sequence {
        steps: vec![
            send("go\\n"),
            expect("ALPHA", 2_000),
            expect("BETA", 2_000),
            Step::Wait { ms: 400 },
            expect("GAMMA", 2_000),
        ],
        rounds: 1,
    };
    let _run = start(&client, &sequence);
    let (steps, end) = outcome(&client);
    assert_eq!(end, SequenceOutcome::Passed { rounds: 1 }, "{steps:?}");
}

/// Issue 28 item 3: a send after an expect step uses what that step's message matched, as an
/// auto-reply does: the device's number comes back in the next message, with a checksum over
/// the message as built.
#[test]
fn a_send_after_an_expect_uses_what_the_reply_matched() {
    let (addr, lines) = raw_device();
    let client = client_of(addr);
    let sum8 = Step::Send {
        text: "SUM ${1}".to_string(),
        format: socket_tester::codec::PayloadFormat {
            checksum: socket_tester::codec::Checksum::Sum8,
            line_ending: socket_tester::codec::LineEnding::Lf,
            ..Default::default()
        },
    };
    let sequence = Sequence {
        steps: vec![
            send("PING ${random:100:999}\\n"),
            Step::Expect {
                kind: MatchKind::Regex,
                pattern: r"PONG (\d+)".to_string(),
                timeout_ms: 2_000,
            },
            send("ACK ${1} of ${rx.len}: ${rx.hex}\\n"),
            sum8,
        ],
        rounds: 1,
    };
    let _run = start(&client, &sequence);
    let (_, end) = outcome(&client);
    assert_eq!(end, SequenceOutcome::Passed { rounds: 1 });
    let ping = lines.recv_timeout(DEADLINE).unwrap();
    let number = String::from_utf8(ping[b"PING ".len()..].to_vec()).unwrap();
    let pong = format!("PONG {number}\n");
    let hex: Vec<String> = pong.bytes().map(|b| format!("{b:02X}")).collect();
    assert_eq!(
        lines.recv_timeout(DEADLINE).unwrap(),
        format!("ACK {number} of 9: {}", hex.join(" ")).into_bytes()
    );
    let sum = format!("SUM {number}")
        .bytes()
        .fold(0u8, |sum, b| sum.wrapping_add(b));
    // "SUM " and three digits add up to 171..=192: never the device's newline.
    let line = lines.recv_timeout(DEADLINE).unwrap();
    assert_eq!(line, [format!("SUM {number}").as_bytes(), &[sum]].concat());
}

#[test]
fn a_send_naming_a_match_it_cannot_have_is_refused_with_where_and_why() {
    for (steps, words) in [
        (
            vec![send("ACK ${rx}")],
            "step 1 (send) uses what a reply matched, but no expect",
        ),
        (
            vec![send("PING\\n"), expect("PONG", 1_000), send("ACK ${1}")],
            "step 3 (send) names ${1}, but the expect step before it has 0 groups",
        ),
    ] {
        let error = Sequence { steps, rounds: 1 }
            .check()
            .unwrap_err()
            .to_string();
        assert!(error.contains(words), "{error}");
    }
}
