//! The detail pane of the selected log row: its full hex dump, the message read as the
//! protocol picked for the page (Modbus, JSON, text, Base64), and copy buttons for the row as
//! text, hex, or a C or Python byte literal.

use egui::{Grid, RichText, Ui};

use crate::codec::dissect::{Dissector, c_literal, python_literal};
use crate::codec::hex::format_hex;
use crate::codec::render::hex_dump;
use crate::gui::i18n::{self, t, tf};
use crate::gui::model::log::{Direction, LogRow};
use crate::gui::model::page::{Page, PageAction};
use crate::gui::view::{choice_combo, palette};

/// One way to write a row for the clipboard.
type CopyAs = fn(&LogRow) -> String;

/// Bytes of a row the pane dumps and decodes.
const SHOWN: usize = 16 * 1024;

pub fn draw(page: &Page, row: &LogRow, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let dark = ui.visuals().dark_mode;
    // Wraps rather than cut its buttons on a projector's narrow log.
    ui.horizontal_wrapped(|ui| {
        ui.strong(tf(
            "{dir} · {n} B",
            &[("dir", &t(row.direction.label())), ("n", &row.data.len())],
        ));
        let mut dissector = page.config().dissector;
        choice_combo(ui, t("Decode as"), &mut dissector, &Dissector::ALL, |d| {
            t(d.label())
        });
        if dissector != page.config().dissector {
            actions.push(PageAction::SetDissector(dissector));
        }
        // Made only on a click: a large row is not rewritten every frame.
        let copies: [(&str, CopyAs); 4] = [
            (t("Copy as text"), |row| row.text.clone()),
            (t("Copy as hex"), |row| format_hex(row.data)),
            (t("Copy as C"), |row| c_literal(row.data)),
            (t("Copy as Python"), |row| python_literal(row.data)),
        ];
        for (label, copy) in copies {
            if ui.button(label).clicked() {
                ui.ctx().copy_text(copy(row));
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
            // A frame shows at most SHOWN bytes: a peer's megabyte does not stall the window
            // (the copy buttons still take the whole row).
            let shown = &row.data[..row.data.len().min(SHOWN)];
            if shown.len() < row.data.len() {
                ui.label(tf(
                    "The first {shown} of {total} bytes are shown; the copy buttons take them all",
                    &[("shown", &shown.len()), ("total", &row.data.len())],
                ));
            }
            ui.label(RichText::new(hex_dump(shown)).monospace());
            ui.separator();
            let dissection = page.config().dissector.dissect(shown);
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
                ui.colored_label(palette::error(dark), i18n::problem(problem));
            }
        });
}
