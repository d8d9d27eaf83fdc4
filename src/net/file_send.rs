//! Sending a file: a thread reads it a chunk at a time and waits for room in the connection's
//! send queue before reading on, so a file of any size (or an endless source such as
//! /dev/zero) goes out at the peer's pace in a few MiB of memory.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::error::{Error, describe_io};
use crate::net::SessionKind;
use crate::net::command::Destination;
use crate::net::session::{Handle, spawn_worker};

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
    cancel: Arc<AtomicBool>,
    /// Why the send stopped early, once it has.
    failure: Arc<Mutex<Option<Error>>>,
    thread: Option<JoinHandle<()>>,
}

impl FileSend {
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
        let mut file = File::open(path).map_err(|e| file_error("opening", &e))?;
        let metadata = file.metadata().map_err(|e| file_error("reading", &e))?;
        if metadata.is_dir() {
            return Err(file_error(
                "reading",
                &std::io::Error::other("it is a folder"),
            ));
        }
        let total = metadata.is_file().then_some(metadata.len());
        let read = Arc::new(AtomicU64::new(0));
        let written = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let failure = Arc::new(Mutex::new(None));
        let thread = {
            let (read, written, cancel, failure) = (
                read.clone(),
                written.clone(),
                cancel.clone(),
                failure.clone(),
            );
            spawn_worker("file-send", move || {
                let mut buf = vec![0u8; chunk];
                let give_up = || cancel.load(Ordering::Acquire);
                let stopped = loop {
                    let n = match file.read(&mut buf) {
                        Ok(0) => break None,
                        Ok(n) => n,
                        Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(err) => break Some(file_error("reading", &err)),
                    };
                    let data = buf[..n].to_vec();
                    if let Err(error) =
                        handle.send_wait(to.clone(), data, Some(written.clone()), &give_up)
                    {
                        break (!give_up()).then_some(error);
                    }
                    read.fetch_add(n as u64, Ordering::Release);
                };
                *failure.lock().unwrap_or_else(|p| p.into_inner()) = stopped;
            })?
        };
        Ok(FileSend {
            total,
            read,
            written,
            cancel,
            failure,
            thread: Some(thread),
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
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Waits until the whole file is handed to the session (or the send stopped); returns why
    /// it stopped early, if it did.
    pub fn wait(mut self) -> Option<Error> {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
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

impl Drop for FileSend {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
