use egui::Ui;

use crate::app::{App, DEMO_TAB, STRESS_TAB, TABS};

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
        if ui
            .selectable_label(app.active_tab == STRESS_TAB, "Stress")
            .on_hover_text("Load a server with many clients and see QPS and latency")
            .clicked()
        {
            app.active_tab = STRESS_TAB;
        }
        if ui
            .selectable_label(app.active_tab == DEMO_TAB, "Demo")
            .on_hover_text("A server and a client side by side on this machine, for teaching")
            .clicked()
        {
            app.active_tab = DEMO_TAB;
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let theme = if app.dark {
                "Light theme"
            } else {
                "Dark theme"
            };
            if ui.button(theme).clicked() {
                app.dark = !app.dark;
                crate::ui::apply_look(ui.ctx(), app.dark, app.presentation);
            }
            let presentation = if app.presentation {
                "Normal view"
            } else {
                "Presentation"
            };
            if ui
                .button(presentation)
                .on_hover_text("Large type, high contrast, thicker lines: for a projector")
                .clicked()
            {
                app.presentation = !app.presentation;
                crate::ui::apply_look(ui.ctx(), app.dark, app.presentation);
                let zoom = if app.presentation {
                    crate::ui::PRESENTATION_ZOOM
                } else {
                    1.0
                };
                ui.ctx().set_zoom_factor(zoom);
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
