//! A page's send sequence: its steps (kept with the settings, exported and imported as a
//! file), running them over the page's session, and where each step stands.

use super::*;
use crate::net::{Sequence, SequenceOutcome, Step, StepState};

/// Where the steps stand in the run under way, or the last one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SequenceProgress {
    /// The round under way (from 1); 0 before the first.
    pub round: u64,
    /// The step running now.
    pub current: Option<usize>,
    /// Each step's result in the round under way: passed, or why not.
    pub results: Vec<Option<Result<(), String>>>,
    pub ended: Option<SequenceOutcome>,
}

/// The kinds of step "Add" makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Send,
    Wait,
    Expect,
}

/// What a new step of each kind starts as.
const NEW_WAIT_MS: u64 = 500;
const NEW_EXPECT_TIMEOUT_MS: u64 = 2_000;

impl Page {
    pub fn sequence_progress(&self) -> &SequenceProgress {
        &self.sequence_progress
    }

    pub fn is_sequence_running(&self) -> bool {
        self.sequence_run
            .as_ref()
            .is_some_and(crate::net::SequenceRun::is_running)
    }

    /// What the last sequence action said (an error, a file saved), in words.
    pub fn sequence_note(&self) -> Option<&str> {
        self.sequence_note.as_deref()
    }

    /// Runs the steps over the open session, to where a typed message would go; or stops.
    pub(super) fn toggle_sequence(&mut self) {
        if self.is_sequence_running() {
            self.sequence_run = None;
            return;
        }
        let started = self.start_sequence();
        self.sequence_note = started.err().map(|error| i18n::error(&error));
    }

    fn start_sequence(&mut self) -> Result<(), Error> {
        self.config.sequence.check()?;
        let session = self.session.as_ref().ok_or(Error::NotConnected)?;
        let run = session.run_sequence(
            self.destination()?,
            &self.config.sequence,
            self.config.encoding,
        )?;
        self.sequence_progress = SequenceProgress {
            results: vec![None; self.config.sequence.steps.len()],
            ..SequenceProgress::default()
        };
        self.sequence_run = Some(run);
        Ok(())
    }

    /// Follows the run's events: the step running, each result, the end.
    pub(super) fn follow_sequence(&mut self, kind: &EventKind) {
        let progress = &mut self.sequence_progress;
        match kind {
            EventKind::SequenceStep { round, step, state } => {
                if *round != progress.round {
                    progress.round = *round;
                    progress.results.iter_mut().for_each(|r| *r = None);
                }
                let result = match state {
                    StepState::Running => {
                        progress.current = Some(*step);
                        return;
                    }
                    StepState::Passed => Ok(()),
                    StepState::TimedOut { millis } => {
                        Err(tf("nothing matched within {ms} ms", &[("ms", millis)]))
                    }
                    StepState::Failed(error) => Err(i18n::error(error)),
                };
                if let Some(slot) = progress.results.get_mut(*step) {
                    *slot = Some(result);
                }
            }
            EventKind::SequenceEnded { outcome } => {
                progress.current = None;
                progress.ended = Some(*outcome);
            }
            _ => {}
        }
    }

    pub(super) fn add_step(&mut self, kind: StepKind) {
        let step = match kind {
            StepKind::Send => Step::Send {
                text: self.message.clone(),
                format: self.payload_format(),
            },
            StepKind::Wait => Step::Wait { ms: NEW_WAIT_MS },
            StepKind::Expect => Step::Expect {
                kind: crate::net::MatchKind::ContainsText,
                pattern: String::new(),
                timeout_ms: NEW_EXPECT_TIMEOUT_MS,
            },
        };
        self.config.sequence.steps.push(step);
    }

    pub(super) fn remove_step(&mut self, index: usize) {
        if index < self.config.sequence.steps.len() {
            self.config.sequence.steps.remove(index);
        }
    }

    /// Moves a step one place up (towards the first).
    pub(super) fn move_step_up(&mut self, index: usize) {
        if index > 0 && index < self.config.sequence.steps.len() {
            self.config.sequence.steps.swap(index - 1, index);
        }
    }

    /// Writes the steps to `config.sequence_path` as JSON, as `--sequence` reads them.
    pub(super) fn export_sequence(&mut self) {
        let written = folder::for_writing(&self.config.sequence_path).and_then(|path| {
            std::fs::write(&path, self.config.sequence.to_json())
                .map(|()| path.clone())
                .map_err(|err| Error::File {
                    action: "saving the sequence to",
                    path: path.display().to_string(),
                    message: crate::error::describe_io(&err),
                })
        });
        self.sequence_note = Some(match written {
            Ok(path) => tf("Saved the sequence to {path}", &[("path", &path.display())]),
            Err(error) => i18n::error(&error),
        });
    }

    /// Reads the steps from `config.sequence_path`; a file that is not a sequence changes
    /// nothing and says why.
    pub(super) fn import_sequence(&mut self) {
        let path = folder::resolve(&self.config.sequence_path);
        let read = std::fs::read_to_string(&path)
            .map_err(|err| Error::File {
                action: "reading",
                path: path.display().to_string(),
                message: crate::error::describe_io(&err),
            })
            .and_then(|text| Sequence::from_json(&text));
        match read {
            Ok(sequence) => {
                self.sequence_note = Some(tf(
                    "Read {n} steps from {path}",
                    &[("n", &sequence.steps.len()), ("path", &path.display())],
                ));
                self.config.sequence = sequence;
                self.sequence_progress = SequenceProgress::default();
            }
            Err(error) => self.sequence_note = Some(i18n::error(&error)),
        }
    }
}
