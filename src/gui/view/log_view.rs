//! The log: a toolbar that never wraps, filter and find bars, a clicked row's details, and
//! the table of rows (`log_table`).

use crate::gui::i18n::{t, tf};
use egui::{Key, Modifiers, RichText, Ui};

use crate::codec::TextEncoding;
use crate::gui::model::page::{DisplayMode, LogView, Page, PageAction};
use crate::gui::view::{choice_combo, labelled_combo, labelled_field, switch_button};
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
        empty_hint(page.kind(), page.is_open(), page.is_connected(), ui);
        return;
    }
    match page.config().view {
        LogView::Table => {
            detail_pane(page, actions, ui);
            super::log_table::draw(page, &shown, actions, ui);
        }
        LogView::Chart => super::chart_view::draw(page, &shown, ui),
        LogView::Plots => super::plots_view::draw(page, &shown, ui),
    }
}

/// What to do first (or, once open, next), where the rows will be. A TCP client is open
/// before it is connected (its connect, a TLS handshake): it says so until then.
fn empty_hint(kind: SessionKind, open: bool, connected: bool, ui: &mut Ui) {
    let hint = match (kind, open) {
        (SessionKind::TcpClient, false) => t("Connect to a server, then type a message below"),
        (SessionKind::TcpClient, true) if !connected => {
            t("Connecting: what the server sends will show here")
        }
        (SessionKind::TcpClient, true) => {
            t("Connected: type a message below; what the server sends shows here")
        }
        (SessionKind::TcpServer, false) => {
            t("Listen, then connect a client to this port; its messages show here")
        }
        (SessionKind::TcpServer, true) => {
            t("Listening: connect a client to this port; its messages show here")
        }
        (SessionKind::Udp, false) => {
            t("Open the socket, set where to send, then type a message below")
        }
        (SessionKind::Udp, true) => {
            t("Open: set where to send and type a message below; datagrams show here")
        }
        (SessionKind::Relay, false) => {
            t("Start the relay, then point a client at its port: what each end sends shows here")
        }
        (SessionKind::Relay, true) => {
            t("Relaying: point a client at its port; what each end sends shows here")
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
            // Lecture mode's program, beside the rows it plays.
            if page.config().python_column && page.config().view == LogView::Table {
                super::python_view::copy_button(page, ui);
            }
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

fn find_id() -> egui::Id {
    egui::Id::unique("log-find")
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
