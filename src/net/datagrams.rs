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
    /// Where the system takes several per call: the call's headers, built once.
    #[cfg(target_os = "linux")]
    many: Option<ManyPerCall>,
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
            #[cfg(target_os = "linux")]
            many: many_per_call.then(ManyPerCall::new),
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
        if let Some(many) = &mut self.many {
            return many.receive(&mut self.buffers, socket, into);
        }
        // socket2 rather than std: std's `recv_from` asserts on the empty address that a
        // shut-down socket returns, and that assertion would panic the thread on stop.
        let buffer = as_uninit(&mut self.buffers);
        let (n, from) = socket.recv_from(buffer)?;
        if let Some(peer) = from.as_socket() {
            into.push((peer, self.buffers[..n].to_vec()));
        }
        Ok(())
    }
}

/// The headers, addresses and buffer pointers of one `recvmmsg` call, kept from call to
/// call: allocating and zeroing them for every call cost about a tenth of the receiving
/// thread's time in a flood. Each call points them afresh at what it borrows.
#[cfg(target_os = "linux")]
struct ManyPerCall {
    headers: Vec<libc::mmsghdr>,
    names: Vec<libc::sockaddr_storage>,
    slices: Vec<libc::iovec>,
}

#[cfg(target_os = "linux")]
impl ManyPerCall {
    fn new() -> ManyPerCall {
        // SAFETY: all zeros is a valid `mmsghdr`, `sockaddr_storage` and `iovec` (null
        // pointers, zero lengths).
        unsafe {
            ManyPerCall {
                headers: zeroed_slots(),
                names: zeroed_slots(),
                slices: zeroed_slots(),
            }
        }
    }

    fn receive(
        &mut self,
        buffers: &mut [u8],
        socket: &Socket,
        into: &mut Vec<(SocketAddr, Vec<u8>)>,
    ) -> io::Result<()> {
        use socket2::{SockAddr, SockAddrStorage};
        use std::os::fd::AsRawFd;

        let slots = buffers.chunks_mut(MAX_DATAGRAM);
        for (((header, name), slice), slot) in self
            .headers
            .iter_mut()
            .zip(&mut self.names)
            .zip(&mut self.slices)
            .zip(slots)
        {
            *slice = libc::iovec {
                iov_base: slot.as_mut_ptr().cast(),
                iov_len: slot.len(),
            };
            header.msg_hdr.msg_name = (name as *mut libc::sockaddr_storage).cast();
            header.msg_hdr.msg_namelen = NAME_LEN;
            header.msg_hdr.msg_iov = slice;
            header.msg_hdr.msg_iovlen = 1;
        }
        // SAFETY: every header points at an address of `NAME_LEN` bytes and at one slot of
        // `buffers` with its true length, all borrowed mutably for this call.
        // MSG_WAITFORONE: wait for the first datagram only, then take what is already there.
        let taken = unsafe {
            libc::recvmmsg(
                socket.as_raw_fd(),
                self.headers.as_mut_ptr(),
                DATAGRAMS_PER_CALL as libc::c_uint,
                libc::MSG_WAITFORONE,
                std::ptr::null_mut(),
            )
        };
        if taken < 0 {
            return Err(io::Error::last_os_error());
        }
        let taken = taken as usize;
        for (i, (header, name)) in self.headers.iter().zip(&self.names).take(taken).enumerate() {
            let mut storage = SockAddrStorage::zeroed();
            // SAFETY: `SockAddrStorage` is a `sockaddr_storage`; the kernel wrote an address
            // of `msg_namelen` bytes into `name`.
            let from = unsafe {
                *storage.view_as::<libc::sockaddr_storage>() = *name;
                SockAddr::new(storage, header.msg_hdr.msg_namelen)
            };
            let Some(peer) = from.as_socket() else {
                continue;
            };
            let start = i * MAX_DATAGRAM;
            let len = header.msg_len as usize;
            into.push((peer, buffers[start..start + len].to_vec()));
        }
        Ok(())
    }
}

/// One zeroed `T` per datagram of a call.
///
/// # Safety
/// All zeros must be a valid `T` (a C struct of integers and pointers).
#[cfg(target_os = "linux")]
unsafe fn zeroed_slots<T>() -> Vec<T> {
    // SAFETY: the caller vouches for `T`.
    (0..DATAGRAMS_PER_CALL)
        .map(|_| unsafe { std::mem::zeroed() })
        .collect()
}

/// The room for an address in a header.
#[cfg(target_os = "linux")]
const NAME_LEN: libc::socklen_t = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;

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
