//! Waking a thread blocked in `connect`: stop shuts its socket down.

use std::sync::{Arc, Mutex};

use socket2::Socket;

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
            let _ = socket.shutdown(std::net::Shutdown::Both);
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
