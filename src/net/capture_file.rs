//! The capture file: every received byte written exactly as it arrived, by a thread of its
//! own. Readers hand it their bytes through a bounded channel (a slow disk holds them back, as
//! a slow consumer does; nothing is dropped), so no lock is held across a disk write and the
//! window never waits on one.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Sender, bounded};

use crate::error::{Error, describe_io};
use crate::net::stoppable::Stoppable;

/// Reads waiting for the disk before readers wait too.
const QUEUED_READS: usize = 64;

pub(crate) struct CaptureFile {
    path: PathBuf,
    chunks: Sender<Vec<u8>>,
    /// Why writing stopped, once it has (the writer then drops its end of the channel).
    failure: Arc<Mutex<Option<Error>>>,
    /// Its own stop is not watched: a replaced capture still writes what it was given.
    writer: Stoppable,
    /// A FIFO's: dropped (with this) to tell its writer the session is stopping.
    _stopping: Option<Stopping>,
}

impl CaptureFile {
    /// Creates (or truncates) `path` and starts its writer.
    pub fn create(path: &Path) -> Result<CaptureFile, Error> {
        let file_error = |action: &'static str, err: &std::io::Error| Error::File {
            action,
            path: path.display().to_string(),
            message: describe_io(err),
        };
        let sink = Sink::open(path).map_err(|e| match e.raw_os_error() {
            Some(ENXIO) => Error::File {
                action: "opening the capture FIFO",
                path: path.display().to_string(),
                message: "nothing reads it yet: start its reader first (such as `cat` on it)"
                    .to_string(),
            },
            _ => file_error("creating the capture file", &e),
        })?;
        let (mut sink, stopping) = sink;
        let (chunks, incoming) = bounded::<Vec<u8>>(QUEUED_READS);
        let failure = Arc::new(Mutex::new(None));
        let writer = {
            let failure = failure.clone();
            let path: PathBuf = path.to_path_buf();
            Stoppable::spawn("capture", move |_| {
                // Written as fast as the disk takes it; flushed whenever nothing is waiting.
                let result = (|| {
                    while let Ok(chunk) = incoming.recv() {
                        sink.write_all(&chunk)?;
                        if incoming.is_empty() {
                            sink.flush()?;
                        }
                    }
                    sink.flush()
                })();
                if let Err(err) = result {
                    *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(Error::File {
                        action: "writing the capture to",
                        path: path.display().to_string(),
                        message: describe_io(&err),
                    });
                }
            })?
        };
        Ok(CaptureFile {
            path: path.to_path_buf(),
            chunks,
            failure,
            writer,
            _stopping: stopping,
        })
    }

    /// The sending end, for a reader to hand its bytes to without holding any lock.
    pub fn chunks(&self) -> Sender<Vec<u8>> {
        self.chunks.clone()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why the writer stopped, if it failed.
    pub fn failure(&self) -> Option<Error> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// Lets the writer finish what it was given and waits for it (the file is then complete);
    /// why it failed, if it did.
    pub fn finish(self) -> Option<Error> {
        let CaptureFile {
            path: _,
            chunks,
            failure,
            writer,
            _stopping,
        } = self;
        drop((chunks, _stopping));
        writer.wait();
        failure.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// What `open` says when a FIFO has no reader and the open was asked not to wait.
#[cfg(unix)]
const ENXIO: i32 = libc::ENXIO;
#[cfg(not(unix))]
const ENXIO: i32 = -1;

/// Where a capture goes: a file, through a buffer, or a FIFO (Unix), written so that a stop
/// always ends it.
enum Sink {
    File(BufWriter<File>),
    #[cfg(unix)]
    Fifo(Fifo),
}

/// A FIFO's stopping signal; nothing elsewhere.
#[cfg(unix)]
type Stopping = crate::net::capture_fifo::Stopping;
#[cfg(not(unix))]
enum Stopping {}

#[cfg(unix)]
use crate::net::capture_fifo::Fifo;

impl Sink {
    /// Creates (or truncates) the file at `path`, or opens the FIFO there.
    fn open(path: &Path) -> std::io::Result<(Sink, Option<Stopping>)> {
        #[cfg(unix)]
        if let Some((fifo, stopping)) = crate::net::capture_fifo::open(path)? {
            return Ok((Sink::Fifo(fifo), Some(stopping)));
        }
        Ok((Sink::File(BufWriter::new(File::create(path)?)), None))
    }

    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::File(file) => file.write_all(data),
            #[cfg(unix)]
            Sink::Fifo(fifo) => fifo.write_all(data),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::File(file) => file.flush(),
            #[cfg(unix)]
            Sink::Fifo(_) => Ok(()),
        }
    }
}
