//! Properties of the codecs over generated inputs.

use proptest::prelude::*;
use socket_tester::codec::hex::{format_hex, parse_hex};
use socket_tester::codec::{InputMode, LineEnding, PayloadFormat, TextEncoding, build_payload};

/// Decodes `bytes` fed in pieces cut at `cuts`.
fn decode_in_pieces(encoding: TextEncoding, bytes: &[u8], cuts: &[usize]) -> String {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut decoder = encoding.stream_decoder();
    let mut out = String::new();
    let mut start = 0;
    for cut in cuts {
        out += &decoder.feed(&bytes[start..cut], false);
        start = cut;
    }
    out + &decoder.feed(&bytes[start..], true)
}

/// Text that GBK can encode: ASCII and common CJK.
fn gbk_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::char::range(' ', '~'),
            prop::char::range('\u{4E00}', '\u{9FA5}'),
            Just('，'),
            Just('。'),
        ],
        0..40,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn hex_format_then_parse_gives_the_bytes_back(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        prop_assert_eq!(parse_hex(&format_hex(&bytes)).unwrap(), bytes);
    }

    #[test]
    fn hex_parse_never_panics(input in ".{0,40}") {
        let _ = parse_hex(&input);
    }

    #[test]
    fn utf8_split_anywhere_decodes_as_whole(text in "\\PC{0,40}", cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        let bytes = text.as_bytes();
        prop_assert_eq!(decode_in_pieces(TextEncoding::Utf8, bytes, &cuts), text);
    }

    #[test]
    fn gbk_split_anywhere_decodes_as_whole(text in gbk_text(), cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        let bytes = TextEncoding::Gbk.encode(&text).unwrap();
        prop_assert_eq!(decode_in_pieces(TextEncoding::Gbk, &bytes, &cuts), text);
    }

    #[test]
    fn any_bytes_split_anywhere_decode_as_whole(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        for encoding in TextEncoding::ALL {
            prop_assert_eq!(
                decode_in_pieces(encoding, &bytes, &cuts),
                encoding.decode_whole(&bytes)
            );
        }
    }

    #[test]
    fn text_without_backslashes_is_unchanged_by_escapes(text in "[^\\\\]{0,40}") {
        let with = PayloadFormat { mode: InputMode::Text, escapes: true, ..PayloadFormat::default() };
        let without = PayloadFormat { escapes: false, ..with };
        prop_assert_eq!(build_payload(&text, &with).unwrap(), build_payload(&text, &without).unwrap());
    }

    #[test]
    fn line_ending_is_appended_last(text in "[a-z]{0,10}") {
        let format = PayloadFormat { line_ending: LineEnding::CrLf, ..PayloadFormat::default() };
        let bytes = build_payload(&text, &format).unwrap();
        prop_assert!(bytes.ends_with(b"\r\n"));
        prop_assert_eq!(bytes.len(), text.len() + 2);
    }
}

fn framing_spec() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "raw",
        "line",
        "crlf",
        "delim:AA55",
        "fixed:1",
        "fixed:5",
        "len:1",
        "len:2be",
        "len:2le",
        "len:4be+h",
        "idle:10",
    ])
}

proptest! {
    /// However TCP splits a stream into reads, the frames are the same (raw framing aside,
    /// which shows reads as they are).
    #[test]
    fn framing_does_not_depend_on_how_reads_split_the_stream(
        spec in framing_spec(),
        stream in prop::collection::vec(prop_oneof![Just(0x0Au8), Just(0x0D), Just(0xAA), Just(0x55), Just(0), Just(1), Just(3), any::<u8>()], 0..120),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        use socket_tester::codec::{Framer, Framing};
        // Idle-gap frames depend on timing, not content, so splits may change them.
        prop_assume!(spec != "raw" && spec != "idle:10");
        let framing = Framing::parse(spec).unwrap();
        let run = |pieces: Vec<&[u8]>| {
            let mut framer = Framer::new(framing.clone(), 16);
            let mut frames: Vec<_> = pieces.into_iter().flat_map(|p| framer.push(p.to_vec())).collect();
            frames.extend(framer.flush().map(Ok));
            // How long a dropped frame was seen to be depends on when the limit was passed.
            frames.into_iter().map(|f| f.map_err(|_| ())).collect::<Vec<_>>()
        };
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
        cuts.sort_unstable();
        let mut pieces = Vec::new();
        let mut start = 0;
        for cut in cuts {
            pieces.push(&stream[start..cut]);
            start = cut;
        }
        pieces.push(&stream[start..]);
        prop_assert_eq!(run(pieces), run(vec![&stream[..]]));
    }

    #[test]
    fn frames_joined_give_back_the_stream_when_none_is_too_long(
        spec in framing_spec(),
        stream in prop::collection::vec(any::<u8>(), 0..120),
    ) {
        use socket_tester::codec::{Framer, Framing};
        let mut framer = Framer::new(Framing::parse(spec).unwrap(), usize::MAX);
        let mut joined: Vec<u8> = framer.push(stream.clone()).into_iter().flat_map(|f| f.unwrap()).collect();
        joined.extend(framer.flush().unwrap_or_default());
        prop_assert_eq!(joined, stream);
    }
}

proptest! {
    /// The log decodes rows lazily from their bytes; across a connection's rows the text is
    /// the same as decoding the whole stream, however reads split it.
    #[test]
    fn log_rows_decode_a_split_stream_like_the_whole(
        text in gbk_text(),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
        gbk in any::<bool>(),
    ) {
        use socket_tester::gui::model::log::Log;
        use socket_tester::net::{Event, EventKind};
        let encoding = if gbk { TextEncoding::Gbk } else { TextEncoding::Utf8 };
        let bytes = encoding.encode(&text).unwrap();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.push(bytes.len());
        let mut log = Log::new(encoding, true);
        let mut start = 0;
        for cut in cuts {
            let data = bytes[start..cut].to_vec();
            start = cut;
            log.push_event(Event::now(EventKind::received(None, "127.0.0.1:1".parse().unwrap(), data)));
        }
        let shown: String = log.iter().map(|row| row.text).collect();
        prop_assert_eq!(shown, text);
    }
}

proptest! {
    /// A peer's bytes, whatever they are, are read by every dissector without a panic; a
    /// Modbus RTU frame built with its CRC is always found correct.
    #[test]
    fn every_dissector_reads_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        use socket_tester::codec::dissect::Dissector;
        for dissector in Dissector::ALL {
            let _ = dissector.dissect(&bytes).lines();
        }
        let mut frame = bytes.clone();
        frame.extend(socket_tester::codec::Checksum::Crc16Modbus.bytes(&bytes));
        if bytes.len() >= 2 {
            let read = Dissector::ModbusRtu.dissect(&frame);
            prop_assert!(read.field("CRC").is_some_and(|crc| crc.ends_with("(correct)")));
        }
    }

    #[test]
    fn base64_gives_the_bytes_back(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        use socket_tester::codec::dissect::{base64_decode, base64_encode};
        let encoded = base64_encode(&bytes);
        prop_assert_eq!(encoded.len(), bytes.len().div_ceil(3) * 4);
        prop_assert_eq!(base64_decode(encoded.as_bytes()).unwrap(), bytes);
    }
}

proptest! {
    /// An auto-reply's template, as typed, never panics: parsing refuses or takes it, and a
    /// taken one renders for any message and any groups, in text and in hex.
    #[test]
    fn a_reply_template_never_panics(
        reply in r"([A-Z0-9 \\]|\$\{(rx|rx\.hex|rx\.len|[0-9]{1,2}|rx\[[0-9]{0,3}\.\.[0-9]{0,3}\])\}|\$\$\{|\$){0,8}",
        message in proptest::collection::vec(any::<u8>(), 0..64),
        hex in any::<bool>(),
    ) {
        use socket_tester::codec::reply_template::ReplyTemplate;
        let format = PayloadFormat {
            mode: if hex { InputMode::Hex } else { InputMode::Text },
            escapes: true,
            ..PayloadFormat::default()
        };
        if let Ok(template) = ReplyTemplate::parse(&reply, &format) {
            let out = template.render(&message, &|n| Some(vec![b'g'; n]));
            // Each of at most 8 parts is at most 3 bytes per message byte, or what was typed.
            prop_assert!(out.len() <= 8 * (3 * message.len() + reply.len() + 9));
        }
    }
}
