//! Waking threads blocked in a socket call: a shutdown wakes a blocked `recv`, `send` or
//! `connect` on Linux; on Windows it does not (a `recv` stays blocked until the peer sends or
//! closes), so the blocked calls are cancelled as well.

use std::net::Shutdown;
use std::sync::{Arc, Mutex};

use socket2::{SockRef, Socket};

/// Shuts a socket down (`Both` or `Read`) and wakes every thread blocked in a call on it. A
/// woken call fails; on Windows with error 995, which Rust reports as `TimedOut`, so a reader
/// woken this way must look at why it was woken before reading again.
pub(crate) fn shut_down_and_wake(socket: SockRef<'_>, how: Shutdown) {
    let _ = socket.shutdown(how);
    #[cfg(windows)]
    {
        use std::os::windows::io::AsRawSocket;
        // SAFETY: cancels the I/O under way on a live socket handle; no OVERLAPPED is named,
        // so every call of every thread on it is cancelled.
        unsafe {
            windows_sys::Win32::System::IO::CancelIoEx(
                socket.as_raw_socket() as windows_sys::Win32::Foundation::HANDLE,
                std::ptr::null(),
            )
        };
    }
}

/// Lets the control thread wake a thread blocked in `connect` on a socket it cannot otherwise
/// reach: shutting a connecting socket down makes the connect fail at once.
#[derive(Default)]
pub(crate) struct Interrupter {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    interrupted: bool,
    watched: Option<Arc<Socket>>,
}

impl Interrupter {
    /// Watches `socket` until [`Interrupter::unwatch`]; false if already interrupted.
    pub fn watch(&self, socket: Arc<Socket>) -> bool {
        let mut state = self.lock();
        if state.interrupted {
            return false;
        }
        state.watched = Some(socket);
        true
    }

    pub fn unwatch(&self) {
        self.lock().watched = None;
    }

    pub fn interrupt(&self) {
        let mut state = self.lock();
        state.interrupted = true;
        if let Some(socket) = state.watched.take() {
            shut_down_and_wake(SockRef::from(&*socket), Shutdown::Both);
        }
    }

    pub fn is_interrupted(&self) -> bool {
        self.lock().interrupted
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: take it anyway.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
