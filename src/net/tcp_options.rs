//! The settings every TCP connection of a session shares, and the one check of a timeout typed
//! in seconds (the window's fields and the command line's flags).

use std::time::Duration;

use crate::codec::framing::Framing;
use crate::error::Error;
use crate::net::budget::DEFAULT_MEMORY_BUDGET;

/// Settings for every connection of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpOptions {
    /// How received streams are split into messages.
    pub framing: Framing,
    /// TCP_NODELAY: send small writes at once instead of waiting to coalesce them (Nagle).
    pub nodelay: bool,
    /// SO_KEEPALIVE: probe an idle connection so a vanished peer is noticed.
    pub keepalive: bool,
    /// After the peer's FIN, keep the connection so this side can still send (TCP half-close);
    /// it closes when closed here, when a send fails or when the session stops. Off: the
    /// connection closes at the peer's FIN, as most socket tools do.
    pub half_close: bool,
    /// Close a connection whose peer takes nothing for this long while we have data for it.
    pub send_timeout: Option<Duration>,
    /// Close a connection whose peer sends nothing for this long.
    pub idle_timeout: Option<Duration>,
    /// What the session's connections may hold together in framing buffers and send queues;
    /// past it the one holding the most is closed.
    pub memory_budget: usize,
}

/// The longest send or idle timeout a person can set: about 11 days.
const LONGEST_TIMEOUT_S: f64 = 1e6;

/// A send or idle timeout as typed in seconds (`as_typed`, parsed to `seconds`): the one check
/// the window's fields and the command line's flags share.
pub fn timeout_seconds(
    name: &'static str,
    seconds: f64,
    as_typed: &str,
) -> Result<Duration, Error> {
    if seconds.is_finite() && seconds > 0.0 && seconds <= LONGEST_TIMEOUT_S {
        return Ok(Duration::from_secs_f64(seconds));
    }
    Err(Error::InvalidSetting {
        name,
        reason: format!("{as_typed} must be a number of seconds above 0, at most 1000000"),
    })
}

impl Default for TcpOptions {
    fn default() -> TcpOptions {
        TcpOptions {
            framing: Framing::default(),
            nodelay: false,
            keepalive: false,
            half_close: false,
            send_timeout: None,
            idle_timeout: None,
            memory_budget: DEFAULT_MEMORY_BUDGET,
        }
    }
}
