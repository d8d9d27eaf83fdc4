//! How a connection's close and a session's error read as a Python peer's step (see
//! `codec::python_peer`): the one reading the window's log and the command line share.

use crate::codec::python_peer::Step;
use crate::error::Error;
use crate::net::{CloseReason, Closer};

/// A close: by the peer or here, FIN or RST; giving up on a silent peer is a timeout.
pub fn close_step(reason: &CloseReason) -> Step<'static> {
    if let CloseReason::Failed(Error::IdleTimeout { millis, .. }) = reason {
        return Step::TimedOut {
            millis: *millis,
            connecting: false,
        };
    }
    match reason.ending() {
        (Closer::Peer, reset) => Step::PeerClosed { reset },
        (Closer::Here, reset) => Step::ClosedHere { reset },
    }
}

/// An error the same Python call would raise too (a refused or timed-out connect); others
/// have no Python call.
pub fn error_step(error: &Error) -> Step<'static> {
    match error {
        Error::ConnectionRefused(addr) => Step::Refused { addr: *addr },
        Error::ConnectTimeout { millis, .. } => Step::TimedOut {
            millis: *millis,
            connecting: true,
        },
        _ => Step::Other,
    }
}
