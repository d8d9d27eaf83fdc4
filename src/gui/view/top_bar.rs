//! The top bar: tabs, zoom, presentation, theme and language.

use crate::gui::i18n::{self, Language, t};
use egui::Ui;

use crate::gui::app::{App, DEMO_TAB, STRESS_TAB, TABS};

pub fn draw(app: &mut App, ui: &mut Ui) {
    ui.horizontal(|ui| {
        for (index, (_, label)) in TABS.iter().enumerate() {
            if ui
                .selectable_label(app.active_tab == index, t(label))
                .clicked()
            {
                app.active_tab = index;
            }
        }
        if ui
            .selectable_label(app.active_tab == STRESS_TAB, t("Stress"))
            .on_hover_text(t("Load a server with many clients and see QPS and latency"))
            .clicked()
        {
            app.active_tab = STRESS_TAB;
        }
        if ui
            .selectable_label(app.active_tab == DEMO_TAB, t("Demo"))
            .on_hover_text(t(
                "A server and a client side by side on this machine, for teaching",
            ))
            .clicked()
        {
            app.active_tab = DEMO_TAB;
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let mut language = app.language;
            // Right to left: the box first, then its label before it.
            let combo = egui::ComboBox::from_id_salt("language")
                .selected_text(language.name())
                .show_ui(ui, |ui| {
                    for choice in [Language::English, Language::Chinese] {
                        ui.selectable_value(&mut language, choice, choice.name());
                    }
                })
                .response;
            let label = ui.label(t("Language"));
            combo.labelled_by(label.id);
            if language != app.language {
                app.language = language;
                i18n::set_language(language);
            }
            let theme = if app.dark {
                t("Light theme")
            } else {
                t("Dark theme")
            };
            if ui.button(theme).clicked() {
                app.dark = !app.dark;
                crate::gui::view::apply_look(ui.ctx(), app.dark, app.presentation);
            }
            let presentation = if app.presentation {
                t("Normal view")
            } else {
                t("Presentation")
            };
            if ui
                .button(presentation)
                .on_hover_text(t(
                    "Large type, high contrast, thicker lines: for a projector",
                ))
                .clicked()
            {
                app.presentation = !app.presentation;
                crate::gui::view::apply_look(ui.ctx(), app.dark, app.presentation);
                let zoom = if app.presentation {
                    crate::gui::view::PRESENTATION_ZOOM
                } else {
                    1.0
                };
                ui.ctx().set_zoom_factor(zoom);
            }
            let zoom = ui.ctx().zoom_factor();
            if ui
                .button(t("A+"))
                .on_hover_text(t("Larger text (Ctrl +)"))
                .clicked()
            {
                ui.ctx().set_zoom_factor((zoom + 0.1).min(3.0));
            }
            ui.label(format!("{:.0}%", zoom * 100.0));
            if ui
                .button(t("A−"))
                .on_hover_text(t("Smaller text (Ctrl −)"))
                .clicked()
            {
                ui.ctx().set_zoom_factor((zoom - 0.1).max(0.5));
            }
        });
    });
}
