//! socket-tester: a desktop socket tester (TCP client, TCP server, UDP) and a command line on
//! the same engine. The layers, each depending only on those listed before it:
//!
//! - [`error`]: the one error type, with messages written for people.
//! - [`codec`]: pure conversions: encodings, hex, escapes, checksums, framing, payloads, and
//!   protocol dissectors.
//! - [`net`]: the engine: worker threads owning blocking sockets, commands in, events out.
//! - [`capture`]: traffic at rest, shared by the window and the command line: recordings and
//!   pcap files.
//! - [`gui`]: the desktop app: its model (pages, log, demo, stress, chart) and its views.
//! - [`cli`]: the command line.
//! - `bench` (with the `bench` feature): `socket-tester bench`, measurements against plain
//!   baselines, and the counting allocator they measure memory with.

#[cfg(feature = "bench")]
pub mod bench;
pub mod capture;
pub mod cli;
pub mod codec;
pub mod error;
pub mod gui;
pub mod net;

pub use error::Error;
