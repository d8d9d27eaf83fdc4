//! The UDP session: one socket, a receiving thread, sends from the control thread, multicast
//! and broadcast.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crossbeam_channel::select;
use socket2::{Domain, Protocol, Socket, Type};

use crate::error::{Error, MAX_UDP_PAYLOAD, describe_io, is_access_denied};
use crate::net::addr::{HostPort, is_broadcast, reachable_local};
use crate::net::answers::{Answer, Answers};
use crate::net::command::{Command, Control, Destination};
use crate::net::datagrams::{DATAGRAMS_PER_CALL, DatagramReceiver};
use crate::net::emitter::Emitter;
use crate::net::event::{EventKind, Message};
use crate::net::lookup::{Lookups, Route};
use crate::net::outbox::{Outgoing, Ticket};
use crate::net::read_batch::ReadBatch;
use crate::net::session::{Shared, Worker};
use crate::net::socket_options::{self, SocketKind, UDP_RECV_BUFFER};
use crate::net::stoppable::Stoppable;

#[derive(Debug, Clone)]
pub struct UdpConfig {
    pub bind: SocketAddr,
    /// Where `Destination::Default` sends go.
    pub target: Option<HostPort>,
    pub broadcast: bool,
    /// Multicast groups to join at once.
    pub multicast_groups: Vec<IpAddr>,
    /// Hops a multicast datagram we send may cross (IP TTL); the OS default is 1.
    pub multicast_ttl: Option<u32>,
    /// Whether our own multicast datagrams come back to this machine (the OS default: yes).
    pub multicast_loop: bool,
}

impl UdpConfig {
    pub fn new(bind: SocketAddr) -> UdpConfig {
        UdpConfig {
            bind,
            target: None,
            broadcast: false,
            multicast_groups: Vec::new(),
            multicast_ttl: None,
            multicast_loop: true,
        }
    }
}

pub(crate) fn run(config: UdpConfig, worker: Worker) {
    let socket = match bind(&config) {
        Ok(socket) => Arc::new(socket),
        Err(error) => return worker.emitter.could_not_start(error),
    };
    let (commands, emitter, shared) = worker.into_parts();
    shared.meter_drops(socket.clone());
    let local = socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .unwrap_or(config.bind);
    emitter.emit(EventKind::Listening { local });
    if let Ok(granted) = socket.recv_buffer_size() {
        emitter.emit(EventKind::ReceiveBuffer {
            asked: UDP_RECV_BUFFER,
            granted,
        });
    }

    let receiver = {
        let (socket, receive_emitter, shared) = (socket.clone(), emitter.clone(), shared.clone());
        Stoppable::spawn_or_report("udp-receive", &emitter, move |_| {
            receive_loop(&socket, local, &receive_emitter, &shared)
        })
    };

    let (mut lookups, looked_up) = Lookups::new(local);
    let deliver = |target: SocketAddr, message: Outgoing| {
        // UDP sends from the control thread itself: nothing is ever reported early.
        let Outgoing {
            data,
            progress,
            _ticket: ticket,
            ..
        } = message;
        let len = data.len() as u64;
        if send_and_report(&socket, target, data, ticket, &shared, &emitter)
            && let Some(progress) = progress
        {
            progress.fetch_add(len, Ordering::Relaxed);
        }
    };
    let refuse = |error: Error| {
        emitter.emit(EventKind::Error {
            client: None,
            error,
        })
    };
    loop {
        select! {
            recv(emitter.stop().receiver()) -> _ => break,
            recv(looked_up) -> done => {
                // The sender lives in `lookups`, so the channel stays open.
                let Ok(done) = done else { continue };
                match lookups.finished(done) {
                    (Ok(target), waiting) => waiting.into_iter().for_each(|m| deliver(target, m)),
                    (Err(error), waiting) => {
                        drop(waiting);
                        refuse(error);
                    }
                }
            },
            recv(commands) -> command => match command {
                Ok(Control::Send { to, message }) => {
                    let route = match to {
                        Destination::Address(addr) => Route::Ready(addr, message),
                        Destination::Named(name) => lookups.route(name, message),
                        _ => match &config.target {
                            Some(name) => lookups.route(name.clone(), message),
                            None => Route::Refused(Error::NoTarget, message),
                        },
                    };
                    match route {
                        Route::Ready(target, message) => deliver(target, message),
                        Route::Waiting => {}
                        Route::Refused(error, message) => {
                            drop(message);
                            refuse(error);
                        }
                    }
                }
                Ok(Control::Command(Command::JoinMulticast(group))) => {
                    if let Err(error) = join(&socket, group) {
                        emitter.emit(EventKind::Error { client: None, error });
                    }
                }
                Ok(Control::Command(Command::LeaveMulticast(group))) => {
                    if let Err(error) = leave(&socket, group) {
                        emitter.emit(EventKind::Error { client: None, error });
                    }
                }
                Ok(Control::Command(Command::SetBroadcast(on))) => {
                    if let Err(error) = socket.set_broadcast(on) {
                        emitter.emit(EventKind::Error {
                            client: None,
                            error: Error::from_io("switching broadcast on", local, &error),
                        });
                    }
                }
                Ok(Control::Apply(setting)) => shared.apply(setting),
                Ok(Control::Command(Command::Disconnect(_) | Command::Reset(_))) => {}
                Ok(Control::Command(Command::Stop)) | Err(_) => break,
            },
        }
    }

    emitter.set_stopping();
    // On Linux this wakes `recv_from` at once; elsewhere an empty datagram to ourselves does.
    let _ = socket.shutdown(Shutdown::Read);
    if !cfg!(target_os = "linux") {
        let _ = socket.send_to(&[], &reachable_local(local).into());
    }
    if let Some(receiver) = receiver {
        receiver.wait();
    }
    shared.stop_delayed();
}

/// Sends one datagram. It is reported (`Sent`) before it goes out, so the report comes before
/// any answer the receiving thread may report; a send that fails adds an error and is taken
/// back out of the counters. False when it failed.
fn send_and_report(
    socket: &Socket,
    target: SocketAddr,
    data: Vec<u8>,
    ticket: Ticket,
    shared: &Shared,
    emitter: &Emitter,
) -> bool {
    if data.len() > MAX_UDP_PAYLOAD {
        drop(ticket);
        emitter.emit(EventKind::Error {
            client: None,
            error: Error::DatagramTooLarge { len: data.len() },
        });
        return false;
    }
    let len = data.len();
    shared.counters.add_tx(len);
    // The event takes the bytes, so the socket sends a copy (at most 64 KiB).
    let datagram = data.clone();
    emitter.emit(EventKind::sent(None, target, data));
    let sent = send_to(socket, target, &datagram);
    drop(ticket);
    match sent {
        Ok(()) => true,
        Err(error) => {
            shared.counters.take_back_tx(len);
            emitter.emit(EventKind::Error {
                client: None,
                error,
            });
            false
        }
    }
}

fn send_to(socket: &Socket, target: SocketAddr, data: &[u8]) -> Result<(), Error> {
    socket
        .send_to(data, &target.into())
        .map(|_| ())
        .map_err(|e| match e.kind() {
            io::ErrorKind::PermissionDenied => {
                // The system says EACCES for a broadcast address it knows (127.255.255.255
                // too) with Broadcast off; a firewall says EPERM.
                let broadcast_off = !socket.broadcast().unwrap_or(false);
                let to_broadcast = is_access_denied(&e) || is_broadcast(target.ip());
                Error::send_denied(target, broadcast_off && to_broadcast, &e)
            }
            _ => Error::from_io("sending to", target, &e),
        })
}

fn bind(config: &UdpConfig) -> Result<Socket, Error> {
    let addr = config.bind;
    let io_error = |e: io::Error| Error::from_io("binding", addr, &e);
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
        .map_err(io_error)?;
    let multicast = !config.multicast_groups.is_empty();
    socket_options::apply(&socket, SocketKind::Udp { multicast }).map_err(io_error)?;
    if config.broadcast {
        socket.set_broadcast(true).map_err(io_error)?;
    }
    socket.bind(&addr.into()).map_err(io_error)?;
    let multicast_option = |e: io::Error| Error::from_io("setting multicast options on", addr, &e);
    if addr.is_ipv4() {
        socket
            .set_multicast_loop_v4(config.multicast_loop)
            .map_err(multicast_option)?;
        if let Some(ttl) = config.multicast_ttl {
            socket.set_multicast_ttl_v4(ttl).map_err(multicast_option)?;
        }
    } else {
        socket
            .set_multicast_loop_v6(config.multicast_loop)
            .map_err(multicast_option)?;
        if let Some(hops) = config.multicast_ttl {
            socket
                .set_multicast_hops_v6(hops)
                .map_err(multicast_option)?;
        }
    }
    for &group in &config.multicast_groups {
        join(&socket, group)?;
    }
    Ok(socket)
}

/// Joins `group` on the interface the system picks (the default route's).
fn join(socket: &Socket, group: IpAddr) -> Result<(), Error> {
    let result = match group {
        IpAddr::V4(v4) => socket.join_multicast_v4(&v4, &Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(v6) => socket.join_multicast_v6(&v6, 0),
    };
    result.map_err(|e| multicast_error("joining", group, &e))
}

fn leave(socket: &Socket, group: IpAddr) -> Result<(), Error> {
    let result = match group {
        IpAddr::V4(v4) => socket.leave_multicast_v4(&v4, &Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(v6) => socket.leave_multicast_v6(&v6, 0),
    };
    result.map_err(|e| multicast_error("leaving", group, &e))
}

fn multicast_error(action: &'static str, group: IpAddr, err: &io::Error) -> Error {
    let reason = if group.is_multicast() {
        describe_io(err)
    } else {
        "it is not a multicast address (224.0.0.0/4 or ff00::/8)".to_string()
    };
    Error::Multicast {
        action,
        group,
        reason,
    }
}

fn receive_loop(socket: &Arc<Socket>, local: SocketAddr, emitter: &Emitter, shared: &Arc<Shared>) {
    let mut answers = Answers::default();
    let mut drops = DropReport::default();
    let mut errors = ReceiveErrors::default();
    let mut receiver = DatagramReceiver::new();
    let mut datagrams = Vec::with_capacity(DATAGRAMS_PER_CALL);
    loop {
        let result = receiver.receive(socket, &mut datagrams);
        if emitter.is_stopping() {
            // The last drops of a flood, told before `Stopped`.
            drops.tell(shared, emitter);
            return;
        }
        drops.tell_now_and_then(shared, emitter);
        match result {
            Ok(()) => {
                // The datagrams of one call are one event; their answers go out after it.
                let mut batch = ReadBatch::new(emitter, None);
                let mut capture_failed = None;
                for (peer, data) in datagrams.drain(..) {
                    shared.counters.add_rx(data.len(), 1);
                    if let Err(error) = shared.capture(&data, emitter.stop()) {
                        capture_failed = Some(error);
                    }
                    let replies = answers.replies(shared, &data, false);
                    batch.push(Message::now(peer, data), replies);
                }
                let Some(replies) = batch.send() else {
                    return;
                };
                // Said after the datagrams it failed on, as a TCP reader says it.
                if let Some(error) = capture_failed {
                    emitter.emit(EventKind::Error {
                        client: None,
                        error,
                    });
                }
                for (peer, replies) in replies {
                    answer(replies, peer, socket, shared, emitter);
                }
            }
            Err(err) => {
                let (error, ends) = match errors.take(&err, local) {
                    ControlFlow::Continue(error) => (error, false),
                    ControlFlow::Break(error) => (Some(error), true),
                };
                if let Some(error) = error {
                    emitter.emit(EventKind::Error {
                        client: None,
                        error,
                    });
                }
                if ends {
                    return;
                }
            }
        }
    }
}

/// Tells of datagrams the kernel dropped, in an event at most every `DROPS_TOLD_EVERY` while
/// datagrams arrive (a flood that overflows the buffer must not flood the log too), and once
/// more when the session stops; the session's totals have the exact figure at any time.
#[derive(Default)]
struct DropReport {
    /// The count last told.
    told: u64,
    looked: Option<Instant>,
}

const DROPS_TOLD_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

impl DropReport {
    fn tell_now_and_then(&mut self, shared: &Shared, emitter: &Emitter) {
        if self
            .looked
            .is_none_or(|at| at.elapsed() >= DROPS_TOLD_EVERY)
        {
            self.looked = Some(Instant::now());
            self.tell(shared, emitter);
        }
    }

    fn tell(&mut self, shared: &Shared, emitter: &Emitter) {
        let total = shared.kernel_dropped();
        if total != self.told {
            self.told = total;
            emitter.emit(EventKind::KernelDropped { total });
        }
    }
}

/// Echo and auto-replies, sent from the receiving thread as each datagram arrives.
fn answer(
    answer: Answer,
    peer: SocketAddr,
    socket: &Arc<Socket>,
    shared: &Arc<Shared>,
    emitter: &Emitter,
) {
    for (data, ticket) in answer.now {
        send_and_report(socket, peer, data, ticket, shared, emitter);
    }
    if let Some((delay, data, ticket)) = answer.later {
        let (socket, job_shared, job_emitter) = (socket.clone(), shared.clone(), emitter.clone());
        let job = Box::new(move || {
            send_and_report(&socket, peer, data, ticket, &job_shared, &job_emitter);
        });
        if let Err(error) = shared.schedule(Instant::now() + delay, job, emitter.stop()) {
            emitter.emit(EventKind::Error {
                client: None,
                error,
            });
        }
    }
}

/// How the receiving loop takes an error. An ICMP "port unreachable" drawn by an earlier send
/// comes back on a later receive on some systems (Windows as WSAECONNRESET unless
/// `SIO_UDP_CONNRESET` is off, Linux as ECONNREFUSED with `IP_RECVERR`): the socket still
/// works, so it is said once and receiving goes on. A signal is retried; anything else ends
/// the loop.
#[derive(Default)]
struct ReceiveErrors {
    told_unreachable: bool,
}

impl ReceiveErrors {
    /// Continue with an error to report (or None), or Break with the one that ends the loop.
    fn take(&mut self, err: &io::Error, local: SocketAddr) -> ControlFlow<Error, Option<Error>> {
        match err.kind() {
            io::ErrorKind::Interrupted => ControlFlow::Continue(None),
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused => {
                let first = !std::mem::replace(&mut self.told_unreachable, true);
                ControlFlow::Continue(first.then_some(Error::PortUnreachable(local)))
            }
            _ => ControlFlow::Break(Error::from_io("receiving on", local, err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{DEFAULT_MEMORY_BUDGET, Event, no_waker};
    use crossbeam_channel::Receiver;
    use std::net::UdpSocket;
    use std::time::Duration;

    fn kind(kind: io::ErrorKind) -> io::Error {
        io::Error::from(kind)
    }

    #[test]
    fn a_closed_port_is_said_once_and_receiving_goes_on() {
        let local: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let mut errors = ReceiveErrors::default();
        let mut take = |k| errors.take(&kind(k), local);
        use io::ErrorKind::*;
        assert_eq!(
            take(ConnectionReset),
            ControlFlow::Continue(Some(Error::PortUnreachable(local)))
        );
        assert_eq!(take(ConnectionReset), ControlFlow::Continue(None));
        assert_eq!(take(ConnectionRefused), ControlFlow::Continue(None));
        assert_eq!(take(Interrupted), ControlFlow::Continue(None));
        assert!(take(InvalidInput).is_break(), "anything else ends the loop");
    }

    /// The next event that `pick` takes, the others kept in `seen`.
    fn next<T>(
        events: &Receiver<Event>,
        seen: &mut Vec<Event>,
        pick: impl Fn(&Event) -> Option<T>,
    ) -> T {
        loop {
            // A guard against hanging, not a timing: each event comes within microseconds.
            let event = events
                .recv_timeout(Duration::from_secs(10))
                .expect("the event came");
            if let Some(found) = pick(&event) {
                return found;
            }
            seen.push(event);
        }
    }

    /// Real sockets: Linux reports an ICMP port unreachable on an unconnected UDP socket's next
    /// receive only with IP_RECVERR, which gives the receiving loop the failure a Windows socket
    /// gets (WSAECONNRESET) when SIO_UDP_CONNRESET cannot be switched off.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_receiving_loop_survives_datagrams_to_a_closed_port() {
        use std::os::fd::AsRawFd;

        let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap();
        let on: libc::c_int = 1;
        // SAFETY: a valid socket and an int option of the size given.
        let set = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::IPPROTO_IP,
                libc::IP_RECVERR,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of_val(&on) as libc::socklen_t,
            )
        };
        assert_eq!(set, 0, "IP_RECVERR");
        let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
        socket.bind(&loopback.into()).unwrap();
        let local = socket.local_addr().unwrap().as_socket().unwrap();
        let socket = Arc::new(socket);
        let (events_tx, events) = crossbeam_channel::bounded(64);
        let emitter = Emitter::new(events_tx, no_waker());
        let shared = Arc::new(Shared::new(DEFAULT_MEMORY_BUDGET, None, None));
        let receiving = {
            let (socket, emitter, shared) = (socket.clone(), emitter.clone(), shared.clone());
            std::thread::spawn(move || receive_loop(&socket, local, &emitter, &shared))
        };

        let closed = UdpSocket::bind(loopback).unwrap().local_addr().unwrap();
        let peer = UdpSocket::bind(loopback).unwrap();
        let mut seen = Vec::new();
        for n in 0..3u8 {
            send_to(&socket, closed, b"to nobody").unwrap();
            if n == 0 {
                let error = next(&events, &mut seen, |e| match &e.kind {
                    EventKind::Error { error, .. } => Some(error.clone()),
                    _ => None,
                });
                assert_eq!(error, Error::PortUnreachable(local));
            }
            peer.send_to(&[n], local).unwrap();
            let got = next(&events, &mut seen, |e| match &e.kind {
                EventKind::Received { messages, .. } => Some(messages[0].data.clone()),
                _ => None,
            });
            assert_eq!(got, [n], "still receiving after {n} closed-port sends");
        }

        emitter.set_stopping();
        let _ = socket.shutdown(Shutdown::Read);
        receiving.join().unwrap();
        seen.extend(events.try_iter());
        let errors: Vec<_> = seen
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Error { .. }))
            .collect();
        assert!(errors.is_empty(), "said once only: {errors:?}");
    }
}
