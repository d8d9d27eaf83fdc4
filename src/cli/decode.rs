//! `decode`: one message read as a protocol, printed a field a line; the exit code says
//! whether the message fits the protocol (0) or not (1).

use std::io::{self, Write};

use super::args::DecodeArgs;
use crate::codec::dissect::{Dissector, c_literal, python_literal};
use crate::codec::hex::parse_hex;
use crate::error::Error;

pub fn run(args: &DecodeArgs) -> Result<i32, Error> {
    let dissector = Dissector::from_name(&args.protocol).ok_or_else(|| {
        let names: Vec<&str> = Dissector::ALL.iter().map(|d| d.name()).collect();
        Error::InvalidSetting {
            name: "protocol",
            reason: format!("'{}' is not one of {}", args.protocol, names.join(", ")),
        }
    })?;
    let message = if args.text {
        args.message.as_bytes().to_vec()
    } else {
        parse_hex(&args.message)?
    };
    let dissection = dissector.dissect(&message);
    let mut lines = dissection.lines();
    lines.push(format!("C: {}", c_literal(&message)));
    lines.push(format!("Python: {}", python_literal(&message)));
    let mut out = io::stdout().lock();
    for line in lines {
        // A closed stdout ends the listing quietly; a full one is an error.
        if let Err(err) = writeln!(out, "{line}").and_then(|()| out.flush()) {
            return Ok(super::output::stdout_failed(&err));
        }
    }
    Ok(if dissection.problem.is_some() { 1 } else { 0 })
}
