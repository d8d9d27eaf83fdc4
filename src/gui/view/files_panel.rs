use crate::gui::i18n::t;
use crossbeam_channel::bounded;
use egui::{RichText, Ui};

use crate::gui::model::log::ExportFormat;
use crate::gui::model::page::{Page, PathField};
use crate::gui::view::{labelled_combo, labelled_field};

const PATH_WIDTH: f32 = 180.0;

/// A "…" button that opens the system's file dialog on its own thread, so the window keeps
/// drawing; the path comes back through `page.file_pick`.
fn browse(page: &mut Page, field: PathField, ui: &mut Ui) {
    if !ui
        .small_button("…")
        .on_hover_text(t("Choose in a file dialog"))
        .clicked()
    {
        return;
    }
    let (tx, picked) = bounded(1);
    let ctx = ui.ctx().clone();
    let opened = std::thread::Builder::new()
        .name("file-dialog".into())
        .spawn(move || {
            let dialog = rfd::FileDialog::new();
            let path = match field {
                PathField::SendFile => dialog.pick_file(),
                PathField::Capture | PathField::Export => dialog.save_file(),
            };
            if let Some(path) = path {
                let _ = tx.send(path);
                ctx.request_repaint();
            }
        });
    if opened.is_ok() {
        page.file_pick = Some((field, picked));
    }
}

/// Sending a file, capturing received bytes, saving the log.
pub fn draw(page: &mut Page, ui: &mut Ui) {
    if let Some((field, picked)) = &page.file_pick
        && let Ok(path) = picked.try_recv()
    {
        let path = path.display().to_string();
        match field {
            PathField::SendFile => page.config.file_path = path,
            PathField::Capture => page.config.capture_path = path,
            PathField::Export => page.config.export_path = path,
        }
        page.file_pick = None;
    }
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
