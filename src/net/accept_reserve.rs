//! A descriptor kept in reserve by a listener (Unix). Out of file descriptors, `accept` fails
//! and the clients in the listen queue would wait, unanswered, until they time out; giving the
//! spare up for a moment lets the listener take each of them and close it at once, so each
//! hears a close (nginx's and libev's trick). Windows keeps no spare: its clients wait.

use std::net::TcpListener;

pub(crate) struct Reserve {
    #[cfg(unix)]
    spare: Option<std::fs::File>,
}

impl Reserve {
    pub fn new() -> Reserve {
        Reserve {
            #[cfg(unix)]
            spare: open_spare(),
        }
    }

    /// Takes and closes every client waiting in `listener`'s queue now; how many.
    #[cfg(unix)]
    pub fn turn_away_waiting(&mut self, listener: &TcpListener) -> u64 {
        // Without a spare (another thread took the last descriptor) nothing can be taken.
        if self.spare.take().is_none() {
            self.spare = open_spare();
            return 0;
        }
        let mut count = 0;
        // Only this thread accepts: a client that is waiting is there to take.
        while is_waiting(listener) {
            match listener.accept() {
                // Dropped at once: the client gets a FIN.
                Ok(_) => count += 1,
                Err(_) => break,
            }
        }
        self.spare = open_spare();
        count
    }

    #[cfg(not(unix))]
    pub fn turn_away_waiting(&mut self, _: &TcpListener) -> u64 {
        0
    }
}

#[cfg(unix)]
fn open_spare() -> Option<std::fs::File> {
    std::fs::File::open("/dev/null").ok()
}

/// A client waits in the queue (the listener polls readable), without waiting for one.
#[cfg(unix)]
fn is_waiting(listener: &TcpListener) -> bool {
    use crate::net::stop_pipe::{poll, pollfd};
    let mut fds = [pollfd(listener, libc::POLLIN)];
    poll(&mut fds, 0).is_ok() && fds[0].revents & libc::POLLIN != 0
}
