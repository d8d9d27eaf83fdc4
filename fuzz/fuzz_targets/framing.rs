#![no_main]
//! Every framing on any stream cut anywhere: never panics, never keeps more than the limit,
//! and frames joined give back the stream when none was too long.

use libfuzzer_sys::fuzz_target;
use socket_tester::codec::{Framer, Framing};

const SPECS: [&str; 11] = [
    "raw",
    "line",
    "crlf",
    "delim:AA55",
    "fixed:3",
    "len:1",
    "len:2be",
    "len:2le",
    "len:4be",
    "len:4le+h",
    "idle:10",
];

fuzz_target!(|input: (u8, u8, Vec<u8>)| {
    let (spec, cut, stream) = input;
    let framing = Framing::parse(SPECS[spec as usize % SPECS.len()]).expect("a valid spec");
    let cut = cut as usize % (stream.len() + 1);
    let mut framer = Framer::new(framing, 64);
    let mut frames = framer.push(stream[..cut].to_vec());
    frames.extend(framer.push(stream[cut..].to_vec()));
    frames.extend(framer.flush().map(Ok));
    if frames.iter().all(Result::is_ok) {
        let joined: Vec<u8> = frames.into_iter().flat_map(Result::unwrap).collect();
        assert_eq!(joined, stream);
    }
});
