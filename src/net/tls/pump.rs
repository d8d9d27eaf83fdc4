//! Carries bytes between a TLS socket and a loopback pair: one thread decrypts what the peer
//! sends and writes it to the pair, one encrypts what the connection writes to the pair. The
//! connection on the pair's other end sees a plain stream: a FIN (or close_notify) from the
//! peer arrives as a FIN, a reset as a reset, and its own close or reset goes out the same way.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rustls::Connection;
use socket2::{SockRef, Socket};

use super::TlsFailure;
use crate::net::interrupt::shut_down_and_wake;
use crate::net::stoppable::Stoppable;

/// Bytes moved per read, either way.
const CHUNK: usize = 16 * 1024;

/// Connections to the pair's listener that are not ours, refused before giving up.
const STRANGERS_REFUSED: usize = 8;

struct Pump {
    connection: Mutex<Connection>,
    /// Held while TLS records go out, taken before the connection's lock is let go, so the
    /// records of the two threads reach the socket in the order they were made.
    writing: Mutex<()>,
    /// The peer or the connection reset: the other thread ends without a word.
    reset: AtomicBool,
    /// The connection was closed here: records not yet written to the peer are dropped, as a
    /// plain connection's queue is, so a peer that does not read cannot hold the pump.
    cut: AtomicBool,
    /// The encrypting thread is inside a write to the peer, which blocks while it does not read.
    writing_now: AtomicBool,
    /// What the peer's alert (or broken record) said, once the pump failed on it.
    failure: TlsFailure,
}

/// The connection's hold on the TLS socket under its loopback pair.
pub(crate) struct Wire {
    socket: TcpStream,
    pump: Arc<Pump>,
    /// The thread that says close_notify once the connection closes.
    encrypting: Stoppable,
}

impl Wire {
    /// The socket's options go on the real socket, where the peer is (the pair only carries
    /// them on to the pump).
    pub fn set_options(&self, nodelay: bool, keepalive: bool, send_timeout: Option<Duration>) {
        let socket = SockRef::from(&self.socket);
        let _ = socket.set_tcp_nodelay(nodelay);
        let _ = socket.set_keepalive(keepalive);
        let _ = socket.set_write_timeout(send_timeout);
    }

    /// Why the peer ended the connection, when it said so with an alert.
    pub fn failure(&self) -> TlsFailure {
        self.pump.failure.clone()
    }

    /// The connection is closed here: a pump stuck writing to a peer that does not read is
    /// woken (what it held is dropped); one that is not writing sends close_notify and FIN
    /// as the pair's FIN reaches it.
    pub fn cut(&self) {
        self.pump.cut.store(true, Ordering::SeqCst);
        if self.pump.writing_now.load(Ordering::SeqCst) {
            shut_down_and_wake(SockRef::from(&self.socket), Shutdown::Both);
        }
    }

    /// After the connection was closed here (and `cut`): waits until close_notify went out,
    /// or was dropped with what the peer did not take, so a process that ends next does not
    /// end the connection with a bare FIN. The encrypting thread ends once it has read the
    /// pair's FIN, and never waits on the peer then (its writes are cut or do not block).
    pub fn finish(self) {
        self.encrypting.wait();
    }
}

/// Starts the pump on `tls` (handshake done) and returns the socket the connection uses,
/// with its hold on the TLS socket.
pub(super) fn start(connection: Connection, tls: TcpStream) -> io::Result<(Socket, Wire)> {
    let (inner, outer) = loopback_pair()?;
    let pump = Arc::new(Pump {
        connection: Mutex::new(connection),
        writing: Mutex::new(()),
        reset: AtomicBool::new(false),
        cut: AtomicBool::new(false),
        writing_now: AtomicBool::new(false),
        failure: TlsFailure::default(),
    });
    let socket = tls.try_clone()?;
    let (tls_in, outer_in) = (tls.try_clone()?, outer.try_clone()?);
    let decrypting = pump.clone();
    // The pumps end with their sockets (the peer's close, `Wire::cut`, the connection's
    // shutdown), not by a stop: the decrypting one is let go at once.
    let thread_error = |error: crate::error::Error| io::Error::other(error.to_string());
    Stoppable::spawn("tls-in", move |_| decrypt(&decrypting, tls_in, outer_in))
        .map_err(thread_error)?;
    let encrypting = {
        let pump = pump.clone();
        Stoppable::spawn("tls-out", move |_| encrypt(&pump, outer, tls)).map_err(thread_error)?
    };
    let wire = Wire {
        socket,
        pump,
        encrypting,
    };
    Ok((Socket::from(inner), wire))
}

/// Two connected sockets on 127.0.0.1; the listener takes only the one we connect.
fn loopback_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let inner = TcpStream::connect(listener.local_addr()?)?;
    let ours = inner.local_addr()?;
    for _ in 0..STRANGERS_REFUSED {
        let (outer, from) = listener.accept()?;
        if from == ours {
            inner.set_nodelay(true)?;
            outer.set_nodelay(true)?;
            return Ok((inner, outer));
        }
    }
    Err(io::Error::other(
        "another program kept connecting to the TLS pair",
    ))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Peer to connection: reads TLS records, writes the plain bytes to the pair.
fn decrypt(pump: &Pump, mut tls: TcpStream, mut outer: TcpStream) {
    let mut records = vec![0u8; CHUNK];
    let mut chunk = vec![0u8; CHUNK];
    // What came with the handshake's last flight (a client's first request right behind its
    // Finished, a server's greeting) was decrypted by the handshake: it goes first, or it
    // would wait for the peer's next record, which may never come.
    let mut n = 0;
    loop {
        let mut plain = Vec::new();
        let (mut closed, mut failed) = (false, false);
        let mut connection = lock(&pump.connection);
        let mut input = &records[..n];
        loop {
            if !input.is_empty() {
                failed = connection.read_tls(&mut input).is_err();
                match connection.process_new_packets() {
                    Ok(state) => closed |= state.peer_has_closed(),
                    Err(err) => {
                        failed = true;
                        pump.failure
                            .set(super::client::problem(&err, String::new()));
                    }
                }
            }
            closed |= take_plain(&mut connection, &mut chunk, &mut plain, &mut failed);
            if input.is_empty() || failed {
                break;
            }
        }
        // An alert, or an answer the protocol needs (a key update).
        let answer = take_records(&mut connection);
        let writing = (!answer.is_empty()).then(|| lock(&pump.writing));
        drop(connection);
        // Like the records the connection writes: a close here wakes it on a peer that does
        // not read (one that asks for key updates and reads nothing, say).
        if writing.is_some() {
            let _ = write_unless_cut(pump, &mut tls, &answer);
        }
        drop(writing);
        if !plain.is_empty() && outer.write_all(&plain).is_err() {
            return;
        }
        if failed {
            let _ = tls.shutdown(Shutdown::Both);
            return reset(pump, &outer);
        }
        if closed {
            let _ = outer.shutdown(Shutdown::Write);
            return;
        }
        n = match tls.read(&mut records) {
            Ok(0) => {
                // A FIN without close_notify (or our own end shut the socket): a FIN all the
                // same.
                let _ = outer.shutdown(Shutdown::Write);
                return;
            }
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => 0,
            Err(_) => return reset(pump, &outer),
        };
    }
}

/// Moves the plain bytes the connection has decrypted into `plain`; true once the peer has
/// closed its side. A broken read sets `failed`.
fn take_plain(
    connection: &mut Connection,
    chunk: &mut [u8],
    plain: &mut Vec<u8>,
    failed: &mut bool,
) -> bool {
    loop {
        match connection.reader().read(chunk) {
            Ok(0) => return true,
            Ok(k) => plain.extend_from_slice(&chunk[..k]),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return false,
            Err(_) => {
                *failed = true;
                return false;
            }
        }
    }
}

/// Connection to peer: reads plain bytes from the pair, writes TLS records.
fn encrypt(pump: &Pump, mut outer: TcpStream, mut tls: TcpStream) {
    let mut plain = vec![0u8; CHUNK];
    loop {
        let n = match outer.read(&mut plain) {
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => {
                // The connection was reset here: the peer gets a reset too.
                if !pump.reset.swap(true, Ordering::AcqRel) {
                    let _ = SockRef::from(&tls).set_linger(Some(Duration::ZERO));
                    let _ = tls.shutdown(Shutdown::Read);
                }
                return;
            }
        };
        if pump.reset.load(Ordering::Acquire) {
            return;
        }
        let mut connection = lock(&pump.connection);
        if n == 0 {
            connection.send_close_notify();
        } else if connection.writer().write_all(&plain[..n]).is_err() {
            return;
        }
        let records = take_records(&mut connection);
        let writing = lock(&pump.writing);
        drop(connection);
        let sent = if n == 0 {
            // close_notify, if the peer has room for it: a closing connection waits for nobody.
            let _ = tls.set_nonblocking(true);
            tls.write_all(&records).is_ok()
        } else {
            write_unless_cut(pump, &mut tls, &records)
        };
        drop(writing);
        if n == 0 {
            // The connection closed: nothing more is read for it either.
            let _ = tls.shutdown(Shutdown::Both);
            return;
        }
        if !sent {
            return;
        }
    }
}

/// Writes records to the peer, unless the connection was closed here: then, or if the close
/// comes while the write waits for a peer that does not read, they are dropped.
fn write_unless_cut(pump: &Pump, tls: &mut TcpStream, records: &[u8]) -> bool {
    // Announced before `cut` is looked at, and `cut` set before `writing_now` is looked at
    // (both SeqCst): either this write sees the cut, or the cut sees this write and wakes it.
    pump.writing_now.store(true, Ordering::SeqCst);
    let sent = !pump.cut.load(Ordering::SeqCst) && tls.write_all(records).is_ok();
    pump.writing_now.store(false, Ordering::SeqCst);
    if !sent {
        let _ = tls.shutdown(Shutdown::Both);
    }
    sent
}

fn take_records(connection: &mut Connection) -> Vec<u8> {
    let mut records = Vec::new();
    while connection.wants_write() {
        if connection.write_tls(&mut records).is_err() {
            break;
        }
    }
    records
}

/// The peer reset (or broke the protocol): the connection is reset too, once both threads
/// have let go of the pair's socket.
fn reset(pump: &Pump, outer: &TcpStream) {
    pump.reset.store(true, Ordering::Release);
    let _ = SockRef::from(outer).set_linger(Some(Duration::ZERO));
    // Wakes the other thread, which then lets go of its copy.
    let _ = outer.shutdown(Shutdown::Read);
}
