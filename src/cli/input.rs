//! What the command line sends, fed to the session from a thread of its own that waits while
//! the peer is slower than the input: nothing is dropped and nothing piles up in memory.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use crossbeam_channel::{Receiver, bounded};

use crate::cli::output::warn;
use crate::codec::template::{Random, Template, Values};
use crate::codec::{PayloadFormat, build_payload};
use crate::error::Error;
use crate::net::Handle;
use crate::net::{Destination, FileSend, Repeater, file_chunk};

/// Where the messages come from.
pub enum Input {
    /// Nothing to send.
    Nothing,
    /// `--send` messages, once.
    Messages(Vec<Vec<u8>>),
    /// `--send` messages every `every`, `rounds` times (None: until stopped).
    Repeat {
        messages: Vec<Template>,
        every: Duration,
        rounds: Option<u64>,
    },
    /// `--send` messages, then a file read as the peer takes it.
    MessagesThenFile(Vec<Vec<u8>>, PathBuf),
    /// Each line of standard input is a message.
    Stdin(PayloadFormat),
}

/// How feeding ended.
#[derive(Debug, Default)]
pub struct Fed {
    /// Input lines that were not valid (bad hex, say): told on stderr and skipped.
    pub bad_lines: u64,
    /// Why feeding stopped before the end (the connection closed, a file could not be read).
    pub failure: Option<Error>,
}

/// Starts feeding `input` to the session; the channel gets one `Fed` when all of it is handed
/// over (never, for endless repeats).
pub fn feed(input: Input, handle: Handle, to: Destination) -> Receiver<Fed> {
    let (done_tx, done_rx) = bounded(1);
    let spawned = std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            let _ = done_tx.send(run(input, &handle, &to));
        });
    if let Err(err) = spawned {
        warn(&format!("error: the input thread could not start: {err}"));
    }
    done_rx
}

fn run(input: Input, handle: &Handle, to: &Destination) -> Fed {
    let mut fed = Fed::default();
    let send = |data: Vec<u8>| handle.send_wait(to.clone(), data, None, &[]);
    match input {
        Input::Nothing => {}
        Input::Messages(messages) => {
            fed.failure = messages.into_iter().map(send).find_map(Result::err);
        }
        Input::MessagesThenFile(messages, path) => {
            fed.failure = messages.into_iter().map(send).find_map(Result::err);
            if fed.failure.is_none() {
                let chunk = file_chunk(handle.kind());
                fed.failure = match FileSend::start(handle.clone(), to.clone(), &path, chunk) {
                    Ok(file) => file.wait(),
                    Err(error) => Some(error),
                };
            }
        }
        Input::Repeat {
            messages,
            every,
            rounds,
        } => match Repeater::start(handle.clone(), to.clone(), messages, every, rounds) {
            Ok(repeater) => repeater.wait(),
            Err(error) => fed.failure = Some(error),
        },
        Input::Stdin(format) => {
            let mut random = Random::new(0);
            for (seq, line) in (1..).zip(std::io::stdin().lock().lines()) {
                let Ok(line) = line else { break };
                let text = line.trim_end_matches('\r');
                // Variables where a line has them; any other line (an empty one too) as typed.
                let built = if text.contains("${") {
                    Template::parse(text, format).map(|template| {
                        template.render(Values {
                            seq,
                            client: 0,
                            random: random.draw(),
                        })
                    })
                } else {
                    build_payload(text, &format)
                };
                match built {
                    Ok(data) => {
                        if let Err(error) = send(data) {
                            fed.failure = Some(error);
                            break;
                        }
                    }
                    Err(error) => {
                        fed.bad_lines += 1;
                        warn(&format!("error: {error} (line skipped)"));
                    }
                }
            }
        }
    }
    fed
}
