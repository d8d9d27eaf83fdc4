//! Ctrl+C (SIGINT) and SIGTERM: the first asks the run to end cleanly (connections closed with
//! FIN, their `closed` lines printed, pcap and capture files finished); a second one exits at
//! once. Exit codes follow the shell's convention: 128 + the signal's number.

use crossbeam_channel::{Receiver, bounded};

/// A signal that asks the run to end; the exit code it calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    pub exit_code: i32,
}

/// Starts listening for SIGINT and SIGTERM; the channel gets one `Stop` for the first.
pub fn listen() -> Receiver<Stop> {
    let (tx, rx) = bounded(1);
    platform::install(move |signal| {
        let _ = tx.try_send(Stop {
            exit_code: 128 + signal,
        });
    });
    rx
}

#[cfg(unix)]
mod platform {
    use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

    /// The pipe the handler writes the signal's number to (-1 until installed).
    static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
    static SEEN: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn on_signal(signal: libc::c_int) {
        // Only async-signal-safe calls here: an atomic, write(2) and _exit(2).
        if SEEN.fetch_add(1, Ordering::AcqRel) > 0 {
            // SAFETY: _exit is async-signal-safe and ends the process at once.
            unsafe { libc::_exit(128 + signal) };
        }
        let byte = signal as u8;
        // SAFETY: writes one byte from a live local to a pipe we own.
        unsafe {
            libc::write(
                PIPE_WRITE.load(Ordering::Acquire),
                (&byte as *const u8).cast(),
                1,
            )
        };
    }

    pub fn install(notify: impl Fn(i32) + Send + 'static) {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: pipe(2) fills the two descriptors of a valid array.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return; // No pipe: signals keep their default action (the process ends).
        }
        PIPE_WRITE.store(fds[1], Ordering::Release);
        let read_end = fds[0];
        let reader = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                let mut byte = 0u8;
                // SAFETY: reads one byte into a live local from a pipe we own.
                while unsafe { libc::read(read_end, (&mut byte as *mut u8).cast(), 1) } == 1 {
                    notify(i32::from(byte));
                }
            });
        if reader.is_err() {
            return;
        }
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: a zeroed sigaction with a handler that only does async-signal-safe work.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(not(unix))]
mod platform {
    use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
    use std::time::Duration;

    static RAISED: AtomicI32 = AtomicI32::new(0);
    static SEEN: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn on_signal(signal: libc::c_int) {
        // Windows runs this on a thread of its own, so exiting here is safe.
        if SEEN.fetch_add(1, Ordering::AcqRel) > 0 {
            std::process::exit(128 + signal);
        }
        RAISED.store(signal, Ordering::Release);
        // The C runtime resets the handler after each signal: take the next one too.
        // SAFETY: installs this same handler again.
        unsafe { libc::signal(signal, on_signal as *const () as libc::sighandler_t) };
    }

    pub fn install(notify: impl Fn(i32) + Send + 'static) {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: installs a handler that stores to atomics.
            unsafe { libc::signal(signal, on_signal as *const () as libc::sighandler_t) };
        }
        // Without a self-pipe here, a thread looks every 50 ms.
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                loop {
                    let signal = RAISED.swap(0, Ordering::AcqRel);
                    if signal != 0 {
                        notify(signal);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            });
    }
}
