//! The interface language: English or Simplified Chinese (简体中文).
//!
//! Every text the window shows goes through [`t`] (fixed text) or [`tf`] (text with `{name}`
//! places); errors go through [`error`]. English text is the key, so an English build needs no
//! table and a missing translation shows English rather than nothing. The engine and the
//! command line stay English.

mod zh;
mod zh_dissect;
mod zh_errors;
mod zh_python;
mod zh_relay;
mod zh_sequence;
mod zh_stress;
mod zh_tls;
mod zh_websocket;
mod zh_window;

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::codec::dissect::Problem;
use crate::error::Error;
use crate::net::CloseReason;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    #[default]
    English,
    Chinese,
}

impl Language {
    /// The language's own name, as the switch shows it.
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Chinese => "简体中文",
        }
    }
}

thread_local! {
    /// The language of the window drawn on this thread (the app sets it every frame), so
    /// drawing code reads it without passing it around, and test harnesses on other threads
    /// keep their own.
    static CURRENT: Cell<Language> = const { Cell::new(Language::English) };
}

pub fn set_language(language: Language) {
    CURRENT.with(|current| current.set(language));
}

pub fn language() -> Language {
    CURRENT.with(Cell::get)
}

fn chinese() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let tables = [
            zh::TEXTS,
            zh_dissect::TEXTS,
            zh_python::TEXTS,
            zh_relay::TEXTS,
            zh_sequence::TEXTS,
            zh_stress::TEXTS,
            zh_tls::TEXTS,
            zh_websocket::TEXTS,
            zh_window::TEXTS,
        ];
        tables.into_iter().flatten().copied().collect()
    })
}

/// `english` in the current language.
pub fn t(english: &'static str) -> &'static str {
    match language() {
        Language::English => english,
        Language::Chinese => chinese().get(english).copied().unwrap_or(english),
    }
}

/// `template` in the current language, with each `{name}` replaced by its value.
pub fn tf(template: &'static str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut text = t(template).to_string();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    text
}

/// What does not fit a protocol, in words of the current language.
pub fn problem(problem: &Problem) -> String {
    let values: Vec<(&str, &dyn std::fmt::Display)> = problem
        .values
        .iter()
        .map(|(name, value)| (*name, value as &dyn std::fmt::Display))
        .collect();
    tf(problem.template, &values)
}

/// An error in words of the current language.
pub fn error(error: &Error) -> String {
    match language() {
        Language::English => error.to_string(),
        Language::Chinese => zh_errors::error(error),
    }
}

/// How a connection ended, in the current language.
pub fn close_reason(reason: &CloseReason) -> String {
    match reason {
        CloseReason::PeerClosed => t("closed by peer (FIN)").to_string(),
        CloseReason::Reset => t("reset by peer (RST)").to_string(),
        CloseReason::ClosedHere => t("closed here").to_string(),
        CloseReason::ResetHere => t("reset here (RST)").to_string(),
        CloseReason::Failed(failure) => error(failure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t("…")` and `tf("…", …)` in the window's code has a Chinese translation.
    #[test]
    fn every_text_the_window_shows_is_translated() {
        let call = regex::Regex::new(r#"\btf?\(\s*"((?:[^"\\]|\\.)*)""#).unwrap();
        let mut missing = Vec::new();
        // Every source file of the window: the app, its model and its views.
        let mut sources = Vec::new();
        let mut folders = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/gui"
        ))];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    sources.push(path);
                }
            }
        }
        assert!(
            sources.iter().any(|p| p.ends_with("page/send.rs"))
                && sources.iter().any(|p| p.ends_with("view/top_bar.rs")),
            "the window's sources were not found: {sources:?}"
        );
        for path in sources {
            let source = std::fs::read_to_string(&path).unwrap();
            for found in call.captures_iter(&source) {
                let english = unescape(&found[1]);
                if !chinese().contains_key(english.as_str()) {
                    missing.push(format!("{}: {english:?}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "untranslated:\n{}", missing.join("\n"));
    }

    /// Texts the window shows that are not literals where they are drawn: the names of the
    /// protocol dissectors, the fields they find and what they say does not fit (here in frames
    /// of every kind).
    #[test]
    fn dissector_names_and_fields_are_translated() {
        use crate::codec::dissect::Dissector;
        let frames: [&[u8]; 9] = [
            // WebSocket: a masked text frame, a close with its reason, binary bytes.
            &[0x81, 0x81, 1, 2, 3, 4, 0x40],
            &[0x88, 0x03, 0x03, 0xE8, b'x'],
            &[0x82, 0x01, 0xFF],
            &[0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1],
            &[1, 3, 2, 0, 42, 0, 0],
            &[1, 0x83, 2, 0, 0],
            &[1, 6, 0, 1, 0, 3, 0, 0],
            &[1, 16, 0, 1, 0, 1, 2, 0, 10, 0, 0],
            &[1, 1, 1, 5, 0, 0],
        ];
        // And frames that do not fit: short, a wrong protocol, length or CRC, an exception
        // without its code, not JSON, not Base64 in each of its ways.
        let misfits: [&[u8]; 13] = [
            // WebSocket: a payload cut short, bytes after the frame, reserved bits, opcode.
            &[0x81, 0x05, b'a'],
            &[0x81, 0x00, 0x81],
            &[0xC1, 0x00],
            &[0x83, 0x00],
            &[1],
            &[0, 1, 0, 7, 0, 2, 1, 3],
            &[0, 1, 0, 0, 0, 9, 1, 3],
            &[1, 3, 0, 0, 0, 1, 0, 0],
            &[0, 1, 0, 0, 0, 2, 1, 0x83],
            b"{",
            b"SG*k",
            b"SG=k",
            b"SGVsb",
        ];
        let mut missing = Vec::new();
        for dissector in Dissector::ALL {
            missing.push(dissector.label());
            for frame in frames.iter().chain(&misfits).chain([&&b"SGk="[..]]) {
                let dissection = dissector.dissect(frame);
                missing.extend(dissection.fields.iter().map(|f| f.name));
                missing.extend(dissection.problem.map(|p| p.template));
            }
        }
        missing.retain(|text| !chinese().contains_key(text));
        assert!(missing.is_empty(), "untranslated: {missing:?}");
    }

    /// The source spelling of a string literal's content, as the program sees it.
    fn unescape(literal: &str) -> String {
        let mut out = String::new();
        let mut chars = literal.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('0') => out.push('\0'),
                Some('\n') => {
                    // A line continuation: the next line's leading spaces are skipped.
                    let rest: String = chars.clone().collect();
                    let skipped = rest.len() - rest.trim_start().len();
                    for _ in 0..rest[..skipped].chars().count() {
                        chars.next();
                    }
                }
                Some(other) => out.push(other),
                None => {}
            }
        }
        out
    }

    #[test]
    fn switching_the_language_changes_texts_and_errors() {
        set_language(Language::Chinese);
        assert_eq!(t("Connect"), "连接");
        assert_eq!(
            error(&Error::ConnectionRefused("127.0.0.1:9".parse().unwrap())),
            "127.0.0.1:9 拒绝了连接"
        );
        assert_eq!(
            tf("Leave {group}", &[("group", &"239.1.2.3")]),
            "退出 239.1.2.3"
        );
        set_language(Language::English);
        assert_eq!(t("Connect"), "Connect");
    }
}
