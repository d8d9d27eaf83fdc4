//! Pure conversions between what a person types or reads and the bytes on the wire.
//! No I/O here: everything is testable with plain values.

pub mod checksum;
pub mod decoders;
pub mod dissect;
pub mod encoding;
pub mod escape;
pub mod framing;
pub mod hex;
pub mod payload;
pub mod python_peer;
pub mod render;
pub mod reply_template;
pub mod template;
pub mod websocket;

pub use checksum::Checksum;
pub use decoders::PeerDecoders;
pub use encoding::{StreamDecoder, TextEncoding};
pub use framing::{Framer, Framing};
pub use payload::{
    InputMode, LineEnding, PayloadFormat, build_payload, convert_message, split_evenly,
};
pub use render::format_size;
