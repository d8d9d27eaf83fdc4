//! Closing a session from the window without losing what it still has to say: the messages
//! that arrived before the click and were not drawn yet, a WebSocket goodbye, each
//! connection's close. The page is closed at once (a new session may open); the closed
//! session's last events then go to the log and the recording only, not to the page's state.

use super::*;

/// A session closed here whose events are still coming.
pub(super) struct Ending {
    session: Session,
    /// The page was connected or listening, and the engine has not logged its own
    /// connection's close: the page says "closed here" after the last event.
    say_closed: bool,
}

impl Ending {
    pub(super) fn totals(&self) -> Totals {
        self.session.totals()
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
            if stopped {
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
