//! Sending a file: a thread reads it in chunks and queues them on the session, pacing itself
//! by what the session has actually sent, so a large file never sits in memory whole.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::Sender;

use crate::error::{Error, describe_io};
use crate::net::SessionKind;
use crate::net::command::{Command, Destination};
use crate::net::session::{Shared, spawn_worker};

/// The chunk a file is sent in: large over TCP, one safe datagram size over UDP.
pub fn file_chunk(kind: SessionKind) -> usize {
    match kind {
        SessionKind::Udp => 1024,
        SessionKind::TcpClient | SessionKind::TcpServer => 64 * 1024,
    }
}

/// Bytes queued ahead of what the socket has taken, at most.
const WINDOW: u64 = 4 * 1024 * 1024;
/// How long the reader waits for the socket to catch up before looking again.
const PACE: Duration = Duration::from_millis(5);

pub struct FileSend {
    pub total: u64,
    queued: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FileSend {
    pub(crate) fn start(
        commands: Sender<Command>,
        shared: Arc<Shared>,
        to: Destination,
        path: &Path,
        chunk: usize,
    ) -> Result<FileSend, Error> {
        let file_error = |action: &'static str, err: std::io::Error| Error::File {
            action,
            path: path.display().to_string(),
            message: describe_io(&err),
        };
        let mut file = File::open(path).map_err(|e| file_error("opening", e))?;
        let metadata = file.metadata().map_err(|e| file_error("reading", e))?;
        if metadata.is_dir() {
            return Err(file_error(
                "reading",
                std::io::Error::other("it is a folder"),
            ));
        }
        let total = metadata.len();
        let queued = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let thread = {
            let (queued, cancel) = (queued.clone(), cancel.clone());
            let start_tx = shared.counters.totals().tx_bytes;
            spawn_worker("file-send", move || {
                let mut buf = vec![0u8; chunk];
                loop {
                    let sent = shared.counters.totals().tx_bytes.saturating_sub(start_tx);
                    if queued.load(Ordering::Relaxed).saturating_sub(sent) > WINDOW {
                        if cancel.load(Ordering::Relaxed) {
                            return;
                        }
                        std::thread::sleep(PACE);
                        continue;
                    }
                    let n = match file.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    let command = Command::Send {
                        to: to.clone(),
                        data: buf[..n].to_vec(),
                    };
                    if cancel.load(Ordering::Relaxed) || commands.send(command).is_err() {
                        return;
                    }
                    queued.fetch_add(n as u64, Ordering::Relaxed);
                }
            })?
        };
        Ok(FileSend {
            total,
            queued,
            cancel,
            thread: Some(thread),
        })
    }

    /// Bytes handed to the session so far.
    pub fn queued(&self) -> u64 {
        self.queued.load(Ordering::Relaxed)
    }

    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for FileSend {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
