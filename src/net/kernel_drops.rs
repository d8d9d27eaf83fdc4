//! Datagrams the kernel dropped because a UDP socket's receive buffer was full. On Linux the
//! socket's own count (`SO_MEMINFO`, the count `SO_RXQ_OVFL` would attach to a later
//! datagram) is read whenever it is asked for, so a flood's last drops are known at once and
//! not only when the next datagram arrives; elsewhere no count is known.

use std::sync::Arc;

use socket2::Socket;

/// Reads a socket's drops since the meter was made or reset.
pub struct DropMeter {
    socket: Arc<Socket>,
    base: u64,
}

impl DropMeter {
    /// A meter for `socket`, or None where the kernel gives no count.
    pub fn new(socket: Arc<Socket>) -> Option<DropMeter> {
        let base = kernel_count(&socket)?;
        Some(DropMeter { socket, base })
    }

    pub fn dropped(&self) -> u64 {
        kernel_count(&self.socket).map_or(0, |count| count.saturating_sub(self.base))
    }

    /// Counts from now on (the counters were reset).
    pub fn reset(&mut self) {
        self.base = kernel_count(&self.socket).unwrap_or(self.base);
    }
}

#[cfg(target_os = "linux")]
fn kernel_count(socket: &Socket) -> Option<u64> {
    use std::os::fd::AsRawFd;
    // SK_MEMINFO_VARS: the kernel fills as many as it has (9 today), drops last.
    let mut info = [0u32; libc::SK_MEMINFO_DROPS as usize + 1];
    let mut len = std::mem::size_of_val(&info) as libc::socklen_t;
    // SAFETY: a valid socket, and a buffer of `len` bytes the kernel fills.
    let read = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_MEMINFO,
            info.as_mut_ptr().cast(),
            &mut len,
        )
    };
    let index = libc::SK_MEMINFO_DROPS as usize;
    (read == 0 && len as usize > index * 4).then(|| u64::from(info[index]))
}

#[cfg(not(target_os = "linux"))]
fn kernel_count(_: &Socket) -> Option<u64> {
    None
}
