//! Decoding received bytes from several peers at once.

use std::collections::HashMap;
use std::net::SocketAddr;

use crate::codec::{StreamDecoder, TextEncoding};

/// A streaming decoder per TCP connection, so a character split across two reads comes out
/// whole; datagrams (`streams == false`) are messages and decode one by one.
pub struct PeerDecoders {
    encoding: TextEncoding,
    streams: bool,
    decoders: HashMap<SocketAddr, StreamDecoder>,
}

impl PeerDecoders {
    pub fn new(encoding: TextEncoding, streams: bool) -> PeerDecoders {
        PeerDecoders {
            encoding,
            streams,
            decoders: HashMap::new(),
        }
    }

    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    pub fn decode(&mut self, peer: SocketAddr, data: &[u8]) -> String {
        if !self.streams {
            return self.encoding.decode_whole(data);
        }
        let encoding = self.encoding;
        self.decoders
            .entry(peer)
            .or_insert_with(|| encoding.stream_decoder())
            .feed(data, false)
    }

    /// Reads `data` from `peer` without showing it: a character that it finishes, or starts
    /// and the next read finishes, still comes out whole. A piece at a time, so a large
    /// message costs no large text.
    pub fn pass_over(&mut self, peer: SocketAddr, data: &[u8]) {
        if self.streams {
            for piece in data.chunks(64 * 1024) {
                self.decode(peer, piece);
            }
        }
    }

    /// The connection with `peer` ended (or a new one begins): forget its partial character.
    pub fn end(&mut self, peer: SocketAddr) {
        self.decoders.remove(&peer);
    }
}
