//! The files section: a file to send, the capture file and the log export.

use crate::gui::i18n::t;
use egui::{RichText, Ui};

use crate::gui::model::log::ExportFormat;
use crate::gui::model::page::{Page, PathField};
use crate::gui::view::{labelled_combo, labelled_field};

const PATH_WIDTH: f32 = 180.0;

/// A "…" button: the page opens the system's file dialog (on a thread of its own).
fn browse(page: &mut Page, field: PathField, ui: &mut Ui) {
    if ui
        .small_button("…")
        .on_hover_text(t("Choose in a file dialog"))
        .clicked()
    {
        let ctx = ui.ctx().clone();
        page.choose_path(field, move || ctx.request_repaint());
    }
}

/// Sending a file, capturing received bytes, saving the log.
pub fn draw(page: &mut Page, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        labelled_field(
            ui,
            t("File to send"),
            &mut page.config.file_path,
            PATH_WIDTH,
            true,
        )
        .on_hover_text(t("A path, or drop a file on the window"));
        browse(page, PathField::SendFile, ui);
        if ui.button(t("Send file")).clicked() {
            page.send_file();
        }
        match page.file_progress() {
            Some((written, Some(total))) => {
                let done = written as f32 / total.max(1) as f32;
                ui.add(
                    egui::ProgressBar::new(done)
                        .desired_width(80.0)
                        .show_percentage(),
                );
            }
            Some((written, None)) => {
                ui.label(crate::codec::format_size(written as usize));
            }
            None => {}
        }
        ui.separator();
        labelled_field(
            ui,
            t("Capture file"),
            &mut page.config.capture_path,
            PATH_WIDTH,
            !page.capturing,
        );
        browse(page, PathField::Capture, ui);
        let capture = if page.capturing {
            t("Stop capture")
        } else {
            t("Start capture")
        };
        if ui
            .button(capture)
            .on_hover_text(t(
                "Write every received byte to the file, exactly as it arrived",
            ))
            .clicked()
        {
            page.toggle_capture();
        }
        ui.separator();
        labelled_field(
            ui,
            t("Export to"),
            &mut page.config.export_path,
            PATH_WIDTH,
            true,
        );
        browse(page, PathField::Export, ui);
        labelled_combo(
            ui,
            t("Export format"),
            page.config.export_format.label(),
            |ui| {
                for format in ExportFormat::ALL {
                    ui.selectable_value(&mut page.config.export_format, format, format.label());
                }
            },
        );
        if ui.button(t("Export log")).clicked() {
            page.export_log();
        }
    });
    if let Some(note) = &page.file_note {
        ui.label(RichText::new(note).small());
    }
}
