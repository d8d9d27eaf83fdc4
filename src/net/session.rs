use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::SystemTime;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};

use crate::error::{Error, describe_io};
use crate::net::command::{Command, Destination};
use crate::net::emitter::Emitter;
use crate::net::event::Event;
use crate::net::stats::{Counters, Totals};
use crate::net::{
    ClientId, FileSend, Repeater, TcpClientConfig, TcpServerConfig, UdpConfig, Waker, tcp_client,
    tcp_server, udp,
};

/// Events waiting for the consumer at most. A full channel holds TCP readers back, so a slow
/// consumer costs at most this many read chunks of memory (64 KiB each), not more.
const EVENT_CAPACITY: usize = 256;

/// Worker threads touch little stack; a small one keeps a thousand clients cheap.
const WORKER_STACK: usize = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    TcpClient,
    TcpServer,
    Udp,
}

/// What to start: a session of one kind with its settings.
#[derive(Debug, Clone)]
pub enum SessionConfig {
    TcpClient(TcpClientConfig),
    TcpServer(TcpServerConfig),
    Udp(UdpConfig),
}

impl SessionConfig {
    pub fn kind(&self) -> SessionKind {
        match self {
            SessionConfig::TcpClient(_) => SessionKind::TcpClient,
            SessionConfig::TcpServer(_) => SessionKind::TcpServer,
            SessionConfig::Udp(_) => SessionKind::Udp,
        }
    }
}

/// One client of a TCP server, as the server's client list shows it.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub id: ClientId,
    pub peer: SocketAddr,
    pub since: SystemTime,
    pub counters: Arc<Counters>,
}

/// What the session's threads and its handle share.
#[derive(Default)]
pub(crate) struct Shared {
    pub counters: Counters,
    clients: Mutex<Vec<ClientInfo>>,
    /// Each TCP connection's writer queue (by client id; None for a TCP client's connection),
    /// so the session handle can queue a send without a detour through the control thread.
    writers: Mutex<HashMap<Option<ClientId>, Sender<Vec<u8>>>>,
    /// Where every received byte is also written, exactly as it arrived.
    capture: Mutex<Option<Capture>>,
}

struct Capture {
    file: File,
    path: PathBuf,
}

impl Shared {
    pub fn writers(&self) -> MutexGuard<'_, HashMap<Option<ClientId>, Sender<Vec<u8>>>> {
        // The map stays valid even if a holder panicked: take it anyway.
        self.writers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends received bytes to the capture file, if one is set. A failed write ends the
    /// capture and says why, once.
    pub fn capture(&self, data: &[u8]) -> Result<(), Error> {
        let mut capture = self
            .capture
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(Capture { file, path }) = capture.as_mut() else {
            return Ok(());
        };
        match file.write_all(data) {
            Ok(()) => Ok(()),
            Err(err) => {
                let error = Error::File {
                    action: "writing the capture to",
                    path: path.display().to_string(),
                    message: describe_io(&err),
                };
                *capture = None;
                Err(error)
            }
        }
    }

    pub fn clients(&self) -> MutexGuard<'_, Vec<ClientInfo>> {
        // The list stays valid even if a holder panicked: take it anyway.
        self.clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What a session's control thread is handed.
pub(crate) struct Worker {
    pub commands: Receiver<Command>,
    pub emitter: Emitter,
    pub shared: Arc<Shared>,
}

/// A handle on a running session. Dropping it stops the session and joins its threads.
pub struct Session {
    kind: SessionKind,
    commands: Option<Sender<Command>>,
    events: Receiver<Event>,
    shared: Arc<Shared>,
    control: Option<JoinHandle<()>>,
}

impl Session {
    /// Connects to `config.target` on a worker thread; the first event is `Connected`, or an
    /// `Error` followed by `Stopped`.
    pub fn tcp_client(config: TcpClientConfig, waker: Waker) -> Result<Session, Error> {
        Session::open(SessionConfig::TcpClient(config), waker, None)
    }

    /// Listens on `config.bind`; the first event is `Listening` with the real port, or an
    /// `Error` followed by `Stopped`.
    pub fn tcp_server(config: TcpServerConfig, waker: Waker) -> Result<Session, Error> {
        Session::open(SessionConfig::TcpServer(config), waker, None)
    }

    /// Binds a UDP socket; the first event is `Listening` with the real port, or an `Error`
    /// followed by `Stopped`.
    pub fn udp(config: UdpConfig, waker: Waker) -> Result<Session, Error> {
        Session::open(SessionConfig::Udp(config), waker, None)
    }

    /// Starts a session of any kind; with `capture`, every received byte is written to that
    /// file from the first byte on.
    pub fn open(
        config: SessionConfig,
        waker: Waker,
        capture: Option<&Path>,
    ) -> Result<Session, Error> {
        let (command_tx, command_rx) = unbounded();
        let (event_tx, event_rx) = bounded(EVENT_CAPACITY);
        let shared = Arc::new(Shared::default());
        let mut session = Session {
            kind: config.kind(),
            commands: Some(command_tx),
            events: event_rx,
            shared: shared.clone(),
            control: None,
        };
        session.set_capture(capture)?;
        let worker = Worker {
            commands: command_rx,
            emitter: Emitter::new(event_tx, waker),
            shared,
        };
        session.control = Some(spawn_worker("session", move || match config {
            SessionConfig::TcpClient(config) => tcp_client::run(config, worker),
            SessionConfig::TcpServer(config) => tcp_server::run(config, worker),
            SessionConfig::Udp(config) => udp::run(config, worker),
        })?);
        Ok(session)
    }

    pub fn kind(&self) -> SessionKind {
        self.kind
    }

    pub fn command(&self, command: Command) {
        if let Some(commands) = &self.commands {
            // Fails only when the session already ended, which its events have said.
            let _ = commands.send(command);
        }
    }

    /// Queues `data`. A TCP connection's queue is reached directly (one thread hand-off less
    /// per message); anything else, or a full queue, goes through the control thread, which
    /// reports what goes wrong.
    pub fn send(&self, to: Destination, mut data: Vec<u8>) {
        let connection = match (self.kind, &to) {
            (SessionKind::TcpClient, _) => Some(None),
            (SessionKind::TcpServer, Destination::Client(id)) => Some(Some(*id)),
            _ => None,
        };
        if let Some(key) = connection
            && let Some(writer) = self.shared.writers().get(&key)
        {
            match writer.try_send(data) {
                Ok(()) => return,
                Err(refused) => data = refused.into_inner(),
            }
        }
        self.command(Command::Send { to, data });
    }

    /// Sends `messages` now and then every `interval`, `rounds` times (None: until the
    /// returned [`Repeater`] is dropped or the session ends).
    pub fn repeat(
        &self,
        to: Destination,
        messages: Vec<Vec<u8>>,
        interval: std::time::Duration,
        rounds: Option<u64>,
    ) -> Result<Repeater, Error> {
        let commands = self.commands.clone().ok_or(Error::NotConnected)?;
        Repeater::start(commands, to, messages, interval, rounds)
    }

    /// Sends each message of `timeline` when its time (from now) comes: split writes, replay.
    pub fn schedule(
        &self,
        to: Destination,
        timeline: Vec<(std::time::Duration, Vec<u8>)>,
    ) -> Result<Repeater, Error> {
        let commands = self.commands.clone().ok_or(Error::NotConnected)?;
        Repeater::schedule(commands, to, timeline)
    }

    /// The events, oldest first. Drain with `try_iter` (GUI) or block with `recv` (CLI).
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// Sends the file at `path` in chunks of `chunk` bytes (one datagram each over UDP).
    pub fn send_file(&self, to: Destination, path: &Path, chunk: usize) -> Result<FileSend, Error> {
        let commands = self.commands.clone().ok_or(Error::NotConnected)?;
        FileSend::start(commands, self.shared.clone(), to, path, chunk)
    }

    /// Starts writing every received byte to `path` (created or truncated), or stops with None.
    pub fn set_capture(&self, path: Option<&Path>) -> Result<(), Error> {
        let capture = match path {
            Some(path) => Some(Capture {
                file: File::create(path).map_err(|e| Error::File {
                    action: "creating the capture file",
                    path: path.display().to_string(),
                    message: describe_io(&e),
                })?,
                path: path.to_path_buf(),
            }),
            None => None,
        };
        *self
            .shared
            .capture
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = capture;
        Ok(())
    }

    pub fn totals(&self) -> Totals {
        self.shared.counters.totals()
    }

    pub fn reset_totals(&self) {
        self.shared.counters.reset();
        for client in self.shared.clients().iter() {
            client.counters.reset();
        }
    }

    /// The connected clients of a TCP server, in accept order.
    pub fn clients(&self) -> Vec<ClientInfo> {
        self.shared.clients().clone()
    }

    /// Closes every socket, joins every thread, frees the port.
    pub fn stop(mut self) {
        self.shut_down();
    }

    /// Stops, and returns the events still queued: how each connection closed.
    pub fn stop_and_collect(mut self) -> Vec<Event> {
        self.shut_down();
        self.events.try_iter().collect()
    }

    fn shut_down(&mut self) {
        if let Some(commands) = self.commands.take() {
            let _ = commands.send(Command::Stop);
        }
        if let Some(control) = self.control.take() {
            // A panic in a worker was already printed; there is nothing more to do with it.
            let _ = control.join();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shut_down();
    }
}

pub(crate) fn spawn_worker<F>(name: &str, body: F) -> Result<JoinHandle<()>, Error>
where
    F: FnOnce() + Send + 'static,
{
    thread::Builder::new()
        .name(name.to_string())
        .stack_size(WORKER_STACK)
        .spawn(body)
        .map_err(|e| Error::Io {
            action: "starting a thread for",
            addr: name.to_string(),
            message: crate::error::describe_io(&e),
        })
}
