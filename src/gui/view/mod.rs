//! Drawing only: views read the model, edit the fields a person types into and return
//! [`PageAction`]s that the model applies after the frame is drawn; nothing here touches a socket.

mod chart_view;
mod client_list;
mod connection_panel;
mod demo_view;
mod files_panel;
pub mod fonts;
mod keys;
mod log_table;
mod log_view;
mod overflow;
pub mod palette;
mod plots_view;
mod presets_panel;
mod python_view;
mod record_panel;
mod row_detail;
mod rules_panel;
mod send_panel;
mod sequence_panel;
mod session_strip;
mod stress_view;
mod tools_panel;
mod top_bar;

use crate::gui::i18n::{t, tf};
use egui::{CentralPanel, Panel, RichText, Ui};

use crate::gui::app::App;
use crate::gui::model::page::{Page, PageAction, PageConfig};

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
    for (theme, dark) in [(egui::Theme::Dark, true), (egui::Theme::Light, false)] {
        ctx.style_mut_of(theme, |style| style.visuals = visuals(dark, presentation));
    }
}

/// egui's theme with text that reads well (contrast of 4.5:1 or more, tested): hints and
/// disabled fields are darker in the light theme and lighter in the dark one than egui's.
pub fn visuals(dark: bool, presentation: bool) -> egui::Visuals {
    let mut visuals = if dark {
        egui::Visuals::dark()
    } else {
        egui::Visuals::light()
    };
    // A blinking cursor would repaint twice a second while idle.
    visuals.text_cursor.blink = false;
    visuals.weak_text_color = Some(if dark {
        egui::Color32::from_gray(160)
    } else {
        egui::Color32::from_gray(90)
    });
    visuals.disabled_alpha = 0.75;
    if presentation {
        visuals.override_text_color = Some(if dark {
            egui::Color32::WHITE
        } else {
            egui::Color32::BLACK
        });
        let widgets = &mut visuals.widgets;
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
        visuals.selection.stroke.width = 2.0;
    }
    visuals
}

/// The window: tabs on top; on a session tab the connection rows, the message box at the
/// bottom (it never moves), the tool panel on the right (scrolls on its own) and the log in
/// the middle, which keeps what the others leave: more than half the window at every size.
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
    let mut tools_open = app.tools_open;
    let tab = app.tab();
    let mut actions = Vec::new();
    Panel::top("connection").show(ui, |ui| {
        connection_panel::draw(tab, &interfaces, &mut tools_open, &mut actions, ui)
    });
    let page = tab.page();
    // A file dropped on the window is sent on the current session.
    let dropped = ui
        .ctx()
        .input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()));
    if let Some(path) = dropped {
        actions.push(PageAction::SendDroppedFile(path));
    }
    Panel::bottom("send").show(ui, |ui| send_panel::draw(page, &mut actions, ui));
    if tools_open {
        let width = (ui.available_width() * TOOLS_SHARE).clamp(TOOLS_MIN_WIDTH, TOOLS_MAX_WIDTH);
        Panel::right("tools")
            .resizable(false)
            .exact_size(width)
            .show(ui, |ui| tools_panel::draw(page, &mut actions, ui));
    }
    CentralPanel::default().show(ui, |ui| log_view::draw(page, &mut actions, ui));
    for action in actions {
        page.perform(action, &waker);
    }
    app.tools_open = tools_open;
}

/// The tool panel's share of the window's width, and its bounds in points.
const TOOLS_SHARE: f32 = 0.34;
const TOOLS_MIN_WIDTH: f32 = 200.0;
const TOOLS_MAX_WIDTH: f32 = 360.0;

/// A button that says what a click will do (Connect, or Disconnect while `on`) and keeps one
/// width in both states, so nothing beside it moves when the state changes.
fn switch_button(ui: &mut Ui, on: bool, [off_label, on_label]: [&str; 2]) -> egui::Response {
    let labels = [off_label, on_label];
    let width = widest(ui, &labels, egui::TextStyle::Button) + 2.0 * ui.spacing().button_padding.x;
    let label = if on { on_label } else { off_label };
    ui.add(egui::Button::new(label).min_size(egui::vec2(width, 0.0)))
}

/// The width of the widest text among `texts` in `style`, in points.
fn widest(ui: &Ui, texts: &[&str], style: egui::TextStyle) -> f32 {
    let font = style.resolve(ui.style());
    texts
        .iter()
        .map(|text| {
            ui.painter()
                .layout_no_wrap(text.to_string(), font.clone(), egui::Color32::WHITE)
                .size()
                .x
        })
        .fold(0.0, f32::max)
}

/// A label in a slot as wide as `template`: figures that grow do not push what follows.
fn fixed_label(ui: &mut Ui, text: impl Into<egui::WidgetText>, template: &str) -> egui::Response {
    let width = widest(ui, &[template], egui::TextStyle::Body);
    ui.allocate_ui_with_layout(
        egui::vec2(width, ui.spacing().interact_size.y),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_width(width);
            ui.add(egui::Label::new(text).truncate())
        },
    )
    .inner
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

/// How many writes a send becomes (sticky packets), in the tool panel and the Demo alike.
fn split_writes_field(ui: &mut Ui, config: &mut PageConfig) {
    labelled_field(ui, t("Writes"), &mut config.split_writes, 40.0, true)
        .on_hover_text(t("Sticky packets: each send becomes this many writes"));
}

/// The time between the writes of one send, in the tool panel and the Demo alike.
fn split_gap_field(ui: &mut Ui, config: &mut PageConfig) {
    labelled_field(ui, t("Apart (ms)"), &mut config.split_gap_ms, 50.0, true)
        .on_hover_text(t("Time between the writes of one send (0: back to back)"));
}

/// A labelled field that takes the rest of its row, with `after` (a button, a checkbox) at the
/// row's right end: the row fits the narrow tool panel however long the label is. Where the
/// field would be left too narrow to read a file name, the label goes above it.
fn field_row(
    ui: &mut Ui,
    label_text: &str,
    value: &mut String,
    enabled: bool,
    after: impl FnOnce(&mut Ui),
) -> egui::Response {
    const NARROWEST_FIELD: f32 = 140.0;
    let label_width = widest(ui, &[label_text], egui::TextStyle::Body);
    let label_above = ui.available_width() - label_width < NARROWEST_FIELD + 40.0;
    let label = label_above.then(|| ui.label(label_text));
    ui.horizontal(|ui| {
        let label = label.unwrap_or_else(|| ui.label(label_text));
        let right_to_left = egui::Layout::right_to_left(egui::Align::Center);
        ui.with_layout(right_to_left, |ui| {
            after(ui);
            let field = egui::TextEdit::singleline(value).desired_width(f32::INFINITY);
            ui.add_enabled(enabled, field).labelled_by(label.id)
        })
        .inner
    })
    .inner
}

/// A combo box with its label in front, as people read, named by that label for screen readers.
fn labelled_combo(
    ui: &mut Ui,
    label: &str,
    selected: impl Into<egui::WidgetText>,
    contents: impl FnOnce(&mut Ui),
) -> egui::Response {
    let width = ui.spacing().combo_width;
    combo_at_least(ui, label, selected, width, contents)
}

/// As [`labelled_combo`], at least `width` wide.
fn combo_at_least(
    ui: &mut Ui,
    label: &str,
    selected: impl Into<egui::WidgetText>,
    width: f32,
    contents: impl FnOnce(&mut Ui),
) -> egui::Response {
    let label_response = ui.label(label);
    // No wider than what is left of the row, so it fits the narrow tool panel.
    let width = width.min(ui.available_width());
    egui::ComboBox::from_id_salt(label)
        .width(width)
        .selected_text(selected)
        .show_ui(ui, contents)
        .response
        .labelled_by(label_response.id)
}

/// A labelled combo box that sets `value` to one of `choices`, each shown by `name`.
fn choice_combo<T: Copy + PartialEq>(
    ui: &mut Ui,
    label: &str,
    value: &mut T,
    choices: &[T],
    name: impl Fn(T) -> &'static str,
) -> egui::Response {
    // As wide as its widest choice: choosing one does not move what follows, or wrap the row.
    let names: Vec<&str> = choices.iter().map(|&choice| name(choice)).collect();
    let spacing = ui.spacing();
    let chrome = spacing.icon_width + spacing.item_spacing.x + 2.0 * spacing.button_padding.x;
    let width = (widest(ui, &names, egui::TextStyle::Button) + chrome).max(spacing.combo_width);
    combo_at_least(ui, label, name(*value), width, |ui| {
        for &choice in choices {
            ui.selectable_value(value, choice, name(choice));
        }
    })
}

/// The log view alone, for measuring its frame cost (`socket-tester bench`).
#[cfg(feature = "bench")]
pub fn draw_log(page: &mut Page, ui: &mut Ui) {
    let mut actions = Vec::new();
    log_view::draw(page, &mut actions, ui);
}

/// Says so while auto-reply rules or echo are on, even with their section closed: a page that
/// answers a device on its own must not surprise anyone.
fn answers_badge(page: &Page, ui: &mut Ui) {
    let text = match page.config().answers_on() {
        (0, false) => return,
        (0, true) => t("Auto-reply on: echo").to_string(),
        (n, false) => tf("Auto-reply on: {n} rule(s)", &[("n", &n)]),
        (n, true) => tf("Auto-reply on: echo and {n} rule(s)", &[("n", &n)]),
    };
    ui.label(
        RichText::new(text)
            .strong()
            .color(palette::warning(ui.visuals().dark_mode)),
    );
}
