//! Send sequences: steps run in order over a session's connection or socket (send a message,
//! wait, wait for a reply that matches), once, N times or until stopped. A thread runs them
//! and reports each step as events, for the window and the command line alike.

use std::collections::VecDeque;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, select};
use serde::{Deserialize, Serialize};

use crate::codec::payload::finish_payload;
use crate::codec::reply_template::ReplyTemplate;
use crate::codec::template::{Random, Template, Values};
use crate::codec::{LineEnding, PayloadFormat, TextEncoding};
use crate::error::Error;
use crate::net::command::Destination;
use crate::net::event::EventKind;
use crate::net::rules::{MatchKind, Matcher};
use crate::net::session::Handle;
use crate::net::stoppable::{StopSignal, Stoppable};

/// One step, as a person writes it (kept with the settings, and in sequence files as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Send a message, written as a preset is (text or hex, encoding, escapes, checksum).
    /// After an Expect step it can use what that step's message matched, as an auto-reply
    /// does: `${1}`…`${9}`, `${rx}`, `${rx.hex}`, `${rx.len}`, `${rx[A..B]}`.
    Send {
        text: String,
        #[serde(default)]
        format: PayloadFormat,
    },
    /// Wait this many milliseconds.
    Wait { ms: u64 },
    /// Wait at most `timeout_ms` for a message that matches, as an auto-reply rule matches
    /// (received since the last send, so a quick reply is not missed).
    Expect {
        #[serde(default)]
        kind: MatchKind,
        #[serde(default)]
        pattern: String,
        timeout_ms: u64,
    },
}

/// Steps and how many times to run them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sequence {
    pub steps: Vec<Step>,
    /// Rounds to run; 0: until stopped.
    pub rounds: u64,
}

impl Default for Sequence {
    fn default() -> Sequence {
        Sequence {
            steps: Vec::new(),
            rounds: 1,
        }
    }
}

impl Sequence {
    /// Reads a sequence file (JSON, as [`Sequence::to_json`] writes it).
    pub fn from_json(text: &str) -> Result<Sequence, Error> {
        serde_json::from_str(text).map_err(|err| Error::BadSequence(err.to_string()))
    }

    /// Checks every step (bad hex, a bad regular expression, no steps at all) without sending.
    pub fn check(&self) -> Result<(), Error> {
        self.compiled().map(drop)
    }

    fn compiled(&self) -> Result<Vec<Compiled>, Error> {
        if self.steps.is_empty() {
            return Err(Error::BadSequence("it has no steps".to_string()));
        }
        let mut last_expect: Option<Matcher> = None;
        let mut compiled = Vec::with_capacity(self.steps.len());
        for (index, step) in self.steps.iter().enumerate() {
            let step = compile(step, index, last_expect.as_ref())?;
            if let Compiled::Expect(matcher, _) = &step {
                last_expect = Some(matcher.clone());
            }
            compiled.push(step);
        }
        Ok(compiled)
    }

    pub fn to_json(&self) -> String {
        // Strings, numbers and enums only: serializing cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Where a step stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    Running,
    Passed,
    /// No message matched within the step's time.
    TimedOut {
        millis: u64,
    },
    /// The message could not be sent.
    Failed(Error),
}

/// How a sequence ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceOutcome {
    /// Every step of every round passed.
    Passed {
        rounds: u64,
    },
    /// Step `step` (from 0) of round `round` (from 1) failed; the sequence stopped there.
    Failed {
        round: u64,
        step: usize,
    },
    Stopped,
}

/// The longest a step may wait (24 h): a longer wait is a typing mistake, not a test.
pub const MAX_STEP_MS: u64 = 24 * 60 * 60 * 1000;

/// `ms` as a step's time, or the error that says it is over the limit.
fn step_time(step: &'static str, ms: u64) -> Result<Duration, Error> {
    if ms > MAX_STEP_MS {
        return Err(Error::StepTooLong { step, ms });
    }
    Ok(Duration::from_millis(ms))
}

/// A step ready to run.
enum Compiled {
    Send(Message),
    Wait(Duration),
    Expect(Matcher, Duration),
}

/// A send step's message: with variables (`${seq}`…), or built from what the last Expect
/// step matched (its line ending and checksum added after).
enum Message {
    Plain(Template),
    Matched {
        reply: ReplyTemplate,
        format: PayloadFormat,
    },
}

/// A message an Expect step was waiting for, to hand to it once the message is in the log.
pub(crate) struct Met {
    wait: Sender<Vec<u8>>,
    message: Vec<u8>,
}

impl Met {
    pub fn tell(self) {
        // A wait given up (the sequence stopped) no longer listens.
        let _ = self.wait.try_send(self.message);
    }
}

/// A sequence's waits for replies, armed in the session from a send on: every Expect step up
/// to the next send, in order. Its receivers offer every message to the first wait not yet
/// met, so a reply that comes in the same read as the one before it, or while a Wait step
/// runs, is counted for its step, never lost.
pub(crate) struct Expectation {
    /// Each wait's pattern and where to say it was met (with the message), in step order.
    pub waits: Vec<(Matcher, Sender<Vec<u8>>)>,
    /// How many waits are met.
    pub met: usize,
    pub encoding: TextEncoding,
}

impl Expectation {
    /// Where to tell the waiting steps that `data` met: the first wait not yet met, and the
    /// ones after it while it meets them too (a device's two replies in one read). The
    /// receiver tells them once the message is reported, so the reply is in the log before a
    /// step passes.
    pub fn offer(&mut self, data: &[u8]) -> Vec<Met> {
        let text = if self.waits.iter().any(|(matcher, _)| matcher.needs_text()) {
            self.encoding.decode_whole(data)
        } else {
            String::new()
        };
        let mut met = Vec::new();
        while let Some((matcher, matched)) = self.waits.get(self.met)
            && matcher.matches(data, &text)
        {
            met.push(Met {
                wait: matched.clone(),
                message: data.to_vec(),
            });
            self.met += 1;
        }
        met
    }
}

/// A sequence running on its own thread. Dropping it stops it.
pub struct SequenceRun(Stoppable);

impl SequenceRun {
    /// Checks every step (bad hex, a bad regular expression) before anything is sent, then
    /// starts. Text is encoded in, and text patterns read received bytes as, `encoding`.
    pub(crate) fn start(
        handle: Handle,
        to: Destination,
        sequence: &Sequence,
        encoding: TextEncoding,
    ) -> Result<SequenceRun, Error> {
        let steps = sequence.compiled()?;
        let rounds = (sequence.rounds > 0).then_some(sequence.rounds);
        let thread = Stoppable::spawn("sequence", move |stop| {
            let runner = Runner {
                handle,
                to,
                steps,
                encoding,
                stop,
            };
            let outcome = runner.run(rounds);
            runner.handle.report(EventKind::SequenceEnded { outcome });
        })?;
        Ok(SequenceRun(thread))
    }

    pub fn is_running(&self) -> bool {
        self.0.is_running()
    }
}

fn compile(step: &Step, index: usize, last_expect: Option<&Matcher>) -> Result<Compiled, Error> {
    Ok(match step {
        Step::Send { text, format } => Compiled::Send(message(text, *format, index, last_expect)?),
        Step::Wait { ms } => Compiled::Wait(step_time("a wait", *ms)?),
        Step::Expect {
            kind,
            pattern,
            timeout_ms,
        } => Compiled::Expect(
            Matcher::new(*kind, pattern)?,
            step_time("an expect's timeout", *timeout_ms)?,
        ),
    })
}

/// A send step's message. One that names what matched is read as an auto-reply is, and needs
/// an Expect step before it whose match has the groups it names.
fn message(
    text: &str,
    format: PayloadFormat,
    index: usize,
    last_expect: Option<&Matcher>,
) -> Result<Message, Error> {
    let plain_error = match Template::parse(text, format) {
        Ok(template) => return Ok(Message::Plain(template)),
        Err(error) => error,
    };
    // The ending and checksum go after the whole message, not after each piece of it.
    let bare = PayloadFormat {
        line_ending: LineEnding::None,
        checksum: crate::codec::Checksum::None,
        ..format
    };
    let Ok(reply) = ReplyTemplate::parse(text, &bare) else {
        return Err(plain_error);
    };
    let step = index + 1;
    let Some(matcher) = last_expect else {
        return Err(Error::BadSequence(format!(
            "step {step} (send) uses what a reply matched, but no expect step comes before it"
        )));
    };
    let (named, has) = (reply.groups_named(), matcher.groups());
    if named > has {
        return Err(Error::BadSequence(format!(
            "step {step} (send) names ${{{named}}}, but the expect step before it has {has} \
             group{} (write a regular expression with groups in parentheses)",
            if has == 1 { "" } else { "s" }
        )));
    }
    Ok(Message::Matched { reply, format })
}

struct Runner {
    handle: Handle,
    to: Destination,
    steps: Vec<Compiled>,
    encoding: TextEncoding,
    stop: StopSignal,
}

impl Runner {
    /// Stopped by its owner, or its session is stopping.
    fn stopped(&self) -> bool {
        self.stop.is_stopped() || self.handle.is_stopping()
    }

    fn run(&self, rounds: Option<u64>) -> SequenceOutcome {
        let mut random = Random::new(self.steps.len() as u64);
        let mut sent = 0u64;
        let mut round = 0u64;
        let outcome = loop {
            round += 1;
            // A sequence that starts by waiting for a message waits for one from now on.
            let mut armed = self.arm(0);
            // The message the last Expect step met, with its pattern: for sends that use it.
            let mut last_met: Option<(&Matcher, Vec<u8>)> = None;
            let mut failed = None;
            for (index, step) in self.steps.iter().enumerate() {
                self.report(round, index, StepState::Running);
                let state = match step {
                    Compiled::Send(message) => {
                        // Armed before the send: a reply that comes at once is not missed.
                        armed = self.arm(index + 1);
                        sent += 1;
                        let data = match message {
                            Message::Plain(template) => template.render(Values {
                                seq: sent,
                                client: 0,
                                random: random.draw(),
                            }),
                            Message::Matched { reply, format } => {
                                self.fill(reply, format, last_met.as_ref())
                            }
                        };
                        let stop = [self.stop.receiver()];
                        match self.handle.send_wait(self.to.clone(), data, None, &stop) {
                            Ok(()) => StepState::Passed,
                            Err(_) if self.stopped() => break,
                            Err(error) => StepState::Failed(error),
                        }
                    }
                    Compiled::Wait(pause) => {
                        select! {
                            recv(self.stop.receiver()) -> _ => break,
                            recv(self.handle.stopping()) -> _ => break,
                            default(*pause) => StepState::Passed,
                        }
                    }
                    Compiled::Expect(matcher, limit) => {
                        // Armed at the send before it (or at the start), in step order.
                        let matched = armed.pop_front().unwrap_or_else(|| bounded(1).1);
                        let state = select! {
                            recv(self.stop.receiver()) -> _ => None,
                            recv(self.handle.stopping()) -> _ => None,
                            recv(matched) -> message => {
                                last_met = message.ok().map(|message| (matcher, message));
                                Some(StepState::Passed)
                            },
                            default(*limit) => Some(StepState::TimedOut {
                                millis: limit.as_millis() as u64,
                            }),
                        };
                        match state {
                            Some(state) => state,
                            None => break,
                        }
                    }
                };
                let passed = state == StepState::Passed;
                self.report(round, index, state);
                if !passed {
                    failed = Some(index);
                    break;
                }
            }
            self.handle.expect(None);
            if let Some(step) = failed {
                break SequenceOutcome::Failed { round, step };
            }
            if self.stopped() {
                break SequenceOutcome::Stopped;
            }
            if rounds.is_some_and(|rounds| round >= rounds) {
                break SequenceOutcome::Passed { rounds: round };
            }
        };
        self.handle.expect(None);
        outcome
    }

    /// A send built from the message the last Expect step met (compile made sure there is
    /// one before it; a sequence stopped meanwhile sends an empty message nobody sees).
    fn fill(
        &self,
        reply: &ReplyTemplate,
        format: &PayloadFormat,
        met: Option<&(&Matcher, Vec<u8>)>,
    ) -> Vec<u8> {
        let (matcher, message) = match met {
            Some((matcher, message)) => (*matcher, message.as_slice()),
            None => (&Matcher::Any, &[][..]),
        };
        let text = if matcher.needs_text() {
            self.encoding.decode_whole(message)
        } else {
            String::new()
        };
        let mut data = matcher.fill(reply, message, &text, self.encoding);
        finish_payload(&mut data, format);
        data
    }

    /// Arms the waits of the Expect steps from `from` up to the next send (or disarms, if
    /// there are none); their receivers, in step order, say when a message met each.
    fn arm(&self, from: usize) -> VecDeque<Receiver<Vec<u8>>> {
        let mut receivers = VecDeque::new();
        let waits: Vec<(Matcher, Sender<Vec<u8>>)> = self.steps[from.min(self.steps.len())..]
            .iter()
            .take_while(|step| !matches!(step, Compiled::Send(_)))
            .filter_map(|step| match step {
                Compiled::Expect(matcher, _) => {
                    let (matched_tx, matched_rx) = bounded(1);
                    receivers.push_back(matched_rx);
                    Some((matcher.clone(), matched_tx))
                }
                _ => None,
            })
            .collect();
        self.handle.expect((!waits.is_empty()).then(|| Expectation {
            waits,
            met: 0,
            encoding: self.encoding,
        }));
        receivers
    }

    fn report(&self, round: u64, step: usize, state: StepState) {
        self.handle
            .report(EventKind::SequenceStep { round, step, state });
    }
}
