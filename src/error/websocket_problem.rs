//! Why a WebSocket handshake failed, or why a WebSocket connection was closed by this end.

use thiserror::Error;

use crate::codec::websocket::BrokenRule;

/// What went wrong, each in words a person can act on (the window words them in its language).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebSocketProblem {
    #[error(
        "the server answered \"{status}\" instead of switching to WebSocket (101): check the \
         path in the URL"
    )]
    NotUpgraded { status: String },
    #[error("the peer does not speak HTTP, so not WebSocket either: it sent {start}")]
    NotHttp { start: String },
    #[error(
        "the server's Sec-WebSocket-Accept does not answer the key sent: not a WebSocket server"
    )]
    WrongAccept,
    #[error(
        "the client's request is not a WebSocket upgrade: {missing} (answered 400 Bad Request)"
    )]
    NotAnUpgrade { missing: String },
    #[error("the handshake's headers passed {limit} bytes")]
    HeadersTooLong { limit: usize },
    #[error("the handshake took longer than {millis} ms")]
    Timeout { millis: u64 },
    #[error("the peer closed the connection during the handshake")]
    ClosedDuringHandshake,
    #[error("the peer broke the WebSocket protocol ({rule}): closed with code 1002")]
    Broken { rule: BrokenRule },
    #[error(
        "a message of {} or more is over the limit of {} (the session's memory budget): closed with code 1009",
        crate::codec::format_size(*len as usize), crate::codec::format_size(*max)
    )]
    TooBig { len: u64, max: usize },
}
