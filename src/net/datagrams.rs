//! Taking datagrams off a UDP socket several at a time: up to `DATAGRAMS_PER_CALL` in one
//! `recvmmsg` on Linux, so a flood costs one system call and one event per batch rather than
//! per datagram; one `recv_from` at a time elsewhere.

use std::io;
use std::net::SocketAddr;

use socket2::Socket;

/// Datagrams taken in one system call at most.
pub(crate) const DATAGRAMS_PER_CALL: usize = 64;

/// Big enough for any datagram, so nothing is truncated.
const MAX_DATAGRAM: usize = 65_536;

pub(crate) struct DatagramReceiver {
    /// One slot of `MAX_DATAGRAM` bytes per datagram of a call. Zeroed memory comes from the
    /// system untouched, so only the slots a flood fills become resident.
    buffers: Vec<u8>,
    many_per_call: bool,
}

impl DatagramReceiver {
    /// A receiver that takes several datagrams per call where the system can.
    pub fn new() -> DatagramReceiver {
        DatagramReceiver::with_many_per_call(cfg!(target_os = "linux"))
    }

    fn with_many_per_call(many_per_call: bool) -> DatagramReceiver {
        let slots = if many_per_call { DATAGRAMS_PER_CALL } else { 1 };
        DatagramReceiver {
            buffers: vec![0; slots * MAX_DATAGRAM],
            many_per_call,
        }
    }

    /// Waits for a datagram, then adds it and those already waiting behind it (up to
    /// `DATAGRAMS_PER_CALL`) to `into`, oldest first, each with its sender. Adds nothing when
    /// the socket was shut down.
    pub fn receive(
        &mut self,
        socket: &Socket,
        into: &mut Vec<(SocketAddr, Vec<u8>)>,
    ) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        if self.many_per_call {
            return self.receive_many(socket, into);
        }
        debug_assert!(!self.many_per_call);
        // socket2 rather than std: std's `recv_from` asserts on the empty address that a
        // shut-down socket returns, and that assertion would panic the thread on stop.
        let buffer = as_uninit(&mut self.buffers);
        let (n, from) = socket.recv_from(buffer)?;
        if let Some(peer) = from.as_socket() {
            into.push((peer, self.buffers[..n].to_vec()));
        }
        Ok(())
    }

    #[cfg(target_os = "linux")]
    fn receive_many(
        &mut self,
        socket: &Socket,
        into: &mut Vec<(SocketAddr, Vec<u8>)>,
    ) -> io::Result<()> {
        use socket2::{SockAddr, SockAddrStorage};
        use std::os::fd::AsRawFd;

        let mut names: [SockAddrStorage; DATAGRAMS_PER_CALL] =
            std::array::from_fn(|_| SockAddrStorage::zeroed());
        let mut slices: Vec<libc::iovec> = self
            .buffers
            .chunks_mut(MAX_DATAGRAM)
            .map(|slot| libc::iovec {
                iov_base: slot.as_mut_ptr().cast(),
                iov_len: slot.len(),
            })
            .collect();
        // SAFETY: all zeros is a valid `mmsghdr` (null pointers, zero lengths).
        let mut headers: [libc::mmsghdr; DATAGRAMS_PER_CALL] = unsafe { std::mem::zeroed() };
        for ((header, name), slice) in headers.iter_mut().zip(&mut names).zip(&mut slices) {
            header.msg_hdr.msg_name = (name as *mut SockAddrStorage).cast();
            header.msg_hdr.msg_namelen = name.size_of();
            header.msg_hdr.msg_iov = slice;
            header.msg_hdr.msg_iovlen = 1;
        }
        // SAFETY: every header points at a name and a buffer slot that outlive the call, with
        // their true sizes. MSG_WAITFORONE: wait for the first datagram only, then take what
        // is already there.
        let taken = unsafe {
            libc::recvmmsg(
                socket.as_raw_fd(),
                headers.as_mut_ptr(),
                DATAGRAMS_PER_CALL as libc::c_uint,
                libc::MSG_WAITFORONE,
                std::ptr::null_mut(),
            )
        };
        if taken < 0 {
            return Err(io::Error::last_os_error());
        }
        let taken = taken as usize;
        for (i, (header, name)) in headers.iter().zip(names).take(taken).enumerate() {
            // SAFETY: the kernel wrote an address of `msg_namelen` bytes into `name`.
            let from = unsafe { SockAddr::new(name, header.msg_hdr.msg_namelen) };
            let Some(peer) = from.as_socket() else {
                continue;
            };
            let start = i * MAX_DATAGRAM;
            let len = header.msg_len as usize;
            into.push((peer, self.buffers[start..start + len].to_vec()));
        }
        Ok(())
    }
}

/// The buffer as the receiving calls take it (they only write to it).
fn as_uninit(buffer: &mut [u8]) -> &mut [std::mem::MaybeUninit<u8>] {
    // SAFETY: initialised bytes are valid `MaybeUninit` bytes, and the callers never write
    // uninitialised ones into the buffer.
    unsafe { &mut *(buffer as *mut [u8] as *mut [std::mem::MaybeUninit<u8>]) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Type};
    use std::net::UdpSocket;

    fn bound_socket() -> (Socket, SocketAddr) {
        let socket = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
        let _ = socket.set_recv_buffer_size(4 * 1024 * 1024);
        socket
            .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
            .unwrap();
        let local = socket.local_addr().unwrap().as_socket().unwrap();
        (socket, local)
    }

    /// Sends 200 datagrams of sizes 0 to 60,000 bytes from two senders, then takes them all.
    fn receive_all(receiver: &mut DatagramReceiver) -> (Vec<(SocketAddr, Vec<u8>)>, usize) {
        let (socket, local) = bound_socket();
        let senders = [
            UdpSocket::bind("127.0.0.1:0").unwrap(),
            UdpSocket::bind("127.0.0.1:0").unwrap(),
        ];
        let mut sent = Vec::new();
        for n in 0..200usize {
            let sender = &senders[n % 2];
            let len = (n * 7_919) % 60_001;
            let data: Vec<u8> = (0..len).map(|i| (i + n) as u8).collect();
            sender.send_to(&data, local).unwrap();
            sent.push((sender.local_addr().unwrap(), data));
        }
        let (mut got, mut calls) = (Vec::new(), 0);
        while got.len() < sent.len() && calls < 1_000 {
            receiver.receive(&socket, &mut got).unwrap();
            calls += 1;
        }
        assert_eq!(
            got, sent,
            "every datagram, whole, with its sender, in order"
        );
        (got, calls)
    }

    #[test]
    fn many_per_call_and_one_at_a_time_give_the_same_datagrams_in_the_same_order() {
        let (one_by_one, calls) = receive_all(&mut DatagramReceiver::with_many_per_call(false));
        assert_eq!(calls, 200);
        let (batched, calls) = receive_all(&mut DatagramReceiver::new());
        assert_eq!(batched.len(), one_by_one.len());
        if cfg!(target_os = "linux") {
            assert!(calls <= 200 / DATAGRAMS_PER_CALL + 1, "{calls} calls");
        }
    }
}
