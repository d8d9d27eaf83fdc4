//! `socket-tester bench` on the command line: the figures as a table or JSON lines.

use std::io::Write;

use super::EXIT_OK;
use super::args::BenchArgs;
use crate::error::Error;

/// Runs the bench and prints each figure as it is measured.
pub fn run(args: &BenchArgs) -> Result<i32, Error> {
    if let Some(only) = &args.only {
        crate::bench::check_only(only)?;
    }
    let mut out = std::io::stdout().lock();
    // A closed stdout ends the run quietly: the figures have nowhere to go.
    let mut open = true;
    let mut say = |text: String| {
        open = open && writeln!(out, "{text}").and_then(|()| out.flush()).is_ok();
        open
    };
    if !args.json {
        say(format!(
            "{:<16} {:>16} {:<18} {:>16} {:>8}  baseline is",
            "figure", "value", "unit", "baseline", "ratio"
        ));
    }
    crate::bench::run(args.quick, args.only.as_deref(), |figure| {
        if args.json {
            // Serializing numbers and fixed names cannot fail.
            say(serde_json::to_string(figure).unwrap_or_default())
        } else {
            say(format!(
                "{:<16} {:>16.1} {:<18} {:>16.1} {:>8.3}  {}",
                figure.name,
                figure.value,
                figure.unit,
                figure.baseline,
                figure.ratio,
                figure.baseline_is
            ))
        }
    });
    Ok(EXIT_OK)
}
