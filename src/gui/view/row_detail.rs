//! The detail pane of the selected log row: its full hex dump, the message read as the
//! protocol picked for the page (Modbus, JSON, text, Base64), and copy buttons for the row as
//! text, hex, or a C or Python byte literal.

use egui::{Grid, RichText, Ui};

use crate::codec::dissect::{Dissector, c_literal, python_literal};
use crate::codec::hex::format_hex;
use crate::codec::render::hex_dump;
use crate::gui::i18n::{t, tf};
use crate::gui::model::log::{Direction, LogRow};
use crate::gui::model::page::{Page, PageAction};
use crate::gui::view::{choice_combo, palette};

pub fn draw(page: &mut Page, row: &LogRow, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let dark = ui.visuals().dark_mode;
    // Wraps rather than cut its buttons on a projector's narrow log.
    ui.horizontal_wrapped(|ui| {
        ui.strong(tf(
            "{dir} · {n} B",
            &[("dir", &t(row.direction.label())), ("n", &row.data.len())],
        ));
        choice_combo(
            ui,
            t("Decode as"),
            &mut page.config_mut().dissector,
            &Dissector::ALL,
            |d| t(d.label()),
        );
        let copies: [(&str, String); 4] = [
            (t("Copy as text"), row.text.clone()),
            (t("Copy as hex"), format_hex(row.data)),
            (t("Copy as C"), c_literal(row.data)),
            (t("Copy as Python"), python_literal(row.data)),
        ];
        for (label, text) in copies {
            if ui.button(label).clicked() {
                ui.ctx().copy_text(text);
            }
        }
        if ui.button(t("Hide details")).clicked() {
            actions.push(PageAction::SelectRow(None));
        }
    });
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if !matches!(row.direction, Direction::Rx | Direction::Tx) {
                ui.label(&row.text);
                return;
            }
            ui.label(RichText::new(hex_dump(row.data)).monospace());
            ui.separator();
            let dissection = page.config().dissector.dissect(row.data);
            Grid::new("row-fields").num_columns(2).show(ui, |ui| {
                for field in &dissection.fields {
                    ui.label(t(field.name));
                    ui.label(RichText::new(&field.value).monospace());
                    ui.end_row();
                }
            });
            if let Some(text) = &dissection.text {
                ui.label(RichText::new(text).monospace());
            }
            if let Some(problem) = &dissection.problem {
                ui.colored_label(palette::error(dark), problem);
            }
        });
}
