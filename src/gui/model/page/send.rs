//! Sending from a page: the message as typed, split writes, destinations, presets, history
//! and periodic sends.

use super::*;

impl Page {
    pub fn payload_format(&self) -> PayloadFormat {
        PayloadFormat {
            mode: self.config.input_mode,
            encoding: self.config.encoding,
            escapes: self.config.escapes,
            line_ending: self.config.line_ending,
            checksum: self.config.checksum,
        }
    }

    /// Text or Hex: the typed message is rewritten for the new mode; if it cannot be (hex of
    /// bytes that are not text), the mode stays and `send_error` says why.
    pub fn set_input_mode(&mut self, mode: InputMode) {
        match convert_message(&self.message, mode, &self.payload_format()) {
            Ok(converted) => {
                self.message = converted;
                self.config.input_mode = mode;
                self.send_error = None;
            }
            Err(error) => self.send_error = Some(i18n::error(&error)),
        }
    }

    /// Whether messages go out as WebSocket frames: a TCP client's Host is a ws:// or wss://
    /// URL, or a TCP server takes WebSocket upgrades.
    pub fn speaks_websocket(&self) -> bool {
        match self.kind {
            SessionKind::TcpClient => {
                WebSocketUrl::parse(&self.config.host).is_ok_and(|url| url.is_some())
            }
            SessionKind::TcpServer => self.config.websocket,
            SessionKind::Udp | SessionKind::Relay => false,
        }
    }

    /// Checks hex as it is typed; an error about an earlier message goes once it is edited.
    pub fn message_edited(&mut self) {
        self.send_error = match self.config.input_mode {
            InputMode::Hex => parse_hex(&self.message).err().map(|e| i18n::error(&e)),
            InputMode::Text => None,
        };
    }

    /// Sends the typed message; on bad input nothing is sent and `send_error` says why.
    pub fn send(&mut self) {
        self.send_error = match self.try_send() {
            Ok(()) => None,
            Err(error) => Some(i18n::error(&error)),
        };
    }

    fn try_send(&mut self) -> Result<(), Error> {
        let (writes, gap) = self.split()?;
        let (session, destination, template) = self.outgoing()?;
        let data = template.render(self.next_values());
        let pieces = split_evenly(&data, writes);
        if let [whole] = pieces.as_slice() {
            session.send(destination, whole.clone())?;
        } else {
            // Several writes go from a thread that waits for room, so none is refused halfway.
            let timeline = (0u32..).map(|i| gap * i).zip(pieces).collect();
            let split = session.schedule(destination, timeline)?;
            self.split_sends.retain(Repeater::is_running);
            self.split_sends.push(split);
        }
        self.sends += 1;
        self.remember(self.message.clone(), self.config.input_mode);
        Ok(())
    }

    /// What the variables of the next send stand for: `${seq}` counts this page's sends from 1.
    fn next_values(&self) -> Values {
        let seq = self.sends + 1;
        Values {
            seq,
            client: 0,
            random: Random::new(seq).draw(),
        }
    }

    /// How many writes each send becomes (TCP only) and the time between them.
    fn split(&self) -> Result<(usize, Duration), Error> {
        if self.kind == SessionKind::Udp {
            return Ok((1, Duration::ZERO));
        }
        let number = |name: &'static str, text: &str, max: u64| {
            text.trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| Error::InvalidSetting {
                    name,
                    reason: format!("'{}' must be a whole number up to {max}", text.trim()),
                })
        };
        let writes = number(t("Writes"), &self.config.split_writes, 10_000)?.max(1);
        let gap = number(t("Apart (ms)"), &self.config.split_gap_ms, 60_000)?;
        Ok((writes as usize, Duration::from_millis(gap)))
    }

    /// Adds a sent message to the history (newest first, no repeats, at most `HISTORY_LEN`).
    fn remember(&mut self, text: String, mode: InputMode) {
        let history = &mut self.config.history;
        history.retain(|entry| entry.text != text || entry.mode != mode);
        history.insert(0, HistoryEntry { text, mode });
        history.truncate(HISTORY_LEN);
    }

    /// Puts a history entry back in the message box.
    pub fn recall(&mut self, index: usize) {
        if let Some(entry) = self.config.history.get(index) {
            self.message = entry.text.clone();
            self.config.input_mode = entry.mode;
        }
    }

    /// Saves the typed message and how it is sent as a named preset.
    pub fn save_preset(&mut self) {
        let typed = std::mem::take(&mut self.preset_name);
        let name = typed.trim();
        let name = if name.is_empty() {
            tf("Preset {n}", &[("n", &(self.config.presets.len() + 1))])
        } else {
            name.to_string()
        };
        self.config.presets.push(Preset {
            name,
            text: self.message.clone(),
            format: self.payload_format(),
        });
    }

    /// Sends a preset as it was saved.
    pub fn send_preset(&mut self, index: usize) {
        let Some(preset) = self.config.presets.get(index) else {
            return;
        };
        let sent = self.outgoing_of(&preset.text, &preset.format).and_then(
            |(session, destination, template)| {
                session.send(destination, template.render(self.next_values()))
            },
        );
        if sent.is_ok() {
            self.sends += 1;
        }
        self.send_error = sent.err().map(|e| i18n::error(&e));
    }

    /// Loads a preset into the send panel, to edit and save again.
    pub fn edit_preset(&mut self, index: usize) {
        if let Some(preset) = self.config.presets.get(index) {
            self.message = preset.text.clone();
            let format = preset.format;
            self.config.input_mode = format.mode;
            self.config.escapes = format.escapes;
            self.config.line_ending = format.line_ending;
            self.config.checksum = format.checksum;
            self.set_encoding(format.encoding);
        }
    }

    /// Moves a preset one place up (towards the start) or down.
    pub fn move_preset(&mut self, index: usize, up: bool) {
        let other = if up {
            index.checked_sub(1)
        } else {
            Some(index + 1)
        };
        if let Some(other) = other.filter(|&o| o < self.config.presets.len()) {
            self.config.presets.swap(index, other);
        }
    }

    /// The typed message (its variables still to fill in), where it goes, and the session to
    /// send it on.
    fn outgoing(&self) -> Result<(&Session, Destination, Template), Error> {
        self.outgoing_of(&self.message, &self.payload_format())
    }

    fn outgoing_of(
        &self,
        text: &str,
        format: &PayloadFormat,
    ) -> Result<(&Session, Destination, Template), Error> {
        // Parsing builds the message once: bad hex or an empty message fails here.
        let template = Template::parse(text, *format)?;
        let session = self.session.as_ref().ok_or(Error::NotConnected)?;
        Ok((session, self.destination()?, template))
    }

    /// Where sends go: the peer, the selected client or all, the UDP target or last sender.
    pub(super) fn destination(&self) -> Result<Destination, Error> {
        Ok(match self.kind {
            SessionKind::TcpClient => Destination::Default,
            SessionKind::TcpServer => self
                .selected_client
                .map_or(Destination::AllClients, Destination::Client),
            SessionKind::Relay => match (self.config.inject_toward_client, self.selected_client) {
                (false, None) => Destination::Default,
                (false, Some(id)) => Destination::Target(id),
                (true, None) => Destination::AllClients,
                (true, Some(id)) => Destination::Client(id),
            },
            SessionKind::Udp => match (self.config.reply_to_last_sender, self.last_sender) {
                (true, Some(sender)) => Destination::Address(sender),
                _ => Destination::Named(self.target()?),
            },
        })
    }

    pub fn is_repeating(&self) -> bool {
        self.repeater.as_ref().is_some_and(Repeater::is_running)
    }

    /// Starts sending the typed message periodically, or stops it.
    pub fn toggle_repeat(&mut self) {
        if self.is_repeating() {
            self.repeater = None;
            return;
        }
        let started = self.start_repeat();
        self.send_error = started.err().map(|e| i18n::error(&e));
    }

    fn start_repeat(&mut self) -> Result<(), Error> {
        let number = |text: &str| {
            text.trim()
                .parse::<u64>()
                .map_err(|_| Error::InvalidNumber(text.to_string()))
        };
        let interval = Duration::from_millis(number(&self.config.repeat_interval_ms)?);
        let times = number(&self.config.repeat_times)?;
        let (session, destination, template) = self.outgoing()?;
        let repeater = session.repeat(
            destination,
            vec![template],
            interval,
            (times > 0).then_some(times),
        )?;
        self.repeater = Some(repeater);
        Ok(())
    }
}
