//! The detail pane of the selected log row: its full hex dump, the message read as the
//! protocol picked for the page (Modbus, JSON, text, Base64), or the one the bytes fit when
//! none is picked, and copy buttons for the row as
//! text, hex, or a C or Python byte literal.

use egui::{Grid, RichText, Ui};

use crate::codec::dissect::{Dissector, c_literal, python_literal};
use crate::codec::hex::format_hex;
use crate::codec::render::hex_dump;
use crate::gui::i18n::{self, t, tf};
use crate::gui::model::log::{Direction, LogRow};
use crate::gui::model::page::{Page, PageAction};
use crate::gui::view::{labelled_combo, palette};

/// One way to write a row for the clipboard.
type CopyAs = fn(&LogRow) -> String;

/// Bytes of a row the pane dumps and decodes.
const SHOWN: usize = 16 * 1024;

pub fn draw(page: &Page, row: &LogRow, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let dark = ui.visuals().dark_mode;
    let data = matches!(row.direction, Direction::Rx | Direction::Tx);
    // A frame reads at most SHOWN bytes: a peer's megabyte does not stall the window (the
    // copy buttons still take the whole row).
    let shown = &row.data[..row.data.len().min(SHOWN)];
    let (dissector, dissection) = match page.config().decode_as {
        Some(d) => (d, d.dissect(shown)),
        None => Dissector::guess(shown, page.config().encoding),
    };
    let guessed = (data && page.config().decode_as.is_none()).then_some(dissector);
    // Wraps rather than cut its buttons on a projector's narrow log.
    ui.horizontal_wrapped(|ui| {
        ui.strong(tf(
            "{dir} · {n} B",
            &[("dir", &t(row.direction.label())), ("n", &row.data.len())],
        ));
        let picked = page.config().decode_as;
        let shown_as = match (picked, guessed) {
            (Some(d), _) => t(d.label()).to_string(),
            (None, Some(d)) => tf("Automatic ({name})", &[("name", &t(d.label()))]),
            (None, None) => t("Automatic").to_string(),
        };
        labelled_combo(ui, t("Decode as"), shown_as, |ui| {
            let mut choice = picked;
            ui.selectable_value(&mut choice, None, t("Automatic"))
                .on_hover_text(t(
                    "JSON that parses, a Modbus TCP header that agrees, a Modbus RTU CRC that is right, a WebSocket frame whose length agrees, else text",
                ));
            for d in Dissector::ALL {
                ui.selectable_value(&mut choice, Some(d), t(d.label()));
            }
            if choice != picked {
                actions.push(PageAction::SetDissector(choice));
            }
        });
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
            if !data {
                ui.label(&row.text);
                return;
            }
            // What does not fit comes first, whole (wrapped), where it cannot be cut off.
            if let Some(problem) = &dissection.problem {
                let words = RichText::new(i18n::problem(problem)).color(palette::error(dark));
                ui.add(egui::Label::new(words).wrap());
            }
            if shown.len() < row.data.len() {
                ui.label(tf(
                    "The first {shown} of {total} bytes are shown; the copy buttons take them all",
                    &[("shown", &shown.len()), ("total", &row.data.len())],
                ));
            }
            ui.label(RichText::new(hex_dump(shown)).monospace());
            ui.separator();
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
        });
}
