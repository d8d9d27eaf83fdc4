//! What a Chinese window must not show: English words that are not technical names (the
//! language tests of tests/window/gui_views.rs and layout.rs).

/// Words a Chinese interface still writes in Latin letters: protocol and format names.
const TECHNICAL_WORDS: &[&str] = &[
    "TCP",
    "UDP",
    "FIN",
    "RST",
    "QPS",
    "GBK",
    "UTF",
    "TXT",
    "CSV",
    "JSON",
    "Lines",
    "pcap",
    "TTL",
    "Ctrl",
    "English",
    "LF",
    "CRLF",
    "Enter",
    "MiB",
    "TLS",
    "SNI",
    "Python",
    "WebSocket",
];

/// Every text the window shows (each accessible label, and a label's text), in which English
/// words are left that are not technical names: in a Chinese window, what was not translated,
/// whatever code made it. What is typed in a field and paths are the user's, not the window's.
pub fn english_on_screen(
    h: &egui_kittest::Harness<'static, socket_tester::gui::app::App>,
) -> Vec<String> {
    use egui::accesskit::Role;
    use egui_kittest::kittest::{By, NodeT, Queryable};
    let word = regex::Regex::new("[A-Za-z]{3,}").unwrap();
    let mut found = Vec::new();
    for node in h.query_all(By::new().predicate(|_| true)) {
        let node = node.accesskit_node();
        let text = match node.role() {
            Role::Label => node.value(),
            Role::TextInput | Role::TextRun => None,
            _ => node.label(),
        };
        let Some(text) = text else { continue };
        // egui's own name for a panel's drag handle, for screen readers, never shown.
        if text == "Resize panel" || found.contains(&text) {
            continue;
        }
        let english = text
            .split_whitespace()
            .filter(|token| !token.contains('/'))
            .any(|token| {
                word.find_iter(token)
                    .any(|w| !TECHNICAL_WORDS.contains(&w.as_str()))
            });
        if english {
            found.push(text);
        }
    }
    found
}
