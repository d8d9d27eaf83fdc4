//! A FIFO read by a file send (Unix), opened without waiting for its writer and read without
//! ever blocking for good: a blocking `open` or `read` waits for a writer that may never come
//! (or never write), and nothing could wake it, so a dropped send would leave its thread
//! behind. Every wait here is a `poll` on the FIFO and on the send's stop.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::net::stop_pipe::{StopPipe, poll, pollfd};

pub(crate) struct FifoSource {
    file: File,
    stop: StopPipe,
}

impl FifoSource {
    /// Opens `path`'s reading end at once, writer or not.
    pub fn open(path: &Path, stop: StopPipe) -> io::Result<FifoSource> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        Ok(FifoSource { file, stop })
    }

    /// The next bytes into `buf` (0 at the end: a writer came and left), or None once the
    /// send is stopped.
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        loop {
            // Waits first: without a writer yet, a read would say "end" at once.
            let mut fds = [pollfd(&self.file, libc::POLLIN), self.stop.pollfd()];
            poll(&mut fds, -1)?;
            if fds[1].revents != 0 {
                return Ok(None);
            }
            match self.file.read(buf) {
                Ok(n) => return Ok(Some(n)),
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) => {}
                Err(err) => return Err(err),
            }
        }
    }
}
