//! The engine: sessions that own blocking `std::net` sockets on worker threads.
//!
//! Each session has a control thread that never blocks on I/O; it takes [`Command`]s and owns
//! the shutdown of every socket. Reader, writer, accept and connect threads do the blocking
//! calls and send [`Event`]s out. Nothing is dropped under load: a TCP connection's send queue
//! is bounded in bytes and producers wait for room (the window is refused whole instead), a
//! full event channel holds readers back, and echo and auto-replies are answered on the
//! reader's side, so a peer that does not read what it is sent is slowed by TCP itself. Stopping shuts the sockets down, which wakes every blocked
//! call at once, so a stop never waits for traffic or a poll interval. No egui here.

mod accept_reserve;
pub mod addr;
mod answers;
mod budget;
#[cfg(unix)]
mod capture_fifo;
mod capture_file;
mod command;
mod connection;
mod datagrams;
mod delayed;
mod direct_write;
mod emitter;
mod event;
#[cfg(unix)]
mod fifo_source;
mod file_send;
mod front_end;
mod interrupt;
mod kernel_drops;
mod listener;
mod lookup;
mod outbox;
mod read_batch;
mod reader;
mod reader_websocket;
mod relay;
mod relay_loop;
#[cfg(target_os = "linux")]
mod relay_procfs;
mod repeat;
pub mod rules;
mod sequence;
mod session;
mod shared;
mod socket_options;
mod stats;
#[cfg(unix)]
mod stop_pipe;
mod stoppable;
pub mod stress;
mod tcp_client;
mod tcp_options;
mod tcp_server;
pub mod tls;
mod udp;
pub mod websocket;
mod writer;

use std::sync::Arc;

pub use budget::{DEFAULT_MEMORY_BUDGET, set_up_the_allocator};
pub use command::{Command, Destination};
pub use event::{CloseReason, Closer, Event, EventKind, Message};
pub use file_send::{FileSend, file_chunk};
pub use front_end::mark_front_end_thread;
pub use kernel_drops::drops_not_counted_on;
pub use outbox::OUTBOX_CAPACITY;
pub use relay::RelayConfig;
pub use repeat::Repeater;
pub use rules::{MatchKind, Responder, Rule};
pub use sequence::{MAX_STEP_MS, Sequence, SequenceOutcome, SequenceRun, Step, StepState};
pub(crate) use session::Handle;
pub use session::{ClientInfo, Session, SessionConfig, SessionKind};
pub use stats::{Counters, Totals};
pub use tcp_client::{Reconnect, TcpClientConfig};
pub use tcp_options::{TcpOptions, timeout_seconds};
pub use tcp_server::{DEFAULT_MAX_CLIENTS, TcpServerConfig};
pub use udp::UdpConfig;

/// Identifies one accepted client of a TCP server session (1, 2, 3, … in accept order).
pub type ClientId = u64;

/// Called after every event is sent: the GUI passes one that requests a repaint.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// A waker for consumers that block on the event channel themselves (the CLI, tests).
pub fn no_waker() -> Waker {
    Arc::new(|| {})
}
