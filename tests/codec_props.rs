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
