//! One stress client: its own thread and blocking socket, sending requests as the pacer allows.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use socket2::{Domain, Socket, Type};

use super::figures::Failure;
use super::{Protocol, Run, StressMode};
use crate::codec::template::{Random, Values};
use crate::net::stoppable::Stoppable;

/// Largest reply read at once; a longer UDP reply is counted only this far.
const REPLY_BUFFER: usize = 16 * 1024;

enum Link {
    Tcp {
        stream: TcpStream,
        /// Throughput mode on a long connection: reads and counts what the server sends, so
        /// an echo server never blocks on a full buffer.
        drain: Option<Stoppable>,
    },
    Udp(UdpSocket),
}

pub(crate) struct Client {
    index: usize,
    target: SocketAddr,
    run: Arc<Run>,
    random: Random,
    link: Option<Link>,
    reply: Vec<u8>,
    /// Told once when ready to send; dropped when this client ends.
    news: Sender<()>,
}

impl Client {
    pub fn new(index: usize, target: SocketAddr, run: Arc<Run>, news: Sender<()>) -> Client {
        Client {
            index,
            target,
            run,
            random: Random::new(index as u64),
            link: None,
            reply: vec![0; REPLY_BUFFER],
            news,
        }
    }

    pub fn run(mut self) {
        let run = self.run.clone();
        let config = &run.config;
        let deadline = config.duration.map(|d| run.started + d);
        // Long connections are all opened before the first request, so N clients really are
        // N connections at once; one that fails here is tried again (and counted) per request.
        if !config.short_connections && !self.connect() && run.stopping() {
            // The run ended while this client was still connecting: a request that timed out.
            run.tally.attempt();
            run.tally.fail(Failure::TimedOut);
        }
        let _ = self.news.send(());
        run.wait_for_all_clients();
        while let Some((seq, at)) = run.pacer.next() {
            if deadline.is_some_and(|end| at >= end) || !run.sleep_until(at) {
                break;
            }
            let values = Values {
                seq,
                client: self.index as u64 + 1,
                random: self.random.draw(),
            };
            let payload = config.payload.render(values);
            run.tally.attempt();
            if !self.connect() {
                // Cut short by the run's end: it did not connect in time.
                run.tally.fail(if run.stopping() {
                    Failure::TimedOut
                } else {
                    Failure::Connect
                });
                continue;
            }
            match self.request(&payload) {
                Ok(round_trip) => run.tally.succeed(round_trip),
                // A request cut short by stop is not the server's failure.
                Err(_) if run.stopping() => run.tally.cancel(),
                Err(why) => {
                    run.tally.fail(why);
                    self.close();
                }
            }
            if config.short_connections {
                self.close();
            }
        }
        self.close();
    }

    fn connect(&mut self) -> bool {
        if self.link.is_none()
            && let Ok(link) = self.open()
        {
            self.link = Some(link);
            self.run.tally.connection_opened();
        }
        self.link.is_some()
    }

    /// Sends one request on the open link (and waits for its reply in ping-pong mode).
    fn request(&mut self, payload: &[u8]) -> Result<Option<Duration>, Failure> {
        let ping_pong = self.run.config.mode == StressMode::PingPong;
        let reply = &mut self.reply;
        let started = Instant::now();
        let received = match &mut self.link {
            Some(Link::Tcp { stream, .. }) => {
                stream.write_all(payload).map_err(|_| Failure::Send)?;
                self.run.tally.wrote(payload.len());
                if !ping_pong {
                    return Ok(None);
                }
                match stream.read(reply) {
                    Ok(0) => return Err(Failure::ClosedByPeer),
                    Ok(n) => n,
                    Err(err) => return Err(read_failure(&err)),
                }
            }
            Some(Link::Udp(socket)) => {
                socket
                    .send(payload)
                    .map_err(|err| udp_failure(&err, Failure::Send))?;
                self.run.tally.wrote(payload.len());
                if !ping_pong {
                    return Ok(None);
                }
                socket
                    .recv(reply)
                    .map_err(|err| udp_failure(&err, read_failure(&err)))?
            }
            None => return Err(Failure::Connect),
        };
        self.run.tally.read(received);
        Ok(Some(started.elapsed()))
    }

    fn open(&self) -> io::Result<Link> {
        let config = &self.run.config;
        let target = self.target;
        let link = match config.protocol {
            Protocol::Tcp => {
                let socket = Socket::new(Domain::for_address(target), Type::STREAM, None)?;
                // Registered before connecting, so the run's end or Stop can cut the connect
                // short (shutting a connecting socket down ends the connect at once).
                if !self.run.register(self.index, Some(socket.try_clone()?)) {
                    return Err(io::ErrorKind::Interrupted.into());
                }
                let connected = socket.connect_timeout(&target.into(), config.timeout);
                if let Err(err) = connected {
                    self.run.register(self.index, None);
                    return Err(err);
                }
                let stream = TcpStream::from(socket);
                stream.set_nodelay(true)?;
                stream.set_read_timeout(Some(config.timeout))?;
                let drain = (config.mode == StressMode::Throughput && !config.short_connections)
                    .then(|| self.drain(stream.try_clone()?))
                    .transpose()?;
                Link::Tcp { stream, drain }
            }
            Protocol::Udp => {
                let any = match target.ip() {
                    IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                };
                let socket = UdpSocket::bind(SocketAddr::new(any, 0))?;
                socket.connect(target)?;
                socket.set_read_timeout(Some(config.timeout))?;
                if !self
                    .run
                    .register(self.index, Some(Socket::from(socket.try_clone()?)))
                {
                    return Err(io::ErrorKind::Interrupted.into());
                }
                Link::Udp(socket)
            }
        };
        Ok(link)
    }

    /// Ends when the stream is shut down (`close`), not by its stop.
    fn drain(&self, mut stream: TcpStream) -> io::Result<Stoppable> {
        let run = self.run.clone();
        Stoppable::spawn("stress-drain", move |_| {
            let mut buffer = vec![0u8; REPLY_BUFFER];
            loop {
                match stream.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => run.tally.read(n),
                    // The read timeout is for replies; a drain just keeps reading.
                    Err(err) if is_timeout_or_interrupt(&err) => {}
                    Err(_) => break,
                }
            }
        })
        .map_err(|error| io::Error::other(error.to_string()))
    }

    fn close(&mut self) {
        let Some(link) = self.link.take() else {
            return;
        };
        self.run.register(self.index, None);
        if let Link::Tcp { stream, drain } = link {
            let _ = stream.shutdown(Shutdown::Both);
            if let Some(drain) = drain {
                drain.wait();
            }
        }
        self.run.tally.connection_closed();
    }
}

fn read_failure(err: &io::Error) -> Failure {
    match err.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::TimedOut,
        _ => Failure::ClosedByPeer,
    }
}

/// A UDP send or receive refused means an ICMP "port unreachable" came back: nobody listens.
fn udp_failure(err: &io::Error, otherwise: Failure) -> Failure {
    if err.kind() == io::ErrorKind::ConnectionRefused {
        Failure::Connect
    } else {
        otherwise
    }
}

/// A read that ran into its timeout or a signal: the socket is still good.
fn is_timeout_or_interrupt(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}
