use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{SendTimeoutError, Sender};

use crate::net::Waker;
use crate::net::event::{Event, EventKind};

/// How often a thread held back by a full event channel checks whether the session is stopping.
const BACKPRESSURE_CHECK: Duration = Duration::from_millis(50);

/// The sending end of a session's event channel, shared by its threads.
#[derive(Clone)]
pub(crate) struct Emitter {
    events: Sender<Event>,
    stopping: Arc<AtomicBool>,
    waker: Waker,
}

impl Emitter {
    pub fn new(events: Sender<Event>, waker: Waker) -> Emitter {
        Emitter {
            events,
            stopping: Arc::new(AtomicBool::new(false)),
            waker,
        }
    }

    /// Sends an event and wakes the consumer. While the bounded channel is full the calling
    /// thread waits (a TCP reader then stops reading: back-pressure, nothing lost), unless the
    /// session is stopping, when the event is dropped. False when nobody will read events.
    pub fn emit(&self, kind: EventKind) -> bool {
        let mut event = Event::now(kind);
        loop {
            if self.is_stopping() {
                return match self.events.try_send(event) {
                    Ok(()) => {
                        (self.waker)();
                        true
                    }
                    Err(_) => false,
                };
            }
            match self.events.send_timeout(event, BACKPRESSURE_CHECK) {
                Ok(()) => {
                    (self.waker)();
                    return true;
                }
                Err(SendTimeoutError::Timeout(back)) => event = back,
                Err(SendTimeoutError::Disconnected(_)) => return false,
            }
        }
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    pub fn set_stopping(&self) {
        self.stopping.store(true, Ordering::Release);
    }
}
