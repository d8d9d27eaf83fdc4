//! A stop that a thread can `poll` beside its own file descriptors (Unix): a pipe whose
//! writing end is dropped to say "stop", which makes its reading end ready at once. For the
//! waits a channel cannot interrupt: a FIFO that has no writer yet, or no room.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

/// What a waiting thread polls: ready (hung up) once the stop is said.
pub(crate) struct StopPipe(OwnedFd);

/// Dropped to say "stop" (its end of the pipe closes).
pub(crate) struct Stopping {
    _write_end: OwnedFd,
}

pub(crate) fn stop_pipe() -> io::Result<(StopPipe, Stopping)> {
    let (read_end, write_end) = io::pipe()?;
    Ok((
        StopPipe(OwnedFd::from(read_end)),
        Stopping {
            _write_end: OwnedFd::from(write_end),
        },
    ))
}

impl StopPipe {
    /// The entry for `poll`: never written to, so any event on it means "stop".
    pub fn pollfd(&self) -> libc::pollfd {
        pollfd(&self.0, libc::POLLIN)
    }
}

/// The entry for `poll` that waits for `events` on `file`.
pub(crate) fn pollfd(file: &impl AsRawFd, events: libc::c_short) -> libc::pollfd {
    libc::pollfd {
        fd: file.as_raw_fd(),
        events,
        revents: 0,
    }
}

/// `poll(2)` on `fds` for at most `timeout_ms` (-1: no limit), again after a signal.
pub(crate) fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> io::Result<()> {
    loop {
        // SAFETY: poll on the pollfds of a live slice it may write `revents` to.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
        if ready >= 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}
