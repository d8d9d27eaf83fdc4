//! The top bar: A−, the zoom and A+ first, then the tabs and Presentation, all laid out from
//! the left edge so they keep their places in points whatever the zoom: a click that does not
//! move the mouse is placed where the pointer last moved, in the points of the zoom before, so
//! A+ (or A−) clicked again and again stays under it. "?", theme and language at the right,
//! or in a "»" menu when the window is narrow.

use crate::gui::i18n::{self, Language, t};
use egui::Ui;

use crate::gui::app::{App, DEMO_TAB, STRESS_TAB, TABS};
use crate::gui::view::{PRESENTATION_ZOOM, apply_look, fixed_label, switch_button, widest};

pub fn draw(app: &mut App, ui: &mut Ui) {
    // F5, as a slide show starts: the switch may be inside the "»" menu on a projector.
    if ui.input_mut(|input| input.consume_key(egui::Modifiers::NONE, egui::Key::F5)) {
        switch_look(app, ui.ctx());
    }
    ui.horizontal(|ui| {
        zoom(ui);
        ui.separator();
        tabs(app, ui);
        ui.separator();
        // On a narrow window (a projector's 1024 pixels at presentation zoom) the switch goes
        // into the "»" menu rather than under the buttons at the right.
        let look_here = ui.available_width() >= look_width(ui) + right_edge_width(ui);
        if look_here {
            look(app, ui);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.menu_button("?", super::keys::list)
                .response
                .on_hover_text(t("Keys and version"));
            let theme_and_language = widest(ui, &[t("Light theme")], egui::TextStyle::Button)
                + widest(ui, &[t("Language"), "简体中文 MM"], egui::TextStyle::Body) * 2.0
                + 6.0 * ui.spacing().item_spacing.x;
            if look_here && ui.available_width() > theme_and_language {
                language(app, ui);
                theme(app, ui);
            } else {
                ui.menu_button("»", |ui| {
                    if !look_here {
                        look(app, ui);
                    }
                    theme(app, ui);
                    language_choices(app, ui);
                })
                .response
                .on_hover_text(t("View, theme and language"));
            }
        });
    });
}

/// The Presentation / Normal view switch.
fn look(app: &mut App, ui: &mut Ui) {
    if switch_button(ui, app.presentation, [t("Presentation"), t("Normal view")])
        .on_hover_text(t(
            "Large type, high contrast, thicker lines: for a projector (F5)",
        ))
        .clicked()
    {
        switch_look(app, ui.ctx());
    }
}

fn switch_look(app: &mut App, ctx: &egui::Context) {
    app.presentation = !app.presentation;
    apply_look(ctx, app.dark, app.presentation);
    let zoom = if app.presentation {
        PRESENTATION_ZOOM
    } else {
        1.0
    };
    ctx.set_zoom_factor(zoom);
}

fn button_width(ui: &Ui, texts: &[&str]) -> f32 {
    widest(ui, texts, egui::TextStyle::Button)
        + 2.0 * ui.spacing().button_padding.x
        + ui.spacing().item_spacing.x
}

fn look_width(ui: &Ui) -> f32 {
    button_width(ui, &[t("Presentation"), t("Normal view")])
}

/// What the right end needs at the least: "?" and "»".
fn right_edge_width(ui: &Ui) -> f32 {
    button_width(ui, &["?"]) + button_width(ui, &["»"])
}

fn tabs(app: &mut App, ui: &mut Ui) {
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
}

/// A−, the zoom in a slot of fixed width, A+: each keeps its place whatever the zoom says.
fn zoom(ui: &mut Ui) {
    let zoom = ui.ctx().zoom_factor();
    if ui
        .button(t("A−"))
        .on_hover_text(t("Smaller text (Ctrl −)"))
        .clicked()
    {
        ui.ctx().set_zoom_factor((zoom - 0.1).max(0.5));
    }
    fixed_label(ui, format!("{:.0}%", zoom * 100.0), "300%");
    if ui
        .button(t("A+"))
        .on_hover_text(t("Larger text (Ctrl +)"))
        .clicked()
    {
        ui.ctx().set_zoom_factor((zoom + 0.1).min(3.0));
    }
}

fn theme(app: &mut App, ui: &mut Ui) {
    if switch_button(ui, app.dark, [t("Dark theme"), t("Light theme")]).clicked() {
        app.dark = !app.dark;
        apply_look(ui.ctx(), app.dark, app.presentation);
    }
}

/// The language box with its label before it (drawn right to left: the box first).
fn language(app: &mut App, ui: &mut Ui) {
    let mut language = app.language;
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
    set_language(app, language);
}

/// The languages side by side, for the "»" menu: a box's list would open over the menu, and
/// the click on it closed the menu instead (a choice here is one click).
fn language_choices(app: &mut App, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.label(t("Language"));
        for choice in [Language::English, Language::Chinese] {
            if ui
                .selectable_label(app.language == choice, choice.name())
                .clicked()
            {
                set_language(app, choice);
            }
        }
    });
}

fn set_language(app: &mut App, language: Language) {
    if language != app.language {
        app.language = language;
        i18n::set_language(language);
    }
}
