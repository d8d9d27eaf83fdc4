use egui::Ui;

use crate::app::{App, TABS};

pub fn draw(app: &mut App, ui: &mut Ui) {
    ui.horizontal(|ui| {
        for (index, (_, label)) in TABS.iter().enumerate() {
            if ui
                .selectable_label(app.active_tab == index, *label)
                .clicked()
            {
                app.active_tab = index;
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let theme = if app.dark {
                "Light theme"
            } else {
                "Dark theme"
            };
            if ui.button(theme).clicked() {
                app.dark = !app.dark;
                ui.ctx().set_theme(if app.dark {
                    egui::Theme::Dark
                } else {
                    egui::Theme::Light
                });
            }
            let zoom = ui.ctx().zoom_factor();
            if ui
                .button("A+")
                .on_hover_text("Larger text (Ctrl +)")
                .clicked()
            {
                ui.ctx().set_zoom_factor((zoom + 0.1).min(3.0));
            }
            ui.label(format!("{:.0}%", zoom * 100.0));
            if ui
                .button("A−")
                .on_hover_text("Smaller text (Ctrl −)")
                .clicked()
            {
                ui.ctx().set_zoom_factor((zoom - 0.1).max(0.5));
            }
        });
    });
}
