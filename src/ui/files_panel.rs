use egui::{RichText, Ui};

use crate::log::ExportFormat;
use crate::page::Page;
use crate::ui::labelled_field;

const PATH_WIDTH: f32 = 180.0;

/// Sending a file, capturing received bytes, saving the log.
pub fn draw(page: &mut Page, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        labelled_field(
            ui,
            "File to send",
            &mut page.config.file_path,
            PATH_WIDTH,
            true,
        )
        .on_hover_text("A path, or drop a file on the window");
        if ui.button("Send file").clicked() {
            page.send_file();
        }
        if let Some((queued, total)) = page.file_progress() {
            ui.add(
                egui::ProgressBar::new(queued as f32 / total.max(1) as f32)
                    .desired_width(80.0)
                    .show_percentage(),
            );
        }
        ui.separator();
        labelled_field(
            ui,
            "Capture file",
            &mut page.config.capture_path,
            PATH_WIDTH,
            !page.capturing,
        );
        let capture = if page.capturing {
            "Stop capture"
        } else {
            "Start capture"
        };
        if ui
            .button(capture)
            .on_hover_text("Write every received byte to the file, exactly as it arrived")
            .clicked()
        {
            page.toggle_capture();
        }
        ui.separator();
        labelled_field(
            ui,
            "Export to",
            &mut page.config.export_path,
            PATH_WIDTH,
            true,
        );
        egui::ComboBox::from_label("Export format")
            .selected_text(page.config.export_format.label())
            .show_ui(ui, |ui| {
                for format in ExportFormat::ALL {
                    ui.selectable_value(&mut page.config.export_format, format, format.label());
                }
            });
        if ui.button("Export log").clicked() {
            page.export_log();
        }
    });
    if let Some(note) = &page.file_note {
        ui.label(RichText::new(note).small());
    }
}
