//! socket-tester: a desktop socket tester (TCP client, TCP server, UDP) and a command line on
//! the same engine.
//!
//! - [`net`]: the engine, worker threads owning blocking sockets, commands in, events out.
//! - [`codec`]: pure conversions: encodings, hex, escapes, outgoing payloads.
//! - [`log`], [`page`], [`stress_page`]: the desktop app's state, without drawing.
//! - [`app`], [`ui`]: the desktop app (eframe/egui), drawing only.
//! - [`record`], [`pcap`]: recordings of a session, for replay and for Wireshark.
//! - [`cli`]: the command line.

pub mod alloc_count;
pub mod app;
pub mod bench;
pub mod chart;
pub mod cli;
pub mod codec;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod log;
pub mod net;
pub mod page;
pub mod pcap;
pub mod record;
pub mod session_recording;
pub mod stress_page;
pub mod traffic;
pub mod ui;
pub mod wake;

pub use error::Error;
