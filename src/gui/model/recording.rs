//! A page's recording and replay: record the traffic, save it as pcap (Wireshark) or as a
//! recording (JSON), and replay one side of a saved recording over the page's session, as a
//! mock client or a mock server. No drawing.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::capture::pcap::PcapWriter;
use crate::capture::record::{Recorder, Recording, Side, Transport};
use crate::error::{Error, describe_io};
use crate::gui::i18n::{self, t, tf};
use crate::gui::model::folder;
use crate::net::{ClientId, Destination, Event, Repeater, Session, SessionKind};

/// What is saved with the page's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordingConfig {
    pub pcap_path: String,
    pub recording_path: String,
    pub replay_path: String,
    /// Which side's messages a replay sends.
    pub replay_side: Side,
    /// As fast as possible instead of with the recorded timing.
    pub replay_fast: bool,
}

impl Default for RecordingConfig {
    fn default() -> RecordingConfig {
        RecordingConfig {
            pcap_path: "session.pcap".into(),
            recording_path: "session.json".into(),
            replay_path: "session.json".into(),
            replay_side: Side::Here,
            replay_fast: false,
        }
    }
}

/// What is open when a recording starts, so the recording (and its pcap) has the real
/// addresses and a handshake for connections opened before it.
#[derive(Debug, Default)]
pub struct AlreadyOpen {
    /// The socket's own address: a UDP socket or a listening server.
    pub bound: Option<SocketAddr>,
    /// Open connections: client id (server), this end, the peer, and who connected.
    pub connections: Vec<(Option<ClientId>, SocketAddr, SocketAddr, Side)>,
}

#[derive(Default)]
pub struct SessionRecording {
    recorder: Option<Recorder>,
    /// The last recording stopped, kept for saving.
    last: Option<Recording>,
    replay: Option<Repeater>,
    /// How many messages the replay in `replay` sends.
    replay_count: usize,
    /// What the last action did, or why it failed.
    pub note: Option<String>,
}

impl SessionRecording {
    pub fn is_recording(&self) -> bool {
        self.recorder.is_some()
    }

    /// Items recorded so far (or in the last recording).
    pub fn items(&self) -> usize {
        self.recording().map_or(0, |r| r.items.len())
    }

    fn recording(&self) -> Option<&Recording> {
        self.recorder
            .as_ref()
            .map(Recorder::recording)
            .or(self.last.as_ref())
    }

    /// Starts recording, from what is open now, or stops.
    pub fn toggle(&mut self, kind: SessionKind, open: AlreadyOpen) {
        if self.recorder.is_some() {
            self.stop();
            return;
        }
        let transport = match kind {
            SessionKind::Udp => Transport::Udp,
            _ => Transport::Tcp,
        };
        let mut recorder = Recorder::new(transport);
        if let Some(local) = open.bound {
            recorder.already_bound(local);
        }
        for (client, local, peer, by) in open.connections {
            recorder.already_open(client, local, peer, by);
        }
        self.recorder = Some(recorder);
        self.note = None;
    }

    fn stop(&mut self) {
        if let Some(recorder) = self.recorder.take() {
            let recording = recorder.recording().clone();
            self.note = Some(tf("Recorded {n} items", &[("n", &recording.items.len())]));
            self.last = Some(recording);
        }
    }

    /// Called with every event of the page's session, before the log takes it.
    pub fn observe(&mut self, event: &Event) {
        if let Some(recorder) = &mut self.recorder
            && !recorder.observe(event)
        {
            self.stop();
            self.note = Some(t("Recording stopped: it reached its size limit (64 MiB)").into());
        }
    }

    pub fn save_pcap(&mut self, typed: &str) {
        self.note = Some(match self.write_pcap(typed) {
            Ok((n, path)) => tf(
                "Wrote {n} items to {path} (open it in Wireshark)",
                &[("n", &n), ("path", &path.display())],
            ),
            Err(error) => i18n::error(&error),
        });
    }

    /// Writes the recording as pcap; returns its items and the file's full path.
    fn write_pcap(&self, typed: &str) -> Result<(usize, PathBuf), Error> {
        let recording = self.recording().ok_or(Error::NothingRecorded)?;
        let path = folder::for_writing(typed)?;
        let writing = |err: std::io::Error| Error::File {
            action: "writing",
            path: path.display().to_string(),
            message: describe_io(&err),
        };
        let file = std::fs::File::create(&path).map_err(writing)?;
        let mut pcap =
            PcapWriter::new(std::io::BufWriter::new(file), recording.transport).map_err(writing)?;
        for item in &recording.items {
            pcap.write(item).map_err(writing)?;
        }
        pcap.flush().map_err(writing)?;
        Ok((recording.items.len(), path))
    }

    pub fn save_recording(&mut self, typed: &str) {
        let saved = self
            .recording()
            .ok_or(Error::NothingRecorded)
            .and_then(|recording| {
                let path = folder::for_writing(typed)?;
                std::fs::write(&path, recording.to_json()).map_err(|err| Error::File {
                    action: "writing",
                    path: path.display().to_string(),
                    message: describe_io(&err),
                })?;
                Ok(path)
            });
        self.note = Some(match saved {
            Ok(path) => tf(
                "Saved the recording to {path}",
                &[("path", &path.display())],
            ),
            Err(error) => i18n::error(&error),
        });
    }

    pub fn is_replaying(&self) -> bool {
        self.replay.as_ref().is_some_and(Repeater::is_running)
    }

    /// Starts replaying one side of the recording at `config.replay_path` over `session`, or
    /// stops the replay in progress.
    pub fn toggle_replay(
        &mut self,
        config: &RecordingConfig,
        session: Option<&Session>,
        to: Destination,
    ) {
        if self.is_replaying() {
            self.replay = None;
            self.note = Some(t("Replay stopped").into());
            return;
        }
        match Self::start_replay(config, session, to) {
            Ok((replay, count)) => {
                self.replay = Some(replay);
                self.replay_count = count;
                // Said by `words` while it runs and once it has ended.
                self.note = None;
            }
            Err(error) => self.note = Some(i18n::error(&error)),
        }
    }

    /// What the last action did, in the language of the moment: a replay says whether it is
    /// still running.
    pub fn words(&self) -> Option<String> {
        let count = [("count", &self.replay_count as &dyn std::fmt::Display)];
        match &self.replay {
            Some(replay) if replay.is_running() => Some(tf("Replaying {count} messages", &count)),
            Some(_) => Some(tf("Replay ended: {count} messages sent", &count)),
            None => self.note.clone(),
        }
    }

    fn start_replay(
        config: &RecordingConfig,
        session: Option<&Session>,
        to: Destination,
    ) -> Result<(Repeater, usize), Error> {
        let path = folder::resolve(&config.replay_path);
        let text = std::fs::read_to_string(&path).map_err(|err| Error::File {
            action: "reading",
            path: path.display().to_string(),
            message: describe_io(&err),
        })?;
        let mut messages = Recording::from_json(&text)?.messages_from(config.replay_side);
        if messages.is_empty() {
            return Err(Error::NothingRecorded);
        }
        if config.replay_fast {
            for (at, _) in &mut messages {
                *at = Duration::ZERO;
            }
        }
        let session = session.ok_or(Error::NotConnected)?;
        let count = messages.len();
        Ok((session.schedule(to, messages)?, count))
    }
}
