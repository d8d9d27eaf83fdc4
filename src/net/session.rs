use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::SystemTime;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};

use crate::error::Error;
use crate::net::command::{Command, Destination};
use crate::net::emitter::Emitter;
use crate::net::event::Event;
use crate::net::stats::{Counters, Totals};
use crate::net::{
    ClientId, Repeater, TcpClientConfig, TcpServerConfig, UdpConfig, Waker, tcp_client, tcp_server,
    udp,
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
}

impl Shared {
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
        Session::start(SessionKind::TcpClient, waker, move |worker| {
            tcp_client::run(config, worker)
        })
    }

    /// Listens on `config.bind`; the first event is `Listening` with the real port, or an
    /// `Error` followed by `Stopped`.
    pub fn tcp_server(config: TcpServerConfig, waker: Waker) -> Result<Session, Error> {
        Session::start(SessionKind::TcpServer, waker, move |worker| {
            tcp_server::run(config, worker)
        })
    }

    /// Binds a UDP socket; the first event is `Listening` with the real port, or an `Error`
    /// followed by `Stopped`.
    pub fn udp(config: UdpConfig, waker: Waker) -> Result<Session, Error> {
        Session::start(SessionKind::Udp, waker, move |worker| {
            udp::run(config, worker)
        })
    }

    fn start(
        kind: SessionKind,
        waker: Waker,
        run: impl FnOnce(Worker) + Send + 'static,
    ) -> Result<Session, Error> {
        let (command_tx, command_rx) = unbounded();
        let (event_tx, event_rx) = bounded(EVENT_CAPACITY);
        let shared = Arc::new(Shared::default());
        let worker = Worker {
            commands: command_rx,
            emitter: Emitter::new(event_tx, waker),
            shared: shared.clone(),
        };
        let control = spawn_worker("session", move || run(worker))?;
        Ok(Session {
            kind,
            commands: Some(command_tx),
            events: event_rx,
            shared,
            control: Some(control),
        })
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

    pub fn send(&self, to: Destination, data: Vec<u8>) {
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

    /// The events, oldest first. Drain with `try_iter` (GUI) or block with `recv` (CLI).
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
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

    /// True once the session's threads have all ended.
    pub fn is_finished(&self) -> bool {
        self.control.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Closes every socket, joins every thread, frees the port.
    pub fn stop(mut self) {
        self.shut_down();
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
