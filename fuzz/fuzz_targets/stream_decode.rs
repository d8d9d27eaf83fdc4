#![no_main]
//! The streaming decoders and the log's lazy decoding on any bytes cut anywhere: never panic,
//! and the pieces decode to what the whole does.

use libfuzzer_sys::fuzz_target;
use socket_tester::codec::TextEncoding;
use socket_tester::gui::model::log::Log;
use socket_tester::net::{Event, EventKind};

fuzz_target!(|input: (u8, Vec<u8>)| {
    let (cut, bytes) = input;
    let cut = cut as usize % (bytes.len() + 1);
    for encoding in TextEncoding::ALL {
        let whole = encoding.decode_whole(&bytes);
        let mut decoder = encoding.stream_decoder();
        let pieces = decoder.feed(&bytes[..cut], false) + &decoder.feed(&bytes[cut..], true);
        assert_eq!(pieces, whole);

        let mut log = Log::new(encoding, true);
        for part in [&bytes[..cut], &bytes[cut..]] {
            let data = part.to_vec();
            log.push_event(Event::now(EventKind::Received {
                client: None,
                peer: "127.0.0.1:1".parse().unwrap(),
                data,
            }));
        }
        let _: Vec<String> = log.iter().map(|row| row.text).collect();
    }
});
