//! The log: a toolbar that never wraps, filter and find bars, and the table of rows (only
//! visible rows laid out; cells never wrap, so an address stays on one line).

use crate::gui::i18n::{t, tf};
use chrono::{DateTime, Local};
use egui::{Color32, Key, Modifiers, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::codec::TextEncoding;
use crate::codec::hex::format_hex;
use crate::codec::render::{hex_dump, one_line};
use crate::gui::model::log::{Direction, LogRow};
use crate::gui::model::page::{DisplayMode, LogView, Page, PageAction, ShownRows};
use crate::gui::view::{choice_combo, labelled_combo, labelled_field, palette, switch_button};
use crate::net::SessionKind;

pub fn draw(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    toolbar(page, actions, ui);
    let filtering = page.effective_filter().is_active();
    let filter_open = ui.data(|d| d.get_temp::<bool>(filter_id()).unwrap_or(false));
    if filter_open || filtering {
        filter_bar(page, actions, ui);
    }
    let shown = page.shown_rows();
    find_bar(page, actions, ui);
    ui.separator();
    if page.log().is_empty() {
        empty_hint(page.kind(), ui);
        return;
    }
    match page.config().view {
        LogView::Table => {
            detail_pane(page, actions, ui);
            table(page, &shown, actions, ui);
        }
        LogView::Chart => super::chart_view::draw(page, &shown, ui),
        LogView::Plots => super::plots_view::draw(page, &shown, ui),
    }
}

/// What to do first, where the rows will be.
fn empty_hint(kind: SessionKind, ui: &mut Ui) {
    let hint = match kind {
        SessionKind::TcpClient => t("Connect to a server, then type a message below"),
        SessionKind::TcpServer => {
            t("Listen, then connect a client to this port; its messages show here")
        }
        SessionKind::Udp => t("Open the socket, set where to send, then type a message below"),
        SessionKind::Relay => {
            t("Start the relay, then point a client at its port: what each end sends shows here")
        }
    };
    ui.add_space(12.0);
    ui.label(RichText::new(hint).color(ui.visuals().weak_text_color()));
}

/// The toolbar's groups, in the order they give way to the "»" menu (last first).
#[derive(Clone, Copy)]
enum Tool {
    Display,
    Encoding,
    PauseClear,
    FilterFind,
    View,
}

fn toolbar(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    use Tool::*;
    let groups = [Display, Encoding, PauseClear, FilterFind, View];
    super::overflow::row(ui, "log-toolbar", &groups, |ui, group| match group {
        View => {
            let view = &mut page.config_mut().view;
            let name = |view: LogView| match view {
                LogView::Table => t("Table"),
                LogView::Chart => t("Sequence chart"),
                LogView::Plots => t("Plots"),
            };
            labelled_combo(ui, t("View"), name(*view), |ui| {
                ui.selectable_value(view, LogView::Table, name(LogView::Table));
                ui.selectable_value(view, LogView::Chart, name(LogView::Chart))
                    .on_hover_text(t(
                        "A lane for this end and each peer; an arrow per connect, message, FIN and RST",
                    ));
                ui.selectable_value(view, LogView::Plots, name(LogView::Plots))
                    .on_hover_text(t(
                        "Bytes per second in and out; round trips (a send to the next reply)",
                    ));
            });
        }
        Display => {
            let display = &mut page.config_mut().display;
            let modes = [DisplayMode::Text, DisplayMode::Hex, DisplayMode::Both];
            choice_combo(ui, t("Rows"), display, &modes, |mode| match mode {
                DisplayMode::Text => t("Show text"),
                DisplayMode::Hex => t("Show hex"),
                DisplayMode::Both => t("Show both"),
            });
        }
        Encoding => {
            let current = page.config().encoding;
            labelled_combo(ui, t("Encoding"), current.label(), |ui| {
                for choice in TextEncoding::ALL {
                    if ui
                        .selectable_label(current == choice, choice.label())
                        .clicked()
                    {
                        actions.push(PageAction::SetEncoding(choice));
                    }
                }
            });
        }
        PauseClear => {
            if switch_button(ui, page.is_paused(), [t("Pause"), t("Resume")]).clicked() {
                actions.push(PageAction::TogglePause);
            }
            if ui.button(t("Clear")).clicked() {
                actions.push(PageAction::ClearLog);
            }
        }
        FilterFind => {
            let open = ui.data(|d| d.get_temp::<bool>(filter_id()).unwrap_or(false));
            let active = page.effective_filter().is_active();
            if ui
                .selectable_label(open || active, t("Filter"))
                .on_hover_text(t("Show only some rows: RX, TX, events, a peer, a text"))
                .clicked()
            {
                ui.data_mut(|d| d.insert_temp(filter_id(), !open));
            }
            if ui
                .selectable_label(page.is_find_open(), t("Find"))
                .on_hover_text(t("Ctrl+F"))
                .clicked()
            {
                actions.push(PageAction::ToggleFind);
            }
        }
    });
}

fn filter_id() -> egui::Id {
    egui::Id::unique("log-filter-open")
}

fn filter_bar(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let row_limit = page.config().row_limit;
    ui.horizontal_wrapped(|ui| {
        let filter = page.filter_mut();
        ui.label(t("Show:"));
        ui.checkbox(&mut filter.rx, t("RX"));
        ui.checkbox(&mut filter.tx, t("TX"));
        ui.checkbox(&mut filter.events, t("Events"));
        ui.horizontal(|ui| labelled_field(ui, t("Filter peer"), &mut filter.peer, 110.0, true));
        ui.horizontal(|ui| {
            labelled_field(ui, t("Filter text"), &mut filter.text, 110.0, true)
                .on_hover_text(t("Text or hex (\"01 03\"), any case"))
        });
        let mut limit = row_limit.to_string();
        ui.horizontal(|ui| {
            if labelled_field(ui, t("Keep rows"), &mut limit, 70.0, true)
                .on_hover_text(t(
                    "Older rows are dropped; counters and captures stay exact",
                ))
                .changed()
                && let Ok(limit) = limit.trim().parse::<usize>()
            {
                actions.push(PageAction::SetRowLimit(limit));
            }
        });
    });
}

fn find_bar(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let shortcut = ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F));
    if shortcut {
        ui.memory_mut(|m| m.request_focus(find_id()));
    }
    if shortcut && !page.is_find_open() {
        actions.push(PageAction::ToggleFind);
    }
    if !page.is_find_open() {
        return;
    }
    ui.horizontal(|ui| {
        let label = ui.label(t("Find"));
        let field = ui
            .add(
                egui::TextEdit::singleline(page.find_text_mut())
                    .id(find_id())
                    .desired_width(140.0),
            )
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        if field.changed() {
            actions.push(PageAction::FindEdited);
        }
        let matches = page.find_matches();
        if ui.button(t("Previous")).clicked() {
            actions.push(PageAction::FindNext(false));
        }
        if ui.button(t("Next")).clicked() || enter {
            actions.push(PageAction::FindNext(true));
        }
        let current = page
            .found()
            .and_then(|n| n.checked_sub(page.log().first()))
            .and_then(|row| matches.as_ref()?.position(row as usize));
        let count = matches.as_ref().map_or(0, |m| m.len());
        let text = match (current, count) {
            (_, 0) if !page.find_text().is_empty() => t("no match").to_string(),
            (Some(at), n) => tf("{at} of {n}", &[("at", &(at + 1)), ("n", &n)]),
            (None, n) => tf("{n} matches", &[("n", &n)]),
        };
        super::fixed_label(ui, text, "99999 of 99999");
        if ui.button(t("Close find")).clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
            actions.push(PageAction::CloseFind);
        }
    });
}

/// A table cell on one line: an address is never broken after its colon.
fn cell(ui: &mut Ui, text: RichText) {
    ui.add(egui::Label::new(text).extend());
}

fn find_id() -> egui::Id {
    egui::Id::unique("log-find")
}

fn direction_color(direction: Direction, dark: bool) -> Color32 {
    match direction {
        Direction::Rx => palette::received(dark),
        Direction::Tx => palette::sent(dark),
        Direction::Info => palette::note(dark),
        Direction::Error => palette::error(dark),
    }
}

fn row_content(row: &LogRow, display: DisplayMode) -> String {
    match (row.direction, display) {
        (Direction::Info | Direction::Error, _) => row.text.clone(),
        (_, DisplayMode::Text) => one_line(&row.text),
        (_, DisplayMode::Hex) => format_hex(row.data),
        (_, DisplayMode::Both) => format!("{}\n{}", one_line(&row.text), hex_dump(row.data)),
    }
}

/// The selected row's details, in a pane under the table (under half of the log at first; the
/// user can drag its edge).
fn detail_pane(page: &mut Page, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let Some(number) = page.selected_row() else {
        return;
    };
    let Some(index) = number.checked_sub(page.log().first()) else {
        // The row was dropped by the row limit.
        actions.push(PageAction::SelectRow(None));
        return;
    };
    if index as usize >= page.log().len() {
        return;
    }
    let page = &*page;
    let row = page.log().row(index as usize);
    let height = ui.available_height();
    egui::Panel::bottom("row-detail")
        .resizable(true)
        .default_size(height * 0.45)
        .max_size(height * 0.6)
        .show(ui, |ui| super::row_detail::draw(page, &row, actions, ui));
}

fn table(page: &mut Page, shown: &ShownRows, actions: &mut Vec<PageAction>, ui: &mut Ui) {
    let dark = ui.visuals().dark_mode;
    let line_height = ui
        .text_style_height(&egui::TextStyle::Monospace)
        .max(ui.spacing().interact_size.y);
    let mono = |text: String| RichText::new(text).monospace();
    let position_of = |number: Option<u64>| {
        number
            .and_then(|n| n.checked_sub(page.log().first()))
            .and_then(|row| shown.position(row as usize))
    };
    let found = position_of(page.found());
    let selected = position_of(page.selected_row());
    // Rows take the clicks (context menu to copy), so their labels must not select text.
    ui.style_mut().interaction.selectable_labels = false;
    let mut builder = TableBuilder::new(ui)
        .striped(true)
        .sense(egui::Sense::click())
        .stick_to_bottom(!page.is_paused() && found.is_none())
        .column(Column::auto().at_least(96.0))
        .column(Column::auto().at_least(44.0))
        .column(Column::auto().at_least(150.0))
        .column(Column::auto().at_least(56.0))
        .column(Column::remainder().clip(true));
    if let Some(position) = found.filter(|_| page.take_scroll_to_found()) {
        builder = builder.scroll_to_row(position, Some(egui::Align::Center));
    }
    let page = &*page;
    let table = builder.header(line_height, |mut header| {
        for title in [t("Time"), t("Dir"), t("Peer"), t("Length"), t("Content")] {
            header.col(|ui| {
                ui.strong(title);
            });
        }
    });
    let mut add_row = |mut table_row: egui_extras::TableRow<'_, '_>| {
        let row: LogRow = page.log().row(shown.row(table_row.index()));
        let index = Some(table_row.index());
        table_row.set_selected(found == index || selected == index);
        let color = direction_color(row.direction, dark);
        table_row.col(|ui| {
            cell(
                ui,
                mono(
                    DateTime::<Local>::from(row.time)
                        .format("%H:%M:%S%.3f")
                        .to_string(),
                ),
            );
        });
        table_row.col(|ui| {
            cell(ui, mono(t(row.direction.label()).to_string()).color(color));
        });
        table_row.col(|ui| {
            cell(ui, mono(page.peer_cell(&row)));
        });
        table_row.col(|ui| {
            if matches!(row.direction, Direction::Rx | Direction::Tx) {
                cell(ui, mono(format!("{} B", row.data.len())));
            }
        });
        table_row.col(|ui| {
            let label =
                egui::Label::new(mono(row_content(&row, page.config().display)).color(color));
            // One line per row, cut with "…"; the dump of "Show both" keeps its lines.
            let label = if page.config().display == DisplayMode::Both {
                label.extend()
            } else {
                label.truncate()
            };
            ui.add(label);
        });
        let response = table_row.response();
        if response.clicked() {
            let number = page.log().first() + shown.row(table_row.index()) as u64;
            let open = page.selected_row() != Some(number);
            actions.push(PageAction::SelectRow(open.then_some(number)));
        }
        response.context_menu(|ui| {
            if ui.button(t("Copy as text")).clicked() {
                ui.ctx().copy_text(row.text.clone());
                ui.close();
            }
            if ui.button(t("Copy as hex")).clicked() {
                ui.ctx().copy_text(format_hex(row.data));
                ui.close();
            }
        });
    };
    table.body(|body| {
        if page.config().display == DisplayMode::Both {
            let heights = (0..shown.len()).map(|i| {
                let row = shown.row(i);
                let lines = match page.log().direction(row) {
                    Direction::Rx | Direction::Tx => {
                        1 + page.log().data_len(row).div_ceil(16).max(1)
                    }
                    _ => 1,
                };
                lines as f32 * line_height
            });
            body.heterogeneous_rows(heights, &mut add_row);
        } else {
            body.rows(line_height, shown.len(), &mut add_row);
        }
    });
}
