//! A session: its control thread, what its threads share, and the handle that sends, sets
//! rules and capture, and stops it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::SystemTime;

use crossbeam_channel::{Receiver, Select, Sender, TrySendError, bounded, select};

use crate::codec::websocket::DataFrames;
use crate::error::Error;
use crate::net::budget::DEFAULT_MEMORY_BUDGET;
use crate::net::capture_file::CaptureFile;
use crate::net::command::{Command, Control, Destination, Setting};
use crate::net::emitter::Emitter;
use crate::net::event::{Event, EventKind};
use crate::net::outbox::{Outbox, Outgoing, Ticket};
use crate::net::rules::Responder;
pub(crate) use crate::net::shared::Shared;
use crate::net::stats::{Counters, Totals};
use crate::net::stoppable::{Stoppable, any_signalled};
use crate::net::{
    ClientId, FileSend, RelayConfig, Repeater, TcpClientConfig, TcpServerConfig, UdpConfig, Waker,
    relay, tcp_client, tcp_server, udp,
};

/// Events waiting for the consumer at most. A full channel holds TCP readers back, so a slow
/// consumer costs at most this many read chunks of memory (64 KiB each), not more.
const EVENT_CAPACITY: usize = 256;

/// Commands and messages waiting for the control thread; the window is refused past this
/// (the control thread only hands messages on, so it is rarely full), producers wait.
const CONTROL_CAPACITY: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionKind {
    TcpClient,
    TcpServer,
    Udp,
    /// A TCP relay: listens, and joins each client to the target, byte for byte both ways.
    Relay,
}

/// What to start: a session of one kind with its settings.
#[derive(Debug, Clone)]
pub enum SessionConfig {
    TcpClient(TcpClientConfig),
    TcpServer(TcpServerConfig),
    Udp(UdpConfig),
    Relay(RelayConfig),
}

impl SessionConfig {
    pub fn kind(&self) -> SessionKind {
        match self {
            SessionConfig::TcpClient(_) => SessionKind::TcpClient,
            SessionConfig::TcpServer(_) => SessionKind::TcpServer,
            SessionConfig::Udp(_) => SessionKind::Udp,
            SessionConfig::Relay(_) => SessionKind::Relay,
        }
    }

    /// What the connections may hold together in buffers and queues.
    fn memory_budget(&self) -> usize {
        match self {
            SessionConfig::TcpClient(c) => c.options.memory_budget,
            SessionConfig::TcpServer(c) => c.options.memory_budget,
            SessionConfig::Relay(c) => c.options.memory_budget,
            SessionConfig::Udp(_) => DEFAULT_MEMORY_BUDGET,
        }
    }
}

/// One client of a TCP server, as the server's client list shows it.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub id: ClientId,
    /// This end of the connection.
    pub local: SocketAddr,
    pub peer: SocketAddr,
    pub since: SystemTime,
    pub counters: Arc<Counters>,
}

/// What a session's control thread is handed.
pub(crate) struct Worker {
    pub commands: Receiver<Control>,
    pub emitter: Emitter,
    pub shared: Arc<Shared>,
}

impl Worker {
    /// What a worker thread takes: its commands, where its events go, what the session shares.
    pub fn into_parts(self) -> (Receiver<Control>, Emitter, Arc<Shared>) {
        (self.commands, self.emitter, self.shared)
    }
}

/// A running session, as a message endpoint: commands and messages go in without waiting,
/// events come out, and a stop is signalled beside the queues, never behind them. Dropping it
/// stops the session without waiting: its threads close the sockets, free the port and end by
/// themselves.
pub struct Session {
    handle: Handle,
    events: Receiver<Event>,
    /// Disconnects once the control thread has said its last word (`Stopped`).
    finished: Receiver<()>,
    /// The control thread: joined by `stop` (which may wait), let go by a drop.
    control: Option<Stoppable>,
}

/// What producers (periodic sends, file sends, replay) hold to queue messages on a session.
#[derive(Clone)]
pub(crate) struct Handle {
    kind: SessionKind,
    commands: Option<Sender<Control>>,
    shared: Arc<Shared>,
    /// For producers that report (a sequence's steps).
    emitter: Emitter,
}

impl Session {
    /// Connects to `config.target` on a worker thread; the first event is `Connected`, or an
    /// `Error` followed by `Stopped`.
    pub fn tcp_client(config: TcpClientConfig, waker: Waker) -> Result<Session, Error> {
        Session::open(SessionConfig::TcpClient(config), waker, None, None)
    }

    /// Listens on `config.bind`; the first event is `Listening` with the real port, or an
    /// `Error` followed by `Stopped`.
    pub fn tcp_server(config: TcpServerConfig, waker: Waker) -> Result<Session, Error> {
        Session::open(SessionConfig::TcpServer(config), waker, None, None)
    }

    /// Binds a UDP socket; the first event is `Listening` with the real port, or an `Error`
    /// followed by `Stopped`.
    pub fn udp(config: UdpConfig, waker: Waker) -> Result<Session, Error> {
        Session::open(SessionConfig::Udp(config), waker, None, None)
    }

    /// Listens on `config.listen` and joins each client to `config.target`; the first event
    /// is `Listening` with the real port, or an `Error` followed by `Stopped`.
    pub fn relay(config: RelayConfig, waker: Waker) -> Result<Session, Error> {
        Session::open(SessionConfig::Relay(config), waker, None, None)
    }

    /// Starts a session of any kind; with `capture`, every received byte is written to that
    /// file from the first byte on; `responder`'s rules answer from the first message on.
    pub fn open(
        config: SessionConfig,
        waker: Waker,
        capture: Option<&Path>,
        responder: Option<Responder>,
    ) -> Result<Session, Error> {
        let (command_tx, command_rx) = bounded(CONTROL_CAPACITY);
        let (event_tx, event_rx) = bounded(EVENT_CAPACITY);
        let shared = Arc::new(Shared::new(
            config.memory_budget(),
            capture.map(CaptureFile::create).transpose()?,
            responder,
        ));
        let emitter = Emitter::new(event_tx, waker);
        let (finished_tx, finished) = bounded(0);
        let mut session = Session {
            handle: Handle {
                kind: config.kind(),
                commands: Some(command_tx),
                shared: shared.clone(),
                emitter: emitter.clone(),
            },
            events: event_rx,
            finished,
            control: None,
        };
        let worker = Worker {
            commands: command_rx,
            emitter: emitter.clone(),
            shared: shared.clone(),
        };
        let stop = emitter.stop().clone();
        session.control = Some(Stoppable::spawn_on("session", &stop, move |_| {
            // `Stopped` is the last event of every run, even one that panicked.
            let _last_word = LastWord {
                emitter,
                shared,
                _finished: finished_tx,
            };
            match config {
                SessionConfig::TcpClient(config) => tcp_client::run(config, worker),
                SessionConfig::TcpServer(config) => tcp_server::run(config, worker),
                SessionConfig::Udp(config) => udp::run(config, worker),
                SessionConfig::Relay(config) => relay::run(config, worker),
            }
        })?);
        Ok(session)
    }

    /// Asks every thread of the session to stop, without waiting: sockets close, queued
    /// messages are dropped, and the events go on (how each connection closed) up to
    /// `Stopped`. Never held up by a full queue.
    pub fn request_stop(&self) {
        self.handle.emitter.set_stopping();
    }

    pub fn kind(&self) -> SessionKind {
        self.handle.kind
    }

    pub(crate) fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Hands `command` to the session without waiting; refused (`SessionBusy`) while its
    /// queue is full. `Command::Stop` is the same as [`Session::request_stop`].
    pub fn command(&self, command: Command) -> Result<(), Error> {
        self.handle.command(command)
    }

    /// Queues `data` without waiting (for the window, which must never wait). A message that
    /// does not fit is refused whole, with the reason; nothing is ever sent in part. Problems
    /// found later (no such client, the send failed) come as `Error` events.
    pub fn send(&self, to: Destination, data: Vec<u8>) -> Result<(), Error> {
        self.handle.send(to, data)
    }

    /// Queues `data`, waiting while the peer is slower than us (TCP flow control then slows
    /// the producer). For threads that may wait: the CLI's input, file sends, periodic sends.
    pub fn send_wait(&self, to: Destination, data: Vec<u8>) -> Result<(), Error> {
        self.handle.send_wait(to, data, None, &[])
    }

    /// Messages handed to the session that are not yet written or failed.
    pub fn in_flight(&self) -> usize {
        self.handle.shared.in_flight.count()
    }

    /// Gets a token whenever [`Session::in_flight`] falls to zero (the CLI waits on it to end
    /// once everything is out).
    pub fn idle(&self) -> &Receiver<()> {
        self.handle.shared.in_flight.idle()
    }

    /// Echo and auto-reply rules, answered by the engine on each connection's reader side
    /// (None: no answers). Applies to connections already open too, once the control thread
    /// takes it (see [`Session::settle`]).
    pub fn set_responder(&self, responder: Option<Responder>) -> Result<(), Error> {
        self.handle.apply(Setting::Responder(responder))
    }

    /// On WebSocket connections, what kind of data frame each message goes out as from now on
    /// (those already queued too): by its bytes (the default), always text or always binary.
    /// Echo answers a binary message in binary whatever the choice.
    pub fn set_data_frames(&self, frames: DataFrames) {
        self.handle.shared.set_data_frames(frames);
    }

    /// Sends `messages` now and then every `interval`, `rounds` times (None: until the
    /// returned [`Repeater`] is dropped or the session ends).
    pub fn repeat(
        &self,
        to: Destination,
        messages: Vec<crate::codec::template::Template>,
        interval: std::time::Duration,
        rounds: Option<u64>,
    ) -> Result<Repeater, Error> {
        Repeater::start(self.handle(), to, messages, interval, rounds)
    }

    /// Sends each message of `timeline` when its time (from now) comes: split writes, replay.
    pub fn schedule(
        &self,
        to: Destination,
        timeline: Vec<(std::time::Duration, Vec<u8>)>,
    ) -> Result<Repeater, Error> {
        Repeater::schedule(self.handle(), to, timeline)
    }

    /// Runs `sequence`'s steps over the session, sending to `to`; its progress comes as
    /// `SequenceStep` and `SequenceEnded` events. Every step is checked first.
    pub fn run_sequence(
        &self,
        to: Destination,
        sequence: &crate::net::Sequence,
        encoding: crate::codec::TextEncoding,
    ) -> Result<crate::net::SequenceRun, Error> {
        crate::net::SequenceRun::start(self.handle(), to, sequence, encoding)
    }

    /// The events, oldest first. Drain with `try_iter` (GUI) or block with `recv` (CLI).
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// Sends the file at `path` in chunks of `chunk` bytes (one datagram each over UDP),
    /// reading it only as fast as the peer takes it.
    pub fn send_file(&self, to: Destination, path: &Path, chunk: usize) -> Result<FileSend, Error> {
        FileSend::start(self.handle(), to, path, chunk)
    }

    /// Starts writing every received byte to `path` (created or truncated), or stops with None.
    /// A capture it replaces finishes writing on its own thread: nothing here waits on a disk.
    pub fn set_capture(&self, path: Option<&Path>) -> Result<(), Error> {
        let capture = path.map(CaptureFile::create).transpose()?;
        self.handle.apply(Setting::Capture(capture))
    }

    pub fn totals(&self) -> Totals {
        self.handle.shared.totals()
    }

    pub fn reset_totals(&self) -> Result<(), Error> {
        self.handle.apply(Setting::ResetTotals)
    }

    /// Waits until every setting handed over before (rules, capture, counters) is in force,
    /// or the session ends: for callers that may wait (the command line, tests).
    pub fn settle(&self) {
        let (applied, in_force) = bounded(0);
        if self.handle.apply(Setting::Mark(applied)).is_ok() {
            select! {
                recv(in_force) -> _ => {},
                recv(self.finished) -> _ => {},
            }
        }
    }

    /// The connected clients of a TCP server or a relay, in accept order.
    pub fn clients(&self) -> Vec<ClientInfo> {
        self.handle.shared.clients().clone()
    }

    /// Stops, and waits until every socket is closed and the port is free (for callers that
    /// may wait: the command line, tests; the window drops the session instead).
    pub fn stop(self) {
        self.stop_and_drain(drop);
    }

    /// Stops, and returns the events still queued: how each connection closed.
    pub fn stop_and_collect(self) -> Vec<Event> {
        let mut events = Vec::new();
        self.stop_and_drain(|event| events.push(event));
        events
    }

    /// Stops, handing every event that comes meanwhile (how each connection closed, why a
    /// capture is incomplete) to `take`, in order, up to and including `Stopped`.
    pub fn stop_and_drain(mut self, mut take: impl FnMut(Event)) {
        self.request_stop();
        // The session's threads wait for room in the channel: taking its events is what lets
        // them finish. `Stopped` is always the last word (`LastWord`), and may have been
        // taken already.
        loop {
            select! {
                recv(self.events) -> event => match event {
                    Ok(event) => take(event),
                    Err(_) => break,
                },
                recv(self.finished) -> _ => break,
            }
        }
        self.events.try_iter().for_each(take);
        // Its last word is said: the thread ends at once (its connections' threads ended
        // before it), so the caller sees no thread of the session left.
        if let Some(control) = self.control.take() {
            control.wait();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // The receiver goes with the session: a thread waiting to report fails at once.
        self.request_stop();
    }
}

/// Said as a session's control thread ends, however it ends: the capture file is finished
/// (or why it is not), then `Stopped`, the last event.
struct LastWord {
    emitter: Emitter,
    shared: Arc<Shared>,
    /// Dropped after `Stopped` is sent: `stop_and_drain` then takes what is left.
    _finished: Sender<()>,
}

impl Drop for LastWord {
    fn drop(&mut self) {
        if let Some(error) = self.shared.finish_capture() {
            self.emitter.emit(EventKind::Error {
                client: None,
                error,
            });
        }
        self.emitter.emit_last(EventKind::Stopped);
    }
}

impl Handle {
    pub fn kind(&self) -> SessionKind {
        self.kind
    }

    /// Reports a producer's event (as the session's threads report theirs).
    pub fn report(&self, kind: EventKind) {
        self.emitter.emit(kind);
    }

    /// Arms a sequence's wait for a reply in the session's receivers (None: disarms).
    pub fn expect(&self, expectation: Option<crate::net::sequence::Expectation>) {
        self.shared.expect(expectation);
    }

    pub fn command(&self, command: Command) -> Result<(), Error> {
        if command == Command::Stop {
            self.emitter.set_stopping();
            return Ok(());
        }
        let Some(commands) = &self.commands else {
            return Ok(());
        };
        match commands.try_send(Control::Command(command)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(Error::SessionBusy),
            // The session already ended, which its events have said.
            Err(TrySendError::Disconnected(_)) => Ok(()),
        }
    }

    /// Hands `setting` to the control thread without waiting (`SessionBusy` if its queue is
    /// full; nothing when the session has ended).
    fn apply(&self, setting: Setting) -> Result<(), Error> {
        let Some(commands) = &self.commands else {
            return Ok(());
        };
        match commands.try_send(Control::Apply(setting)) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => Ok(()),
            Err(TrySendError::Full(_)) => Err(Error::SessionBusy),
        }
    }

    pub fn is_stopping(&self) -> bool {
        self.emitter.is_stopping()
    }

    /// Ready (disconnected) once the session is stopping: for producers' `select!`.
    pub fn stopping(&self) -> &Receiver<()> {
        self.emitter.stop().receiver()
    }

    /// The connection a message to `to` goes to directly, when there is exactly one.
    fn direct(&self, to: &Destination) -> Option<Arc<Outbox>> {
        let key = match (self.kind, to) {
            (SessionKind::TcpClient, _) => None,
            (SessionKind::TcpServer | SessionKind::Relay, Destination::Client(id)) => Some(*id),
            (SessionKind::Relay, Destination::Target(id)) => {
                return self.shared.relay_targets().get(id).cloned();
            }
            _ => return None,
        };
        self.shared.outbox(key)
    }

    /// The connections a message to `to` goes to directly, when it goes to several.
    fn every(&self, to: &Destination) -> Vec<Arc<Outbox>> {
        match (self.kind, to) {
            (SessionKind::TcpServer, Destination::Default)
            | (SessionKind::TcpServer | SessionKind::Relay, Destination::AllClients) => {
                self.shared.outboxes().values().cloned().collect()
            }
            (SessionKind::Relay, Destination::Default) => {
                self.shared.relay_targets().values().cloned().collect()
            }
            _ => Vec::new(),
        }
    }

    fn outgoing(&self, data: Vec<u8>, progress: Option<Arc<AtomicU64>>) -> Outgoing {
        Outgoing::new(data, progress, Ticket::new(&self.shared.in_flight))
    }

    /// Hands `data` to the control thread, which queues it for the connection (refused whole
    /// there, as an `Error` event, when the peer is not reading): the caller, often the
    /// window's thread, takes no lock of a connection and makes no system call.
    pub fn send(&self, to: Destination, data: Vec<u8>) -> Result<(), Error> {
        let commands = self.commands.as_ref().ok_or(Error::NotConnected)?;
        let message = Control::Send {
            to,
            message: self.outgoing(data, None),
        };
        commands.try_send(message).map_err(|err| match err {
            TrySendError::Full(_) => Error::SessionBusy,
            TrySendError::Disconnected(_) => Error::NotConnected,
        })
    }

    /// Queues `data`, waiting for room; `progress` counts its bytes once written. Gives up
    /// (with `NotConnected`) when the session stops, any of `give_up` (stops, channels never
    /// sent on) is signalled or the connection closes: each of those wakes the wait. Refused
    /// (with `NoSuchClient`) for a server's or relay's client that has gone.
    pub fn send_wait(
        &self,
        to: Destination,
        data: Vec<u8>,
        progress: Option<Arc<AtomicU64>>,
        give_up: &[&Receiver<()>],
    ) -> Result<(), Error> {
        let give_up: Vec<&Receiver<()>> = std::iter::once(self.stopping())
            .chain(give_up.iter().copied())
            .collect();
        let outboxes: Vec<Arc<Outbox>> = match self.direct(&to) {
            Some(outbox) => vec![outbox],
            None => self.every(&to),
        };
        if outboxes.is_empty() {
            // A server's or relay's client is published from before it is reported until it
            // has ended: one that is not there has gone, and a file or repeat sent to it ends.
            if let (SessionKind::TcpServer | SessionKind::Relay, Destination::Client(id)) =
                (self.kind, &to)
            {
                return Err(Error::NoSuchClient(*id));
            }
            // Through the control thread, which reports what goes wrong (not connected yet).
            let commands = self.commands.as_ref().ok_or(Error::NotConnected)?;
            let message = Control::Send {
                to,
                message: self.outgoing(data, progress),
            };
            // Woken by room in the queue or by a stop.
            let mut select = Select::new();
            let send = select.send(commands);
            for stop in &give_up {
                select.recv(stop);
            }
            let operation = select.select();
            return match operation.index() {
                index if index == send => operation
                    .send(commands, message)
                    .map_err(|_| Error::NotConnected),
                index => {
                    // A selected operation must be completed.
                    let _ = operation.recv(give_up[index - 1]);
                    Err(Error::NotConnected)
                }
            };
        }
        // To several clients, one that leaves meanwhile does not stop the others.
        let mut delivered = false;
        for outbox in outboxes {
            let message = self.outgoing(data.clone(), progress.clone());
            delivered |= outbox.push_wait(message, &give_up).is_ok();
            if any_signalled(&give_up) {
                break;
            }
        }
        if delivered {
            Ok(())
        } else {
            Err(Error::NotConnected)
        }
    }
}
