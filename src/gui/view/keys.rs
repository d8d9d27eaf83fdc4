//! Keyboard shortcuts: Ctrl+1 … Ctrl+9 send presets 1 to 9, and the "Keys" list of every
//! shortcut the window knows (the "?" menu of the top bar).

use egui::{Key, KeyboardShortcut, Modifiers, Ui};

use crate::gui::i18n::t;
use crate::gui::model::page::PageAction;

/// The keys of presets 1 to 9, with Ctrl (⌘ on a Mac).
const PRESET_KEYS: [Key; 9] = [
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
    Key::Num7,
    Key::Num8,
    Key::Num9,
];

/// The shortcut that sends preset `index` (from 0), if it has one.
pub fn preset_shortcut(index: usize) -> Option<KeyboardShortcut> {
    PRESET_KEYS
        .get(index)
        .map(|&key| KeyboardShortcut::new(Modifiers::COMMAND, key))
}

/// Sends the preset whose shortcut was pressed, of the `presets` the page has.
pub fn send_presets(presets: usize, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    for index in 0..presets.min(PRESET_KEYS.len()) {
        if let Some(shortcut) = preset_shortcut(index)
            && ui.input_mut(|input| input.consume_shortcut(&shortcut))
        {
            actions.push(PageAction::SendPreset(index));
        }
    }
}

/// Every shortcut, as the "?" menu lists them.
pub fn list(ui: &mut Ui) {
    let name = |key| {
        ui.ctx()
            .format_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, key))
    };
    let first_last = format!("{} … {}", name(Key::Num1), name(Key::Num9));
    let rows = [
        (name(Key::Enter), t("Send the message")),
        (first_last, t("Send preset 1 … 9")),
        (name(Key::F), t("Find in the log")),
        ("Esc".to_string(), t("Close Find")),
        (name(Key::Plus), t("Larger text")),
        (name(Key::Minus), t("Smaller text")),
        ("F5".to_string(), t("Presentation or normal view")),
    ];
    ui.strong(t("Keys"));
    egui::Grid::new("keys").num_columns(2).show(ui, |ui| {
        for (keys, what) in rows {
            ui.monospace(keys);
            ui.label(what);
            ui.end_row();
        }
    });
    ui.separator();
    ui.label(format!("socket-tester {}", env!("CARGO_PKG_VERSION")));
}
