//! A session mode's run: print every event, feed the input, end cleanly. The run ends when
//! the input is all out and `--wait-ms` has passed (clients, UDP senders), at `--count`, on
//! Ctrl+C or SIGTERM (connections closed with FIN, `closed` lines printed, files finished; exit
//! 130 or 143), or when stdout is closed (`| head`: exit 0, quietly).

use crossbeam_channel::{Receiver, after, never, select};

use super::input::{self, Fed, Input};
use super::output::{stdout_failed, warn};
use super::plan::{Plan, plan};
use super::signals;
use super::{EXIT_NETWORK, EXIT_OK, EXIT_USAGE, Mode};
use crate::error::Error;
use crate::net::{
    CloseReason, Destination, Event, EventKind, FileSend, SequenceOutcome, SessionKind, file_chunk,
};

/// Whether `event` means a sequence has someone to send to: a client connected, a UDP socket
/// bound, a server's first client, a relay's first pair joined.
fn sequence_can_start(event: &EventKind, kind: SessionKind) -> bool {
    matches!(
        (event, kind),
        (EventKind::Connected { .. }, SessionKind::TcpClient)
            | (EventKind::Listening { .. }, SessionKind::Udp)
            | (EventKind::Accepted { .. }, SessionKind::TcpServer)
            | (EventKind::Relaying { .. }, SessionKind::Relay)
    )
}

/// `--count N` ends at N messages, even within a batch and among those still arriving while
/// the run stops: the messages of `event` past the Nth are left out (printed and recorded
/// nowhere). `received` counts those kept.
fn keep_counted(count: Option<u64>, received: &mut u64, event: &mut Event) {
    let EventKind::Received { messages, .. } = &mut event.kind else {
        return;
    };
    if let Some(n) = count {
        let left = n.saturating_sub(*received);
        messages.truncate(usize::try_from(left).unwrap_or(usize::MAX));
    }
    *received += messages.len() as u64;
}

/// How the loop over events ended.
enum Ending {
    /// The session stopped by itself (a client that could not connect, say).
    Stopped,
    /// Input done and waited for, `--count` reached, or the events ended.
    Done,
    /// SIGINT or SIGTERM: exit with this code.
    Signal(i32),
    /// Stdout failed (`stdout_error` says how): nobody reads it any more, or it is full.
    StdoutFailed,
}

pub fn run(mode: Mode) -> Result<i32, Error> {
    let Plan {
        mut pcap,
        mut python_peer,
        session,
        mut printer,
        input,
        per_client,
        destination,
        wait,
        count,
        ends_after_input,
        mut sequence,
    } = plan(mode)?;
    let has_sequence = sequence.is_some();
    let mut running_sequence = None;
    let signal = signals::listen();
    let mut input = Some(input);
    let mut fed: Receiver<Fed> = never();
    let mut input_done = false;
    let mut received = 0u64;
    let mut deadline = never();
    let mut deadline_set = false;
    let mut failed = false;
    // The first failure to print; nothing more is printed after it.
    let mut stdout_error: Option<std::io::Error> = None;
    let mut bad_input = false;
    // A server's file sends to its clients; dropping them stops them.
    let mut file_sends: Vec<FileSend> = Vec::new();

    let mut record = |event: &Event, failed: &mut bool| {
        if let Some(log) = &mut python_peer {
            log.record(event);
        }
        if let Some(log) = &mut pcap
            && let Err(error) = log.write(event)
        {
            // The session goes on; the file says no more, and the exit code says so.
            warn(&format!("error: {error}"));
            *failed = true;
            pcap = None;
        }
    };

    let ending = loop {
        select! {
            recv(session.events()) -> event => {
                let Ok(mut event) = event else { break Ending::Done };
                keep_counted(count, &mut received, &mut event);
                if let Err(err) = printer.print(&event) {
                    stdout_error = Some(err);
                    break Ending::StdoutFailed;
                }
                record(&event, &mut failed);
                // A sequence starts once there is someone to send to.
                if sequence_can_start(&event.kind, session.kind())
                    && let Some((steps, encoding)) = sequence.take()
                {
                    match session.run_sequence(destination.clone(), &steps, encoding) {
                        Ok(run) => running_sequence = Some(run),
                        Err(error) => {
                            warn(&format!("error: {error}"));
                            failed = true;
                            break Ending::Done;
                        }
                    }
                }
                match &event.kind {
                    EventKind::SequenceEnded { outcome } => {
                        failed |= matches!(outcome, SequenceOutcome::Failed { .. });
                        input_done = true;
                        if !ends_after_input {
                            break Ending::Done;
                        }
                    }
                    // Ready to send: a client connected, or a UDP socket bound.
                    EventKind::Connected { .. } | EventKind::Listening { .. } => {
                        if let Some(input) = input.take() {
                            let nothing = matches!(input, Input::Nothing);
                            if nothing && !has_sequence && session.kind() != SessionKind::TcpServer {
                                input_done = true;
                            } else if !nothing {
                                fed = input::feed(input, session.handle(), destination.clone());
                            }
                        }
                    }
                    EventKind::Accepted { client, .. } => {
                        let to = Destination::Client(*client);
                        for message in &per_client.0 {
                            if let Err(error) = session.send(to.clone(), message.clone()) {
                                warn(&format!("error: {error}"));
                                failed = true;
                            }
                        }
                        if let Some(path) = &per_client.1 {
                            // Ended sends are let go: each held its thread's stack until the
                            // run ended, and some 33,000 clients later no thread could start.
                            file_sends.retain(FileSend::is_running);
                            match session.send_file(to, path, file_chunk(session.kind())) {
                                Ok(file) => file_sends.push(file),
                                Err(error) => {
                                    warn(&format!("error: {error}"));
                                    failed = true;
                                }
                            }
                        }
                    }
                    EventKind::Error { .. } => failed = true,
                    // A write that failed (or timed out), or a TLS peer's refusal, closed the
                    // connection: an error, said on stderr as errors are (the `closed` line
                    // says it too).
                    EventKind::Closed {
                        reason:
                            CloseReason::Failed(
                                error @ (Error::SendTimeout { .. }
                                | Error::SendFailed { .. }
                                | Error::TlsHandshake { .. }),
                            ),
                        ..
                    } => {
                        warn(&format!("error: {error}"));
                        failed = true;
                    }
                    EventKind::Stopped => break Ending::Stopped,
                    _ => {}
                }
            },
            recv(fed) -> result => {
                fed = never();
                input_done = true;
                if let Ok(result) = result {
                    bad_input |= result.bad_lines > 0;
                    if let Some(error) = result.failure {
                        warn(&format!("error: {error}"));
                        failed = true;
                    }
                }
            },
            // The last message in flight went out: the checks below look again.
            recv(session.idle()) -> _ => {},
            recv(signal) -> stop => break stop.map_or(Ending::Done, |s| Ending::Signal(s.exit_code)),
            recv(deadline) -> _ => break Ending::Done,
        }
        // Everything handed to the session is out (replies included).
        let idle = session.in_flight() == 0;
        if idle && count.is_some_and(|n| received >= n) {
            break Ending::Done;
        }
        if ends_after_input && input_done && idle && !deadline_set {
            deadline = after(wait);
            deadline_set = true;
        }
    };

    drop(file_sends);
    drop(running_sequence);
    // What happens while stopping (how each connection closed): printed, unless stdout is
    // gone, and recorded.
    session.stop_and_drain(|mut event| {
        keep_counted(count, &mut received, &mut event);
        if stdout_error.is_none() {
            stdout_error = printer.print(&event).err();
        } else if let EventKind::Error { error, .. } = &event.kind {
            warn(&format!("error: {error}"));
        }
        failed |= matches!(event.kind, EventKind::Error { .. });
        record(&event, &mut failed);
    });
    if let Some(log) = python_peer {
        if stdout_error.is_none() {
            stdout_error = log.show(&mut std::io::stdout().lock()).err();
        }
        if let Err(error) = log.write() {
            warn(&format!("error: {error}"));
            failed = true;
        }
    }
    Ok(match ending {
        Ending::Signal(code) => code,
        _ if stdout_error.is_some() => stdout_error.as_ref().map_or(EXIT_OK, stdout_failed),
        _ if failed => EXIT_NETWORK,
        _ if bad_input => EXIT_USAGE,
        _ => EXIT_OK,
    })
}
