//! The files section: a file to send, the capture file and the log export.

use crate::gui::i18n::{t, tf};
use egui::{RichText, Ui};

use crate::gui::model::log::ExportFormat;
use crate::gui::model::page::{Page, PageAction, PathField};
use crate::gui::view::{choice_combo, field_row, switch_button};

/// A path field with its "…" button: the page opens the system's file dialog (on a thread of
/// its own).
fn path_row(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    enabled: bool,
    field: PathField,
    actions: &mut Vec<PageAction>,
) {
    field_row(ui, label, value, enabled, |ui| {
        if ui
            .small_button("…")
            .on_hover_text(t("Choose in a file dialog"))
            .clicked()
        {
            actions.push(PageAction::ChoosePath(field));
        }
    });
}

/// Where names without a folder go, so a saved file is found. The path breaks anywhere: a
/// long one must not widen the tool panel.
pub fn folder_hint(ui: &mut Ui) {
    let folder = crate::gui::model::folder::files_folder().display();
    let text = tf(
        "Names without a folder are kept in {folder}",
        &[("folder", &folder)],
    );
    let font = egui::TextStyle::Small.resolve(ui.style());
    let color = ui.visuals().text_color();
    let mut job = egui::text::LayoutJob::simple(text, font, color, ui.available_width());
    job.wrap.break_anywhere = true;
    ui.label(job);
}

/// Sending a file, capturing received bytes, saving the log.
pub fn draw(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let capturing = page.is_capturing();
    let progress = page.file_progress();
    let config = page.config_mut();
    folder_hint(ui);
    path_row(
        ui,
        t("File to send"),
        &mut config.file_path,
        true,
        PathField::SendFile,
        actions,
    );
    ui.horizontal(|ui| {
        if ui
            .button(t("Send file"))
            .on_hover_text(t("A path, or drop a file on the window"))
            .clicked()
        {
            actions.push(PageAction::SendFile);
        }
        match progress {
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
    });
    ui.separator();
    path_row(
        ui,
        t("Capture file"),
        &mut config.capture_path,
        !capturing,
        PathField::Capture,
        actions,
    );
    if switch_button(ui, capturing, [t("Start capture"), t("Stop capture")])
        .on_hover_text(t(
            "Write every received byte to the file, exactly as it arrived",
        ))
        .clicked()
    {
        actions.push(PageAction::ToggleCapture);
    }
    ui.separator();
    path_row(
        ui,
        t("Export to"),
        &mut config.export_path,
        true,
        PathField::Export,
        actions,
    );
    ui.horizontal(|ui| {
        let format = &mut config.export_format;
        choice_combo(
            ui,
            t("Export format"),
            format,
            &ExportFormat::ALL,
            ExportFormat::label,
        );
    });
    if ui.button(t("Export log")).clicked() {
        actions.push(PageAction::ExportLog);
    }
    if let Some(note) = page.file_note() {
        ui.label(RichText::new(note).small());
    }
}
