//! Presets and history: saved messages to send with one click, and the last messages sent.

use crate::gui::i18n::{t, tf};
use egui::Ui;

use crate::codec::InputMode;
use crate::gui::model::page::Page;
use crate::gui::view::{labelled_combo, labelled_field};

/// What the preset panel asks of the page this frame.
enum Action {
    Send(usize),
    Edit(usize),
    Move(usize, bool),
    Delete(usize),
}

/// Named messages to send with one click, and the send history.
pub fn draw(page: &mut Page, ui: &mut Ui) {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        for (index, preset) in page.config.presets.iter().enumerate() {
            ui.push_id(index, |ui| {
                ui.group(|ui| {
                    if ui
                        .button(&preset.name)
                        .on_hover_text(&preset.text)
                        .clicked()
                    {
                        action = Some(Action::Send(index));
                    }
                    if ui.small_button(t("Edit")).clicked() {
                        action = Some(Action::Edit(index));
                    }
                    if ui.small_button("<").on_hover_text(t("Move left")).clicked() {
                        action = Some(Action::Move(index, true));
                    }
                    if ui
                        .small_button(">")
                        .on_hover_text(t("Move right"))
                        .clicked()
                    {
                        action = Some(Action::Move(index, false));
                    }
                    if ui
                        .small_button("×")
                        .on_hover_text(t("Delete this preset"))
                        .clicked()
                    {
                        action = Some(Action::Delete(index));
                    }
                });
            });
        }
    });
    match action {
        Some(Action::Send(i)) => page.send_preset(i),
        Some(Action::Edit(i)) => page.edit_preset(i),
        Some(Action::Move(i, up)) => page.move_preset(i, up),
        Some(Action::Delete(i)) => {
            page.config.presets.remove(i);
        }
        None => {}
    }
    ui.horizontal(|ui| {
        labelled_field(ui, t("Preset name"), &mut page.preset_name, 120.0, true);
        if ui
            .button(t("Save as preset"))
            .on_hover_text(t("Save the message above with its settings"))
            .clicked()
        {
            page.save_preset();
        }
        let mut recall = None;
        labelled_combo(
            ui,
            t("History"),
            tf("{n} sent", &[("n", &page.config.history.len())]),
            |ui| {
                for (index, entry) in page.config.history.iter().enumerate() {
                    let mode = if entry.mode == InputMode::Hex {
                        "hex "
                    } else {
                        ""
                    };
                    if ui
                        .selectable_label(false, format!("{mode}{}", entry.text))
                        .clicked()
                    {
                        recall = Some(index);
                    }
                }
            },
        );
        if let Some(index) = recall {
            page.recall(index);
        }
    });
}
