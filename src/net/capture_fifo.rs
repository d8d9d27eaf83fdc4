//! A capture written into a FIFO (Unix): opened without waiting for its reader, written
//! without ever blocking for good. A reader that stops reading holds the session's readers
//! back, as a slow disk does, until the session stops; from then on a reader that takes
//! nothing for a second ends the capture, said as incomplete, so a stop always ends.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

pub(crate) use crate::net::stop_pipe::Stopping;
use crate::net::stop_pipe::{StopPipe, poll, pollfd, stop_pipe};

/// How long a FIFO's reader may take nothing once the session is stopping.
const GRACE_MS: i32 = 300;

/// The writing end of a capture FIFO and what says the session is stopping.
pub(crate) struct Fifo {
    file: File,
    stopping: StopPipe,
}

/// `path` opened for writing if it is a FIFO (None if it is not). Fails with ENXIO when
/// nothing reads it yet: opening would otherwise wait, silently, for a reader.
pub(crate) fn open(path: &Path) -> io::Result<Option<(Fifo, Stopping)>> {
    let is_fifo = std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo());
    if !is_fifo {
        return Ok(None);
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let (stopping, stop) = stop_pipe()?;
    Ok(Some((Fifo { file, stopping }, stop)))
}

impl Fifo {
    /// Writes all of `data`, waiting while the FIFO is full, for as long as the session runs
    /// and then at most `GRACE_MS` at a time.
    pub fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            match self.file.write(data) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => data = &data[n..],
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => self.wait_for_room()?,
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    fn wait_for_room(&self) -> io::Result<()> {
        let mut fds = [pollfd(&self.file, libc::POLLOUT), self.stopping.pollfd()];
        // Until room comes or the session stops; then the grace, with the FIFO alone.
        let waits: [(usize, i32); 2] = [(2, -1), (1, GRACE_MS)];
        for (count, timeout) in waits {
            poll(&mut fds[..count], timeout)?;
            if fds[0].revents != 0 {
                return Ok(());
            }
        }
        Err(io::Error::other(format!(
            "its reader took nothing for {GRACE_MS} ms after the session stopped; the \
             capture is incomplete"
        )))
    }
}
