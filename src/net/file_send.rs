//! Sending a file: a thread reads it a chunk at a time and waits for room in the connection's
//! send queue before reading on, so a file of any size (or an endless source such as
//! /dev/zero) goes out at the peer's pace in a few MiB of memory.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{Error, describe_io};
use crate::net::SessionKind;
use crate::net::command::Destination;
#[cfg(unix)]
use crate::net::fifo_source::FifoSource;
use crate::net::session::Handle;
#[cfg(unix)]
use crate::net::stop_pipe::{StopPipe, Stopping, stop_pipe};
use crate::net::stoppable::Stoppable;

/// The chunk a file is sent in: large over TCP, one safe datagram size over UDP.
pub fn file_chunk(kind: SessionKind) -> usize {
    match kind {
        SessionKind::Udp => 1024,
        SessionKind::TcpClient | SessionKind::TcpServer | SessionKind::Relay => 64 * 1024,
    }
}

pub struct FileSend {
    /// The file's size; None for a source of unknown length (a device or a pipe).
    pub total: Option<u64>,
    /// Bytes read from the file and handed to the session.
    read: Arc<AtomicU64>,
    /// Bytes the socket has taken (to every client, over a server's "all clients").
    written: Arc<AtomicU64>,
    /// Why the send stopped early, once it has.
    failure: Arc<Mutex<Option<Error>>>,
    worker: Option<Stoppable>,
    /// A FIFO's waits for its writer `poll` this too: dropped with the send, it ends them.
    _fifo_stop: Option<Stopping>,
}

impl FileSend {
    /// Checks `path` and starts sending it. The file is opened on the send's own thread: a
    /// FIFO waits there for its writer, never on the caller's (a window's) thread.
    pub(crate) fn start(
        handle: Handle,
        to: Destination,
        path: &Path,
        chunk: usize,
    ) -> Result<FileSend, Error> {
        let path_text = path.display().to_string();
        let file_error = move |action: &'static str, err: &std::io::Error| Error::File {
            action,
            path: path_text.clone(),
            message: describe_io(err),
        };
        let metadata = std::fs::metadata(path).map_err(|e| file_error("opening", &e))?;
        if metadata.is_dir() {
            return Err(file_error(
                "reading",
                &std::io::Error::other("it is a folder"),
            ));
        }
        let total = metadata.is_file().then_some(metadata.len());
        let read = Arc::new(AtomicU64::new(0));
        let written = Arc::new(AtomicU64::new(0));
        let failure = Arc::new(Mutex::new(None));
        let (fifo_stop, stopping) =
            stop_if_fifo(&metadata).map_err(|e| file_error("opening", &e))?;
        let worker = {
            let (read, written, failure) = (read.clone(), written.clone(), failure.clone());
            let path = path.to_path_buf();
            Stoppable::spawn("file-send", move |stop| {
                let give_up = || stop.is_stopped() || handle.is_stopping();
                let stopped = (|| {
                    let mut source =
                        Source::open(&path, fifo_stop).map_err(|e| file_error("opening", &e))?;
                    let mut buf = vec![0u8; chunk];
                    loop {
                        let n = match source.read(&mut buf) {
                            Ok(None | Some(0)) => return Ok(()),
                            Ok(Some(n)) => n,
                            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                            Err(err) => return Err(file_error("reading", &err)),
                        };
                        if give_up() {
                            return Ok(());
                        }
                        let data = buf[..n].to_vec();
                        // The connection's close says why; this says what it left unsent.
                        handle
                            .send_wait(to.clone(), data, Some(written.clone()), &[stop.receiver()])
                            .map_err(|_| {
                                let sent = read.load(Ordering::Acquire);
                                file_error(
                                    "sending",
                                    &std::io::Error::other(format!(
                                        "the connection closed after {sent} bytes of it"
                                    )),
                                )
                            })?;
                        read.fetch_add(n as u64, Ordering::Release);
                    }
                })()
                .err()
                .filter(|_| !give_up());
                *failure.lock().unwrap_or_else(|p| p.into_inner()) = stopped;
            })?
        };
        Ok(FileSend {
            total,
            read,
            written,
            failure,
            worker: Some(worker),
            _fifo_stop: stopping,
        })
    }

    /// Bytes read from the file and handed to the session so far.
    pub fn read(&self) -> u64 {
        self.read.load(Ordering::Acquire)
    }

    /// Bytes the socket has taken so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Still reading the file (its last chunks may still be in the send queue).
    pub fn is_running(&self) -> bool {
        self.worker.as_ref().is_some_and(Stoppable::is_running)
    }

    /// Waits until the whole file is handed to the session (or the send stopped); returns why
    /// it stopped early, if it did.
    pub fn wait(mut self) -> Option<Error> {
        if let Some(worker) = self.worker.take() {
            worker.wait();
        }
        self.failure()
    }

    /// Why the send stopped before the end of the file: a read error, or the connection closed.
    pub fn failure(&self) -> Option<Error> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// What a send reads: a file or a device, or a FIFO whose waits a stop ends.
enum Source {
    File(File),
    #[cfg(unix)]
    Fifo(FifoSource),
}

impl Source {
    fn open(path: &Path, fifo_stop: Option<StopPipe>) -> std::io::Result<Source> {
        match fifo_stop {
            #[cfg(unix)]
            Some(stop) => FifoSource::open(path, stop).map(Source::Fifo),
            _ => File::open(path).map(Source::File),
        }
    }

    /// The next bytes into `buf` (0 at the end), or None once the send is stopped.
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<Option<usize>> {
        match self {
            Source::File(file) => file.read(buf).map(Some),
            #[cfg(unix)]
            Source::Fifo(fifo) => fifo.read(buf),
        }
    }
}

impl Drop for FileSend {
    fn drop(&mut self) {
        // Signals the stop (a FIFO's waits see it as `_fifo_stop` drops); the thread ends by
        // itself.
        drop(self.worker.take());
    }
}

/// For a FIFO, the stop its waits poll and what says it.
#[cfg(unix)]
fn stop_if_fifo(
    metadata: &std::fs::Metadata,
) -> std::io::Result<(Option<StopPipe>, Option<Stopping>)> {
    if !std::os::unix::fs::FileTypeExt::is_fifo(&metadata.file_type()) {
        return Ok((None, None));
    }
    let (pipe, stopping) = stop_pipe()?;
    Ok((Some(pipe), Some(stopping)))
}

/// Windows has no FIFOs a path names.
#[cfg(not(unix))]
fn stop_if_fifo(_: &std::fs::Metadata) -> std::io::Result<(Option<StopPipe>, Option<Stopping>)> {
    Ok((None, None))
}

#[cfg(not(unix))]
enum StopPipe {}
#[cfg(not(unix))]
enum Stopping {}
