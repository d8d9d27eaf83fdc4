//! The capture file: every received byte written exactly as it arrived, by a thread of its
//! own. Readers hand it their bytes through a bounded channel (a slow disk holds them back, as
//! a slow consumer does; nothing is dropped), so no lock is held across a disk write and the
//! window never waits on one.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::{Sender, bounded};

use crate::error::{Error, describe_io};
use crate::net::session::spawn_worker;

/// Reads waiting for the disk before readers wait too.
const QUEUED_READS: usize = 64;

pub(crate) struct CaptureFile {
    chunks: Sender<Vec<u8>>,
    /// Why writing stopped, once it has (the writer then drops its end of the channel).
    failure: Arc<Mutex<Option<Error>>>,
    writer: JoinHandle<()>,
}

impl CaptureFile {
    /// Creates (or truncates) `path` and starts its writer.
    pub fn create(path: &Path) -> Result<CaptureFile, Error> {
        let file_error = |action: &'static str, err: &std::io::Error| Error::File {
            action,
            path: path.display().to_string(),
            message: describe_io(err),
        };
        let file = open_for_capture(path).map_err(|e| match e.raw_os_error() {
            Some(ENXIO) => Error::File {
                action: "opening the capture FIFO",
                path: path.display().to_string(),
                message: "nothing reads it yet: start its reader first (such as `cat` on it)"
                    .to_string(),
            },
            _ => file_error("creating the capture file", &e),
        })?;
        let (chunks, incoming) = bounded::<Vec<u8>>(QUEUED_READS);
        let failure = Arc::new(Mutex::new(None));
        let writer = {
            let failure = failure.clone();
            let path: PathBuf = path.to_path_buf();
            spawn_worker("capture", move || {
                let mut file = BufWriter::new(file);
                // Written as fast as the disk takes it; flushed whenever nothing is waiting.
                let result = (|| {
                    while let Ok(chunk) = incoming.recv() {
                        file.write_all(&chunk)?;
                        if incoming.is_empty() {
                            file.flush()?;
                        }
                    }
                    file.flush()
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
            chunks,
            failure,
            writer,
        })
    }

    /// The sending end, for a reader to hand its bytes to without holding any lock.
    pub fn chunks(&self) -> Sender<Vec<u8>> {
        self.chunks.clone()
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
        drop(self.chunks);
        let _ = self.writer.join();
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

/// What `open` says when a FIFO has no reader and the open was asked not to wait.
#[cfg(unix)]
const ENXIO: i32 = libc::ENXIO;
#[cfg(not(unix))]
const ENXIO: i32 = -1;

/// Creates (or truncates) a capture file. A FIFO is opened without waiting for its reader (a
/// plain open would block the caller until one comes, silently, and no stop could end it),
/// then switched back to blocking writes, so a slow reader holds the readers back as a slow
/// disk does.
fn open_for_capture(path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    if let Ok(metadata) = std::fs::metadata(path)
        && std::os::unix::fs::FileTypeExt::is_fifo(&metadata.file_type())
    {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        // SAFETY: fcntl on a descriptor this function owns, with flags it read from it.
        let blocking = unsafe {
            let flags = libc::fcntl(file.as_raw_fd(), libc::F_GETFL);
            flags >= 0
                && libc::fcntl(file.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK) == 0
        };
        if !blocking {
            return Err(std::io::Error::last_os_error());
        }
        return Ok(file);
    }
    File::create(path)
}
