#![no_main]
//! The hex parser on any text: never panics, and what it accepts formats back to itself.

use libfuzzer_sys::fuzz_target;
use socket_tester::codec::hex::{format_hex, parse_hex};

fuzz_target!(|text: &str| {
    if let Ok(bytes) = parse_hex(text) {
        assert_eq!(parse_hex(&format_hex(&bytes)).ok(), Some(bytes));
    }
});
