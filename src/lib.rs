//! socket-tester: a desktop socket tester (TCP client, TCP server, UDP) and a command line on
//! the same engine.
//!
//! - [`net`]: the engine, worker threads owning blocking sockets, commands in, events out.
//! - [`codec`]: pure conversions: encodings, hex, escapes, outgoing payloads.
//! - [`cli`]: the command line.

pub mod cli;
pub mod codec;
pub mod error;
pub mod net;

pub use error::Error;
