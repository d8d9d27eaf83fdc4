//! Ctrl+C (SIGINT) and SIGTERM, and on Windows the console's events (Ctrl+C, Ctrl+Break, the
//! console closed): the first asks the run to end cleanly (connections closed with FIN, their
//! `closed` lines printed, pcap and capture files finished); a second one exits at once. Exit
//! codes follow the shell's convention: 128 + the signal's number.

use crossbeam_channel::{Receiver, bounded};

/// A signal that asks the run to end; the exit code it calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    pub exit_code: i32,
}

/// Starts listening for SIGINT and SIGTERM (on Windows, the console's Ctrl+C, Ctrl+Break and
/// close events); the channel gets one `Stop` for the first.
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

/// What a Windows console event asks of a run: the signal it stands for, and whether the
/// process ends as soon as the handler returns (then the handler waits for the run to finish
/// its files and exit by itself). Every event the run takes stands for SIGINT: Ctrl+C and
/// Ctrl+Break are what Ctrl+C is on Linux, and closing the console (or logging off, or shutting
/// down) ends the run the same way, connections closed and files finished, with the exit code
/// 130 a script checks for. None for events that are not ours to take.
// Built where the handler is (Windows) and where its test runs (everywhere).
#[cfg(any(windows, test))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsoleEvent {
    pub signal: i32,
    pub ends_process_on_return: bool,
}

/// The `CTRL_*_EVENT` numbers of Windows' console API, known on every platform so that the
/// mapping is tested where the tests run.
#[cfg(any(windows, test))]
pub fn console_event(kind: u32) -> Option<ConsoleEvent> {
    const SIGINT: i32 = 2;
    let ends_process_on_return = match kind {
        0 | 1 => false,    // CTRL_C_EVENT, CTRL_BREAK_EVENT
        2 | 5 | 6 => true, // CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT
        _ => return None,
    };
    Some(ConsoleEvent {
        signal: SIGINT,
        ends_process_on_return,
    })
}

#[cfg(windows)]
mod platform {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
    use windows_sys::core::BOOL;

    type Notify = Box<dyn Fn(i32) + Send + Sync>;
    static NOTIFY: OnceLock<Notify> = OnceLock::new();
    static SEEN: AtomicUsize = AtomicUsize::new(0);

    /// Windows calls this on a thread of its own for each console event.
    unsafe extern "system" fn on_console_event(kind: u32) -> BOOL {
        let Some(event) = super::console_event(kind) else {
            return 0; // Not ours: the next handler (the default one) takes it.
        };
        if SEEN.fetch_add(1, Ordering::AcqRel) > 0 {
            std::process::exit(128 + event.signal);
        }
        if let Some(notify) = NOTIFY.get() {
            notify(event.signal);
        }
        if event.ends_process_on_return {
            // Windows ends the process when this returns (or after about 5 s): wait here
            // while the run closes its connections and files; it exits the process itself.
            loop {
                std::thread::park();
            }
        }
        1
    }

    pub fn install(notify: impl Fn(i32) + Send + Sync + 'static) {
        if NOTIFY.set(Box::new(notify)).is_err() {
            return; // Installed already: one handler serves the process.
        }
        // SAFETY: registers a handler that only touches statics and the run's channel.
        unsafe { SetConsoleCtrlHandler(Some(on_console_event), 1) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_events_end_the_run_as_ctrl_c_does_on_linux() {
        // Ctrl+C and Ctrl+Break: the run ends cleanly with 130, as after SIGINT.
        for kind in [0, 1] {
            let event = console_event(kind).unwrap();
            assert_eq!(128 + event.signal, 130);
            assert!(!event.ends_process_on_return);
        }
        // Closing the console, logging off, shutting down: the same clean end with 130, but
        // Windows ends the process when the handler returns, so the handler must wait for the
        // run to finish its files.
        for kind in [2, 5, 6] {
            let event = console_event(kind).unwrap();
            assert_eq!(128 + event.signal, 130);
            assert!(event.ends_process_on_return);
        }
        assert_eq!(console_event(3), None);
        assert_eq!(console_event(7), None);
    }
}
