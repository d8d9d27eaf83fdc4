//! `--pcap FILE`: the session's traffic as a pcap file, written through as it happens.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::capture::pcap::PcapWriter;
use crate::capture::record::{Recorder, Transport};
use crate::error::Error;
use crate::net::{Event, SessionKind};

/// `--pcap`: every event's packets, written through at once (servers end with Ctrl+C).
pub struct PcapLog {
    recorder: Recorder,
    writer: PcapWriter<BufWriter<File>>,
    path: PathBuf,
}

impl PcapLog {
    pub fn create(path: &Path, kind: SessionKind) -> Result<PcapLog, Error> {
        let transport = match kind {
            SessionKind::Udp => Transport::Udp,
            _ => Transport::Tcp,
        };
        let writing = |err: std::io::Error| Error::File {
            action: "writing",
            path: path.display().to_string(),
            message: crate::error::describe_io(&err),
        };
        let file = File::create(path).map_err(writing)?;
        let writer = PcapWriter::new(BufWriter::new(file), transport).map_err(writing)?;
        Ok(PcapLog {
            recorder: Recorder::new(transport),
            writer,
            path: path.to_path_buf(),
        })
    }

    pub fn write(&mut self, event: &Event) -> Result<(), Error> {
        let items = self.recorder.items(event);
        if items.is_empty() {
            return Ok(());
        }
        items
            .iter()
            .try_for_each(|item| self.writer.write(item))
            .and_then(|()| self.writer.flush())
            .map_err(|err| Error::File {
                action: "writing",
                path: self.path.display().to_string(),
                message: crate::error::describe_io(&err),
            })
    }
}
