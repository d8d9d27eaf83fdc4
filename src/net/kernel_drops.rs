//! Datagrams the kernel dropped because a UDP socket's receive buffer was full. On Linux the
//! socket's own count (`SO_MEMINFO`, the count `SO_RXQ_OVFL` would attach to a later
//! datagram) is read whenever it is asked for, so a flood's last drops are known at once and
//! not only when the next datagram arrives; elsewhere no count is known.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use socket2::Socket;

/// Reads a socket's drops since the meter was made or reset. Lock-free: the window reads it
/// every frame while the receiving thread and a reset may read it too.
pub struct DropMeter {
    socket: Arc<Socket>,
    base: AtomicU64,
}

impl DropMeter {
    /// A meter for `socket`, or None where the kernel gives no count.
    pub fn new(socket: Arc<Socket>) -> Option<DropMeter> {
        let base = AtomicU64::new(kernel_count(&socket)?);
        Some(DropMeter { socket, base })
    }

    pub fn dropped(&self) -> u64 {
        kernel_count(&self.socket).map_or(0, |count| {
            count.saturating_sub(self.base.load(Ordering::Relaxed))
        })
    }

    /// Counts from now on (the counters were reset).
    pub fn reset(&self) {
        if let Some(count) = kernel_count(&self.socket) {
            self.base.store(count, Ordering::Relaxed);
        }
    }
}

/// The system named in "not counted on …" where the kernel gives no count of the datagrams it
/// dropped (Windows has neither `SO_RXQ_OVFL` nor `SO_MEMINFO`), so that no 0 looks measured;
/// None where drops are counted (Linux).
pub fn drops_not_counted_on() -> Option<&'static str> {
    not_counted_on(std::env::consts::OS)
}

fn not_counted_on(os: &str) -> Option<&'static str> {
    match os {
        "linux" => None,
        "windows" => Some("Windows"),
        "macos" => Some("macOS"),
        _ => Some("this system"),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Unit test: the Windows build under Wine still says Windows (consts::OS is the target's),
    /// but only real Windows lacks the count, so the naming is checked for each system here.
    #[test]
    fn drops_are_said_to_be_uncounted_everywhere_but_linux() {
        assert_eq!(not_counted_on("linux"), None);
        assert_eq!(not_counted_on("windows"), Some("Windows"));
        assert_eq!(not_counted_on("macos"), Some("macOS"));
        assert_eq!(
            drops_not_counted_on().is_none(),
            cfg!(target_os = "linux"),
            "the count is read on Linux only (kernel_count)"
        );
    }
}
