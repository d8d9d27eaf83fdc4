//! Drawing only: every widget reads and writes the app's state, nothing here touches a socket.

mod chart_view;
mod client_list;
mod connection_panel;
mod demo_view;
mod files_panel;
pub mod fonts;
mod log_view;
mod palette;
mod plots_view;
mod presets_panel;
mod record_panel;
mod rules_panel;
mod send_panel;
mod session_strip;
mod stress_view;
mod top_bar;

use crate::gui::i18n::{t, tf};
use egui::{CentralPanel, Panel, RichText, Ui};

use crate::gui::app::App;
use crate::gui::model::page::Page;
use crate::net::SessionKind;

/// Fonts, theme and zoom for a new context (the app's window or a test harness).
pub fn setup_context(ctx: &egui::Context, dark: bool, presentation: bool, zoom: f32) {
    fonts::install(ctx);
    apply_look(ctx, dark, presentation);
    ctx.set_zoom_factor(zoom.clamp(0.5, 3.0));
}

/// Zoom of the presentation look: readable from the back of a lecture room.
pub const PRESENTATION_ZOOM: f32 = 1.6;

/// The theme, and for a projector the high-contrast look: pure black or white text and
/// thicker lines.
pub fn apply_look(ctx: &egui::Context, dark: bool, presentation: bool) {
    let theme = if dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    };
    ctx.set_theme(theme);
    for (theme, visuals) in [
        (egui::Theme::Dark, egui::Visuals::dark()),
        (egui::Theme::Light, egui::Visuals::light()),
    ] {
        let text = if theme == egui::Theme::Dark {
            egui::Color32::WHITE
        } else {
            egui::Color32::BLACK
        };
        ctx.style_mut_of(theme, |style| {
            style.visuals = visuals;
            // A blinking cursor would repaint twice a second while idle.
            style.visuals.text_cursor.blink = false;
            if presentation {
                style.visuals.override_text_color = Some(text);
                let widgets = &mut style.visuals.widgets;
                for look in [
                    &mut widgets.noninteractive,
                    &mut widgets.inactive,
                    &mut widgets.hovered,
                    &mut widgets.active,
                    &mut widgets.open,
                ] {
                    look.fg_stroke.width = 2.0;
                    look.bg_stroke.width = 1.5;
                }
                style.visuals.selection.stroke.width = 2.0;
            }
        });
    }
}

pub fn draw(app: &mut App, ui: &mut Ui) {
    Panel::top("tabs").show(ui, |ui| top_bar::draw(app, ui));
    if app.active_tab == crate::gui::app::STRESS_TAB {
        stress_view::draw(&mut app.stress, app.waker.clone(), ui);
        return;
    }
    if app.active_tab == crate::gui::app::DEMO_TAB {
        CentralPanel::default().show(ui, |ui| demo_view::draw(app, ui));
        return;
    }
    let interfaces = app.interfaces.clone();
    let waker = app.waker.clone();
    let tab = app.tab();
    Panel::top("sessions").show(ui, |ui| session_strip::draw(tab, ui));
    let page = tab.page();
    Panel::top("connection").show(ui, |ui| {
        connection_panel::draw(page, &interfaces, waker, ui)
    });
    // A file dropped on the window is sent on the current session.
    let dropped = ui
        .ctx()
        .input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()));
    if let Some(path) = dropped {
        page.config.file_path = path.display().to_string();
        page.send_file();
    }
    Panel::bottom("send").show(ui, |ui| {
        send_panel::draw(page, ui);
        egui::CollapsingHeader::new(t("Presets and history"))
            .default_open(false)
            .show(ui, |ui| presets_panel::draw(page, ui));
        egui::CollapsingHeader::new(t("Files: send, capture, export"))
            .default_open(false)
            .show(ui, |ui| files_panel::draw(page, ui));
        answers_badge(page, ui);
        egui::CollapsingHeader::new(t("Auto-reply rules"))
            .default_open(false)
            .show(ui, |ui| {
                rules_panel::draw(page, ui);
                // Edits reach the engine at once, before the next message arrives.
                page.refresh_rules();
            });
        egui::CollapsingHeader::new(t("Record, pcap, replay"))
            .default_open(false)
            .show(ui, |ui| record_panel::draw(page, ui));
    });
    if page.kind == SessionKind::TcpServer {
        Panel::right("clients")
            .resizable(true)
            .default_size(300.0)
            .max_size(420.0)
            .show(ui, |ui| client_list::draw(page, ui));
    }
    CentralPanel::default().show(ui, |ui| log_view::draw(page, ui));
}

/// A text field with a visible label that screen readers (and tests) find it by.
fn labelled_field(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    width: f32,
    enabled: bool,
) -> egui::Response {
    let label = ui.label(label);
    ui.add_enabled(
        enabled,
        egui::TextEdit::singleline(value).desired_width(width),
    )
    .labelled_by(label.id)
}

/// A combo box with its label in front, as people read, named by that label for screen readers.
fn labelled_combo(
    ui: &mut Ui,
    label: &str,
    selected: impl Into<egui::WidgetText>,
    contents: impl FnOnce(&mut Ui),
) -> egui::Response {
    let label_response = ui.label(label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(selected)
        .show_ui(ui, contents)
        .response
        .labelled_by(label_response.id)
}

/// The log view alone, for measuring its frame cost (`socket-tester bench`).
pub fn draw_log(page: &mut crate::gui::model::page::Page, ui: &mut Ui) {
    log_view::draw(page, ui);
}

/// Says so while auto-reply rules or echo are on, even with their section closed: a page that
/// answers a device on its own must not surprise anyone.
fn answers_badge(page: &Page, ui: &mut Ui) {
    let text = match page.config.answers_on() {
        (0, false) => return,
        (0, true) => t("Auto-reply on: echo").to_string(),
        (n, false) => tf("Auto-reply on: {n} rule(s)", &[("n", &n)]),
        (n, true) => tf("Auto-reply on: echo and {n} rule(s)", &[("n", &n)]),
    };
    ui.label(
        RichText::new(text)
            .strong()
            .color(ui.visuals().warn_fg_color),
    );
}
