//! Writing on a message's producer's thread. A message handed to a connection's writer thread
//! costs a wake-up of that thread; when the writer is idle, the producer (the reader answering
//! with echo, the window sending) writes what the socket takes at once itself, and only the
//! rest goes to the writer.

use std::net::SocketAddr;
use std::sync::Arc;

use socket2::Socket;

use crate::net::ClientId;
use crate::net::connection::Ending;
use crate::net::emitter::Emitter;
use crate::net::event::EventKind;
use crate::net::outbox::WriteNow;
use crate::net::session::Shared;
use crate::net::stats::Counters;

/// The flag of a read or write that returns at once rather than wait. Without one per call
/// (Windows) nothing is read ahead or written on a producer's thread.
#[cfg(unix)]
pub(crate) const DONT_WAIT: Option<libc::c_int> = Some(libc::MSG_DONTWAIT);
#[cfg(not(unix))]
pub(crate) const DONT_WAIT: Option<i32> = None;

/// Writes a few bytes (a WebSocket close frame) only if the socket takes them at once, for a
/// caller that holds the connection's writer off and must not wait: Unix says so per call;
/// Windows, which has no such flag, is asked first whether the socket has room (`WSAPoll`),
/// and a blocking send of a few bytes into that room returns at once. None: not written.
pub(crate) fn send_if_room(socket: &Socket, data: &[u8]) -> Option<usize> {
    #[cfg(unix)]
    let sent = socket.send_with_flags(data, libc::MSG_DONTWAIT);
    #[cfg(windows)]
    let sent = {
        use std::os::windows::io::AsRawSocket;
        use windows_sys::Win32::Networking::WinSock::{POLLWRNORM, WSAPOLLFD, WSAPoll};
        let mut asked = WSAPOLLFD {
            fd: socket.as_raw_socket() as _,
            events: POLLWRNORM,
            revents: 0,
        };
        // SAFETY: one valid WSAPOLLFD for a live socket, and a timeout of 0: it never waits.
        let ready = unsafe { WSAPoll(&mut asked, 1, 0) };
        if ready != 1 || asked.revents & POLLWRNORM == 0 {
            return None;
        }
        socket.send(data)
    };
    #[cfg(not(any(unix, windows)))]
    let sent: std::io::Result<usize> = Err(std::io::ErrorKind::Unsupported.into());
    sent.ok()
}

pub(crate) struct DirectWrite {
    socket: Arc<Socket>,
    counters: Arc<Counters>,
    shared: Arc<Shared>,
    emitter: Emitter,
    ending: Arc<Ending>,
    client: Option<ClientId>,
    peer: SocketAddr,
    dont_wait: i32,
}

impl DirectWrite {
    /// None where the platform cannot write without waiting.
    pub fn if_supported(
        socket: Arc<Socket>,
        counters: Arc<Counters>,
        shared: Arc<Shared>,
        (emitter, ending): (Emitter, Arc<Ending>),
        (client, peer): (Option<ClientId>, SocketAddr),
    ) -> Option<Box<dyn WriteNow>> {
        let dont_wait = DONT_WAIT?;
        Some(Box::new(DirectWrite {
            socket,
            counters,
            shared,
            emitter,
            ending,
            client,
            peer,
            dont_wait,
        }))
    }
}

impl WriteNow for DirectWrite {
    fn write_now(&self, data: &[u8]) -> Option<usize> {
        let len = data.len();
        // Counted before it is reported and reported before it goes out, as by the writer.
        self.counters.add_tx(len);
        self.shared.counters.add_tx(len);
        let sent = EventKind::sent(self.client, self.peer, data.to_vec());
        // The caller holds the connection's queue and may be the window: never wait here.
        if !self.emitter.try_emit(sent) {
            self.counters.take_back_tx(len);
            self.shared.counters.take_back_tx(len);
            return None;
        }
        // A failure is left to the writer, which meets it again with the rest and says why
        // (a reset, which only this write saw, is kept for the close).
        match self.socket.send_with_flags(data, self.dont_wait) {
            Ok(sent) => Some(sent),
            Err(err) => {
                self.ending.note_write_error(&err);
                Some(0)
            }
        }
    }
}
