//! Settings edited while a session is open, handed to it: auto-reply rules and echo, UDP's
//! broadcast switch and the kind of WebSocket data frame.

use super::*;

impl Page {
    /// Hands settings edited while open to the session: the auto-reply rules and echo (the
    /// engine answers on each connection's reader side, so replies never wait for a frame)
    /// and UDP's broadcast switch; the kind of data frame a WebSocket message goes out in (a
    /// store the writers read, as they write).
    pub fn sync_session(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        session.set_data_frames(self.config.data_frames);
        // A busy session is asked again next frame.
        if self.applied_broadcast != self.config.broadcast
            && session
                .command(Command::SetBroadcast(self.config.broadcast))
                .is_ok()
        {
            self.applied_broadcast = self.config.broadcast;
            // Switched while open: the log says when it took effect.
            self.log.push_note(Note::Broadcast(self.config.broadcast));
        }
        // Compared in place: the rules are cloned only when they changed, not every frame.
        let config = &self.config;
        if self
            .applied_rules
            .as_ref()
            .is_some_and(|(rules, echo, encoding)| {
                rules.iter().eq(config.live_rules())
                    && *echo == config.echo
                    && *encoding == config.encoding
            })
        {
            return;
        }
        let wanted: (Vec<Rule>, _, _) = (
            config.live_rules().cloned().collect(),
            config.echo,
            config.encoding,
        );
        let (responder, rules_error) = match Responder::new(&wanted.0, wanted.1, wanted.2) {
            Ok(responder) => (responder.is_active().then_some(responder), None),
            Err(error) => (None, Some(i18n::error(&error))),
        };
        // A session too busy to take them now gets them on a later frame.
        if session.set_responder(responder).is_ok() {
            self.rules_error = rules_error;
            self.applied_rules = Some(wanted);
        }
    }
}
