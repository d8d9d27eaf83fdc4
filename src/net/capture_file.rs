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
        let file = File::create(path).map_err(|e| file_error("creating the capture file", &e))?;
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
