#![no_main]
//! Escapes and payload building on any text, in both encodings and both modes: never panics.

use libfuzzer_sys::fuzz_target;
use socket_tester::codec::escape::parse_escapes;
use socket_tester::codec::{InputMode, PayloadFormat, TextEncoding, build_payload};

fuzz_target!(|text: &str| {
    let _ = parse_escapes(text);
    for encoding in TextEncoding::ALL {
        for mode in [InputMode::Text, InputMode::Hex] {
            let format = PayloadFormat {
                mode,
                encoding,
                escapes: true,
                ..PayloadFormat::default()
            };
            let _ = build_payload(text, &format);
        }
    }
});
