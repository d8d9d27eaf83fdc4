//! The command line as a child process, for tests that run it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::DEADLINE;

/// The command line's binary. Cargo names it to the tests of its own package only; the
/// window's tests (tests/window, which share these helpers) do not run it.
#[allow(clippy::option_env_unwrap)] // a window test that ran it would fail saying why
fn binary() -> &'static str {
    option_env!("CARGO_BIN_EXE_socket-tester")
        .expect("the command line is run by the socket-tester package's tests")
}

/// The CLI binary running as a child, its stdout read line by line. Killed when dropped.
pub struct Cli {
    child: std::process::Child,
    lines: crossbeam_channel::Receiver<String>,
    pub seen: Vec<String>,
}

impl Cli {
    pub fn spawn(args: &[&str]) -> Cli {
        Cli::spawn_with_stdin(args, std::process::Stdio::null())
    }

    pub fn spawn_with_stdin(args: &[&str], stdin: std::process::Stdio) -> Cli {
        let mut command = std::process::Command::new(binary());
        command.args(args);
        Cli::spawn_command(command, stdin)
    }

    /// The CLI inside the network namespace `netns` (`ip netns exec`).
    pub fn spawn_in_netns(netns: &str, args: &[&str]) -> Cli {
        let mut command = std::process::Command::new("ip");
        command.args(["netns", "exec", netns, binary()]).args(args);
        Cli::spawn_command(command, std::process::Stdio::null())
    }

    fn spawn_command(mut command: std::process::Command, stdin: std::process::Stdio) -> Cli {
        use std::io::BufRead;
        let mut child = command
            .stdin(stdin)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start socket-tester");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = crossbeam_channel::unbounded();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Cli {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Sends `signal` (SIGINT, SIGTERM) to the process, as Ctrl+C or `kill` would.
    #[cfg(unix)]
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on the pid of a child this struct owns and has not reaped.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as libc::pid_t, signal) },
            0
        );
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stdin(&mut self) -> std::process::ChildStdin {
        self.child.stdin.take().expect("piped stdin")
    }

    /// The next line, if one comes within `wait`.
    pub fn try_line(&mut self, wait: Duration) -> Option<String> {
        self.lines.recv_timeout(wait).ok()
    }

    /// The next line that contains `needle`.
    pub fn line_containing(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = self.lines.recv_timeout(left) else {
                break;
            };
            self.seen.push(line.clone());
            if line.contains(needle) {
                return line;
            }
        }
        panic!("no line containing {needle:?}; saw {:?}", self.seen);
    }

    /// The address from the first line, `listening ADDR` (or its JSON form).
    pub fn listening(&mut self) -> SocketAddr {
        let line = self.line_containing("listening");
        let addr = if line.starts_with('{') {
            let json: serde_json::Value = serde_json::from_str(&line).expect("JSON line");
            json["local"].as_str().expect("local").to_string()
        } else {
            line.trim_start_matches("listening ").to_string()
        };
        addr.parse().expect("listening address")
    }

    /// Waits for the process to exit; returns its code, all remaining stdout lines and stderr.
    pub fn finish(self) -> (i32, Vec<String>, String) {
        self.finish_within(DEADLINE)
    }

    /// As [`Cli::finish`], for a run that may take up to `limit`.
    pub fn finish_within(mut self, limit: Duration) -> (i32, Vec<String>, String) {
        use std::io::Read;
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut rest: Vec<String> = self.lines.iter().collect();
                let mut lines = std::mem::take(&mut self.seen);
                lines.append(&mut rest);
                let mut stderr = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                return (status.code().unwrap_or(-1), lines, stderr);
            }
            assert!(
                Instant::now() < deadline,
                "socket-tester did not exit; saw {:?}",
                self.seen
            );
            // Often enough to time an exit to the millisecond (tests/stops_cli.rs prints it).
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the CLI to completion; returns exit code, stdout lines and stderr.
pub fn run_cli(args: &[&str]) -> (i32, Vec<String>, String) {
    Cli::spawn(args).finish()
}
