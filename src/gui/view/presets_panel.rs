//! Presets and history: saved messages to send with one click, and the last messages sent.

use crate::gui::i18n::{t, tf};
use egui::Ui;

use crate::codec::InputMode;
use crate::gui::model::page::{Page, PageAction};
use crate::gui::view::{field_row, labelled_combo};

/// The width of a preset's button: the name is cut with "…" beyond it.
const PRESET_WIDTH: f32 = 140.0;

/// Named messages to send with one click, and the send history. The saved presets are listed
/// under the name field and the history, so saving one never moves those controls.
pub fn draw(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    field_row(ui, t("Preset name"), page.preset_name_mut(), true, |ui| {
        if ui
            .button(t("Save as preset"))
            .on_hover_text(t("Save the message below with its settings"))
            .clicked()
        {
            actions.push(PageAction::SavePreset);
        }
    });
    let history = &page.config().history;
    ui.horizontal(|ui| {
        labelled_combo(
            ui,
            t("History"),
            tf("{n} sent", &[("n", &history.len())]),
            |ui| {
                for (index, entry) in history.iter().enumerate() {
                    let mode = if entry.mode == InputMode::Hex {
                        "hex "
                    } else {
                        ""
                    };
                    if ui
                        .selectable_label(false, format!("{mode}{}", entry.text))
                        .clicked()
                    {
                        actions.push(PageAction::Recall(index));
                    }
                }
            },
        );
    });
    for (index, preset) in page.config().presets.iter().enumerate() {
        ui.push_id(index, |ui| {
            // Wraps rather than widen the narrow tool panel past its edge.
            ui.horizontal_wrapped(|ui| {
                let name = egui::Button::new(&preset.name).truncate();
                if ui
                    .add_sized([PRESET_WIDTH, 0.0], name)
                    .on_hover_text(&preset.text)
                    .clicked()
                {
                    actions.push(PageAction::SendPreset(index));
                }
                if let Some(shortcut) = super::keys::preset_shortcut(index) {
                    ui.weak(ui.ctx().format_shortcut(&shortcut));
                }
                if ui.small_button(t("Edit")).clicked() {
                    actions.push(PageAction::EditPreset(index));
                }
                if ui.small_button("<").on_hover_text(t("Move left")).clicked() {
                    actions.push(PageAction::MovePreset(index, true));
                }
                if ui
                    .small_button(">")
                    .on_hover_text(t("Move right"))
                    .clicked()
                {
                    actions.push(PageAction::MovePreset(index, false));
                }
                if ui
                    .small_button("×")
                    .on_hover_text(t("Delete this preset"))
                    .clicked()
                {
                    actions.push(PageAction::DeletePreset(index));
                }
            });
        });
    }
}
