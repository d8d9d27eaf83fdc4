//! The command line: the same engine and codecs as the desktop app, one line per event.

mod args;
#[cfg(feature = "bench")]
mod bench;
pub mod console;
mod decode;
mod file_paths;
mod input;
mod output;
mod pcap_log;
mod plan;
mod python_peer;
mod run;
mod signals;
mod stress;

use clap::Parser;
use clap::error::ErrorKind;

pub use args::{Cli, Command, Mode};

use crate::error::Error;
use output::warn;

/// Exit codes scripts rely on.
pub const EXIT_OK: i32 = 0;
pub const EXIT_NETWORK: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// What the command line asks for.
pub enum Invocation {
    /// No command: open the desktop app.
    Gui,
    /// A command ran (or the arguments were wrong); exit with this code.
    Exit(i32),
}

/// Parses the process arguments and runs a command if one was given.
pub fn main_entry() -> Invocation {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go out whole; a usage error is one line, like every other error.
        Err(err) if err.use_stderr() => {
            warn(&format!("{} (see --help)", usage_error(&err)));
            return Invocation::Exit(EXIT_USAGE);
        }
        Err(err) => {
            let _ = err.print();
            return Invocation::Exit(EXIT_OK);
        }
    };
    match cli.command {
        None => Invocation::Gui,
        Some(Command::Bench(args)) => Invocation::Exit(bench(&args)),
        Some(Command::Session(mode)) => Invocation::Exit(exit_code(run::run(mode))),
        Some(Command::Stress(args)) => Invocation::Exit(exit_code(stress::run(&args))),
        Some(Command::Decode(args)) => Invocation::Exit(exit_code(decode::run(&args))),
    }
}

/// clap's error in one line; a missing argument is named ("… not provided: --send <DATA>").
fn usage_error(err: &clap::Error) -> String {
    let rendered = err.render().to_string();
    let mut lines = rendered.lines().filter(|l| !l.trim().is_empty());
    let first = lines
        .next()
        .unwrap_or("error: invalid arguments")
        .to_string();
    if err.kind() != ErrorKind::MissingRequiredArgument {
        return first;
    }
    let missing: Vec<&str> = lines
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .collect();
    format!("{} {}", first.trim_end_matches(':'), missing.join(", "))
}

/// The exit code of a run; an error is told on stderr in one line.
fn exit_code(result: Result<i32, Error>) -> i32 {
    match result {
        Ok(code) => code,
        Err(error) => {
            warn(&format!("error: {error}"));
            if error.is_input_error() {
                EXIT_USAGE
            } else {
                EXIT_NETWORK
            }
        }
    }
}

#[cfg(feature = "bench")]
fn bench(args: &args::BenchArgs) -> i32 {
    exit_code(bench::run(args))
}

/// The app is built without the bench, which needs a counting allocator the app should not
/// pay for.
#[cfg(not(feature = "bench"))]
fn bench(_: &args::BenchArgs) -> i32 {
    warn(
        "this build has no bench; build one with it: \
         cargo run --release --features bench -- bench",
    );
    EXIT_USAGE
}
