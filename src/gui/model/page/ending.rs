//! Closing a session from the window without losing what it still has to say: the messages
//! that arrived before the click and were not drawn yet, a WebSocket goodbye, each
//! connection's close. The page is closed at once (a new session may open); the closed
//! session's last events then go to the log and the recording only, not to the page's state.

use super::*;
use std::time::Instant;

/// How long a closed session may take to say its last. Its control thread always ends with
/// `Stopped`; this only keeps a session opened after it from waiting for ever on a bug.
const LAST_WORDS: Duration = Duration::from_secs(10);

/// A session closed here whose events are still coming.
pub(super) struct Ending {
    session: Session,
    /// The page was connected or listening, and the engine has not logged its own
    /// connection's close: the page says "closed here" after the last event.
    say_closed: bool,
    /// Its counters are in the page's totals (until Reset counters).
    counted: bool,
    closed_at: Instant,
}

impl Ending {
    /// What it adds to the page's totals.
    pub(super) fn totals(&self) -> Totals {
        match self.counted {
            true => self.session.totals(),
            false => Totals::default(),
        }
    }

    /// Reset counters while it ends: what it counted is gone with the rest.
    pub(super) fn leave_uncounted(&mut self) {
        self.counted = false;
    }
}

impl Page {
    /// Closes the session. Nothing here waits: the session, a repeater, a sequence or a file
    /// send is told to stop, and their threads end by themselves.
    pub fn close(&mut self) {
        self.repeater = None;
        self.sequence_run = None;
        self.file_send = None;
        if let Some(session) = self.session.take() {
            session.request_stop();
            self.endings.push(Ending {
                session,
                say_closed: self.link != Link::Closed,
                counted: true,
                closed_at: Instant::now(),
            });
        }
        self.link = Link::Closed;
        self.clients.clear();
    }

    /// Logs what the sessions closed here said last, up to their `Stopped`; true if more is
    /// waiting than a frame takes.
    pub(super) fn drain_endings(&mut self) -> bool {
        let mut more = false;
        let mut index = 0;
        while index < self.endings.len() {
            let (events, full) = waiting_events(&self.endings[index].session);
            more |= full;
            let mut stopped = false;
            for event in events {
                match &event.kind {
                    EventKind::Stopped => stopped = true,
                    EventKind::Closed { client: None, .. } => {
                        self.endings[index].say_closed = false;
                    }
                    _ => {}
                }
                self.recording.observe(&event);
                self.log.push_event(event);
            }
            if stopped || self.endings[index].closed_at.elapsed() > LAST_WORDS {
                let ending = self.endings.remove(index);
                self.earlier_totals = self.earlier_totals.saturating_add(ending.totals());
                if ending.say_closed {
                    self.log.push_note(Note::Closed(CloseReason::ClosedHere));
                }
            } else {
                index += 1;
            }
        }
        more
    }
}
